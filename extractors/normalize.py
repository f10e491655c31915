"""Normalised values: dates to ISO, amounts to decimal strings, text with whitespace collapsed."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil import parser as date_parser

_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Text as on the document with runs of whitespace collapsed to one space."""
    return _WHITESPACE.sub(" ", text).strip()


# ---------------------------------------------------------------- dates

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# Numeric dates: 25/12/2018, 25-12-18, 2018-12-25, 25.12.2018 (spaces around separators as OCR leaves them).
NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?:(?P<y1>(?:19|20)\d\d)\s?[-/.]\s?(?P<m1>\d{1,2})\s?[-/.]\s?(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})\s?(?P<sep>[-/.])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?(?P<y2>(?:19|20)?\d\d))(?![\d])"
)
# Dates with a month name: 25 Dec 2018, 25-DEC-18, Dec 25, 2018, December 25 2018.
NAMED_DATE = re.compile(
    rf"(?<![A-Za-z])(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*(?P<m1>{_MONTH_NAMES})\.?[\s\-/.,]*"
    rf"(?P<y1>(?:19|20)?\d\d)"
    rf"|(?P<m2>{_MONTH_NAMES})\.?[\s\-/.]*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[\s,\-/.]+(?P<y2>(?:19|20)\d\d))"
    r"(?![\d])",
    re.IGNORECASE,
)


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, order: str = "DMY") -> list[tuple[str, date, tuple[int, int], bool]]:
    """Every date in `text`: (as printed, parsed date, span, ambiguous day/month)."""
    found = []
    for match in NUMERIC_DATE.finditer(text):
        if match.group("y1"):
            parsed = _safe_date(int(match.group("y1")), int(match.group("m1")), int(match.group("d1")))
            ambiguous = False
        else:
            a, b, year = int(match.group("a")), int(match.group("b")), _year(match.group("y2"))
            ambiguous = a <= 12 and b <= 12 and a != b
            day_first = _safe_date(year, b, a)
            month_first = _safe_date(year, a, b)
            parsed = (day_first or month_first) if order == "DMY" else (month_first or day_first)
        if parsed:
            found.append((match.group(0), parsed, match.span(), ambiguous))
    for match in NAMED_DATE.finditer(text):
        month = MONTHS[(match.group("m1") or match.group("m2")).lower()]
        day = int(match.group("d1") or match.group("d2"))
        parsed = _safe_date(_year(match.group("y1") or match.group("y2")), month, day)
        if parsed:
            found.append((match.group(0), parsed, match.span(), False))
    return found


def normalize_date(text: str, order: str = "DMY") -> str | None:
    """ISO `YYYY-MM-DD` for a printed date, or None when it is not a date."""
    dates = find_dates(text, order)
    if dates:
        return dates[0][1].isoformat()
    try:
        parsed = date_parser.parse(text, dayfirst=order == "DMY", fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date().isoformat()


# ---------------------------------------------------------------- amounts

# 1,234.56  1.234,56  1234.56  12.50-  RM9.00  (9.00); two decimals required to count as money.
AMOUNT = re.compile(
    r"(?<![\w.,])-?\s?(?:[A-Z]{1,3}\s?|[$€£¥])?\s?(?P<num>\d{1,3}(?:[,.\s]\d{3})+[.,]\d{2}|\d+\s?[.,]\s?\d{2})"
    r"(?![\d])(?!\s?%)"
)


def parse_amount(text: str) -> Decimal | None:
    """The decimal value of a printed amount (thousand separators of either style), or None."""
    cleaned = re.sub(r"[^\d.,\-]", "", text.replace(" ", ""))
    negative = cleaned.startswith("-") or cleaned.endswith("-")
    cleaned = cleaned.strip("-")
    if not cleaned or not cleaned[-1].isdigit():
        return None
    # The last separator followed by exactly two digits is the decimal point.
    match = re.fullmatch(r"(?P<int>[\d.,]*?)(?:[.,](?P<frac>\d{1,2}))?", cleaned)
    if not match:
        return None
    integer = re.sub(r"[.,]", "", match.group("int") or "0") or "0"
    fraction = match.group("frac") or "0"
    try:
        value = Decimal(f"{integer}.{fraction}")
    except InvalidOperation:
        return None
    return -value if negative else value


def format_amount(value: Decimal) -> str:
    """Two-decimal string, as the labels and the API carry amounts."""
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def normalize_amount(text: str) -> str | None:
    """Decimal string (`"9.00"`) for a printed amount, or None."""
    value = parse_amount(text)
    return None if value is None else format_amount(value)


# ---------------------------------------------------------------- currency

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "RM": "MYR", "S$": "SGD", "A$": "AUD"}
CURRENCY_CODES = {"USD", "EUR", "GBP", "JPY", "MYR", "SGD", "AUD", "CAD", "CHF", "INR", "CNY", "IDR", "THB"}
CURRENCY_PATTERN = re.compile(
    r"(?<![A-Za-z])(?P<code>USD|EUR|GBP|JPY|MYR|SGD|AUD|CAD|CHF|INR|CNY|IDR|THB|RM)(?![A-Za-z])|(?P<sym>S\$|A\$|[$€£¥])"
)


def normalize_currency(text: str) -> str | None:
    """ISO 4217 code for a currency symbol or code, or None."""
    text = text.strip().upper()
    if text in CURRENCY_CODES:
        return text
    return CURRENCY_SYMBOLS.get(text)


def normalize(field_type: str, text: str, *, date_order: str = "DMY") -> str | None:
    """The normalised form of `text` for a field of `field_type`, or None if it does not parse."""
    if field_type == "date":
        return normalize_date(text, date_order)
    if field_type == "amount":
        return normalize_amount(text)
    if field_type == "currency":
        return normalize_currency(text)
    collapsed = collapse_whitespace(text)
    return collapsed or None


def last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of a pattern in a text, or None."""
    found = None
    for found in pattern.finditer(text):  # noqa: B007  (we want the last one)
        pass
    return found
