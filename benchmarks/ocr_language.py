"""OCR language data and image variants: the share of labelled values found verbatim in the OCR text.

    python benchmarks/ocr_language.py ../shared/data/sroie-dev --limit 70
    python benchmarks/ocr_language.py DIR --readings eng,msa,msa+eng,eng:otsu,eng:psm4
    python benchmarks/ocr_language.py ../shared/data/funsd-train --words --limit 50 --readings eng,msa
    python benchmarks/ocr_language.py DIR --readings "eng,eng@best,msa,eng@best|msa" --models best=DIR

A reading is LANGUAGE[:VARIANT][@MODELS], MODELS naming a folder of language data given with `--models
NAME=DIR` (`docloop ocr-models` fetches tesseract's best models); `A|B` counts a value found when either
reading's text holds it (what pooling the two readings' candidates can reach). Every image gets
docloop's own preparation (grey, contrast, deskew, scaling); the variant then changes the image or
tesseract's page segmentation: `otsu` and `sauvola` binarise, `sharpen` applies an unsharp mask,
`upscale` enlarges 1.5x; `psmN` reads with tesseract's page segmentation mode N and nothing else (`psm6`
is docloop's mode without its own settings), `blobN` with `textord_excess_blobsize` N (docloop's: 3). A
value counts as found when its text, without spaces and in capitals, stands in the page's text read the same
way: an upper bound on what any choice among candidates can reach, per field. With `--words` (folders whose
documents carry ground-truth words, such as FUNSD's forms): the share of the ground-truth words of three
letters or more that the OCR text holds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image, ImageFilter

from extractors.context import ReadContext
from extractors.reading.ocr import PAGE_SEGMENTATIONS
from extractors.reading.preprocess import otsu_threshold, prepare_for_ocr

FIELDS = ("company", "address", "total", "date")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.upper())


def _sauvola(grey: Image.Image, window: int = 31, k: float = 0.2) -> Image.Image:
    """Local-threshold binarisation (mean and deviation over a window, from integral images)."""
    pixels = np.asarray(grey, dtype=np.float64)
    padded = np.pad(pixels, window // 2 + 1, mode="edge")
    sums, squares = padded.cumsum(0).cumsum(1), (padded * padded).cumsum(0).cumsum(1)
    h, w = pixels.shape

    def box(table: np.ndarray) -> np.ndarray:
        return (
            table[window : window + h, window : window + w]
            - table[:h, window : window + w]
            - table[window : window + h, :w]
            + table[:h, :w]
        )

    mean = box(sums) / window**2
    deviation = np.sqrt(np.maximum(box(squares) / window**2 - mean * mean, 0))
    threshold = mean * (1 + k * (deviation / 128 - 1))
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8))


def _prepared(image: Image.Image, variant: str) -> tuple[Image.Image, str]:
    grey = prepare_for_ocr(image, ReadContext()).image
    if variant == "otsu":
        pixels = np.asarray(grey)
        grey = Image.fromarray(np.where(pixels > otsu_threshold(pixels), 255, 0).astype(np.uint8))
    elif variant == "sauvola":
        grey = _sauvola(grey)
    elif variant == "sharpen":
        grey = grey.filter(ImageFilter.UnsharpMask(2, 80, 2))
    elif variant == "upscale":
        grey = grey.resize((grey.width * 3 // 2, grey.height * 3 // 2), Image.Resampling.BICUBIC)
    if variant.startswith("blob"):
        return grey, f"--psm 6 -c textord_excess_blobsize={variant[4:]}"
    return grey, f"--psm {variant[3:]}" if variant.startswith("psm") else PAGE_SEGMENTATIONS[
        "block"
    ].command_config()


MODEL_FOLDERS: dict[str, str] = {}


def _ocr(path: Path, reading: str) -> tuple[str, float]:
    """The page's text under a reading (or the texts of a union of readings, joined), and the seconds
    tesseract took (preparation not counted)."""
    texts, seconds = [], 0.0
    for single in reading.split("|"):
        single, _, models = single.partition("@")
        language, _, variant = single.partition(":")
        image, config = _prepared(Image.open(path), variant)
        if models:
            config = f"--tessdata-dir {MODEL_FOLDERS[models]} {config}"
        started = time.perf_counter()
        texts.append(pytesseract.image_to_string(image, lang=language, config=config))
        seconds += time.perf_counter() - started
    return "\n#\n".join(texts), seconds


def _read(task: tuple[Path, str]) -> tuple[dict[str, bool], float]:
    path, reading = task
    text, seconds = _ocr(path, reading)
    labels = json.loads(path.with_suffix(".json").read_text())
    pages = [_squash(part) for part in text.split("\n#\n")]
    return {f: any(_squash(labels[f]) in page for page in pages) for f in FIELDS if labels.get(f)}, seconds


def _read_words(task: tuple[Path, str]) -> tuple[int, int, float]:
    path, reading = task
    text, seconds = _ocr(path, reading)
    pages = json.loads(path.with_suffix(".words.json").read_text())["pages"]
    truth = Counter(t.upper() for p in pages for w in p["words"] for t in w["text"].split() if len(t) >= 3)
    read = Counter(t.upper() for t in text.split())
    return sum(min(n, read[t]) for t, n in truth.items()), sum(truth.values()), seconds


def _words_table(images: list[Path], readings: list[str], jobs: int) -> None:
    print(f"{len(images)} images; share of ground-truth words found in the OCR text")
    with ProcessPoolExecutor(jobs) as pool:
        for reading in readings:
            results = list(pool.map(_read_words, [(path, reading) for path in images]))
            found, total = sum(r[0] for r in results), sum(r[1] for r in results)
            seconds = sum(r[2] for r in results)
            print(f"{reading:<16}{found / max(1, total):>8.3f}{seconds:>9.1f} s", flush=True)


def main() -> None:
    """Print, per reading, the share of each field's labelled values found in the OCR text."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--readings", default="eng,msa,msa+eng,eng+msa")
    parser.add_argument("--limit", type=int, default=70)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--words", action="store_true", help="score against ground-truth words (PNG scans)")
    parser.add_argument("--models", action="append", default=[], help="NAME=DIR: language data for @NAME")
    args = parser.parse_args()
    MODEL_FOLDERS.update(item.split("=", 1) for item in args.models)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    images = sorted(args.folder.glob("*.png" if args.words else "*.jpg"))
    images = images[:: max(1, len(images) // args.limit)][: args.limit]
    if args.words:
        _words_table(images, args.readings.split(","), args.jobs)
        return
    print(f"{len(images)} images of {args.folder}; share of labelled values found verbatim in the OCR text")
    print(f"{'reading':<16}" + "".join(f"{f:>10}" for f in FIELDS) + f"{'all':>8}{'OCR s':>9}")
    with ProcessPoolExecutor(args.jobs) as pool:
        for reading in args.readings.split(","):
            results = list(pool.map(_read, [(path, reading) for path in images]))
            row, found, labelled = f"{reading:<16}", 0, 0
            for name in FIELDS:
                hits = [r[name] for r, _ in results if name in r]
                found, labelled = found + sum(hits), labelled + len(hits)
                row += f"{sum(hits) / max(1, len(hits)):>10.3f}"
            seconds = sum(s for _, s in results)
            print(f"{row}{found / max(1, labelled):>8.3f}{seconds:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
