"""The small frozen context every stage receives instead of reading the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGE_SEGMENTATION_KINDS = ("block", "sparse")
OCR_ENGINES = ("library", "command")


@dataclass(frozen=True)
class ReadContext:
    """Limits and knobs for reading pages; built by the application from its settings."""

    max_pages: int = 200
    max_image_pixels: int = 80_000_000
    max_page_points: float = 14_400.0  # 200 inches, the PDF spec's own limit
    ocr_timeout_seconds: float = 60.0
    # Tesseract's language data: "+" joins languages in one reading ("msa+eng"); "," asks for separate
    # readings of the page ("eng,msa"), whose candidates are pooled: on receipt photos each reading gets
    # right what the other misreads (BENCHMARKS.md), for the time of both.
    ocr_language: str = "eng"
    # Where tesseract's language data lies; None: tesseract's own place.
    tessdata_dir: str | None = None
    render_dpi: int = 200
    # Scale scans whose typical text line is below `upscale_below` or above `downscale_above` pixels high
    # to `target_text_height` before OCR. Upscaling is off by default: on receipt scans it bought 0.7
    # points of strict F1 for 15% more OCR time (BENCHMARKS.md); downscaling large scans only saves time.
    target_text_height: int = 30
    upscale_below: float = 0.0
    downscale_above: float = 45.0
    tesseract_cmd: str = "tesseract"
    # "library": tesseract kept loaded in the process (the same words as the command, without its start-up
    # on every page); "command": the tesseract command for every page, as pytesseract runs it.
    ocr_engine: str = "library"
    # How tesseract finds the text on a page: "block" reads it as one block of lines (a receipt's single
    # column, where it reads best), "sparse" finds text wherever it stands (invoices and forms, laid out in
    # columns and boxes, where one block merges lines of different columns). Set per document type.
    page_segmentation: str = "block"
    # When set, page images for the review screen are written here (one JPEG per page).
    page_image_dir: Path | None = None
    page_image_max_side: int = 1600

    @property
    def ocr_readings(self) -> tuple[str, ...]:
        """The language setting of each reading of a page, the first one's words being the page's own."""
        return tuple(part.strip() for part in self.ocr_language.split(",") if part.strip()) or ("eng",)
