"""OCR of a page image with tesseract (through pytesseract), boxes mapped back to the original pixels."""

from __future__ import annotations

import subprocess

import pytesseract
from PIL import Image

from extractors.context import ReadContext
from extractors.exceptions import OcrFailed, OcrTimeout
from extractors.reading.preprocess import prepare_for_ocr
from extractors.types import Word


def ocr_image(image: Image.Image, ctx: ReadContext) -> list[Word]:
    """Words on `image` with boxes in its own pixel coordinates and confidences in 0..1."""
    prepared = prepare_for_ocr(image, ctx)
    pytesseract.pytesseract.tesseract_cmd = ctx.tesseract_cmd
    try:
        data = pytesseract.image_to_data(
            prepared.image,
            lang=ctx.ocr_language,
            config="--psm 3",
            timeout=ctx.ocr_timeout_seconds,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as e:  # pytesseract signals its timeout this way
        if "timeout" in str(e).lower():
            raise OcrTimeout(f"OCR took longer than {ctx.ocr_timeout_seconds:g} s and was stopped.") from e
        raise OcrFailed(f"tesseract failed: {e}") from e
    except (
        pytesseract.TesseractError,
        pytesseract.TesseractNotFoundError,
        OSError,
        subprocess.SubprocessError,
    ) as e:
        raise OcrFailed(f"tesseract could not read the page: {e}") from e
    return _words_from_data(data, prepared.scale)


def _words_from_data(data: dict[str, list], scale: float) -> list[Word]:
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        left, top = data["left"][i] / scale, data["top"][i] / scale
        width, height = data["width"][i] / scale, data["height"][i] / scale
        words.append(Word(text=text, box=(left, top, left + width, top + height), confidence=conf / 100.0))
    return words
