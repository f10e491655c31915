"""Open uploaded images and render PDF pages to images, within pixel limits."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from extractors.context import ReadContext
from extractors.exceptions import CorruptDocument, PageTooLarge, TooManyPages


def open_image_frames(data: bytes, ctx: ReadContext) -> Iterator[Image.Image]:
    """Each frame of a PNG, JPEG or (multi-page) TIFF, upright, checked against the pixel limit."""
    try:
        with warnings.catch_warnings():
            # Pillow warns about large images; our own limit below decides, with a clear error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
            if frames > ctx.max_pages:
                raise TooManyPages(f"The image has {frames} pages; the limit is {ctx.max_pages}.")
            for frame in ImageSequence.Iterator(image):
                check_pixels(frame.width, frame.height, ctx)
                frame.load()
                yield ImageOps.exif_transpose(
                    frame.convert("RGB") if frame.mode not in ("L", "RGB") else frame
                )
    except Image.DecompressionBombError as e:
        raise PageTooLarge(f"The image is too large to read safely: {e}") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise CorruptDocument(f"The image could not be decoded: {e}") from e


def check_pixels(width: float, height: float, ctx: ReadContext) -> None:
    """Refuse an image whose decoded size would exceed the configured pixel budget."""
    if width * height > ctx.max_image_pixels:
        raise PageTooLarge(
            f"A page of {int(width)}x{int(height)} pixels is over the limit of "
            f"{ctx.max_image_pixels:,} pixels."
        )


def render_pdf_page(page: pdfium.PdfPage, dpi: float, ctx: ReadContext) -> tuple[Image.Image, float]:
    """The page rendered in grey at up to `dpi`, lowered if needed to stay within the pixel budget."""
    width_pt, height_pt = page.get_size()
    if max(width_pt, height_pt) > ctx.max_page_points:
        raise PageTooLarge(
            f"A page of {width_pt:.0f}x{height_pt:.0f} points is larger than the limit of "
            f"{ctx.max_page_points:.0f} points per side."
        )
    scale = dpi / 72.0
    pixels = width_pt * height_pt * scale * scale
    if pixels > ctx.max_image_pixels:
        scale *= (ctx.max_image_pixels / pixels) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil().convert("L"), scale
    finally:
        bitmap.close()


def display_jpeg(
    data: bytes, media_type: str, page_number: int, ctx: ReadContext, max_side: int = 1600, quality: int = 80
) -> tuple[bytes, int, int]:
    """A JPEG of one page for people to look at, at most `max_side` pixels on its longer side."""
    if media_type == "application/pdf":
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page_number <= len(pdf):
                raise CorruptDocument(f"The PDF has no page {page_number}.")
            page = pdf[page_number - 1]
            try:
                width_pt, height_pt = page.get_size()
                dpi = min(150.0, max_side / max(width_pt, height_pt, 1.0) * 72.0)
                image, _scale = render_pdf_page(page, dpi, ctx)
            finally:
                page.close()
        finally:
            pdf.close()
    else:
        image = None
        for number, frame in enumerate(open_image_frames(data, ctx), start=1):
            if number == page_number:
                image = frame
                break
        if image is None:
            raise CorruptDocument(f"The image has no page {page_number}.")
        image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(
        out, "JPEG", quality=quality, optimize=True
    )
    return out.getvalue(), image.width, image.height
