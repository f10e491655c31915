"""Find label keywords on lines and map character spans back to the words that carry them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.types import Box, Line, Word, union_box


@dataclass(frozen=True)
class LabelHit:
    """A label keyword found on a line: which one, its rank in the schema's list, and where it ends."""

    label: str
    rank: int
    line: Line
    start: int  # character offsets in line.text
    end: int

    @property
    def box(self) -> Box:
        return span_box(self.line, self.start, self.end)


@lru_cache(maxsize=512)
def _label_pattern(label: str) -> re.Pattern[str]:
    # Labels match whole words; spaces in a label match any run of spaces or dots ("INV. NO").
    parts = [re.escape(p) for p in label.split()]
    body = r"[\s.]*".join(parts)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z])", re.IGNORECASE)


def find_labels(line: Line, labels: tuple[str, ...]) -> list[LabelHit]:
    """Every occurrence of any of `labels` on the line (longest label wins where they overlap)."""
    text = line.text
    hits: list[LabelHit] = []
    for rank, label in enumerate(labels):
        for match in _label_pattern(label).finditer(text):
            hits.append(LabelHit(label, rank, line, match.start(), match.end()))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[LabelHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def word_offsets(line: Line) -> list[tuple[int, int, Word]]:
    """(start, end, word) character offsets of each word in `line.text`."""
    offsets = []
    position = 0
    for word in line.words:
        offsets.append((position, position + len(word.text), word))
        position += len(word.text) + 1
    return offsets


def span_words(line: Line, start: int, end: int) -> list[Word]:
    """The words of `line` that overlap the character span [start, end)."""
    return [w for s, e, w in word_offsets(line) if s < end and e > start]


def span_box(line: Line, start: int, end: int) -> Box:
    """A box around the part of the line between two character offsets (sub-word precise)."""
    parts = []
    for s, e, word in word_offsets(line):
        if s >= end or e <= start:
            continue
        length = max(len(word.text), 1)
        width = word.x1 - word.x0
        left = word.x0 + width * max(0, start - s) / length
        right = word.x0 + width * min(length, end - s) / length
        parts.append((left, word.y0, right, word.y1))
    return union_box(parts) if parts else line.box


def span_confidence(line: Line, start: int, end: int) -> float:
    """The lowest reader confidence among the words under a span."""
    words = span_words(line, start, end)
    return min((w.confidence for w in words), default=1.0)
