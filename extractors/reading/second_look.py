"""A second look at ink that sparse segmentation passed over.

Tesseract's sparse-text mode (`--psm 11`) keeps the columns of an invoice apart, but it drops glyphs that
stand alone: the "5" of a quantity column, a lone "1" in a table cell (a known limit of its layout analysis,
tesseract-ocr/tesseract#1108 and #3874). Here the ink no word covers is gathered into glyph-sized clusters,
and those are pasted one under another on a small strip that tesseract reads in one call as a block of
lines, the mode that does read single glyphs. Their words are placed back where the ink stood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.reading.preprocess import otsu_threshold

Box = tuple[int, int, int, int]

MAX_CLUSTERS = 60  # a page with more loose ink than this is a picture or a stamp, not missed text
MAX_GLYPHS = 4 * MAX_CLUSTERS  # stop counting there: joining is quadratic, and a picture has thousands
MIN_HEIGHT, MAX_HEIGHT = 0.5, 1.6  # a glyph's height against the page's median word height
MAX_WIDTH = 1.2  # a single glyph is at most about as wide as a word is tall (wider ink is a rule or a logo)
MIN_INK = 0.04  # share of the glyph-sized square that must be ink: less is a speck or a hairline
JOIN_GAP = 0.6  # glyphs closer than this (in word heights) on one line are one cluster ("12", "A4")
PAD = 0.4  # margin kept around each cluster on the strip, in word heights
WORD_MARGIN = 0.3  # ink this close to a word (in its own heights) belongs to it


@dataclass(frozen=True)
class LooseInk:
    """Clusters of uncovered ink on a page, in its pixels, and the word height they were measured by."""

    boxes: list[Box]
    height: float


def loose_ink(grey: Image.Image, word_boxes: list[Box]) -> LooseInk:
    """Glyph-sized clusters of ink outside every word box."""
    heights = sorted(b[3] - b[1] for b in word_boxes if b[3] > b[1])
    if not heights:
        return LooseInk([], 0.0)
    height = float(heights[len(heights) // 2])
    # Glyphs are found at half size when text is large enough to keep them whole: a quarter of the
    # pixels to label, on a page tesseract has just spent half a second on.
    factor = 2 if height >= 16 else 1
    small = grey.reduce(factor) if factor > 1 else grey
    pixels = np.asarray(small, dtype=np.uint8)
    ink = pixels <= otsu_threshold(pixels)  # Otsu puts its threshold level itself on the ink side
    for box in word_boxes:
        x0, y0, x1, y1 = (v // factor for v in box)
        # A word's box can miss the edges of its own letters (bold or large type): keep clear of them,
        # or a letter's edge comes back as a word of its own.
        pad = max(2, round(WORD_MARGIN * (y1 - y0)))
        ink[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = False
    height /= factor
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    glyphs = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        rows, cols = found
        h, w = rows.stop - rows.start, cols.stop - cols.start
        if not MIN_HEIGHT * height <= h <= MAX_HEIGHT * height or w > MAX_WIDTH * height:
            continue
        if (labels[found] == index).sum() < MIN_INK * height * height:
            continue
        glyphs.append((cols.start, rows.start, cols.stop, rows.stop))
        if len(glyphs) > MAX_GLYPHS:
            return LooseInk([], height * factor)
    clusters = [tuple(v * factor for v in box) for box in _join(glyphs, height)]
    return LooseInk(clusters if len(clusters) <= MAX_CLUSTERS else [], height * factor)


def _join(glyphs: list[Box], height: float) -> list[Box]:
    """Glyphs side by side on one line, merged into the clusters that hold them."""
    clusters: list[list[int]] = []
    for x0, y0, x1, y1 in sorted(glyphs):
        for cluster in clusters:
            same_line = min(y1, cluster[3]) - max(y0, cluster[1]) > 0.5 * min(
                y1 - y0, cluster[3] - cluster[1]
            )
            if same_line and x0 - cluster[2] <= JOIN_GAP * height:
                cluster[:] = [
                    min(x0, cluster[0]),
                    min(y0, cluster[1]),
                    max(x1, cluster[2]),
                    max(y1, cluster[3]),
                ]
                break
        else:
            clusters.append([x0, y0, x1, y1])
    return [(c[0], c[1], c[2], c[3]) for c in clusters]


@dataclass(frozen=True)
class Strip:
    """The clusters pasted one under another, and where each one's crop stands on the strip."""

    image: Image.Image
    placements: list[tuple[Box, int, int]]  # (cluster box on the page, left, top on the strip)

    def to_page(self, box: Box) -> Box | None:
        """A box on the strip as a box on the page, or None if it falls outside every pasted crop."""
        middle = (box[1] + box[3]) / 2
        for (x0, y0, _, y1), left, top in self.placements:
            if top <= middle <= top + (y1 - y0):
                dx, dy = x0 - left, y0 - top
                return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
        return None


def strip_of(grey: Image.Image, ink: LooseInk) -> Strip:
    """The clusters of `ink`, each with a margin, stacked on a white strip a line apart."""
    pad = max(2, round(PAD * ink.height))
    crops = [
        (max(0, x0 - pad), max(0, y0 - pad), min(grey.width, x1 + pad), min(grey.height, y1 + pad))
        for x0, y0, x1, y1 in ink.boxes
    ]
    gap = max(4, round(ink.height))
    width = max(c[2] - c[0] for c in crops) + 2 * gap
    height = sum(c[3] - c[1] for c in crops) + gap * (len(crops) + 1)
    strip = Image.new("L", (width, height), 255)
    placements = []
    top = gap
    for crop in crops:
        strip.paste(grey.crop(crop), (gap, top))
        placements.append((crop, gap, top))
        top += crop[3] - crop[1] + gap
    return Strip(strip, placements)
