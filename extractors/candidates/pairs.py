"""Key-value pairs of generic forms: a key ending in a colon, its value to the right or just below."""

from __future__ import annotations

import json
import re

from extractors.layout import split_at_gaps
from extractors.normalize import collapse_whitespace
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, union_box
from extractors.view import DocumentView

KEY = re.compile(r"^(?P<key>[^:]{2,60}?:)\s*(?P<value>.*)$")
MAX_KEY_WORDS = 8
GAP_FACTOR = 3.0  # a gap wider than this many text heights separates two fields on one line


def key_value_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """One candidate holding every pair found, as a JSON list of {"key", "value"}."""
    pairs: list[dict[str, str]] = []
    boxes = []
    confidences = []
    for lines in view.lines_by_page.values():
        consumed: set[int] = set()
        for i, line in enumerate(lines):
            if i in consumed:
                continue
            for key, value, value_line in _pairs_on_line(
                line, lines[i + 1] if i + 1 < len(lines) else None, view
            ):
                if value_line is not None:
                    consumed.add(i + 1)
                pairs.append({"key": key, "value": value})
                boxes.append(line.box)
                confidences.append(line.confidence)
    if not pairs:
        return []
    value = json.dumps(pairs, separators=(",", ":"))
    return [
        Candidate(
            field=spec.name,
            text=value,
            normalized=value,
            page=view.pages[0].number,
            box=union_box(boxes),
            cues=("colon_key",),
            features={"pairs": min(1.0, len(pairs) / 20)},
            ocr_confidence=min(confidences),
        )
    ]


def _pairs_on_line(line: Line, below: Line | None, view: DocumentView) -> list[tuple[str, str, Line | None]]:
    found = []
    # Split the line where words stand far apart: a form row often holds several key: value groups.
    for segment in (part.text for part in split_at_gaps(line, view.text_height, GAP_FACTOR)):
        match = KEY.match(segment)
        if not match or len(match.group("key").split()) > MAX_KEY_WORDS:
            continue
        key = collapse_whitespace(match.group("key"))
        value = collapse_whitespace(match.group("value"))
        value_line = None
        if not value and below is not None and not KEY.match(below.text):
            value, value_line = collapse_whitespace(below.text), below
        if value:
            found.append((key, value, value_line))
    return found
