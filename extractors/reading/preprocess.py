"""Image preparation before OCR: grey levels, contrast where it is lacking, deskew, scale to a text height.

What is here was kept because it measured better on real receipt scans (see BENCHMARKS.md): scaling to
a target line height when lines are too small or too large (small ones gain accuracy, large ones speed),
straightening pages that lean by more than a third of a degree, stretching contrast only on washed-out
pages (doing it everywhere cost accuracy), and a median filter only on speckled pages (clean scans lose
thin strokes to it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps

# One thread, as tesseract runs (OMP_THREAD_LIMIT=1): workers run one per core, so threads would only
# compete with the next page's OCR.
cv2.setNumThreads(1)

MIN_SCALE, MAX_SCALE = 0.3, 3.0
LOW_CONTRAST_RANGE = 96  # grey levels between the darkest ink and the paper below this: stretch
SPECKLE_RATIO = 0.05  # share of ink pixels with no inked neighbour: clean scans stay near 0.01
MIN_SKEW_DEGREES = 0.3
MAX_SKEW_DEGREES = 5.0


@dataclass(frozen=True)
class PreparedImage:
    """The image handed to tesseract, and how to map its pixel boxes back to the original."""

    image: Image.Image
    scale: float
    angle: float  # degrees the original was rotated by (counter-clockwise) before scaling
    original_size: tuple[int, int]
    rotated_size: tuple[int, int]

    def to_original(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box in prepared-image pixels as a box in original-image pixels."""
        x0, y0, x1, y1 = (v / self.scale for v in box)
        if not self.angle:
            return x0, y0, x1, y1
        # Undo the rotation about the centres (PIL's expand keeps the centre in the middle).
        theta = math.radians(self.angle)
        cos, sin = math.cos(theta), math.sin(theta)
        rcx, rcy = self.rotated_size[0] / 2, self.rotated_size[1] / 2
        ocx, ocy = self.original_size[0] / 2, self.original_size[1] / 2
        xs, ys = [], []
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            dx, dy = x - rcx, y - rcy
            xs.append(ocx + dx * cos - dy * sin)
            ys.append(ocy + dx * sin + dy * cos)
        return min(xs), min(ys), max(xs), max(ys)


def prepare_for_ocr(image: Image.Image, ctx: object) -> PreparedImage:
    """Grey, contrast-stretched when washed out, straightened, and scaled to the context's text height."""
    grey = image.convert("L")
    original_size = grey.size
    if _contrast_range(grey) < LOW_CONTRAST_RANGE:
        grey = ImageOps.autocontrast(grey, cutoff=1)
    if speckle_ratio(grey) > SPECKLE_RATIO:
        # Salt-and-pepper noise: upscaling would turn it into blobs that tesseract reads as letters.
        grey = grey.filter(ImageFilter.MedianFilter(3))
    angle = estimate_skew(grey)
    if abs(angle) >= MIN_SKEW_DEGREES:
        grey = rotate_page(grey, angle)
    else:
        angle = 0.0
    rotated_size = grey.size
    line_height = estimate_text_height(grey)
    target = getattr(ctx, "target_text_height", 30)
    scale = 1.0
    # Lines between the two heights read about as well as at the target, so they are left alone:
    # rescaling them costs time (more pixels for tesseract) and buys almost nothing (BENCHMARKS.md).
    low, high = getattr(ctx, "upscale_below", 0.0), getattr(ctx, "downscale_above", 45.0)
    if line_height and not low <= line_height <= high:
        scale = min(MAX_SCALE, max(MIN_SCALE, target / line_height))
    if scale != 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)
    return PreparedImage(
        image=grey, scale=scale, angle=angle, original_size=original_size, rotated_size=rotated_size
    )


def rotate_page(grey: Image.Image, angle: float) -> Image.Image:
    """`grey` turned `angle` degrees counter-clockwise about its centre (bicubic), on a canvas that fits."""
    # OpenCV's bicubic warp, not PIL's rotate: the same turn in about a third of the time on one thread
    # (BENCHMARKS.md), and the turn was most of the reading's cost over tesseract's own on invoice scans.
    # Bilinear would be cheaper still, and reads low-resolution scans worse.
    width, height = grey.size
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    turned_width, turned_height = round(height * sin + width * cos), round(height * cos + width * sin)
    # Keep the centre in the middle of the larger canvas, as PreparedImage.to_original expects.
    matrix[0, 2] += (turned_width - width) / 2
    matrix[1, 2] += (turned_height - height) / 2
    turned = cv2.warpAffine(
        np.asarray(grey, dtype=np.uint8),
        matrix,
        (turned_width, turned_height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return Image.fromarray(turned)


def speckle_ratio(grey: Image.Image, window: int = 600) -> float:
    """How much of the ink is isolated dots, measured on the middle of the page (cheap, and where text is)."""
    left, top = max(0, (grey.width - window) // 2), max(0, (grey.height - window) // 2)
    pixels = np.asarray(grey.crop((left, top, left + window, top + window)), dtype=np.uint8)
    ink = pixels < otsu_threshold(pixels)
    if not ink.any():
        return 0.0
    padded = np.pad(ink, 1)
    neighbours = sum(
        np.roll(np.roll(padded, dy, 0), dx, 1) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)
    )[1:-1, 1:-1]
    return float((ink & (neighbours == 0)).sum() / ink.sum())


def _contrast_range(grey: Image.Image) -> int:
    """Paper (the median grey) minus ink (the darkest half percent): text covers little of a page, so
    wide percentiles would call a crisp page washed out."""
    histogram = np.asarray(grey.reduce(max(1, max(grey.size) // 800)).histogram(), dtype=np.float64)
    cumulative = np.cumsum(histogram) / max(1.0, histogram.sum())
    return int(np.searchsorted(cumulative, 0.5) - np.searchsorted(cumulative, 0.005))


def _ink(grey: Image.Image, max_side: int) -> np.ndarray:
    factor = max(1, round(max(grey.size) / max_side))
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.uint8)
    return pixels < otsu_threshold(pixels)


def estimate_skew(grey: Image.Image) -> float:
    """The rotation (degrees) that makes text lines horizontal: the angle whose row profile is sharpest."""
    ink = _ink(grey, 600)
    if ink.mean() < 0.002:
        return 0.0
    mask = Image.fromarray((ink * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(mask.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float64).sum(axis=1)
        return float(np.var(np.diff(rows)))

    best = max(np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 1.0), key=sharpness)
    fine = np.arange(best - 0.75, best + 0.76, 0.25)
    return float(max(fine, key=sharpness))


def estimate_text_height(grey: Image.Image) -> float | None:
    """Median height in pixels of the bands of rows that carry ink, or None on a blank page."""
    # Work on a small copy: the estimate needs shape, not detail.
    factor = max(1, round(max(grey.size) / 1200))
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.uint8)
    if pixels.size == 0:
        return None
    ink = pixels < otsu_threshold(pixels)
    rows_with_text = ink.mean(axis=1) > 0.01
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


def otsu_threshold(pixels: np.ndarray) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    # OpenCV's histogram: numpy's bincount widens every pixel to 64 bits first, about 2.5 times slower on a
    # full page (0.021 s against 0.008 s on one thread).
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    histogram = cv2.calcHist([pixels], [0], None, [256], [0, 256]).ravel().astype(np.float64)
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
