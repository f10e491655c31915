"""Key-value pairs of generic forms: a key ending in a colon, its value to the right (beside it, or in the
next column) or just below. Two pairs standing close on one line ("DATE: June 21, 1993 DEPARTMENT: R&D
Library") are two pairs, and a value may go on over the lines under it."""

from __future__ import annotations

import json
import re

from extractors.layout import split_at_gaps
from extractors.normalize import collapse_whitespace
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, Word, union_box
from extractors.view import DocumentView

KEY = re.compile(r"^(?P<key>[^:]{2,60}?:)\s*(?P<value>.*)$")
MAX_KEY_WORDS = 8
# A key inside what reads as a value: one to three words, the first capitalised, ending in a colon that
# is followed by more text ("... 1993 DEPARTMENT: R&D Library", "... Carpenter Research Request: Yes").
# A time ("12:30") or a bracketed note ("(Note : Coal retention ...)") does not start with a capital.
EMBEDDED_KEY = re.compile(r"\s(?=[A-Z][\w/&.'-]*(?:\s[A-Za-z][\w/&.'-]*){0,2}\s?:\s*\S)")
GAP_FACTOR = 3.0  # a gap wider than this many text heights separates two fields on one line
CONTINUATION_INDENT = 1.5  # text heights a value's next line may start left or right of the value


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
            # Split the line where words stand far apart: a form row often holds several key: value groups.
            segments = split_at_gaps(line, view.text_height, GAP_FACTOR)
            found = _pairs_on_line(segments, lines[i + 1] if i + 1 < len(lines) else None)
            for key, value, value_line in found:
                if value_line is not None:
                    consumed.add(i + 1)
                pairs.append({"key": key, "value": value})
                boxes.append(line.box)
                confidences.append(line.confidence)
            if found and found[-1][2] is None:
                _continue_value(pairs[-1], segments[-1], line, lines, i, consumed, view)
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


def _continue_value(
    pair: dict[str, str],
    last_segment: Line,
    line: Line,
    lines: list[Line],
    index: int,
    consumed: set[int],
    view: DocumentView,
) -> None:
    """Lines under a value that start where it starts, close below, with no key of their own, go on with it
    (a value written over several lines: an address, a paragraph of comments)."""
    value_words = _value_words(last_segment)
    if not value_words:
        return
    start, bottom = value_words[0].box[0], line.box[3]
    for j in range(index + 1, len(lines)):
        below = lines[j]
        if (
            j in consumed
            or below.box[1] - bottom > view.text_height
            or abs(below.box[0] - start) > CONTINUATION_INDENT * view.text_height
            or len(split_at_gaps(below, view.text_height, GAP_FACTOR)) > 1
            or KEY.match(below.text)
        ):
            return
        pair["value"] = f"{pair['value']} {collapse_whitespace(below.text)}"
        consumed.add(j)
        bottom = below.box[3]


def _value_words(segment: Line) -> list[Word]:
    """The words of a segment after its key's colon."""
    for k, word in enumerate(segment.words):
        if word.text.endswith(":") or word.text == ":":
            return list(segment.words[k + 1 :])
        if ":" in word.text:
            return list(segment.words[k:])
    return []


def _pairs_on_line(parts: list[Line], below: Line | None) -> list[tuple[str, str, Line | None]]:
    found = []
    segments = [part.text for part in parts]
    taken: set[int] = set()
    for i, segment in enumerate(segments):
        match = KEY.match(segment)
        if i in taken or not match or len(match.group("key").split()) > MAX_KEY_WORDS:
            continue
        key = collapse_whitespace(match.group("key"))
        value = collapse_whitespace(match.group("value"))
        value_line = None
        if not value and i + 1 < len(segments) and not KEY.match(segments[i + 1]):
            # Keys in one column, values in the next: the value stands far to the right of its key.
            value = collapse_whitespace(segments[i + 1])
            taken.add(i + 1)
        if not value and below is not None and not KEY.match(below.text):
            value, value_line = collapse_whitespace(below.text), below
        found.extend((k, v, value_line) for k, v in _split_embedded(key, value))
    return found


def _split_embedded(key: str, value: str) -> list[tuple[str, str]]:
    """The pair, and any further pairs standing inside its value (each with a value of its own)."""
    pairs = []
    while value:
        found = _next_key(value)
        if found is None:
            pairs.append((key, value))
            break
        cut, match = found
        if value[:cut].strip():
            pairs.append((key, value[:cut].strip()))
        key, value = collapse_whitespace(match.group("key")), collapse_whitespace(match.group("value"))
    return pairs


def _next_key(value: str) -> tuple[int, re.Match[str]] | None:
    """Where the first key inside a value starts, and that key with its own value."""
    for start in (m.start() for m in EMBEDDED_KEY.finditer(value)):
        match = KEY.match(value[start + 1 :])
        if match and match.group("value") and len(match.group("key").split()) <= 3:
            return start, match
    return None
