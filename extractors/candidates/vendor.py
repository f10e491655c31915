"""Vendor names: the heading lines at the top of the first page, weighted by legal-entity cues."""

from __future__ import annotations

import re

from extractors.normalize import collapse_whitespace, last_match
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, union_box
from extractors.view import DocumentView

LEGAL_SUFFIX = re.compile(
    r"(?<![A-Z])(SDN\.?\s*BHD\.?|S/B|BHD\.?|BERHAD|LTD\.?|LIMITED|LLC|L\.L\.C\.|INC\.?|INCORPORATED|CORP\.?"
    r"|CORPORATION|GMBH|AG|S\.?A\.?R?\.?L?|PLC|PTE\.?\s*LTD\.?|CO\.?,?\s*LTD\.?|ENTERPRISES?|TRADING|HOLDINGS?"
    r"|COMPANY)(?![A-Z])",
    re.IGNORECASE,
)
BUSINESS_WORD = re.compile(
    r"(?<![A-Z])(RESTORAN|RESTAURANT|CAFE|KEDAI|MART|STORE|SHOP|BAKERY|PHARMACY|FARMASI|HARDWARE|STATIONERY"
    r"|BOOKS?|MARKETING|SERVICES?|SUPPLIES|SUPPLY|INDUSTRIES|GROUP|MINI\s*MARKET|SUPERMARKET|TEA|FOOD|KITCHEN"
    r"|STUDIO|SOLUTIONS|TECHNOLOGIES|SYSTEMS|CONSULTING|PARTNERS|ENGINEERING|MOTOR|AUTO|ELECTRICAL)(?![A-Z])",
    re.IGNORECASE,
)
NOT_A_NAME = re.compile(
    r"(?<![A-Z])(TEL|FAX|PHONE|GST|SST|VAT|TAX|INVOICE|RECEIPT|DATE|TIME|CASHIER|TABLE|BILL|NO\s*[:.]|REG"
    r"|ROC|JALAN|JLN|STREET|ROAD|EMAIL|WWW|HTTP|TOTAL|QTY|ITEM|THANK|WELCOME|PAGE|CUSTOMER|SHIP|DUE|ORDER"
    r"|COMPANY NO|BILL TO|SOLD TO|INVOICE TO)(?![A-Z])",
    re.IGNORECASE,
)
# Registration numbers that follow a name on the same line: "(519537-X)", "1110644-W", "(CO. NO. 1234)".
TRAILING_REGISTRATION = re.compile(
    r"[\s,]*(\((?:CO\.?\s*(?:NO|REG)\.?\s*)?[\dA-Z\-\s.]*\d[\dA-Z\-\s.]*\)|\d{4,}-?[A-Z])\s*$", re.IGNORECASE
)
TOP_LINES = 12


def vendor_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """Single top lines and pairs of adjacent top lines as vendor candidates."""
    first_page = view.pages[0].number if view.pages else 1
    lines = view.lines_by_page.get(first_page, [])[:TOP_LINES]
    candidates: list[Candidate] = []
    for i, line in enumerate(lines):
        candidates.extend(_candidate(view, spec, [line], i))
        if i + 1 < len(lines):
            candidates.extend(_candidate(view, spec, [line, lines[i + 1]], i))
    return candidates


def _clean(text: str) -> str:
    text = collapse_whitespace(text)
    # Keep the name up to its legal suffix; what follows is usually a registration number.
    match = last_match(LEGAL_SUFFIX, text)
    if match and match.end() >= len(text) * 0.5:
        tail = text[match.end() :]
        if not re.search(r"[A-Za-z]{3,}", tail):
            text = text[: match.end()]
    previous = None
    while previous != text:
        previous = text
        text = TRAILING_REGISTRATION.sub("", text).strip(" ,;:-")
    return text


def _candidate(view: DocumentView, spec: FieldSpec, lines: list[Line], index: int) -> list[Candidate]:
    raw = " ".join(line.text for line in lines)
    value = _clean(raw)
    letters = sum(ch.isalpha() for ch in value)
    if letters < 2:
        return []
    digits = sum(ch.isdigit() for ch in value)
    heights = [w.height for line in lines for w in line.words]
    height_ratio = (sum(heights) / len(heights)) / view.text_height if view.text_height else 1.0
    suffix_line = [bool(LEGAL_SUFFIX.search(line.text)) for line in lines]
    features = {
        "legal_suffix": 1.0 if any(suffix_line) else 0.0,
        "suffix_last": 1.0 if suffix_line[-1] else 0.0,
        "business_word": 1.0 if BUSINESS_WORD.search(value) else 0.0,
        "not_a_name": 1.0 if NOT_A_NAME.search(value) else 0.0,
        "line_index": 1.0 / (1 + index),
        "two_lines": 1.0 if len(lines) == 2 else 0.0,
        "height_ratio": min(3.0, height_ratio),
        "digit_ratio": digits / max(1, len(value)),
        "upper_ratio": sum(ch.isupper() for ch in value) / max(1, letters),
        "length": min(1.0, len(value) / 40.0),
        "short": 1.0 if len(value) < 5 else 0.0,
    }
    box = union_box(line.box for line in lines)
    return [
        Candidate(
            field=spec.name,
            text=raw,
            normalized=value,
            page=lines[0].page,
            box=box,
            cues=("top_of_page", *(["legal_suffix"] if features["legal_suffix"] else [])),
            features=features,
            ocr_confidence=min(line.confidence for line in lines),
        )
    ]
