"""Normalised values: dates to ISO, amounts to decimal strings, text with whitespace collapsed."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil import parser as date_parser
from rapidfuzz.distance import Levenshtein

_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Text as on the document with runs of whitespace collapsed to one space."""
    return _WHITESPACE.sub(" ", text).strip()


_SIGN_BESIDE_DIGIT = re.compile(r"§(?=\d)|(?<=\d)§")


def mend_signs(text: str) -> str:
    """An address with the letters OCR reads as signs put back: no address holds a dollar or section sign,
    but OCR reads S as either ("JALAN $S21/39", "$117, Second Floor") and 5 as "§" ("§6100 CHERAS")."""
    return _SIGN_BESIDE_DIGIT.sub("5", text).replace("§", "S").replace("$", "S")


_SIGN_IN_NUMBER = re.compile(r"§(?=\d|[.,]\d)|(?<=\d)§")


def mend_number_signs(text: str) -> str:
    """Text with the "§" OCR reads for a 5 inside a number put back ("Total due §.072,29"); the length is
    kept, so positions found in the mended text stand in the original."""
    return _SIGN_IN_NUMBER.sub("5", text)


def trim_marks(text: str) -> str:
    """Text without the words at either end that hold no letter or digit, or one or two small letters
    beside capitals: OCR reads specks, borders and logo edges beside a name as "»", "\\", a lone "." or
    "ae" ("> KEDAI PAPAN YEW CHUAN", "ae KEDAI PAPAN YEW CHUAN")."""
    words = text.split(" ")
    rest = "".join(w for w in words if not (len(w) <= 2 and w.islower()))
    capitals = rest == rest.upper()

    def noise(word: str) -> bool:
        return not any(ch.isalnum() for ch in word) or (capitals and len(word) <= 2 and word.islower())

    while words and noise(words[0]):
        words.pop(0)
    while words and noise(words[-1]):
        words.pop()
    return " ".join(words)


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
_ENGLISH_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# Month names of the other languages invoices come in (French, German, Spanish, Dutch, Italian, Portuguese),
# with and without their accents, as OCR and older PDFs drop them. English abbreviations they share are
# left out. Such a name counts only beside a four-digit year: "MARS 45G" on a receipt is a chocolate bar.
FOREIGN_MONTHS = {
    **dict.fromkeys(
        ("janvier", "janv", "januar", "jänner", "jaenner", "enero", "januari", "gennaio", "janeiro"), 1
    ),
    **dict.fromkeys(
        ("février", "fevrier", "févr", "fevr", "februar", "febrero", "februari", "febbraio", "fevereiro"), 2
    ),
    **dict.fromkeys(("mars", "märz", "maerz", "marz", "mrz", "marzo", "maart", "mrt", "março", "marco"), 3),
    **dict.fromkeys(("avril", "avr", "abril", "aprile"), 4),
    **dict.fromkeys(("mai", "mayo", "mei", "maggio", "maio"), 5),
    **dict.fromkeys(("juin", "juni", "junio", "giugno", "junho"), 6),
    **dict.fromkeys(("juillet", "juil", "juli", "julio", "luglio", "julho"), 7),
    **dict.fromkeys(("août", "aout", "agosto", "augustus"), 8),
    **dict.fromkeys(("septembre", "septiembre", "setiembre", "settembre", "setembro"), 9),
    **dict.fromkeys(("octobre", "oktober", "okt", "octubre", "ottobre", "outubro"), 10),
    **dict.fromkeys(("novembre", "noviembre", "novembro"), 11),
    **dict.fromkeys(
        ("décembre", "decembre", "déc", "dezember", "dez", "diciembre", "dicembre", "dezembro"), 12
    ),
}
_MONTH_NAMES = "|".join(sorted({**MONTHS, **FOREIGN_MONTHS}, key=len, reverse=True))

# Numeric dates: 25/12/2018, 25-12-18, 2018-12-25, 25.12.2018 (spaces around separators as OCR leaves them).
NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?:(?P<y1>(?:19|20)\d\d)\s?[-/.]\s?(?P<m1>\d{1,2})\s?[-/.]\s?(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})\s?(?P<sep>[-/.])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?(?P<y2>(?:19|20)?\d\d))(?![\d])"
)
# Dates with a month name: 25 Dec 2018, 25-DEC-18, Dec 25, 2018, December 25 2018.
NAMED_DATE = re.compile(
    rf"(?<![\w])(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*(?:de\s+)?(?P<m1>{_MONTH_NAMES})\.?[\s\-/.,]*"
    rf"(?:de\s+)?(?P<y1>(?:19|20)?\d\d)"
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
        name = (match.group("m1") or match.group("m2")).lower()
        year = match.group("y1") or match.group("y2")
        if name not in MONTHS and len(year) < 4:
            continue
        month = MONTHS.get(name) or FOREIGN_MONTHS[name]
        day = int(match.group("d1") or match.group("d2"))
        parsed = _safe_date(_year(year), month, day)
        if parsed:
            found.append((match.group(0), parsed, match.span(), False))
    return found


def _compact_date(text: str) -> str | None:
    """An eight-digit date without separators: "20180304" (year first, as ISO writes it) or "25032018"
    (day first). dateutil would read the first with day and month swapped under dayfirst."""
    if not re.fullmatch(r"\d{8}", text):
        return None
    for year, month, day in ((text[:4], text[4:6], text[6:]), (text[4:], text[2:4], text[:2])):
        if 1900 <= int(year) <= 2099:
            try:
                return date(int(year), int(month), int(day)).isoformat()
            except ValueError:
                continue
    return None


def normalize_date(text: str, order: str = "DMY") -> str | None:
    """ISO `YYYY-MM-DD` for a printed date, or None when it is not a date."""
    dates = find_dates(text, order)
    if dates:
        return dates[0][1].isoformat()
    compact = _compact_date(text.strip())
    if compact:
        return compact
    try:
        parsed = date_parser.parse(text, dayfirst=order == "DMY", fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date().isoformat()


# ---------------------------------------------------------------- amounts

# 1,234.56  1.234,56  1234.56  12.50-  RM9.00  (9.00); two decimals required to count as money.
AMOUNT = re.compile(
    r"(?<![\w.,])-?\s?(?:[A-Z]{1,3}\s?|[$€£¥])?\s?"
    # 1,234.56 | 1.234,56 | 1 234,56 (space groups only with a decimal comma: "3 305.79" in a table is a
    # quantity and a price) | 1234.56, 9 .00 as OCR spaces it
    r"(?P<num>\d{1,3}(?:,\d{3})+\.\d{2}|\d{1,3}(?:\.\d{3})+,\d{2}|\d{1,3}(?:[ \u00a0]\d{3})+,\d{2}"
    r"|\d+\s?[.,]\s?\d{2})"
    r"(?![\d])(?!\s?%)"
)


# A whole amount counts as money only with its currency beside it: "Rs 1939", "$1,200", "₹ 500", "40 €".
_MARK = r"(?:Rs\.?|INR|USD|EUR|GBP|CHF|RM|[$€£¥₹])"
WHOLE_AMOUNT = re.compile(
    # Not followed by its cents as OCR spaces them ("RM50 .00" is an amount already), a "%" or "/" or a
    # letter ("$821/1A" is an address read with S as $).
    rf"(?:(?<![\w]){_MARK}\s?(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\d\w/])(?!\s?[.,]\s?\d)(?!\s?%)"
    rf"|(?<![\w.,])(?P<after>\d{{1,3}}(?:[.,\s]\d{{3}})+|\d+)\s?(?:€|EUR)(?![A-Za-z]))"
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

CURRENCY_SYMBOLS = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "RM": "MYR",
    "S$": "SGD",
    "A$": "AUD",
    "C$": "CAD",
    "HK$": "HKD",
    "NZ$": "NZD",
    "R$": "BRL",
    "₹": "INR",
    "₩": "KRW",
    "₺": "TRY",
    "₫": "VND",
    "₱": "PHP",
    "₪": "ILS",
    "ZŁ": "PLN",
    "KČ": "CZK",
}
# Codes that are also common words ("TRY OUR NEW...", "RON", "PHP") are left out; their signs are known.
_AMERICAS_AND_ASIA = (
    "USD",
    "CAD",
    "MXN",
    "BRL",
    "JPY",
    "CNY",
    "KRW",
    "TWD",
    "HKD",
    "SGD",
    "MYR",
    "IDR",
    "THB",
)
_EUROPE = ("EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "BGN")
_OTHERS = ("INR", "VND", "AUD", "NZD", "ZAR", "AED")
CURRENCY_CODES = frozenset(_AMERICAS_AND_ASIA + _EUROPE + _OTHERS)
_CODES = "|".join(sorted(CURRENCY_CODES | {"RM"}))
_SYMBOLS = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True) if s != "RM")
CURRENCY_PATTERN = re.compile(rf"(?<![A-Za-z])(?P<code>{_CODES})(?![A-Za-z])|(?P<sym>(?i:{_SYMBOLS}))")


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


# ---------------------------------------------------------------- OCR-tolerant dates

# Letters OCR puts where a digit was printed, and digits it mistakes for one another.
LETTER_DIGITS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "I": "1",
        "l": "1",
        "i": "1",
        "|": "1",
        "!": "1",
        "J": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "$": "5",
        "G": "6",
        "b": "6",
        "B": "8",
        "g": "9",
        "q": "9",
        "A": "4",
    }
)
DIGIT_CONFUSIONS = {
    "0": "869",
    "8": "0369",
    "6": "085",
    "3": "8",
    "1": "74",
    "7": "1",
    "5": "63",
    "9": "08",
    "4": "1",
    "2": "7",
}
_LOOSE = r"[\dOoQDUIli|!JZzSs$GbBgqA]"
LOOSE_DATE = re.compile(
    rf"(?<![\w.])(?P<a>{_LOOSE}{{1,2}})\s?(?P<sep>[-/.])\s?(?P<b>{_LOOSE}{{1,2}})\s?(?P=sep)\s?"
    rf"(?P<y>{_LOOSE}{{4}}|{_LOOSE}{{2}})(?![\w])"
)


def _valid(day: str, month: str, year: str, order: str, years: range) -> date | None:
    a, b = int(day), int(month)
    y = _year(year)
    if y not in years:
        return None
    return _safe_date(y, b, a) if order == "DMY" else _safe_date(y, a, b)


def repair_date(first: str, second: str, year: str, order: str, years: range) -> tuple[date, int] | None:
    """The valid date nearest to what OCR read, changing at most two confusable digits."""
    digits = first + second + year
    found = _valid(first, second, year, order, years)
    if found:
        return found, 0
    cuts = (len(first), len(first) + len(second))
    for changes in (1, 2):
        results = set()
        for positions in _combinations(len(digits), changes):
            for variant in _substitutions(digits, positions):
                candidate = _valid(
                    variant[: cuts[0]], variant[cuts[0] : cuts[1]], variant[cuts[1] :], order, years
                )
                if candidate:
                    results.add(candidate)
        if len(results) == 1:
            return results.pop(), changes
        if results:
            return None  # several equally near dates: refuse to guess
    return None


def _combinations(n: int, k: int) -> list[tuple[int, ...]]:
    if k == 1:
        return [(i,) for i in range(n)]
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def _substitutions(digits: str, positions: tuple[int, ...]) -> list[str]:
    variants = [digits]
    for position in positions:
        variants = [
            v[:position] + alt + v[position + 1 :]
            for v in variants
            for alt in DIGIT_CONFUSIONS.get(v[position], "")
        ]
    return variants


# Dates whose separators OCR lost: "1202/2018", "12/022018", "25032018" (day first), "20180425" (ISO).
LOST_SEPARATOR_DATE = re.compile(
    r"(?<![\w.])(?:(?P<a>\d\d)(?P<sa>[-/.]?)(?P<b>\d\d)(?P<sb>[-/.]?)(?P<y>(?:19|20)\d\d)"
    r"|(?P<iy>(?:19|20)\d\d)(?P<im>\d\d)(?P<id>\d\d))(?![\w])"
)
# A day, a three-letter word and a year: the word may be a month name OCR misread by a letter ("26/Fen/2017").
MISREAD_MONTH_DATE = re.compile(
    r"(?<![\w])(?P<d>\d{1,2})(?P<s>[\s\-/.])(?P<m>[A-Za-z]{3})(?P=s)(?P<y>(?:19|20)\d\d)(?![\d])"
)
_SHORT_MONTHS = [name for name in MONTHS if len(name) == 3]
# A month name read right, a day misread as letters: "GS Jan 2017" (05), "Ql-Nov-2017" (01).
MISREAD_DAY_DATE = re.compile(
    rf"(?<![\w])(?P<d>{_LOOSE}{{1,2}})[\s\-/.]*(?P<m>(?i:{_ENGLISH_MONTH_NAMES}))\.?[\s\-/.,]*"
    r"(?P<y>(?:19|20)\d\d)(?![\d])"
)


def _lost_separator_dates(
    text: str, order: str, years: range
) -> list[tuple[str, date, tuple[int, int], int]]:
    found = []
    for match in LOST_SEPARATOR_DATE.finditer(text):
        if match.group("iy"):
            parsed = _valid(match.group("id"), match.group("im"), match.group("iy"), "DMY", years)
            lost = 2
        else:
            lost = (not match.group("sa")) + (not match.group("sb"))
            if not lost:
                continue  # both separators printed: an ordinary date, found elsewhere
            parsed = _valid(match.group("a"), match.group("b"), match.group("y"), order, years)
        if parsed:
            found.append((match.group(0), parsed, match.span(), lost))
    return found


def _misread_month_dates(text: str, years: range) -> list[tuple[str, date, tuple[int, int], int]]:
    found = []
    for match in MISREAD_MONTH_DATE.finditer(text):
        word = match.group("m").lower()
        if word in MONTHS:
            continue  # read right: an ordinary date
        near = [name for name in _SHORT_MONTHS if Levenshtein.distance(word, name, score_cutoff=1) <= 1]
        if len(near) != 1:
            continue  # two months as near ("Mau": Mar, May) is a guess
        parsed = _valid(match.group("d"), str(MONTHS[near[0]]), match.group("y"), "DMY", years)
        if parsed:
            found.append((match.group(0), parsed, match.span(), 1))
    return found


def _misread_day_dates(text: str, years: range) -> list[tuple[str, date, tuple[int, int], int]]:
    found = []
    for match in MISREAD_DAY_DATE.finditer(text):
        printed_day = match.group("d")
        letters = sum(1 for ch in printed_day if not ch.isdigit())
        if not letters:
            continue  # a day in digits: an ordinary date
        month = f"{MONTHS[match.group('m').lower()]:02d}"
        repaired = repair_date(printed_day.translate(LETTER_DIGITS), month, match.group("y"), "DMY", years)
        if repaired:
            found.append((match.group(0), repaired[0], match.span(), repaired[1] + letters))
    return found


def find_dates_tolerant(text: str, order: str, years: range) -> list[tuple[str, date, tuple[int, int], int]]:
    """Dates as OCR may have garbled them: digits misread ("30/83/2618"), separators lost ("1202/2018",
    "25032018"), a month name misread by a letter ("26/Fen/2017"), a named month's day read as letters
    ("GS Jan 2017"). Each as (printed, date, span, repairs)."""
    found = (
        _lost_separator_dates(text, order, years)
        + _misread_month_dates(text, years)
        + _misread_day_dates(text, years)
    )
    for match in LOOSE_DATE.finditer(text):
        raw = match.group(0)
        parts = [match.group(k).translate(LETTER_DIGITS) for k in ("a", "b", "y")]
        if not all(p.isdigit() for p in parts):
            continue
        letters = sum(1 for k in ("a", "b", "y") for ch in match.group(k) if not ch.isdigit())
        if letters > 2:
            continue
        repaired = repair_date(*parts, order, years)
        if repaired:
            found.append((raw, repaired[0], match.span(), repaired[1] + letters))
    return found
