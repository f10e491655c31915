"""Extraction speed: text-layer PDF pages per second, and the cost of a scanned page over tesseract alone.

    python benchmarks/extraction_speed.py text  PDF_DIR [--pages 300]
    python benchmarks/extraction_speed.py scans IMAGE_DIR [--limit 40] [--language msa+eng | eng,msa]
        [--segmentation sparse] [--tessdata-dir DIR]

`text`: every PDF in PDF_DIR is read and extracted (invoice schema) repeatedly until --pages pages were
processed; pdfplumber's extract_words and pdfium's character boxes are timed on the same pages for
comparison. `scans`: each image is read by the tesseract command alone (`tesseract IMAGE stdout -l
LANGUAGE`, default settings) and by docloop (preprocessing, tesseract, line building) twice: with the
tesseract command for each call, through pytesseract (`DOCLOOP_OCR_ENGINE=command`), and with tesseract
kept loaded (`library`, the default). All with OMP_THREAD_LIMIT=1 and the same language data, taking turns
image by image (the two docloop readings in alternating order), so the three see the same machine state.
With several readings ("eng,msa"), tesseract alone runs once per reading.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from extractors.context import PAGE_SEGMENTATION_KINDS, ReadContext
from extractors.extract import extract
from extractors.reading import read_document
from extractors.reading.pdf_text import text_layer_words
from extractors.schema import load_schemas
from extractors.sniff import sniff_media_type

os.environ["OMP_THREAD_LIMIT"] = "1"


def text_layer(folder: Path, pages_wanted: int) -> None:
    """Pages per second for text-layer PDFs: pdfplumber words, pdfium words, docloop read+extract."""
    files = sorted(folder.glob("*.pdf"))
    blobs = [(p, p.read_bytes()) for p in files]
    blobs = [
        (p, b)
        for p, b in blobs
        if read_document(b, "application/pdf", ReadContext())[0].source == "text_layer"
    ]
    schema = load_schemas()["invoice"]
    ctx = ReadContext()

    def run(step) -> float:  # type: ignore[no-untyped-def]
        done, started = 0, time.perf_counter()
        while done < pages_wanted:
            for _path, data in blobs:
                done += step(data)
                if done >= pages_wanted:
                    break
        return done / (time.perf_counter() - started)

    def plumber(data: bytes) -> int:
        import io

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_words()
            return len(pdf.pages)

    def pdfium_words(data: bytes) -> int:
        pdf = pdfium.PdfDocument(data)
        try:
            for i in range(len(pdf)):
                text_layer_words(pdf[i])
            return len(pdf)
        finally:
            pdf.close()

    def docloop(data: bytes) -> int:
        pages = read_document(data, "application/pdf", ctx)
        extract(pages, schema)
        return len(pages)

    print(f"text-layer PDFs: {len(blobs)} files from {folder}, {pages_wanted} pages per measurement")
    print(f"  pdfplumber extract_words      {run(plumber):8.1f} pages/s")
    print(f"  pdfium character boxes        {run(pdfium_words):8.1f} pages/s")
    print(f"  docloop read + extract fields {run(docloop):8.1f} pages/s")


def scans(
    folder: Path,
    limit: int,
    language: str = "eng",
    segmentation: str = "block",
    tessdata_dir: str | None = None,
) -> None:
    """Seconds per scanned page: docloop's reading against the tesseract command on the same image, both
    with the same language data; docloop reads as a document type with `segmentation` would."""
    images = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
    )
    images = images[:limit]
    library = ReadContext(
        ocr_language=language, page_segmentation=segmentation, ocr_engine="library", tessdata_dir=tessdata_dir
    )
    folder_option = ["--tessdata-dir", tessdata_dir] if tessdata_dir else []
    command = replace(library, ocr_engine="command")
    first = images[0].read_bytes()
    read_document(first, sniff_media_type(first[:16]), library)  # tesseract loaded before the clock runs
    theirs, by_command, by_library = [], [], []
    for index, path in enumerate(images):
        data = path.read_bytes()
        started = time.perf_counter()
        for reading in library.ocr_readings:
            subprocess.run(
                ["tesseract", str(path), "stdout", "-l", reading, *folder_option],
                check=True,
                capture_output=True,
            )
        theirs.append(time.perf_counter() - started)
        turns = [(command, by_command), (library, by_library)]
        for ctx, times in turns if index % 2 else reversed(turns):  # neither always goes first
            started = time.perf_counter()
            read_document(data, sniff_media_type(data[:16]), ctx)
            times.append(time.perf_counter() - started)
    n, total_theirs = len(images), sum(theirs)
    where = f", language data from {tessdata_dir}" if tessdata_dir else ""
    print(f"scanned pages: {n} images from {folder}, language {language}, {segmentation}{where}")
    median = statistics.median(theirs)
    print(f"  tesseract alone              {total_theirs / n:6.3f} s/page (median {median:.3f})")
    for name, times in (("the command", by_command), ("tesseract loaded", by_library)):
        print(
            f"  docloop, {name:<19} {sum(times) / n:6.3f} s/page (median {statistics.median(times):.3f}), "
            f"{100 * (sum(times) / total_theirs - 1):+6.1f} % over tesseract alone"
        )


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["text", "scans"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--language", default="eng", help="tesseract language data (scans)")
    parser.add_argument("--tessdata-dir", default=None, help="tesseract's language data folder (scans)")
    parser.add_argument(
        "--segmentation",
        default="block",
        choices=PAGE_SEGMENTATION_KINDS,
        help="docloop's page segmentation (scans)",
    )
    args = parser.parse_args()
    if args.mode == "text":
        text_layer(args.folder, args.pages)
    else:
        scans(args.folder, args.limit, args.language, args.segmentation, args.tessdata_dir)


if __name__ == "__main__":
    sys.exit(main())
