"""Image preparation before OCR: grey levels, contrast, and scaling to a target text height."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

MIN_SCALE, MAX_SCALE = 0.3, 3.0


@dataclass(frozen=True)
class PreparedImage:
    """The image handed to tesseract and the factor it was scaled by (to map boxes back)."""

    image: Image.Image
    scale: float


def prepare_for_ocr(image: Image.Image, ctx: object) -> PreparedImage:
    """Grey, contrast-stretched, and scaled so text lines are near the context's target height."""
    grey = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    line_height = estimate_text_height(grey)
    target = getattr(ctx, "target_text_height", 30)
    scale = 1.0
    if line_height:
        scale = min(MAX_SCALE, max(MIN_SCALE, target / line_height))
        # Small changes cost a resample and buy nothing.
        if 0.85 <= scale <= 1.15:
            scale = 1.0
    if scale != 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)
    return PreparedImage(image=grey, scale=scale)


def estimate_text_height(grey: Image.Image) -> float | None:
    """Median height in pixels of the bands of rows that carry ink, or None on a blank page."""
    # Work on a small copy: the estimate needs shape, not detail.
    factor = max(1, round(max(grey.size) / 1200))
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.uint8)
    if pixels.size == 0:
        return None
    threshold = _otsu_threshold(pixels)
    ink = pixels < threshold
    row_ink = ink.mean(axis=1)
    rows_with_text = row_ink > 0.01
    heights: list[int] = []
    run = 0
    for has_text in rows_with_text:
        if has_text:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    if run:
        heights.append(run)
    heights = [h for h in heights if h >= 3]
    if len(heights) < 3:
        return None
    return float(np.median(heights)) * factor


def _otsu_threshold(pixels: np.ndarray) -> int:
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = pixels.size
    sum_all = np.dot(np.arange(256), histogram)
    weight_bg = np.cumsum(histogram)
    sum_bg = np.cumsum(np.arange(256) * histogram)
    weight_fg = total - weight_bg
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_bg = sum_bg / weight_bg
        mean_fg = (sum_all - sum_bg) / weight_fg
        between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
    between = np.nan_to_num(between)
    return int(np.argmax(between))
