"""Candidates found by type parsers (dates, amounts, identifiers, currencies, labelled text) and labels."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from extractors.candidates.labels import LabelHit, find_labels, span_box, span_confidence
from extractors.normalize import (
    AMOUNT,
    CURRENCY_PATTERN,
    collapse_whitespace,
    find_dates,
    format_amount,
    normalize_currency,
    parse_amount,
)
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line
from extractors.view import DocumentView

IDENTIFIER = re.compile(r"[#:]?\s*(?P<id>[A-Z0-9][A-Z0-9\-/_.]{2,30}[A-Z0-9])", re.IGNORECASE)
_SEPARATORS = " :#.-\t"


def typed_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """All candidates for a field whose finder is its type, with label and layout features."""
    raw = list(_raw_values(view, spec))
    if not raw:
        return []
    counts = Counter(normalized for _line, _s, _e, normalized, _cue in raw)
    amounts = sorted({float(n) for *_rest, n, _cue in raw if spec.type == "amount"}, reverse=True)
    candidates = []
    for line, start, end, normalized, cue in raw:
        features = _label_features(view, spec, line, start)
        features["rel_y"] = view.relative_y(line)
        page = view.page(line.page)
        box = span_box(line, start, end)
        features["rel_x"] = box[0] / page.width if page.width else 0.0
        features["height_ratio"] = min(3.0, (box[3] - box[1]) / view.text_height) if view.text_height else 1.0
        features["repeat"] = math.log1p(counts[normalized] - 1)
        features["right_end"] = 1.0 if end >= len(line.text.rstrip(" :.")) - 1 else 0.0
        features["first_page"] = 1.0 if line.page == 1 else 0.0
        if spec.type == "amount":
            value = float(normalized)
            features["is_max"] = 1.0 if amounts and value == amounts[0] else 0.0
            features["amount_rank"] = 1.0 / (1 + amounts.index(value))
            features["zero"] = 1.0 if value == 0 else 0.0
        cues = [cue]
        if features["label_same_line"] or features["label_above"]:
            cues.append("label")
        candidates.append(
            Candidate(
                field=spec.name,
                text=line.text[start:end].strip(),
                normalized=normalized,
                page=line.page,
                box=box,
                cues=tuple(cues),
                features=features,
                ocr_confidence=span_confidence(line, start, end),
            )
        )
    return candidates


def _raw_values(view: DocumentView, spec: FieldSpec) -> Iterator[tuple[Line, int, int, str, str]]:
    for line in view.lines:
        text = line.text
        if spec.type == "date":
            for _printed, parsed, (start, end), _ambiguous in find_dates(text, view.date_order):
                yield line, start, end, parsed.isoformat(), "date_parser"
        elif spec.type == "amount":
            for match in AMOUNT.finditer(text):
                value = parse_amount(match.group("num"))
                if value is not None and value >= 0:
                    yield line, match.start("num"), match.end("num"), format_amount(value), "amount_parser"
        elif spec.type == "currency":
            for match in CURRENCY_PATTERN.finditer(text):
                code = normalize_currency(match.group(0))
                if code:
                    yield line, match.start(), match.end(), code, "currency_symbol"
        elif spec.type in {"identifier", "text"}:
            yield from _values_after_labels(view, spec, line)


def _values_after_labels(
    view: DocumentView, spec: FieldSpec, line: Line
) -> Iterator[tuple[Line, int, int, str, str]]:
    """Identifiers and free text are only proposed next to (right of or below) one of the field's labels."""
    for hit in find_labels(line, spec.labels):
        rest_start = hit.end
        while rest_start < len(line.text) and line.text[rest_start] in _SEPARATORS:
            rest_start += 1
        targets = [(line, rest_start)]
        below = view.line_below(line)
        if below is not None:
            targets.append((below, 0))
        for target, offset in targets:
            found = _value_in(spec, target.text, offset)
            if found:
                start, end, value = found
                cue = "label_right" if target is line else "label_below"
                yield target, start, end, value, cue
                break


def _value_in(spec: FieldSpec, text: str, offset: int) -> tuple[int, int, str] | None:
    rest = text[offset:]
    if not rest.strip():
        return None
    if spec.type == "identifier":
        match = IDENTIFIER.match(rest)
        if not match or not any(ch.isdigit() for ch in match.group("id")):
            return None
        if spec.pattern and not re.fullmatch(spec.pattern, match.group("id")):
            return None
        return offset + match.start("id"), offset + match.end("id"), match.group("id")
    value = collapse_whitespace(rest)
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return None
    return offset + (len(rest) - len(rest.lstrip())), len(text.rstrip()), value


def _label_features(view: DocumentView, spec: FieldSpec, line: Line, start: int) -> dict[str, float]:
    features = {
        "label_same_line": 0.0,
        "label_above": 0.0,
        "label_strength": 0.0,
        "excluded_same_line": 0.0,
        "excluded_above": 0.0,
        "label_distance": 1.0,
    }
    same_line = [h for h in find_labels(line, spec.labels) if h.end <= start]
    excluded = [h for h in find_labels(line, spec.exclude_labels) if h.end <= start]
    if same_line:
        nearest = max(same_line, key=lambda h: h.end)
        features["label_same_line"] = 1.0
        features["label_strength"] = 1.0 / (1 + nearest.rank)
        features["label_distance"] = min(1.0, (start - nearest.end) / 40.0)
        # An exclusion word that is part of the nearest label's phrase ("SUB TOTAL") counts against it.
        if any(_overlaps_or_adjacent(x, nearest) for x in excluded):
            features["excluded_same_line"] = 1.0
    elif excluded:
        features["excluded_same_line"] = 1.0
    above = view.line_above(line)
    if above is not None and not same_line:
        value_box = span_box(line, start, start + 1)
        for hit in find_labels(above, spec.labels):
            box = hit.box
            if box[0] - view.text_height * 4 <= value_box[0] <= box[2] + view.text_height * 4:
                features["label_above"] = 1.0
                features["label_strength"] = max(features["label_strength"], 1.0 / (1 + hit.rank))
        if any(True for _ in find_labels(above, spec.exclude_labels)) and features["label_above"]:
            features["excluded_above"] = 1.0
    return features


def _overlaps_or_adjacent(a: LabelHit, b: LabelHit) -> bool:
    return a.start <= b.end + 1 and b.start <= a.end + 1
