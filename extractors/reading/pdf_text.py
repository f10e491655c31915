"""Words with boxes from a PDF page's text layer, read through pdfium's character boxes (fast)."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.types import Word

# A text layer with fewer printable characters than this is treated as absent (scan with stray text).
MIN_TEXT_CHARS = 20
_SPACE_GAP_RATIO = 0.25  # a horizontal gap wider than this share of the line height splits words


def text_layer_words(page: pdfium.PdfPage) -> list[Word]:
    """The words of a page in reading order, boxes in points with the origin at the top left."""
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        words: list[Word] = []
        chars: list[tuple[str, float, float, float, float]] = []
        rect = pdfium_c.FS_RECTF()
        raw = textpage.raw
        for index in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(raw, index)
            char = chr(code) if code else ""
            if not char or char.isspace() or pdfium_c.FPDFText_IsGenerated(raw, index) == 1:
                _flush(chars, words, height)
                continue
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, index, ctypes.byref(rect)):
                continue
            box = (rect.left, rect.bottom, rect.right, rect.top)
            if chars and _breaks_word(chars[-1], box):
                _flush(chars, words, height)
            chars.append((char, *box))
        _flush(chars, words, height)
        return words
    finally:
        textpage.close()


def _breaks_word(
    previous: tuple[str, float, float, float, float], box: tuple[float, float, float, float]
) -> bool:
    _char, _left, bottom, right, top = previous
    line_height = max(top - bottom, 1.0)
    same_line = abs(box[1] - bottom) < line_height * 0.5
    gap = box[0] - right
    return not same_line or gap > line_height * _SPACE_GAP_RATIO or gap < -line_height


def _flush(
    chars: list[tuple[str, float, float, float, float]], words: list[Word], page_height: float
) -> None:
    if not chars:
        return
    text = "".join(c[0] for c in chars)
    left = min(c[1] for c in chars)
    bottom = min(c[2] for c in chars)
    right = max(c[3] for c in chars)
    top = max(c[4] for c in chars)
    words.append(Word(text=text, box=(left, page_height - top, right, page_height - bottom), confidence=1.0))
    chars.clear()


def has_usable_text(words: list[Word]) -> bool:
    """True when a text layer carries enough real text to skip OCR."""
    printable = sum(sum(ch.isalnum() for ch in w.text) for w in words)
    return printable >= MIN_TEXT_CHARS
