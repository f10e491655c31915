"""Which OCR preprocessing steps help: line recall against ground-truth OCR lines, and time per page.

    python benchmarks/ocr_preprocessing.py LABELLED_DIR [--limit 80]

LABELLED_DIR holds images with `<stem>.words.json` ground truth (e.g. ../shared/data/sroie-dev). A ground-
truth line counts as read when some OCR line contains it with a fuzzy partial ratio >= 90 (spaces and case
ignored). Each configuration adds one step to the one before, so each line shows what that step buys.
All runs use OMP_THREAD_LIMIT=1 and two processes.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytesseract
from PIL import Image, ImageOps
from rapidfuzz import fuzz

from extractors.layout import build_lines
from extractors.reading.preprocess import estimate_skew, estimate_text_height
from extractors.types import Page, Word

CONFIGS = [
    ("tesseract defaults (psm 3)", {"psm": 3}),
    ("psm 6 (one block)", {"psm": 6}),
    ("+ scale to 30 px lines", {"psm": 6, "scale": True}),
    ("+ deskew", {"psm": 6, "scale": True, "deskew": True}),
    ("+ contrast stretch on every page", {"psm": 6, "scale": True, "deskew": True, "contrast": True}),
]


def _run(args: tuple[Path, dict]) -> tuple[int, int, float]:
    path, config = args
    os.environ["OMP_THREAD_LIMIT"] = "1"
    image = ImageOps.exif_transpose(Image.open(path)).convert("L")
    started = time.perf_counter()
    if config.get("contrast"):
        image = ImageOps.autocontrast(image, cutoff=1)
    if config.get("deskew"):
        angle = estimate_skew(image)
        if abs(angle) >= 0.3:
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if config.get("scale"):
        height = estimate_text_height(image)
        scale = min(3.0, max(0.3, 30 / height)) if height else 1.0
        if abs(scale - 1) > 0.15:
            image = image.resize(
                (round(image.width * scale), round(image.height * scale)),
                Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.LANCZOS,
            )
    data = pytesseract.image_to_data(
        image, config=f"--psm {config['psm']}", output_type=pytesseract.Output.DICT
    )
    elapsed = time.perf_counter() - started
    words = tuple(
        Word(
            t,
            (
                data["left"][i],
                data["top"][i],
                data["left"][i] + data["width"][i],
                data["top"][i] + data["height"][i],
            ),
        )
        for i, t in enumerate(data["text"])
        if t.strip() and float(data["conf"][i]) >= 0
    )
    lines = [
        line.text.upper().replace(" ", "")
        for line in build_lines(Page(1, image.width, image.height, words, "ocr"))
    ]
    truth = [
        w["text"].upper().replace(" ", "")
        for page in json.loads(path.with_suffix(".words.json").read_text())["pages"]
        for w in page["words"]
    ]
    truth = [t for t in truth if len(t) >= 3]
    found = sum(1 for t in truth if max((fuzz.partial_ratio(t, line) for line in lines), default=0) >= 90)
    return found, len(truth), elapsed


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=80)
    args = parser.parse_args()
    images = sorted(p for p in args.folder.glob("*.jpg") if p.with_suffix(".words.json").exists())[
        : args.limit
    ]
    print(f"{len(images)} images from {args.folder}")
    print(f"{'configuration':<38}{'line recall':>12}{'s/page':>9}")
    for name, config in CONFIGS:
        with ProcessPoolExecutor(2) as pool:
            results = list(pool.map(_run, [(p, config) for p in images]))
        found, total = sum(r[0] for r in results), sum(r[1] for r in results)
        seconds = sum(r[2] for r in results) / len(results)
        print(f"{name:<38}{found / total:>12.3f}{seconds:>9.2f}")


if __name__ == "__main__":
    main()
