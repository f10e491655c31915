"""Group words into visual lines and answer simple questions about where things stand."""

from __future__ import annotations

import math
from statistics import median

from extractors.types import Box, Line, Page


def reading_boxes(page: Page) -> list[Box]:
    """Each word's box as seen with the page turned level (by its `rotation`), in the order of `words`."""
    if not page.rotation:
        return [w.box for w in page.words]
    theta = math.radians(page.rotation)
    cos, sin = math.cos(theta), math.sin(theta)
    cx, cy = page.width / 2, page.height / 2
    boxes = []
    for word in page.words:
        xs, ys = [], []
        for x, y in ((word.x0, word.y0), (word.x1, word.y0), (word.x0, word.y1), (word.x1, word.y1)):
            dx, dy = x - cx, y - cy
            xs.append(dx * cos + dy * sin)
            ys.append(-dx * sin + dy * cos)
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def build_lines(page: Page) -> list[Line]:
    """Lines of a page, top to bottom, each left to right: words whose vertical bands overlap, judged on
    the page turned level, so the rows of a leaning scan do not run into each other."""
    level = reading_boxes(page)
    rows: list[list[int]] = []
    bands: list[tuple[float, float]] = []
    for k in sorted(range(len(level)), key=lambda k: ((level[k][1] + level[k][3]) / 2, level[k][0])):
        y0, y1 = level[k][1], level[k][3]
        best, best_overlap = -1, 0.0
        for i, (top, bottom) in enumerate(bands[-8:], start=max(0, len(bands) - 8)):
            overlap = min(bottom, y1) - max(top, y0)
            smaller = max(min(bottom - top, y1 - y0), 1e-6)
            ratio = overlap / smaller
            if ratio > best_overlap:
                best, best_overlap = i, ratio
        if best >= 0 and best_overlap >= 0.5:
            rows[best].append(k)
            top, bottom = bands[best]
            # Keep the band of the line's first words so that a tall neighbour does not swallow lines.
            if len(rows[best]) < 3:
                bands[best] = (min(top, y0), max(bottom, y1))
        else:
            rows.append([k])
            bands.append((y0, y1))
    ordered = sorted(rows, key=lambda row: median((level[k][1] + level[k][3]) / 2 for k in row))
    return [
        Line(
            page=page.number,
            words=tuple(page.words[k] for k in sorted(row, key=lambda k: level[k][0])),
            index=i,
        )
        for i, row in enumerate(ordered)
    ]


def median_word_height(lines: list[Line]) -> float:
    """Typical text height on the page (robust to headings and stray marks)."""
    heights = [w.height for line in lines for w in line.words if w.height > 0]
    return median(heights) if heights else 1.0


def split_at_gaps(line: Line, text_height: float, factor: float = 3.0) -> list[Line]:
    """The parts of a line separated by horizontal gaps wider than `factor` text heights (columns)."""
    parts: list[list] = [[]]
    previous = None
    for word in line.words:
        if previous is not None and word.x0 - previous.x1 > text_height * factor:
            parts.append([])
        parts[-1].append(word)
        previous = word
    return [Line(page=line.page, words=tuple(part), index=line.index) for part in parts if part]
