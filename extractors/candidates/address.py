"""Addresses: runs of adjacent lines near the top that read like a postal address."""

from __future__ import annotations

import re

from extractors.candidates.vendor import LEGAL_SUFFIX
from extractors.layout import split_at_gaps
from extractors.normalize import collapse_whitespace, mend_signs
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, Word, union_box
from extractors.view import DocumentView

POSTCODE = re.compile(
    r"(?<!\d)(\d{5}|\d{4}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2})(?!\d)"
)
STREET = re.compile(
    r"(?<![A-Z])(JALAN|JLN|LORONG|LRG|TAMAN|TMN|LOT|NO\.?|BLOK|BLOCK|LEVEL|FLOOR|TINGKAT|PERSIARAN|BANDAR|SEKSYEN"
    r"|KAWASAN|PERINDUSTRIAN|BATU|KAMPUNG|KG|STREET|ST\.|ROAD|RD\.?|AVENUE|AVE\.?|BOULEVARD|BLVD|LANE|DRIVE"
    r"|DR\.|SUITE|STE|UNIT|BUILDING|PLAZA|CENTRE|CENTER|STRASSE|STRAßE|RUE|WEG|PLATZ|WAY|COURT|HIGHWAY)(?![A-Z])",
    re.IGNORECASE,
)
REGION = re.compile(
    r"(?<![A-Z])(SELANGOR|JOHOR|KUALA LUMPUR|KL|PERAK|PENANG|PULAU PINANG|KEDAH|KELANTAN|TERENGGANU|PAHANG"
    r"|MELAKA|MALACCA|NEGERI SEMBILAN|SABAH|SARAWAK|PUTRAJAYA|MALAYSIA|DARUL EHSAN|DARUL TAKZIM|SINGAPORE"
    r"|USA|UK|UNITED STATES|UNITED KINGDOM|GERMANY|FRANCE|CA|NY|TX)(?![A-Z])",
    re.IGNORECASE,
)
STOP = re.compile(
    r"(?<![A-Z])(TEL|FAX|PHONE|H/P|HP|GST|SST|VAT|TAX|INVOICE|RECEIPT|DATE|CASHIER|REG\.?\s*NO|ROC|CO\.?\s*NO|EMAIL"
    r"|E-MAIL|WWW|HTTP|BILL TO|SHIP TO|SOLD TO|INVOICE TO|CUSTOMER|DOCUMENT|ORDER|TELEPHONE|MOBILE|WHATSAPPS?"
    r"|HOTLINE|CONTACT|BR\.?\s*NO|COMPANY\s*NO|LICENSEE|FRANCHISEE)(?![A-Z])"
    # A phone number standing without its label: "016-5498845", "+603-6093-9078".
    r"|(?<![\w/-])\+?6?0\d{1,2}[- ]?\d{3,4}[- ]?\d{4}(?![\w/-])",
    re.IGNORECASE,
)
# A label some documents print before their address: "ADDRESS:", "HQ ADD:".
ADDRESS_LABEL = re.compile(r"^\s*(HQ\s*)?(ADDRESS|ADD)\s*[:.]\s*", re.IGNORECASE)
SEARCH_LINES = 20
MAX_SPAN = 5


def address_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """Every run of one to five adjacent top lines, scored by how much they look like an address."""
    first_page = view.pages[0].number if view.pages else 1
    lines = [
        _address_part(line, view.text_height)
        for line in view.lines_by_page.get(first_page, [])[:SEARCH_LINES]
    ]
    candidates = []
    vendor_index = next((i for i, line in enumerate(lines) if LEGAL_SUFFIX.search(line.text)), None)
    anchor = _anchor_lines(view, lines)
    for start in range(len(lines)):
        for length in range(1, MAX_SPAN + 1):
            span = lines[start : start + length]
            if len(span) < length:
                break
            candidate = _candidate(view, spec, span, start, lines, vendor_index, anchor)
            if candidate is not None:
                candidates.append(candidate)
    return candidates


def _address_part(line: Line, text_height: float) -> Line:
    """The line without what shares it and is not address: a column of its own holding a phone number
    ("TEL: 012 ... SEKSYEN U13, 40170 SHAH ALAM,"), or a tail from a contact word on ("81750 JOHOR, TEL NO.:
    07-387"), a leading "ADDRESS:" label, or OCR specks at its ends."""
    parts = split_at_gaps(line, text_height)
    kept = [part for part in parts if not STOP.search(part.text)]
    words = [w for part in kept for w in part.words] if kept and len(kept) < len(parts) else list(line.words)
    while len(words) > 1 and _speck(words[0]):
        words = words[1:]
    while len(words) > 1 and _speck(words[-1]):
        words = words[:-1]
    cut: list[Word] = []
    for k, word in enumerate(words):
        stop = STOP.search(word.text)
        if stop is None:
            cut.append(word)
            continue
        if stop.start() > 0 and word.text[: stop.start()].strip(" ,;:-"):
            cut.append(_truncated(word, stop.start()))
        if not cut and k == 0:
            return line  # a line that opens with a contact word is no address; leave it whole
        break
    label = ADDRESS_LABEL.match(cut[0].text) if cut else None
    if label is not None:
        rest = cut[0].text[label.end() :]
        cut = ([_truncated(cut[0], len(cut[0].text), start=label.end())] if rest else []) + cut[1:]
    if not cut:
        return line
    return line if tuple(cut) == line.words else Line(page=line.page, words=tuple(cut), index=line.index)


def _speck(word: Word) -> bool:
    """An OCR word with no letter or digit: what tesseract makes of specks and paper edges beside a line
    ("! LOT PTD 101051", "81750 Masai, Johor ."). Only read words: a supplied or text-layer "." is printed.
    Inside a line such marks stay; dropping them there lost more addresses than it won (BENCHMARKS.md)."""
    return word.confidence < 1.0 and not any(ch.isalnum() for ch in word.text)


def _truncated(word: Word, end: int, start: int = 0) -> Word:
    """The characters start..end of a word (a line segment), its box narrowed in proportion."""
    length = max(1, len(word.text))
    x0, y0, x1, y1 = word.box
    width = x1 - x0
    return Word(
        text=word.text[start:end].strip().rstrip(" (-:"),
        box=(x0 + width * start / length, y0, x0 + width * end / length, y1),
        confidence=word.confidence,
    )


def _anchor_lines(view: DocumentView, lines: list[Line]) -> tuple[int, int] | None:
    """First and last line index of the chosen vendor on this page, when a vendor was chosen."""
    vendor = view.chosen.get("vendor")
    if vendor is None or not lines or vendor.page != lines[0].page:
        return None
    # A line belongs to the vendor when its middle lies inside the vendor's box (boxes of neighbouring
    # lines often touch, so plain overlap would also take the next line).
    inside = [
        i for i, line in enumerate(lines) if vendor.box[1] <= (line.box[1] + line.box[3]) / 2 <= vendor.box[3]
    ]
    return (inside[0], inside[-1]) if inside else None


def _anchor_features(
    start: int, length: int, lines: list[Line], anchor: tuple[int, int] | None
) -> dict[str, float]:
    """Where the span stands relative to the vendor: addresses follow it, with codes between at most."""
    if anchor is None:
        return {"no_anchor": 1.0}
    first, last = anchor
    gap = start - (last + 1)
    between = lines[last + 1 : start] if gap > 0 else []
    return {
        "after_anchor": 1.0 / (1 + gap) if gap >= 0 else 0.0,
        "before_anchor": 1.0 if start + length - 1 < first else 0.0,
        "overlaps_anchor": 1.0 if start <= last and start + length - 1 >= first else 0.0,
        "gap_only_codes": 1.0 if gap > 0 and all(_code_like(line.text) for line in between) else 0.0,
    }


def _edge_features(first: str, last: str) -> dict[str, float]:
    """How the span begins and ends: addresses open with a number or a street word, close with a place."""
    opening = first.strip()
    return {
        "first_starts_number": 1.0 if re.match(r"^(NO\.?\s*:?\s*)?[A-Z]?\d", opening, re.IGNORECASE) else 0.0,
        "first_has_street": 1.0 if STREET.search(opening) else 0.0,
        "first_has_digit": 1.0 if any(ch.isdigit() for ch in opening) else 0.0,
        "first_name_like": 1.0
        if not any(ch.isdigit() for ch in opening)
        and not STREET.search(opening)
        and not REGION.search(opening)
        else 0.0,
        "last_ends_comma": 1.0 if last.rstrip().endswith(",") else 0.0,
        "last_has_region": 1.0 if REGION.search(last) else 0.0,
    }


def _code_like(text: str) -> bool:
    """A registration number, branch code or bracketed note: what sits between a name and its address."""
    letters = sum(ch.isalpha() for ch in text)
    return (
        letters <= 4
        or text.strip().startswith("(")
        or bool(re.fullmatch(r"[\W\dA-Z]{0,3}[\d\-()\s]+[A-Z]?\)?", text))
    )


def _candidate(
    view: DocumentView,
    spec: FieldSpec,
    span: list[Line],
    start: int,
    lines: list[Line],
    vendor_index: int | None,
    anchor: tuple[int, int] | None,
) -> Candidate | None:
    texts = [line.text for line in span]
    printed = collapse_whitespace(" ".join(texts))
    value = mend_signs(printed)
    if len(value) < 6:
        return None
    stop_lines = sum(1 for t in texts if STOP.search(t))
    after = lines[start + len(span)] if start + len(span) < len(lines) else None
    before = lines[start - 1] if start > 0 else None
    # The postcode usually closes an address: one standing in the next lines means the span stops short.
    following = []
    for line in lines[start + len(span) : start + len(span) + 2]:
        if STOP.search(line.text):
            break
        following.append(line)
    features = {
        "postcode_after": 1.0
        if not POSTCODE.search(value) and any(POSTCODE.search(line.text) for line in following)
        else 0.0,
        "postcode": 1.0 if POSTCODE.search(value) else 0.0,
        "street": min(3, len(STREET.findall(value))) / 3.0,
        "region": 1.0 if REGION.search(value) else 0.0,
        "commas": min(4, value.count(",")) / 4.0,
        "stop_inside": stop_lines / len(span),
        "legal_inside": 1.0 if any(LEGAL_SUFFIX.search(t) for t in texts) else 0.0,
        "next_is_stop": 1.0 if after is None or STOP.search(after.text) else 0.0,
        "prev_is_vendor": 1.0 if vendor_index is not None and start == vendor_index + 1 else 0.0,
        "prev_is_addressy": 1.0
        if before is not None
        and (STREET.search(before.text) or POSTCODE.search(before.text))
        and not STOP.search(before.text)
        else 0.0,
        "next_is_addressy": 1.0
        if after is not None
        and (STREET.search(after.text) or REGION.search(after.text))
        and not STOP.search(after.text)
        else 0.0,
        "lines": len(span) / MAX_SPAN,
        "start_index": 1.0 / (1 + start),
        "last_has_postcode_or_region": 1.0 if POSTCODE.search(texts[-1]) or REGION.search(texts[-1]) else 0.0,
        "digit_ratio": sum(ch.isdigit() for ch in value) / len(value),
        "paren_first_line": 1.0 if texts[0].lstrip().startswith("(") else 0.0,
        **_edge_features(texts[0], texts[-1]),
        **_anchor_features(start, len(span), lines, anchor),
    }
    return Candidate(
        field=spec.name,
        text=printed,
        normalized=value,
        page=span[0].page,
        box=union_box(line.box for line in span),
        cues=("address_block",),
        features=features,
        ocr_confidence=min(line.confidence for line in span),
    )
