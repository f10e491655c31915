"""Line items: the rows between a table header (description, qty, price, amount) and the totals.

Rows are cut into cells where words stand apart, so "5   278,15 €" is a quantity and a price, not the
number 5278.15. Tables that continue on later pages (the header printed again) are followed. Where the
amounts add up to an amount printed below the table, they are taken as read right, and a unit price one
character away from amount / quantity is taken for a misreading of it. Where they do not, one amount one
character away from quantity x unit price is taken for a misreading when the product makes them add up.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from rapidfuzz.distance import Levenshtein

from extractors.layout import split_at_gaps
from extractors.normalize import (
    AMOUNT,
    CURRENCY_PATTERN,
    WHOLE_AMOUNT,
    format_amount,
    mend_number_signs,
    parse_amount,
)
from extractors.schema import FieldSpec
from extractors.types import Candidate, Line, union_box
from extractors.view import DocumentView

# Column headings in English, French, German, Spanish, Dutch and Italian, with or without accents.
HEADER_WORDS = re.compile(
    r"(?<![A-ZÀ-Ü])(DESCRIPTION|ITEM|ITEMS|PRODUCT|SERVICE|QTY|QUANTITY|UNIT|PRICE|RATE|HOURS|AMOUNT|TOTAL|AMT"
    r"|D[EÉ]SIGNATION|QT[EÉ]|QUANTIT[EÉ]|NOMBRE|PRIX|MONTANT"
    r"|BESCHREIBUNG|BEZEICHNUNG|ARTIKEL|MENGE|ANZAHL|PREIS|EINZELPREIS|BETRAG|ZEILENBETRAG|GESAMTPREIS"
    r"|DESCRIPCI[OÓ]N|CONCEPTO|CANTIDAD|PRECIO|IMPORTE|OMSCHRIJVING|AANTAL|PRIJS|BEDRAG"
    r"|DESCRIZIONE|QUANTIT[AÀ]|PREZZO|IMPORTO)(?![A-ZÀ-Ü])",
    re.IGNORECASE,
)
END_WORDS = re.compile(
    r"(?<![A-ZÀ-Ü])(SUB\s*-?\s*TOTAL|TOTAL|TAX|VAT|GST|BALANCE|AMOUNT DUE|NET AMOUNT|NET TOTAL|GRAND TOTAL"
    r"|DISCOUNT|SHIPPING|SOUS[\s-]*TOTAL|TVA|REMISE|MWST|UST|SUMME|ZWISCHENSUMME|GESAMTBETRAG|NETTOBETRAG"
    r"|IVA|DESCUENTO|BTW|TOTAAL|KORTING|TOTALE|SCONTO)(?![A-ZÀ-Ü])",
    re.IGNORECASE,
)
RATE_ONLY = re.compile(r"^\D*\d+(?:[.,]\d+)?\s?%\s*$")  # a label and a percentage, nothing else
QUANTITY = re.compile(r"^\d{1,5}(?:[.,]\d{1,3})?$")
CELL_GAP = 1.2  # text heights between two cells of a row
# A line further below the one before it than this (in text heights) does not go on with a description:
# it is the page's footer or the next block.
CONTINUATION_GAP = 2.5


def is_table_heading(line: Line) -> bool:
    """Does the line head a table of line items (two different column words: "Description ... Amount")?"""
    return len({m.upper() for m in HEADER_WORDS.findall(line.text)}) >= 2


def line_item_candidates(view: DocumentView, spec: FieldSpec) -> list[Candidate]:
    """One candidate: every row under every table header, as a JSON list of items."""
    rows: list[dict[str, str]] = []
    used: list[Line] = []
    for lines in view.lines_by_page.values():
        for i, line in enumerate(lines):
            if not is_table_heading(line):
                continue
            page_rows, page_lines = _rows_below(lines[i + 1 :], view.text_height)
            rows.extend(page_rows)
            used.extend(page_lines)
            break  # one table per page
    if not rows:
        return []
    printed = _amounts_below(view, used[-1])
    if not _add_up(rows, printed):
        _mend_one_amount(rows, printed)
    if _add_up(rows, printed):
        _mend_unit_prices(rows)
    value = json.dumps(rows, separators=(",", ":"))
    return [
        Candidate(
            field=spec.name,
            text=value,
            normalized=value,
            page=used[0].page,
            box=union_box(r.box for r in used if r.page == used[0].page),
            cues=("table_header", "row_cells"),
            features={"rows": min(1.0, len(rows) / 10)},
            ocr_confidence=min(r.confidence for r in used),
        )
    ]


def _rows_below(lines: list[Line], text_height: float) -> tuple[list[dict[str, str]], list[Line]]:
    rows: list[dict[str, str]] = []
    used: list[Line] = []
    bottom = 0.0  # of the last line taken into the table
    numbers_left = 0.0  # where the last row's first number cell begins
    for line in lines:
        parts = split_at_gaps(line, text_height, CELL_GAP)
        cells = [part.text.strip() for part in parts]
        amounts = [_amount(cell) for cell in cells]
        if END_WORDS.search(cells[0]) or (len(cells) > 1 and END_WORDS.fullmatch(cells[-2].strip(" :"))):
            if rows and not any(amounts) and RATE_ONLY.search(line.text):
                # An item's own tax rate ("Tax: 0.2%" under "Service A"), not the table's totals.
                _continue_description(rows[-1], line)
                bottom = line.box[3]
                continue
            if rows or any(amounts):
                break
            continue  # a heading over two lines ("VK-Preis / Ohne MwSt."): the table has not begun
        if not any(amounts[1:]):
            close = line.box[1] - bottom <= CONTINUATION_GAP * text_height
            # A line under the description part of the row above, clear of its number columns (a service
            # period "01.05.14-31.05.14" printed under the item's name), goes on with it.
            under = (
                line.box[0] >= used[-1].box[0] - text_height and line.box[2] < numbers_left if rows else False
            )
            if rows and close and (_is_text(line.text) or under):
                _continue_description(rows[-1], line)
                bottom = line.box[3]
                continue
            if rows:
                break
            continue
        description_cells, numbers = _split_cells(cells, amounts)
        quantity = next((c for c in numbers if QUANTITY.match(c) and not _amount(c)), "")
        money = [a for a in (_amount(c) for c in numbers) if a]
        implied = _implied_quantity(money)
        if implied and not quantity:
            quantity = implied
            # OCR reads a lone digit in a table poorly ("7" as "vA"): a scrap standing where the
            # quantity stands is that misreading, not the end of the description.
            if len(description_cells) > 1 and len(description_cells[-1]) <= 3:
                description_cells = description_cells[:-1]
        elif implied and _one_digit_slip(quantity, implied):
            # "1" read as "4": price times quantity must give the amount, and one digit apart from the
            # quantity that does is a misreading, not a discount.
            quantity = implied
        rows.append(
            {
                "description": " ".join(description_cells),
                "quantity": quantity,
                "unit_price": money[-2] if len(money) >= 2 else "",
                "amount": money[-1] if money else "",
            }
        )
        used.append(line)
        bottom = line.box[3]
        numbers_left = next(
            part.box[0] for part, amount in zip(parts[1:], amounts[1:], strict=True) if amount
        )
    return rows, used


def _continue_description(row: dict[str, str], line: Line) -> None:
    """Add a line that goes on with an item's description to it (in place)."""
    row["description"] = f"{row['description']} {line.text.strip()}".strip()


def _amounts_below(view: DocumentView, last: Line) -> set[Decimal]:
    """The amounts printed on the lines below the table's last row (its subtotal, tax, total)."""
    return {
        value
        for line in view.lines_by_page.get(last.page, [])
        if line.box[1] > last.box[1]
        for m in AMOUNT.finditer(mend_number_signs(line.text))
        if (value := parse_amount(m.group("num"))) is not None
    }


def _add_up(rows: list[dict[str, str]], printed: set[Decimal]) -> bool:
    """Do the rows' amounts add up to one of the amounts printed below the table?"""
    return all(row["amount"] for row in rows) and sum(Decimal(row["amount"]) for row in rows) in printed


def _mend_one_amount(rows: list[dict[str, str]], printed: set[Decimal]) -> None:
    """Replace the one amount (in place) that is one character away from quantity x unit price, when
    with it the rows add up to an amount printed below the table: "6.95" beside 5 x 13.19 is 65.95."""
    for row in rows:
        product = _product(row)
        if product is None or not row["amount"] or Decimal(row["amount"]) == product:
            continue
        if Levenshtein.distance(row["amount"], format_amount(product)) != 1:
            continue
        read, row["amount"] = row["amount"], format_amount(product)
        if _add_up(rows, printed):
            return
        row["amount"] = read


def _quantity(row: dict[str, str]) -> Decimal | None:
    """A row's quantity as a number above zero, or None when it was not read as one."""
    try:
        quantity = Decimal(row["quantity"].replace(",", "."))
    except InvalidOperation:
        return None
    return quantity if quantity > 0 else None


def _product(row: dict[str, str]) -> Decimal | None:
    """Quantity times unit price, when both were read as numbers."""
    quantity = _quantity(row)
    if quantity is None or not row["unit_price"]:
        return None
    return (quantity * Decimal(row["unit_price"])).quantize(Decimal("0.01"))


def _mend_unit_prices(rows: list[dict[str, str]]) -> None:
    """Replace a unit price one character away from amount / quantity (in place): with the amounts
    confirmed by their sum, "365.81" beside 1 x 355.81, or "8.38" beside 2 x 116.76, is a misreading."""
    for row in rows:
        price, amount = row["unit_price"], row["amount"]
        quantity = _quantity(row)
        if not price or quantity is None or quantity * Decimal(price) == Decimal(amount):
            continue
        implied = Decimal(amount) / quantity
        if (
            implied == implied.quantize(Decimal("0.01"))
            and Levenshtein.distance(price, format_amount(implied)) == 1
        ):
            row["unit_price"] = format_amount(implied)


def _split_cells(cells: list[str], amounts: list[str]) -> tuple[list[str], list[str]]:
    """Leading text cells describe the item; the rest are numbers (quantity, prices)."""
    first_number = next(
        (i for i, c in enumerate(cells) if i > 0 and (amounts[i] or QUANTITY.match(c))), len(cells)
    )
    return cells[:first_number], cells[first_number:]


def _implied_quantity(money: list[str]) -> str:
    """The whole number of units that unit price and amount imply, where the quantity could not be read."""
    if len(money) < 2 or Decimal(money[-2]) <= 0:
        return ""
    units = Decimal(money[-1]) / Decimal(money[-2])
    return str(int(units)) if units == units.to_integral_value() and 1 <= units <= 10_000 else ""


def _one_digit_slip(read: str, implied: str) -> bool:
    """Do the two quantities differ in exactly one digit, as an OCR slip does?"""
    return len(read) == len(implied) and sum(a != b for a, b in zip(read, implied, strict=True)) == 1


def _amount(cell: str) -> str:
    cell = mend_number_signs(cell)
    match = AMOUNT.search(cell)
    if not match:
        # A whole amount with its currency ("0 €") is an amount too, when it is all the cell holds.
        whole = WHOLE_AMOUNT.fullmatch(cell.strip())
        value = parse_amount(whole.group("num") or whole.group("after")) if whole else None
        return format_amount(value) if value is not None else ""
    # A cell is an amount when nothing but a currency follows the number ("1,234.56 USD", "12,50 €").
    if len(CURRENCY_PATTERN.sub("", cell[match.end("num") :]).strip()) > 2:
        return ""
    value = parse_amount(match.group("num"))
    return format_amount(value) if value is not None else ""


def _is_text(text: str) -> bool:
    return bool(re.match(r"\s*[A-Za-z]", text)) and not END_WORDS.search(text)
