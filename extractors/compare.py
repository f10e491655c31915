"""When does a predicted value count as right? One definition, used by eval, calibration and metrics."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from rapidfuzz.distance import Levenshtein

from extractors.normalize import collapse_whitespace, normalize_amount, normalize_date

# Text matches when equal ignoring case and whitespace ("strict"), or, in tolerant mode, when at most one
# character in twenty differs: the size of a stray OCR slip that a reviewer reads past.
TOLERANT_SIMILARITY = 0.95


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def normalize_expected(field_type: str, raw: object, date_order: str = "DMY") -> str | None:
    """Bring a label's value into the normalised form predictions use (labels may be 'as printed')."""
    if raw is None:
        return None
    if isinstance(raw, list | dict):
        return json.dumps(raw, separators=(",", ":"))
    text = str(raw).strip()
    if not text:
        return None
    if field_type == "date":
        return normalize_date(text, date_order) or text
    if field_type == "amount":
        return normalize_amount(text) or text
    return collapse_whitespace(text)


def values_match(
    field_type: str, predicted: str | None, expected: str | None, *, tolerant: bool = False
) -> bool:
    """True when a predicted normalised value equals the expected one under the project's rules."""
    if predicted is None or expected is None:
        return predicted is None and expected is None
    if field_type == "amount":
        try:
            return Decimal(predicted) == Decimal(expected)
        except InvalidOperation:
            return predicted == expected
    if field_type in {"date", "currency"}:
        return predicted.strip().upper() == expected.strip().upper()
    a, b = _squash(predicted), _squash(expected)
    if a == b:
        return True
    return tolerant and Levenshtein.normalized_similarity(a, b) >= TOLERANT_SIMILARITY
