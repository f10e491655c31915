"""Group words into visual lines and answer simple questions about where things stand."""

from __future__ import annotations

from statistics import median

from extractors.types import Line, Page, Word


def build_lines(page: Page) -> list[Line]:
    """Lines of a page, top to bottom, each left to right (words whose vertical bands overlap)."""
    rows: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    for word in sorted(page.words, key=lambda w: (w.y_center, w.x0)):
        best, best_overlap = -1, 0.0
        for i, (top, bottom) in enumerate(bands[-8:], start=max(0, len(bands) - 8)):
            overlap = min(bottom, word.y1) - max(top, word.y0)
            smaller = max(min(bottom - top, word.height), 1e-6)
            ratio = overlap / smaller
            if ratio > best_overlap:
                best, best_overlap = i, ratio
        if best >= 0 and best_overlap >= 0.5:
            rows[best].append(word)
            top, bottom = bands[best]
            # Keep the band of the line's first words so that a tall neighbour does not swallow lines.
            bands[best] = (
                min(top, word.y0) if len(rows[best]) < 3 else top,
                max(bottom, word.y1) if len(rows[best]) < 3 else bottom,
            )
        else:
            rows.append([word])
            bands.append((word.y0, word.y1))
    ordered = sorted(rows, key=lambda ws: median(w.y_center for w in ws))
    return [
        Line(page=page.number, words=tuple(sorted(ws, key=lambda w: w.x0)), index=i)
        for i, ws in enumerate(ordered)
    ]


def median_word_height(lines: list[Line]) -> float:
    """Typical text height on the page (robust to headings and stray marks)."""
    heights = [w.height for line in lines for w in line.words if w.height > 0]
    return median(heights) if heights else 1.0
