"""Vendor names: heading lines at the top of the first page, and any line that names a legal entity.

Candidates are single lines, pairs of adjacent lines (names broken over two lines), and variants with a
leading "owned by:"-style prefix or a trailing registration number removed.
"""

from __future__ import annotations

import itertools
import re

from extractors.layout import split_at_gaps
from extractors.normalize import collapse_whitespace, last_match, trim_marks
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, union_box
from extractors.view import DocumentView

# Legal-entity suffixes, tolerant of the OCR slips seen on scans (SDN BND, SDN. BHD.).
LEGAL_SUFFIX = re.compile(
    r"(?<![A-Z])(SDN\.?\s*B[HN]D\.?|S/B|SB|BHD\.?|BERHAD|LTD\.?|LIMITED|LLC|L\.L\.C\.|INC\.?|INCORPORATED"
    r"|CORP\.?|CORPORATION|GMBH|AG|S\.A\.R\.L\.?|SARL|S\.A\.|PLC|PTE\.?\s*LTD\.?|CO\.?,?\s*LTD\.?"
    r"|ENTERPRISES?|TRADING|HOLDINGS?|COMPANY|CO\.)(?![A-Z])",
    re.IGNORECASE,
)
BUSINESS_WORD = re.compile(
    r"(?<![A-Z])(RESTORAN|RESTAURANT|CAFE|KEDAI|MART|STORE|SHOP|BAKERY|BAKERIES|PHARMACY|FARMASI|HARDWARE"
    r"|STATIONERY|BOOKS?|MARKETING|SERVICES?|SUPPLIES|SUPPLY|INDUSTRIES|GROUP|MINI\s*MARKET|SUPERMARKET|TEA|FOOD"
    r"|KITCHEN|STUDIO|SOLUTIONS|TECHNOLOGIES|SYSTEMS|CONSULTING|PARTNERS|ENGINEERING|MOTOR|AUTO|ELECTRICAL"
    r"|RETAIL|DISTRIBUTION|CENTRE|CENTER|HOUSE)(?![A-Z])",
    re.IGNORECASE,
)
NOT_A_NAME = re.compile(
    r"(?<![A-Z])(TEL|FAX|PHONE|GST|SST|VAT|TAX|INVOICE|RECEIPT|DATE|TIME|CASHIER|TABLE|BILL|NO\s*[:.]|REG"
    r"|ROC|JALAN|JLN|STREET|ROAD|EMAIL|WWW|HTTP|TOTAL|QTY|ITEM|THANK|WELCOME|PAGE|CUSTOMER|SHIP|DUE|ORDER"
    r"|COMPANY NO|BILL TO|SOLD TO|INVOICE TO|SHOPPING|CASH SALES?|CASH BILL|PLEASE|VISIT|SURVEY)(?![A-Z])",
    re.IGNORECASE,
)
# What stands before a name and is not part of it: "OWNED BY", "DIMILIKI:", "OPERATED BY".
OWNER_PREFIX = re.compile(
    r"^(.{0,40}?(?:OWNED BY|OWN BY|OWNER BY|OPERATED BY|DIMILIKI|MILIK)\s*:?|[^:]{0,30}:)\s*", re.IGNORECASE
)
# Registration numbers that follow a name on the same line: "(519537-X)", "1110644-W", "(CO. NO. 1234)".
TRAILING_REGISTRATION = re.compile(
    r"[\s,]*(\((?:CO\.?\s*(?:NO|REG)\.?\s*)?[\dA-Z\-\s.:#]*\d[\dA-Z\-\s.:#]*\)|\d{4,}-?[A-Z])[\s,.;]*$",
    re.IGNORECASE,
)
# Words a name does not end on: "HOME MASTER HARDWARE &" goes on over the next line.
DANGLING_END = re.compile(r"(&|-|\(|,|/|\bAND|\bOF|\bDAN)\s*$", re.IGNORECASE)
# How a line that finishes the name above it begins: "CO. (M) SDN BHD", "SDN BHD", "ALAM) SDN BHD".
CONTINUATION_START = re.compile(r"^\s*(\S{0,4}\s*\(M\)|CO\.|SDN\b|BHD\b|S/B\b|[A-Z]+\)\s)", re.IGNORECASE)
# A till or branch code printed before the name on the same line: "#000002 BAIFU (M) SDN BHD".
LEADING_CODE = re.compile(r"^(#\S*|\d{4,}[\d\-/]*)\s+(?=[A-Z])", re.IGNORECASE)
# Words of sentences (notices, greetings, policies), which names seldom contain.
SENTENCE_WORD = re.compile(
    r"(?<![A-Z])(ARE|IS|NOT|NO|YOU|YOUR|WE|OUR|US|WILL|BE|PLEASE|THANK|GOODS|SOLD|RETURNABLE|REFUNDABLE"
    r"|EXCHANGEABLE|REFUND|EXCHANGE|CALL|VISIT|AGAIN|COME|ALL|PRICES?|INCLUSIVE|FOR|WITH|TQ|SHOPPING)(?![A-Z])",
    re.IGNORECASE,
)
TOP_LINES = 12


def vendor_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """Top lines, pairs of adjacent top lines, and legal-entity lines anywhere on the first page."""
    first_page = view.pages[0].number if view.pages else 1
    lines = view.lines_by_page.get(first_page, [])
    indices = set(range(min(TOP_LINES, len(lines))))
    indices |= {i for i, line in enumerate(lines) if LEGAL_SUFFIX.search(line.text)}
    candidates: list[Candidate] = []
    seen: set[tuple[int, str]] = set()
    # Where one line leaves a name unfinished and the next finishes it, no candidate ends or starts
    # between them: "AIK HUAT HARDWARE" alone is not a name when "ENTERPRISE (SETIA / ALAM) SDN BHD" follows.
    broken = [_continues(a, b) for a, b in itertools.pairwise(lines)] + [False]
    for i in sorted(indices):
        # Names break over up to three lines ("AIK HUAT HARDWARE / ENTERPRISE (SETIA / ALAM) SDN BHD").
        spans = [
            lines[i : i + n]
            for n in (1, 2, 3)
            if i + n <= len(lines) and not broken[i + n - 1] and not (i > 0 and broken[i - 1])
        ]
        # A line whose parts stand far apart holds columns ("Northwind Ltd ........ INVOICE"): each part
        # is a candidate of its own.
        parts = split_at_gaps(lines[i], view.text_height)
        if len(parts) > 1:
            spans.extend([part] for part in parts)
        for span in spans:
            for variant, value in _variants(" ".join(line.text for line in span)):
                # A longer span that cleans to the same text adds only a misleading line count.
                key = (i, value)
                if key not in seen:
                    seen.add(key)
                    following = lines[i + len(span)] if i + len(span) < len(lines) else None
                    candidates.extend(_candidate(view, spec, span, i, len(lines), variant, value, following))
    return candidates


def _strip_registration(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = TRAILING_REGISTRATION.sub("", text).strip(" ,;:-")
    match = last_match(LEGAL_SUFFIX, text)
    # Keep the name up to its legal suffix when what follows reads as a registration number ("S/B
    # 273500-U (KSB)"), not as more name ("TRADING CO", "ENTERPRISE 666").
    rest = text[match.end() :] if match else ""
    if (
        match
        and match.end() >= len(text) * 0.5
        and re.search(r"\d{4,}", rest)
        and not re.search(r"[A-Za-z]{3,}", re.sub(r"\([^)]*\)", "", rest))
    ):
        text = text[: match.end()]
    return LEADING_CODE.sub("", text)


def _continues(line: Line, following: Line) -> bool:
    """Does `following` finish a name that `line` leaves unfinished (a break inside one name)?"""
    text = line.text
    unfinished = text.count("(") > text.count(")") or DANGLING_END.search(text)
    return bool(unfinished or _finishes_a_name(following)) and not NOT_A_NAME.search(following.text)


def _finishes_a_name(line: Line) -> bool:
    """Does the line open the way the end of a broken name does ("SDN BHD", "CO. (M) SDN BHD")?"""
    return bool(CONTINUATION_START.match(line.text) or LEGAL_SUFFIX.match(line.text.lstrip()))


# A sender line over the recipient's address: "QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen".
SENDER_LINE_BREAK = re.compile(r"\s+[-–|·•]\s+")


def _variants(raw: str) -> list[tuple[str, str]]:
    """The cleaned text, without an owner-style prefix when there is one, and up to its legal suffix when
    an address follows it on a sender line."""
    cleaned = _strip_registration(trim_marks(collapse_whitespace(raw)))
    variants = [("whole", cleaned)]
    prefix = OWNER_PREFIX.match(cleaned)
    if prefix and prefix.end() < len(cleaned) - 3:
        variants.append(("after_prefix", cleaned[prefix.end() :]))
    suffix = LEGAL_SUFFIX.search(cleaned)
    if (
        suffix
        and SENDER_LINE_BREAK.match(cleaned, suffix.end())
        and re.search(r"\d", cleaned[suffix.end() :])
    ):
        variants.append(("sender_line", cleaned[: suffix.end()]))
    return variants


def _candidate(
    view: DocumentView,
    spec: FieldSpec,
    lines: list[Line],
    index: int,
    total_lines: int,
    variant: str,
    value: str,
    following: Line | None = None,
) -> list[Candidate]:
    letters = sum(ch.isalpha() for ch in value)
    if letters < 2:
        return []
    digits = sum(ch.isdigit() for ch in value)
    heights = [w.height for line in lines for w in line.words]
    height_ratio = (sum(heights) / len(heights)) / view.text_height if view.text_height else 1.0
    suffix_lines = [LEGAL_SUFFIX.search(line.text) for line in lines]
    # Which line breaks of the span fall inside one name.
    breaks = [_continues(a, b) for a, b in itertools.pairwise(lines)]
    suffix = LEGAL_SUFFIX.search(value)
    words_before_suffix = len(value[: suffix.start()].split()) if suffix else 0
    # Does a later line of the span name the entity on its own ("AA PHARMACY" / "SUBANG HEALTHCARE SDN BHD")?
    later_alone = any(
        m is not None and len(line.text[: m.start()].split()) >= 2
        for line, m in zip(lines[1:], suffix_lines[1:], strict=True)
    )
    features = {
        "legal_suffix": 1.0 if suffix else 0.0,
        "suffix_last": 1.0 if suffix_lines[-1] else 0.0,
        "suffix_at_end": 1.0 if suffix and suffix.end() >= len(value) - 1 else 0.0,
        "words_before_suffix": min(4, words_before_suffix) / 4.0,
        "second_line_stands_alone": 1.0 if later_alone else 0.0,
        "first_line_has_suffix": 1.0 if len(lines) == 2 and suffix_lines[0] and not breaks[0] else 0.0,
        "business_word": 1.0 if BUSINESS_WORD.search(value) else 0.0,
        "not_a_name": 1.0 if NOT_A_NAME.search(value) else 0.0,
        "line_index": 1.0 / (1 + index),
        "top_lines": 1.0 if index < TOP_LINES else 0.0,
        "rel_index": index / max(1, total_lines),
        "two_lines": 1.0 if len(lines) == 2 else 0.0,
        "three_lines": 1.0 if len(lines) == 3 else 0.0,
        "height_ratio": min(3.0, height_ratio),
        "digit_ratio": digits / max(1, len(value)),
        "upper_ratio": sum(ch.isupper() for ch in value) / max(1, letters),
        "length": min(1.0, len(value) / 40.0),
        "short": 1.0 if len(value) < 5 else 0.0,
        "one_word": 1.0 if len(value.split()) == 1 else 0.0,
        f"variant={variant}": 1.0,
        "has_colon": 1.0 if ":" in value else 0.0,
        "sentence_words": min(3, len(SENTENCE_WORD.findall(value))) / 3.0,
        # A name cut short: an open bracket, a dangling "&", or a next line that finishes it.
        "unbalanced_brackets": 1.0 if value.count("(") != value.count(")") else 0.0,
        "dangling_end": 1.0 if DANGLING_END.search(value) else 0.0,
        "next_line_continues": 1.0 if following is not None and _finishes_a_name(following) else 0.0,
        # A stray mark above the name ("R" of a logo) read as a line of its own.
        "first_line_tiny": 1.0 if len(lines) > 1 and sum(ch.isalnum() for ch in lines[0].text) <= 2 else 0.0,
        "first_line_not_name": 1.0 if len(lines) > 1 and NOT_A_NAME.search(lines[0].text) else 0.0,
        "breaks_justified": 1.0 if breaks and all(breaks) else 0.0,
        # Columns far apart on one line are seldom one name ("INVOICE ....... Cascade Plumbing Co.").
        "columns_inside": 1.0
        if any(len(split_at_gaps(line, view.text_height)) > 1 for line in lines)
        else 0.0,
    }
    box = union_box(line.box for line in lines)
    cues = (
        "top_of_page" if index < TOP_LINES else "legal_entity_line",
        *(["legal_suffix"] if suffix else []),
    )
    return [
        Candidate(
            field=spec.name,
            text=value,
            normalized=value,
            page=lines[0].page,
            box=box,
            cues=cues,
            features=features,
            ocr_confidence=min(line.confidence for line in lines),
        )
    ]
