"""Words supplied by the caller (bring your own OCR), in the shared words-JSON shape."""

from __future__ import annotations

import json
from typing import Any

from extractors.exceptions import InvalidWords, TooManyPages
from extractors.types import Page, Word

MAX_WORDS_PER_PAGE = 50_000


def parse_words_json(raw: bytes | str | dict[str, Any], *, max_pages: int) -> tuple[Page, ...]:
    """Pages from `{"pages": [{"width", "height", "words": [{"text", "box"}]}]}`; raises InvalidWords."""
    try:
        document = json.loads(raw) if isinstance(raw, bytes | str) else raw
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidWords(f"The words file is not valid JSON: {e}") from e
    if not isinstance(document, dict) or not isinstance(document.get("pages"), list):
        raise InvalidWords('The words file must be an object with a "pages" list.')
    pages_raw = document["pages"]
    if not pages_raw:
        raise InvalidWords("The words file has no pages.")
    if len(pages_raw) > max_pages:
        raise TooManyPages(f"The words file has {len(pages_raw)} pages; the limit is {max_pages}.")
    return tuple(_parse_page(number, page) for number, page in enumerate(pages_raw, start=1))


def _parse_page(number: int, page: Any) -> Page:
    where = f"page {number}"
    if not isinstance(page, dict):
        raise InvalidWords(f"{where} must be an object.")
    width, height = page.get("width"), page.get("height")
    if not _positive_number(width) or not _positive_number(height):
        raise InvalidWords(f"{where} needs a positive numeric width and height.")
    words_raw = page.get("words", [])
    if not isinstance(words_raw, list):
        raise InvalidWords(f'{where}: "words" must be a list.')
    if len(words_raw) > MAX_WORDS_PER_PAGE:
        raise InvalidWords(f"{where} has {len(words_raw)} words; the limit is {MAX_WORDS_PER_PAGE}.")
    words = []
    for i, word in enumerate(words_raw):
        if not isinstance(word, dict) or not isinstance(word.get("text"), str):
            raise InvalidWords(f'{where}, word {i}: needs a "text" string.')
        box = word.get("box")
        if not (isinstance(box, list) and len(box) == 4 and all(_number(v) for v in box)):
            raise InvalidWords(f'{where}, word {i}: "box" must be four numbers [x0, y0, x1, y1].')
        x0, y0, x1, y1 = (float(v) for v in box)
        text = " ".join(word["text"].split())
        if not text:
            continue
        confidence = word.get("confidence", 1.0)
        confidence = float(confidence) if _number(confidence) and 0 <= confidence <= 1 else 1.0
        words.append(
            Word(text=text, box=(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), confidence=confidence)
        )
    return Page(
        number=number, width=float(width), height=float(height), words=tuple(words), source="supplied"
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value  # not NaN


def _positive_number(value: Any) -> bool:
    return _number(value) and value > 0
