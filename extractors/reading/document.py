"""Read a whole document into pages: text layer where it is good, OCR where it is not."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

import pypdfium2 as pdfium

from extractors.context import ReadContext
from extractors.exceptions import CorruptDocument, EncryptedDocument, TooManyPages, UnsupportedDocument
from extractors.reading.images import open_image_frames, render_pdf_page
from extractors.reading.ocr import OcrReading, ocr_image
from extractors.reading.pdf_text import has_usable_text, text_layer_words
from extractors.sniff import JPEG, PDF, PNG, TIFF
from extractors.types import Page, Word

NO_TEXT_FLAG = "no_text_found"
# Bumped whenever reading changes what it returns (caches of read pages key on it).
READER_VERSION = "9"


def read_document(data: bytes, media_type: str, ctx: ReadContext) -> tuple[Page, ...]:
    """All pages of a document as words with boxes; raises an ExtractionError with a stable code."""
    if media_type == PDF:
        return tuple(_read_pdf(data, ctx))
    if media_type in (PNG, JPEG, TIFF):
        return tuple(_read_images(data, ctx))
    raise UnsupportedDocument(f"Cannot read documents of type {media_type}.")


def count_pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF (opens it, so also checks that it is readable)."""
    pdf = _open_pdf(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise EncryptedDocument(
                "The PDF is encrypted with a password; upload an unencrypted copy."
            ) from e
        raise CorruptDocument(f"The PDF could not be opened: {e}") from e


def _read_pdf(data: bytes, ctx: ReadContext) -> list[Page]:
    pdf = _open_pdf(data)
    try:
        if len(pdf) > ctx.max_pages:
            raise TooManyPages(f"The PDF has {len(pdf)} pages; the limit is {ctx.max_pages}.")
        if len(pdf) == 0:
            raise CorruptDocument("The PDF has no pages.")
        pages = []
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as e:
                raise CorruptDocument(f"Page {index + 1} of the PDF could not be loaded: {e}") from e
            try:
                pages.append(_read_pdf_page(page, index + 1, ctx))
            finally:
                page.close()
        return pages
    finally:
        pdf.close()


def _read_pdf_page(page: pdfium.PdfPage, number: int, ctx: ReadContext) -> Page:
    started = time.perf_counter()
    width, height = page.get_size()
    words = text_layer_words(page)
    if has_usable_text(words):
        return Page(
            number=number,
            width=width,
            height=height,
            words=tuple(words),
            source="text_layer",
            read_ms=_ms_since(started),
        )
    # No usable text layer: a scanned page. Render, OCR, and bring boxes back to points.
    image, scale = render_pdf_page(page, ctx.render_dpi, ctx)
    reading = ocr_image(image, ctx)

    def in_points(words: Iterable[Word]) -> tuple[Word, ...]:
        return tuple(
            Word(w.text, (w.x0 / scale, w.y0 / scale, w.x1 / scale, w.y1 / scale), w.confidence)
            for w in words
        )

    in_points_reading = replace(
        reading, words=list(in_points(reading.words)), alternates=tuple(map(in_points, reading.alternates))
    )
    return _ocr_page(number, width, height, in_points_reading, started)


def _read_images(data: bytes, ctx: ReadContext) -> list[Page]:
    pages = []
    for number, image in enumerate(open_image_frames(data, ctx), start=1):
        started = time.perf_counter()
        pages.append(_ocr_page(number, image.width, image.height, ocr_image(image, ctx), started))
    return pages


def _ocr_page(number: int, width: float, height: float, reading: OcrReading, started: float) -> Page:
    """A page read by OCR; one where OCR found nothing is flagged rather than silently empty."""
    return Page(
        number=number,
        width=width,
        height=height,
        words=tuple(reading.words),
        source="ocr",
        flags=() if reading.words else (NO_TEXT_FLAG,),
        read_ms=_ms_since(started),
        rotation=reading.rotation,
        alternates=reading.alternates,
    )


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
