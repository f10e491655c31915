"""Candidates found by type parsers (dates, amounts, identifiers, currencies, labelled text) and labels.

Every candidate carries layout features and one indicator per label of the schema that stands next to
it (`lbl=total`, `xlbl=cash`, `lblup=invoice date`), so a learned ranker can weigh each label by how
often it really marks the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from extractors.candidates.labels import find_labels, label_in, span_box, span_confidence
from extractors.candidates.tables import is_table_heading
from extractors.layout import split_at_gaps
from extractors.normalize import (
    AMOUNT,
    CURRENCY_PATTERN,
    WHOLE_AMOUNT,
    collapse_whitespace,
    find_dates,
    find_dates_tolerant,
    format_amount,
    mend_number_signs,
    normalize_currency,
    parse_amount,
)
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line
from extractors.view import DocumentView

IDENTIFIER = re.compile(r"[#:]?\s*(?P<id>[A-Z0-9][A-Z0-9\-/_.]{2,30}[A-Z0-9])", re.IGNORECASE)
TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s?:\s?[0-5]\d(\s?:\s?[0-5]\d)?(\s?[AP]\.?M)?", re.IGNORECASE)
# Generic payment words: a total equals what was paid minus the change given back.
PAID = ("cash", "tender", "tendered", "paid", "payment", "visa", "master", "card", "credit")
CHANGE = ("change", "change due", "balance")
_SEPARATORS = " :#.-\t"
PLAUSIBLE_YEARS = range(1990, 2036)  # a repaired date must land here; printed dates are taken as they are
# A value's box height, in lines of text, is capped here. Taller boxes are rare, and a linear weight learned
# on ordinary heights gave them outsized scores: misread dates in tall OCR boxes came out at the very top
# of the confidence ranking (sroie-dev receipts 104 and 166).
MAX_HEIGHT_LINES = 1.5


@dataclass(frozen=True)
class _Raw:
    line: Line
    start: int
    end: int
    normalized: str
    cue: str
    repairs: int = 0  # characters an OCR-tolerant parser had to change


def typed_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """All candidates for a field whose finder is its type, with label and layout features."""
    raw = list(_raw_values(view, spec))
    if not raw:
        return []
    counts = Counter(r.normalized for r in raw)
    per_line = Counter(id(r.line) for r in raw)
    lines_with_values = sorted({(r.line.page, r.line.index) for r in raw})
    # Whole amounts ("Rs 1939") stay out of the ranking of amounts: on a receipt they are mostly offers
    # ("VOUCHER FOR RM1,000"), and the largest figure should still be the largest priced one.
    amount_rank = (
        {
            value: rank
            for rank, value in enumerate(
                sorted({float(r.normalized) for r in raw if r.cue != "amount_marked"}, reverse=True)
            )
        }
        if spec.type == "amount"
        else {}
    )
    paid_minus_change: set[str] = set()
    sequence_totals: set[str] = set()
    before_rounding: set[str] = set()
    if spec.type == "amount":
        last_amounts = _last_amounts(view)
        paid_minus_change = _paid_minus_change(last_amounts)
        sequence_totals = _paid_change_sequence(last_amounts)
        before_rounding = _before_rounding(last_amounts, set(counts))
    first_seen: dict[str, int] = {}
    heading_cells: dict[int, list[_Heading] | None] = {}  # per line: its cells, or None: a table heading
    for order, r in enumerate(raw):
        first_seen.setdefault(r.normalized, order)
    candidates = []
    for order, r in enumerate(raw):
        line = r.line
        page = view.page(line.page)
        box = span_box(line, r.start, r.end)
        features = _label_features(view, spec, line, r.start, raw)
        if spec.type == "amount":
            features.update(_column_heading(view, spec, line, box, features, heading_cells))
        position = lines_with_values.index((line.page, line.index))
        features.update(
            {
                "rel_y": view.relative_y(line),
                "rel_x": box[0] / page.width if page.width else 0.0,
                "height_ratio": min(MAX_HEIGHT_LINES, (box[3] - box[1]) / view.text_height)
                if view.text_height
                else 1.0,
                "repeat": math.log1p(counts[r.normalized] - 1),
                "right_end": 1.0 if r.end >= len(line.text.rstrip(" :.")) - 1 else 0.0,
                "first_page": 1.0 if line.page == 1 else 0.0,
                "values_on_line": min(4, per_line[id(line)]) / 4.0,
                "from_top": 1.0 / (1 + position),
                "from_bottom": 1.0 / (len(lines_with_values) - position),
                "first_occurrence": 1.0 if first_seen[r.normalized] == order else 0.0,
            }
        )
        if spec.type == "amount":
            value = float(r.normalized)
            ranked = r.cue != "amount_marked"  # every priced amount has a rank
            features["is_max"] = 1.0 if ranked and amount_rank[value] == 0 else 0.0
            features["amount_rank"] = 1.0 / (1 + amount_rank[value]) if ranked else 0.0
            features["whole_amount"] = 0.0 if ranked else 1.0
            features["zero"] = 1.0 if value == 0 else 0.0
            features["paid_minus_change"] = 1.0 if r.normalized in paid_minus_change else 0.0
            features["has_cents"] = 0.0 if r.normalized.endswith(".00") else 1.0
            features["paid_change_sequence"] = 1.0 if r.normalized in sequence_totals else 0.0
            features["before_rounding"] = 1.0 if r.normalized in before_rounding else 0.0
            features["rounded_5_cents"] = 1.0 if round(value * 100) % 5 == 0 else 0.0
        elif spec.type == "date":
            features["time_on_line"] = 1.0 if TIME.search(line.text) else 0.0
            features["named_month"] = 1.0 if re.search(r"[A-Za-z]{3}", line.text[r.start : r.end]) else 0.0
            year = int(r.normalized[:4])
            features["recent_year"] = 1.0 if 2000 <= year <= 2040 else 0.0
            features["repaired"] = float(r.repairs)
            features["repaired_any"] = 1.0 if r.repairs else 0.0
        cues = [r.cue]
        if features["label_same_line"] or features["label_above"]:
            cues.append("label")
        if features.get("paid_minus_change"):
            cues.append("paid_minus_change")
        candidates.append(
            Candidate(
                field=spec.name,
                text=line.text[r.start : r.end].strip(),
                normalized=r.normalized,
                page=line.page,
                box=box,
                cues=tuple(cues),
                features=features,
                ocr_confidence=span_confidence(line, r.start, r.end),
            )
        )
    if spec.type == "amount":
        _mark_last_labelled(candidates)
        _mark_subtotal_plus_tax(candidates)
    return candidates


def _negative(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 4) : start].replace(" ", "")
    return before.endswith(("-", "-RM", "-$", "(")) or text[end : end + 1] == "-"


def _raw_values(view: DocumentView, spec: FieldSpec) -> Iterator[_Raw]:
    for line in view.lines:
        text = line.text
        if spec.type == "date":
            strict = find_dates(text, view.date_order)
            for _printed, parsed, (start, end), _ambiguous in strict:
                yield _Raw(line, start, end, parsed.isoformat(), "date_parser")
            for _printed, parsed, (start, end), repairs in find_dates_tolerant(
                text, view.date_order, PLAUSIBLE_YEARS
            ):
                if repairs and not any(s < end and start < e for _p, _d, (s, e), _a in strict):
                    yield _Raw(line, start, end, parsed.isoformat(), "date_repaired", repairs)
        elif spec.type == "amount":
            text = mend_number_signs(text)
            for match in AMOUNT.finditer(text):
                start, end = match.start("num"), match.end("num")
                value = parse_amount(match.group("num"))
                if value is not None and not _negative(text, start, end):
                    yield _Raw(line, start, end, format_amount(value), "amount_parser")
            for match in WHOLE_AMOUNT.finditer(text):
                group = "num" if match.group("num") else "after"
                start, end = match.start(group), match.end(group)
                value = parse_amount(match.group(group).replace(" ", "").replace(".", ","))
                if value is not None and not _negative(text, start, end):
                    yield _Raw(line, start, end, format_amount(value), "amount_marked")
        elif spec.type == "currency":
            for match in CURRENCY_PATTERN.finditer(text):
                code = normalize_currency(match.group(0))
                if code:
                    yield _Raw(line, match.start(), match.end(), code, "currency_symbol")
        elif spec.type in {"identifier", "text"}:
            yield from _values_after_labels(view, spec, line)


def _values_after_labels(view: DocumentView, spec: FieldSpec, line: Line) -> Iterator[_Raw]:
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
                yield _Raw(target, start, end, value, "label_right" if target is line else "label_below")
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


def _label_features(
    view: DocumentView, spec: FieldSpec, line: Line, start: int, raw: list[_Raw]
) -> dict[str, float]:
    features = {
        "label_same_line": 0.0,
        "label_above": 0.0,
        "label_strength": 0.0,
        "excluded_same_line": 0.0,
        "excluded_above": 0.0,
        "label_distance": 1.0,
        "first_after_label": 0.0,
    }
    same_line = [h for h in find_labels(line, spec.labels) if h.end <= start]
    excluded = [h for h in find_labels(line, spec.exclude_labels) if h.end <= start]
    if same_line:
        nearest = max(same_line, key=lambda h: h.end)
        features["label_same_line"] = 1.0
        features[f"lbl={nearest.label}"] = 1.0
        features["label_strength"] = 1.0 / (1 + nearest.rank)
        features["label_distance"] = min(1.0, (start - nearest.end) / 40.0)
        # "TOTAL PAYABLE" says more than "TOTAL": a longer label is a more specific one.
        features["label_words"] = min(3, len(nearest.label.split())) / 3.0
        # Is this the first value after its label, or a later column of the same row?
        between = [r for r in raw if r.line is line and nearest.end <= r.start < start]
        features["first_after_label"] = 0.0 if between else 1.0
    for hit in excluded:
        features["excluded_same_line"] = 1.0
        features[f"xlbl={hit.label}"] = 1.0
    above = view.line_above(line)
    if above is not None and not same_line:
        value_box = span_box(line, start, start + 1)
        reach = view.text_height * 4
        for hit in find_labels(above, spec.labels):
            box = hit.box
            if box[0] - reach <= value_box[0] <= box[2] + reach:
                features["label_above"] = 1.0
                features[f"lblup={hit.label}"] = 1.0
                features["label_strength"] = max(features["label_strength"], 1.0 / (1 + hit.rank))
        if features["label_above"] and find_labels(above, spec.exclude_labels):
            features["excluded_above"] = 1.0
    return features


# How far above a value its column's heading may stand (rows of a totals table come between).
HEADING_REACH = 5
HEADING_GAP = 1.2  # text heights between two column headings on one line (as between table cells)


def _column_heading(
    view: DocumentView,
    spec: FieldSpec,
    line: Line,
    box: tuple[float, float, float, float],
    features: dict[str, float],
    cells_of: dict[int, list[_Heading] | None],
) -> dict[str, float]:
    """A label heading the value's column a few lines up, in a table of totals ("Montant EUR HT | Montant TVA
    | Montant EUR TTC" over "24.99  5.00  29.99"), for a value no label stands beside or right above."""
    if features["label_same_line"] or features["label_above"]:
        return {}
    centre = (box[0] + box[2]) / 2
    above: Line | None = line
    for _ in range(HEADING_REACH):
        above = view.line_above(above) if above is not None else None
        if above is None:
            return {}
        if id(above) not in cells_of:
            # The headings of the line items ("DESCRIPTION QTY AMT(RM)") name every row's figures, not
            # the totals below them: the search stops there.
            cells_of[id(above)] = None if is_table_heading(above) else _headings(view, spec, above)
        cells = cells_of[id(above)]
        if cells is None:
            return {}
        # The heading of the value's column: of the cells over it, the one centred nearest to it.
        over = [
            cell for cell in cells if cell.left - view.text_height <= centre <= cell.right + view.text_height
        ]
        if not over:
            continue
        cell = min(over, key=lambda c: abs((c.left + c.right) / 2 - centre))
        if cell.label is None:
            continue
        return {} if cell.excluded else {"label_column": 1.0, f"lblcol={cell.label}": 1.0}
    return {}


@dataclass(frozen=True)
class _Heading:
    """A cell of a line that may head a column: where it stands, and which of the field's labels it holds."""

    left: float
    right: float
    label: str | None
    excluded: bool


def _headings(view: DocumentView, spec: FieldSpec, line: Line) -> list[_Heading]:
    cells = []
    for part in split_at_gaps(line, view.text_height, HEADING_GAP):
        # "Montant EUR HT" is the label "montant ht" with the currency named inside it.
        text = CURRENCY_PATTERN.sub(" ", part.text)
        found = next((label for label in spec.labels if label_in(label, text)), None)
        excluded = found is not None and any(label_in(label, text) for label in spec.exclude_labels)
        box = part.box
        cells.append(_Heading(box[0], box[2], found, excluded))
    return cells


def _mark_last_labelled(candidates: list[Candidate]) -> None:
    """Mark the last candidate on the page with one of the field's labels before it on its line and none
    of its excluded labels (the final figure of a receipt stands below the partial ones)."""
    labelled = [
        c for c in candidates if c.features["label_same_line"] and not c.features["excluded_same_line"]
    ]
    for candidate in candidates:
        candidate.features["last_labelled"] = 1.0 if labelled and candidate is labelled[-1] else 0.0


_SUBTOTAL_LABELS = ("xlbl=subtotal", "xlbl=sub total", "xlbl=sub-total", "xlbl=total excl", "xlbl=excluding")
_TAX_LABELS = ("xlbl=gst", "xlbl=tax", "xlbl=total tax", "xlbl=total gst")
ROUNDING_SLACK = 0.03  # cash totals rounded to 5 cents (as in Malaysia): 26.00 + 1.56 is paid as 27.55


def _mark_subtotal_plus_tax(candidates: list[Candidate]) -> None:
    """Mark amounts that equal an amount labelled as a subtotal plus one labelled as tax: the arithmetic
    of the receipt itself confirms them, however garbled their own label is ("TOTAL = Ja > 27.55")."""
    subtotals = {float(c.normalized) for c in candidates if any(k in c.features for k in _SUBTOTAL_LABELS)}
    taxes = {float(c.normalized) for c in candidates if any(k in c.features for k in _TAX_LABELS)}
    sums = [s + t for s in subtotals for t in taxes if 0 < t < s]
    for candidate in candidates:
        value = float(candidate.normalized)
        candidate.features["subtotal_plus_tax"] = (
            1.0 if any(abs(value - total) <= ROUNDING_SLACK for total in sums) else 0.0
        )


def _last_amounts(view: DocumentView) -> list[tuple[Line, Decimal]]:
    """The last amount of each line that has one, in reading order."""
    found = []
    for line in view.lines:
        values = [parse_amount(m.group("num")) for m in AMOUNT.finditer(line.text)]
        values = [v for v in values if v is not None]
        if values:
            found.append((line, values[-1]))
    return found


def _paid_change_sequence(last_amounts: list[tuple[Line, Decimal]]) -> set[str]:
    """Amounts followed by two amounts whose difference they are (total, then paid, then change): the
    arithmetic holds even where a leaning scan put the labels beside the wrong values."""
    values = [v for _line, v in last_amounts]
    return {
        format_amount(a)
        for a, b, c in zip(values, values[1:], values[2:], strict=False)
        if a > 0 and c > 0 and b - c == a
    }


def _before_rounding(last_amounts: list[tuple[Line, Decimal]], values: set[str]) -> set[str]:
    """Amounts that a rounding adjustment printed on the page turns into another amount: the total
    before rounding, when the rounded one is the total paid."""
    adjustments = {abs(v) for line, v in last_amounts if v and re.search(r"ROUND", line.text, re.IGNORECASE)}
    present = {Decimal(v) for v in values}
    return {
        format_amount(a)
        for a in present
        for r in adjustments
        if (a + r in present or a - r in present) and (a * 100) % 5 != 0
    }


def _paid_minus_change(last_amounts: list[tuple[Line, Decimal]]) -> set[str]:
    """Amounts that equal something paid minus the change given: strong evidence of a total."""
    paid, change = [], []
    for line, value in last_amounts:
        lowered = line.text.lower()
        if any(re.search(rf"(?<![a-z]){word}(?![a-z])", lowered) for word in CHANGE):
            change.append(value)
        elif any(re.search(rf"(?<![a-z]){word}(?![a-z])", lowered) for word in PAID):
            paid.append(value)
    return {format_amount(p - c) for p in paid for c in change if p - c > 0}
