"""OCR of a page image with tesseract (through pytesseract), boxes mapped back to the original pixels.

`--psm 6` (one uniform block of text) read receipt scans best of the page segmentation modes we measured.
In that mode tesseract drops a line whose letters stand more than 1.3 times as tall as the rest (its
`textord_excess_blobsize`), which is how a vendor's name printed large at the top of a page went missing;
3 keeps such headings. `--psm 11` (sparse text) reads invoices and forms better: one block merges their
columns into mixed lines. Each document type chooses (its schema's `ocr_segmentation`); after a sparse
reading, the lone glyphs that mode drops get a second look (`second_look`).
Pages are read by a tesseract kept loaded in the process (`tesseract_library`), which returns the same words
as the `tesseract` command without paying its start-up on every call; the command, through pytesseract,
reads where the library cannot be loaded and when `ReadContext.ocr_engine` is "command".
A page that comes back nearly empty or garbled is checked once for being upside down or sideways
(tesseract's orientation detection) and read again turned upright; clean pages pay nothing for this.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass

import pytesseract
from PIL import Image

from extractors.context import OCR_ENGINES, ReadContext
from extractors.exceptions import OcrFailed, OcrTimeout
from extractors.reading.preprocess import PreparedImage, prepare_for_ocr
from extractors.reading.second_look import Box, loose_ink, strip_of
from extractors.reading.tesseract_library import LibraryUnavailable, Segmentation, engine_for
from extractors.types import Word

# Tesseract's page segmentation for each `ReadContext.page_segmentation`: `--psm 6` (one uniform block)
# or `--psm 11` (sparse text). Both keep lines printed much larger than the rest (textord_excess_blobsize).
PAGE_SEGMENTATIONS = {
    "block": Segmentation(6, (("textord_excess_blobsize", "3"),)),
    "sparse": Segmentation(11, (("textord_excess_blobsize", "3"),)),
}
log = logging.getLogger("docloop.ocr")
_warned_unavailable = False
POOR_MEAN_CONFIDENCE = 0.55
POOR_WORD_COUNT = 8
# What tesseract makes of table rules, smudges and the edges of the paper: a bar or a lone quote mark
# standing as a word, or stuck to a word's edge ("| No 8", "‘Tampoi").
RULE_MARKS = re.compile(r"^[|‘’`_~—–]+$")
EDGE_MARKS_LEFT, EDGE_MARKS_RIGHT = "|‘`_~", "|_~"


@dataclass(frozen=True)
class OcrReading:
    """Words with boxes on the image as given, and the turn (degrees, counter-clockwise) that levels it."""

    words: list[Word]
    rotation: float
    # The words of the page's further readings (`ReadContext.ocr_readings` after the first).
    alternates: tuple[tuple[Word, ...], ...] = ()


def ocr_image(image: Image.Image, ctx: ReadContext) -> OcrReading:
    """Words on `image` with boxes in its own pixel coordinates and confidences in 0..1; with several
    readings configured, the later ones' words too, read from the same prepared (and turned) image."""
    pytesseract.pytesseract.tesseract_cmd = ctx.tesseract_cmd
    first, *others = ctx.ocr_readings
    prepared = prepare_for_ocr(image, ctx)
    words = _words(prepared, ctx, first)
    turn, upright_size = 0, image.size
    if _poor(words):
        found_turn = _orientation(prepared.image, ctx)
        if found_turn:
            upright = image.rotate(-found_turn, expand=True)
            prepared_upright = prepare_for_ocr(upright, ctx)
            retry = _words(prepared_upright, ctx, first)
            if _mean_confidence(retry) > _mean_confidence(words):
                prepared, turn, upright_size = prepared_upright, found_turn, upright.size
                words = [_unturn(w, turn, upright_size) for w in retry]
    alternates = tuple(
        tuple(_unturn(w, turn, upright_size) if turn else w for w in _words(prepared, ctx, language))
        for language in others
    )
    return OcrReading(words, prepared.angle - turn, alternates)


def load_engine(ctx: ReadContext) -> None:
    """Load tesseract for `ctx`'s readings now rather than on the first page (when it runs loaded)."""
    if ctx.ocr_engine == "library":
        # Without the library the first page falls back to the command, and says so in the log.
        with contextlib.suppress(LibraryUnavailable):
            for language in ctx.ocr_readings:
                engine_for(language, ctx.tessdata_dir)


def _words(prepared: PreparedImage, ctx: ReadContext, language: str) -> list[Word]:
    read = _read(prepared.image, ctx, PAGE_SEGMENTATIONS[ctx.page_segmentation], language)
    words = [Word(text, prepared.to_original(box), confidence) for text, box, confidence in read]
    if ctx.page_segmentation == "sparse":
        words += _second_look(prepared, [box for _, box, _ in read], ctx, language)
    return words


def _second_look(prepared: PreparedImage, boxes: list[Box], ctx: ReadContext, language: str) -> list[Word]:
    """Words in the ink sparse segmentation passed over (lone glyphs), read on one strip as a block."""
    ink = loose_ink(prepared.image, boxes)
    if not ink.boxes:
        return []
    strip = strip_of(prepared.image, ink)
    words = []
    for text, box, confidence in _read(strip.image, ctx, PAGE_SEGMENTATIONS["block"], language):
        on_page = strip.to_page(box)
        # Only letters and digits: a smudge read as "-" or "." is no word worth adding.
        if on_page is not None and any(ch.isalnum() for ch in text):
            words.append(Word(text, prepared.to_original(on_page), confidence))
    return words


def _read(
    image: Image.Image, ctx: ReadContext, segmentation: Segmentation, language: str
) -> list[tuple[str, Box, float]]:
    """Tesseract's words on an image read with `language`: text, box in its pixels, confidence in 0..1."""
    global _warned_unavailable
    if ctx.ocr_engine not in OCR_ENGINES:
        raise OcrFailed(f"unknown OCR engine '{ctx.ocr_engine}' (DOCLOOP_OCR_ENGINE): use library or command")
    if ctx.ocr_engine == "library":
        try:
            engine = engine_for(language, ctx.tessdata_dir)
        except LibraryUnavailable as e:
            if not _warned_unavailable:
                log.warning("%s; reading with the tesseract command instead", e)
                _warned_unavailable = True
        else:
            return _kept_words(engine.data(image, segmentation, ctx.ocr_timeout_seconds))
    # Hand tesseract an uncompressed bitmap: given an image, pytesseract would PNG-encode it first,
    # which costs more than all our preprocessing together.
    with tempfile.NamedTemporaryFile(suffix=".bmp") as handle:
        image.save(handle, format="BMP")
        handle.flush()
        return _kept_words(_tesseract_data(handle.name, ctx, segmentation.command_config(), language))


def _tesseract_data(path: str, ctx: ReadContext, config: str, language: str) -> dict:
    if ctx.tessdata_dir:
        config = f"--tessdata-dir {shlex.quote(ctx.tessdata_dir)} {config}"
    try:
        return pytesseract.image_to_data(
            path,
            lang=language,
            config=config,
            timeout=ctx.ocr_timeout_seconds,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as e:  # pytesseract's timeout and TesseractError are both RuntimeErrors
        if "timeout" in str(e).lower():
            raise OcrTimeout.after(ctx.ocr_timeout_seconds) from e
        if "Failed loading language" in str(e):
            raise OcrFailed.missing_language(language, ctx.tessdata_dir) from e
        raise OcrFailed(f"tesseract failed: {e}") from e
    except (pytesseract.TesseractNotFoundError, OSError, subprocess.SubprocessError) as e:
        raise OcrFailed(f"tesseract could not read the page: {e}") from e


def _kept_words(data: dict) -> list[tuple[str, Box, float]]:
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        confidence = float(data["conf"][i])
        if not text or confidence < 0 or RULE_MARKS.match(text):
            continue
        text = text.lstrip(EDGE_MARKS_LEFT).rstrip(EDGE_MARKS_RIGHT) or text
        box = (
            data["left"][i],
            data["top"][i],
            data["left"][i] + data["width"][i],
            data["top"][i] + data["height"][i],
        )
        words.append((text, box, confidence / 100.0))
    return words


def _mean_confidence(words: list[Word]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def _poor(words: list[Word]) -> bool:
    return len(words) < POOR_WORD_COUNT or _mean_confidence(words) < POOR_MEAN_CONFIDENCE


def _orientation(image: Image.Image, ctx: ReadContext) -> int:
    """Degrees (clockwise) the page is turned by, per tesseract's orientation detection; 0 if unsure."""
    try:
        report = pytesseract.image_to_osd(image, config="--psm 0", timeout=ctx.ocr_timeout_seconds)
    except (RuntimeError, pytesseract.TesseractError, OSError, subprocess.SubprocessError):
        return 0  # too little text to tell: keep the first reading
    rotate = re.search(r"Rotate:\s*(\d+)", report)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", report)
    if not rotate or not confidence or float(confidence.group(1)) < 2.0:
        return 0
    return int(rotate.group(1)) % 360


def _unturn(word: Word, turn: int, upright_size: tuple[int, int]) -> Word:
    """A word box read on the page turned upright, in the coordinates of the page as uploaded."""
    width, height = upright_size
    x0, y0, x1, y1 = word.box
    if turn == 180:
        box = (width - x1, height - y1, width - x0, height - y0)
    elif turn == 90:  # upright = original turned 90 degrees clockwise
        box = (y0, width - x1, y1, width - x0)
    else:  # 270
        box = (height - y1, x0, height - y0, x1)
    return Word(text=word.text, box=box, confidence=word.confidence)
