"""Line items: the rows between a table header (description, qty, price, amount) and the totals."""

from __future__ import annotations

import json
import re

from extractors.normalize import AMOUNT, format_amount, last_match, parse_amount
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, union_box
from extractors.view import DocumentView

HEADER_WORDS = re.compile(
    r"(?<![A-Z])(DESCRIPTION|ITEM|ITEMS|PRODUCT|SERVICE|QTY|QUANTITY|UNIT|PRICE|RATE|HOURS"
    r"|AMOUNT|TOTAL|AMT)(?![A-Z])",
    re.IGNORECASE,
)
END_WORDS = re.compile(
    r"(?<![A-Z])(SUB\s*-?\s*TOTAL|TOTAL|TAX|VAT|GST|BALANCE|AMOUNT DUE)(?![A-Z])", re.IGNORECASE
)
QUANTITY = re.compile(r"(?<![\d.,])(\d{1,5}(?:[.,]\d{1,3})?)(?![\d])")


def line_item_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """At most one candidate per header found: the parsed rows as a JSON list."""
    candidates = []
    for page_number, lines in view.lines_by_page.items():
        for i, line in enumerate(lines):
            if len(set(m.upper() for m in HEADER_WORDS.findall(line.text))) < 2:
                continue
            rows, used = _rows_below(lines[i + 1 :])
            if not rows:
                continue
            value = json.dumps(rows, separators=(",", ":"))
            box = union_box(r.box for r in used)
            candidates.append(
                Candidate(
                    field=spec.name,
                    text=value,
                    normalized=value,
                    page=page_number,
                    box=box,
                    cues=("table_header", "row_amounts"),
                    features={"rows": min(1.0, len(rows) / 10)},
                    ocr_confidence=min(r.confidence for r in used),
                )
            )
            break
    return candidates


def _rows_below(lines: list[Line]) -> tuple[list[dict[str, str]], list[Line]]:
    rows: list[dict[str, str]] = []
    used: list[Line] = []
    for line in lines:
        if END_WORDS.search(line.text) and not _leading_text(line.text):
            break
        if END_WORDS.match(line.text.strip()):
            break
        amounts = [m for m in AMOUNT.finditer(line.text)]
        if not amounts:
            if (
                rows
                and used[-1] is not line
                and _leading_text(line.text)
                and len(rows)
                and not END_WORDS.search(line.text)
            ):
                # A wrapped description continues the previous row.
                rows[-1]["description"] = f"{rows[-1]['description']} {line.text.strip()}".strip()
                continue
            if rows:
                break
            continue
        description = line.text[: amounts[0].start()].strip()
        quantity = ""
        match = last_match(QUANTITY, description)
        if match and match.end() >= len(description) - 1 and len(amounts) >= 2:
            quantity = match.group(1)
            description = description[: match.start()].strip()
        row = {
            "description": description,
            "quantity": quantity,
            "unit_price": _amount(amounts[-2].group("num")) if len(amounts) >= 2 else "",
            "amount": _amount(amounts[-1].group("num")),
        }
        rows.append(row)
        used.append(line)
    return rows, used


def _amount(text: str) -> str:
    value = parse_amount(text)
    return format_amount(value) if value is not None else ""


def _leading_text(text: str) -> bool:
    return bool(re.match(r"\s*[A-Za-z]", text))
