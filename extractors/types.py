"""The values that travel between stages: words, pages, candidates, fields, extractions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page units, origin top-left


@dataclass(frozen=True, slots=True)
class Word:
    """A word (or line segment) read from a page, with its box and the reader's confidence (0..1)."""

    text: str
    box: Box
    confidence: float = 1.0

    @property
    def x0(self) -> float:
        return self.box[0]

    @property
    def y0(self) -> float:
        return self.box[1]

    @property
    def x1(self) -> float:
        return self.box[2]

    @property
    def y1(self) -> float:
        return self.box[3]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def y_center(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document: its size, its words and how they were read."""

    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]
    source: str  # "text_layer" | "ocr" | "supplied"
    flags: tuple[str, ...] = ()
    read_ms: float = 0.0
    # Degrees to turn the page counter-clockwise so that its text runs level and upright (a scan that
    # leans, or one uploaded sideways). Boxes stay on the page as uploaded; layout reads through this.
    rotation: float = 0.0
    # The page's words as other OCR readings read them (other language data), boxes in the same
    # coordinates: candidates are found in each, and a value two readings agree on is likelier right.
    alternates: tuple[tuple[Word, ...], ...] = ()

    @property
    def text(self) -> str:
        """All words joined by spaces, in reading order."""
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True, slots=True)
class Line:
    """Words on one visual line, left to right."""

    page: int
    words: tuple[Word, ...]
    index: int  # position of the line on its page, top to bottom

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        return union_box(w.box for w in self.words)

    @property
    def confidence(self) -> float:
        return min((w.confidence for w in self.words), default=0.0)


def union_box(boxes: Any) -> Box:
    """The smallest box around all given boxes."""
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible value for a field, with where it stands and the cues that proposed it."""

    field: str
    text: str  # as printed
    normalized: str
    page: int
    box: Box
    cues: tuple[str, ...]
    features: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    ocr_confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class FieldResult:
    """The value chosen for one field, its calibrated confidence, and why."""

    name: str
    type: str
    value: str | None
    normalized: str | None
    confidence: float
    page: int | None = None
    box: Box | None = None
    cues: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.normalized is not None


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """A rule of the schema that the extracted values break."""

    rule: str
    fields: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything the extractor concluded about a document."""

    doc_type: str
    fields: tuple[FieldResult, ...]
    issues: tuple[ValidationIssue, ...] = ()
    high_consequence: tuple[str, ...] = ()  # the consequence rules that fired
    extractor_version: str = ""
    strategy: str = "baseline"

    def field(self, name: str) -> FieldResult | None:
        """The result for `name`, if the schema has such a field."""
        return next((f for f in self.fields if f.name == name), None)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Field name to value and confidence, as the eval predictions file writes them."""
        return {f.name: {"value": f.normalized, "confidence": round(f.confidence, 4)} for f in self.fields}


def word_rows(words: Any) -> list[list[Any]]:
    """Words as compact rows, [text, x0, y0, x1, y1, confidence], the way pages are stored and exported."""
    return [[w.text, *(round(v, 2) for v in w.box), round(w.confidence, 3)] for w in words]


def words_of_rows(rows: Any) -> tuple[Word, ...]:
    """Words back from stored or exported rows (a missing confidence counts as sure)."""
    return tuple(Word(str(r[0]), (r[1], r[2], r[3], r[4]), r[5] if len(r) > 5 else 1.0) for r in rows)
