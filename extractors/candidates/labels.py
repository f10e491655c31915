"""Find label keywords on lines and map character spans back to the words that carry them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from extractors.types import Box, Line, Word, union_box

# A label word misread by OCR by one letter ("fotal", "otal:", "GHANGE") still counts as the label when
# the reader doubted the word: tesseract puts most such misreads below this confidence, while real words
# one letter away from a label ("Charge" beside "change") come out above it. Short labels ("tax", "due")
# never match loosely: one letter away from them is another word too often.
LOOSE_MAX_CONFIDENCE = 0.92
LOOSE_MIN_LETTERS = 5
_EDGE_MARKS = ".,:;!?()[]{}'\"*-_"


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


# Letters a label matches with or without its accent ("net a payer" is "NET À PAYER"; PDFs and OCR drop or
# misplace accents), and the marks printed interchangeably ("n°" and "nº", "d'" and "d’").
_FOLDS = ("aàáâäã", "cç", "eéèêë", "iíìîï", "nñ", "oóòôöõ", "uúùûü", "°º", "'’`")
_FOLDED = {ch: f"[{group}]" for group in _FOLDS for ch in group}


def _folded(word: str) -> str:
    return "".join(_FOLDED.get(ch, re.escape(ch)) for ch in word.lower())


def _body(label: str) -> str:
    # Spaces in a label match any run of spaces or dots ("INV. NO").
    return r"[\s.]*".join(_folded(p) for p in label.split())


@lru_cache(maxsize=512)
def _label_pattern(label: str) -> re.Pattern[str]:
    # Labels match whole words.
    return re.compile(rf"(?<![A-Za-z0-9]){_body(label)}(?![A-Za-z])", re.IGNORECASE)


@lru_cache(maxsize=256)
def _labels_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """All of a field's labels in one scan of a line. Where two start at one place the one with more
    letters wins, else the one listed first ("subtotal" and "sub total" both read "Subtotal")."""
    longest_first = sorted(range(len(labels)), key=lambda i: (-len(labels[i].replace(" ", "")), i))
    alternatives = "|".join(f"(?P<l{i}>{_body(labels[i])})" for i in longest_first)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z])", re.IGNORECASE)


def label_in(label: str, text: str) -> bool:
    """Does `text` hold the label as whole words (accents optional, as `find_labels` matches)?"""
    return _label_pattern(label).search(text) is not None


def find_labels(line: Line, labels: tuple[str, ...]) -> list[LabelHit]:
    """Every occurrence of any of `labels` on the line (longest label wins where they overlap)."""
    if not labels:
        return []
    text = line.text
    hits: list[LabelHit] = []
    for match in _labels_pattern(labels).finditer(text):
        rank = int((match.lastgroup or "l0")[1:])
        hits.append(LabelHit(labels[rank], rank, line, match.start(), match.end()))
    if any(w.confidence < LOOSE_MAX_CONFIDENCE for w in line.words):
        loose = [h for h in _misread_labels(line, labels) if not any(_overlap(h, e) for e in hits)]
        hits = sorted(hits + loose, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[LabelHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _overlap(a: LabelHit, b: LabelHit) -> bool:
    return a.start < b.end and b.start < a.end


def _misread_labels(line: Line, labels: tuple[str, ...]) -> list[LabelHit]:
    """Labels read with one letter wrong in a doubted word, the other words of the label read exactly."""
    tokens = []
    for start, _end, word in word_offsets(line):
        core = word.text.strip(_EDGE_MARKS)
        offset = start + word.text.index(core) if core else start
        tokens.append((offset, offset + len(core), core.upper(), word.confidence))
    # Most lines hold no misread label word: find the label words that some doubted word comes one letter
    # from, and look for whole labels only where such a word is part of them.
    doubted = [t for t in tokens if t[3] < LOOSE_MAX_CONFIDENCE]
    misread = {part for part in _loose_label_words(labels) for token in doubted if _loosely(part, token)}
    if not misread:
        return []
    hits = []
    for rank, label in enumerate(labels):
        parts = label.upper().split()
        if misread.isdisjoint(parts):
            continue
        for i in range(len(tokens) - len(parts) + 1):
            window = tokens[i : i + len(parts)]
            loose = [_loosely(part, token) for part, token in zip(parts, window, strict=True)]
            if not (all(m is not None for m in loose) and any(loose)):
                continue
            start = window[0][0]
            if i > 0:
                # OCR splits words too: "T otal" is the label broken in two, "SubT otal" a longer word.
                joined = tokens[i - 1][2] + window[0][2]
                if joined == parts[0]:
                    start = tokens[i - 1][0]
                elif joined.endswith(parts[0]):
                    continue
            hits.append(LabelHit(label, rank, line, start, window[-1][1]))
    return hits


@lru_cache(maxsize=64)
def _loose_label_words(labels: tuple[str, ...]) -> frozenset[str]:
    # A schema's label list is fixed, and this runs for every doubted line of every scan.
    return frozenset(p for label in labels for p in label.upper().split() if len(p) >= LOOSE_MIN_LETTERS)


def _loosely(part: str, token: tuple[int, int, str, float]) -> bool | None:
    """True if the token is the label word misread, False if it is the word exactly, None otherwise."""
    _start, _end, core, confidence = token
    if core == part.strip(_EDGE_MARKS):
        return False
    if (
        len(part) >= LOOSE_MIN_LETTERS
        and confidence < LOOSE_MAX_CONFIDENCE
        and Levenshtein.distance(core, part, score_cutoff=1) <= 1
    ):
        return True
    return None


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
