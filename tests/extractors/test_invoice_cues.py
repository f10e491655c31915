"""Invoice cues beyond the layouts of docloop's own samples: European tax names, amounts followed by
their currency code, and line items checked against their own arithmetic."""

from __future__ import annotations

import json

from extractors.extract import extract
from extractors.schema import load_schemas
from extractors.types import Page, Word

INVOICE = load_schemas()["invoice"]


def _page(*rows: tuple[str, ...]) -> tuple[Page, ...]:
    """One page; each row is a line of cells standing far apart (columns)."""
    words = []
    for i, row in enumerate(rows):
        x = 10.0
        for cell in row:
            for token in cell.split():
                words.append(Word(token, (x, 30.0 * i, x + 9 * len(token), 30.0 * i + 20)))
                x += 9 * len(token) + 9
            x += 200
    return (Page(1, 1400.0, 30.0 * len(rows) + 40, tuple(words), "supplied"),)


def _values(pages: tuple[Page, ...]) -> dict[str, str | None]:
    return {f.name: f.normalized for f in extract(pages, INVOICE).fields}


def _line_items(pages: tuple[Page, ...]) -> list[dict[str, str]]:
    return json.loads(_values(pages)["line_items"] or "[]")


def test_tax_named_in_german_or_french_is_the_tax_not_the_total():  # type: ignore[no-untyped-def]
    for tax_name in ("MwSt (7.7%)", "TVA (20%)", "IVA 21%", "BTW 21%"):
        values = _values(
            _page(
                ("Hofmann Elektrotechnik AG",),
                ("Invoice number", "2024407"),
                ("Date", "14.07.2024"),
                ("Description", "Qty", "Rate", "Amount"),
                ("Boiler service", "2", "500,00", "1.000,00"),
                ("Subtotal", "1.000,00"),
                (tax_name, "77,00"),
                ("Total", "1.077,00"),
            )
        )
        assert values["tax"] == "77.00", (tax_name, values)
        assert values["total"] == "1077.00", (tax_name, values)


def test_table_cells_followed_by_a_currency_code_are_amounts():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("Pacific Rim Logistics Pte Ltd",),
            ("Invoice #", "INV-2023-2491"),
            ("Description", "Qty", "Rate", "Amount"),
            ("Freight forwarding", "9", "128.37 SGD", "1,155.33 SGD"),
            ("Customs clearance", "1", "80.00 SGD", "80.00 SGD"),
            ("Subtotal", "1,235.33 SGD"),
            ("Total", "1,235.33 SGD"),
        )
    )
    assert [(i["description"], i["quantity"], i["unit_price"], i["amount"]) for i in items] == [
        ("Freight forwarding", "9", "128.37", "1155.33"),
        ("Customs clearance", "1", "80.00", "80.00"),
    ]


def test_a_title_misread_beside_the_vendor_is_not_part_of_its_name():  # type: ignore[no-untyped-def]
    # OCR of a large "INVOICE" title at the left, the vendor's name far to its right on the same line.
    values = _values(
        _page(
            ("N VO Cc E", "Cascade Plumbing & Heating Co."),
            ("1809 Division St",),
            ("Invoice number", "23507"),
            ("Total", "1,235.33"),
        )
    )
    assert values["vendor"] == "Cascade Plumbing & Heating Co."


def test_an_unreadable_quantity_is_implied_by_price_and_amount():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("Delta Software Solutions Inc.",),
            ("Description", "Qty", "Rate", "Amount"),
            ("Website maintenance", "vA", "$858.19", "$6,007.33"),
            ("Logo design", "Il", "$365.65", "$365.65"),
            ("Support hours", "", "$90.00", "$135.00"),
            ("Total", "$6,507.98"),
        )
    )
    assert [(i["description"], i["quantity"]) for i in items] == [
        ("Website maintenance", "7"),
        ("Logo design", "1"),
        # 1.5 units is no whole number: the quantity stays unread rather than guessed.
        ("Support hours", ""),
    ]


def test_a_quantity_misread_by_one_digit_is_corrected_by_price_and_amount():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("Koala Office Furniture Pty Ltd",),
            ("Description", "Qty", "Rate", "Amount"),
            ("Software licence", "4", "$97.16", "$97.16"),
            # A discount: 3 x 100.00 is not 270.00, and 2.7 units is no whole number; the quantity stays.
            ("Standing desk", "3", "$100.00", "$270.00"),
            ("Total", "$367.16"),
        )
    )
    assert [(i["description"], i["quantity"]) for i in items] == [
        ("Software licence", "1"),
        ("Standing desk", "3"),
    ]


def test_a_unit_price_misread_by_one_character_yields_to_amounts_that_add_up():  # type: ignore[no-untyped-def]
    def unit_prices(subtotal: str) -> list[str]:
        items = _line_items(
            _page(
                ("Lingua Bridge Translations GmbH",),
                ("Description", "Qty", "Unit price", "Amount"),
                ("Translation, per page", "1", "365.81", "355.81"),  # a digit misread
                ("Design review", "2", "8.38", "116.76"),  # a digit lost
                # A discount: 3 x 100.00 is not 270.00, and 90.00 is more than one character away.
                ("Standing desk", "3", "100.00", "270.00"),
                ("Subtotal", subtotal),
            )
        )
        return [i["unit_price"] for i in items]

    # 355.81 + 116.76 + 270.00 is printed below the table: the amounts were read right.
    assert unit_prices("742.57") == ["355.81", "58.38", "100.00"]
    # With 752.57 below, the amount was the misreading (1 x 365.81, and then the rows add up), and the
    # price the amounts now confirm is mended as before.
    assert unit_prices("752.57") == ["365.81", "58.38", "100.00"]
    # Nothing below confirms the amounts either way: prices stay as read.
    assert unit_prices("760.00") == ["365.81", "8.38", "100.00"]


def test_an_amount_misread_by_one_character_yields_to_a_table_that_then_adds_up():  # type: ignore[no-untyped-def]
    def amounts(subtotal: str) -> list[str]:
        items = _line_items(
            _page(
                ("Lingua Bridge Translations GmbH",),
                ("Description", "Qty", "Unit price", "Amount"),
                ("Network cable 5m", "2", "91.22", "182.44"),
                ("Printer paper A4 (box)", "5", "13.19", "6.95"),  # a digit lost: 5 x 13.19 is 65.95
                ("Subtotal", subtotal),
            )
        )
        return [i["amount"] for i in items]

    # 182.44 + 65.95 is the subtotal printed below the table: the amount was misread.
    assert amounts("248.39") == ["182.44", "65.95"]
    # Nothing below confirms the product (a discount, or another misreading): the amount stays as read.
    assert amounts("300.00") == ["182.44", "6.95"]


def test_a_french_invoice_is_read_by_its_own_labels():  # type: ignore[no-untyped-def]
    values = _values(
        _page(
            ("Netpresse SARL",),
            ("N° de client", "CL-20931"),
            ("Facture n°", "2022089083"),
            ("Date :", "28 novembre 2022"),
            ("Date d'échéance", "28 décembre 2022"),
            ("Désignation", "Nombre", "P.U. HT", "Montant HT"),
            ("Annonce légale", "1", "45,93 €", "45,93 €"),
            ("Total HT :", "45,93 €"),
            ("TVA 20% :", "9,19 €"),
            ("NET A PAYER", "55,12 €"),
        )
    )
    expected = {
        "invoice_number": "2022089083",
        "date": "2022-11-28",
        "due_date": "2022-12-28",
        "subtotal": "45.93",
        "tax": "9.19",
        "total": "55.12",
    }
    assert {name: values[name] for name in expected} == expected


def test_a_german_invoice_number_beats_the_contract_and_customer_numbers():  # type: ignore[no-untyped-def]
    values = _values(
        _page(
            ("QualityHosting AG",),
            ("Rechnungsnr.", "30064443", "Kundennr.", "47774"),
            ("Rechnungsdatum", "7. Mai 2014"),
            ("Contract No.", "CON02858"),
            ("Small Business Exchange", "1", "3,89", "3,89"),
            ("Total EUR", "34,73"),
            ("Zahlungsziel", "21.05.2014"),
        )
    )
    expected = {"invoice_number": "30064443", "date": "2014-05-07", "total": "34.73"}
    assert {name: values[name] for name in expected} == expected


def test_a_whole_amount_counts_as_money_only_beside_its_currency():  # type: ignore[no-untyped-def]
    values = _values(
        _page(
            ("OYO Rooms",),
            ("Invoice No", "IBZY2087"),
            ("Date:", "31/12/2017"),
            ("Room Charges", "1 Night x 1 Room", "Rs 1939"),
            ("Grand Total", "Rs 1939"),
        )
    )
    assert values["total"] == "1939.00", values


def test_a_vendor_is_named_without_its_label_or_the_address_on_its_sender_line():  # type: ignore[no-untyped-def]
    sold_by = _values(
        _page(
            ("Retail Invoice",),
            ("Invoice No :", "BLR_WFLD20151000982590"),
            ("Sold By : WS Retail Services Pvt. Ltd.",),
            ("Invoice Date:", "20-10-2015"),
            ("Grand Total", "319.00"),
        )
    )
    assert sold_by["vendor"] == "WS Retail Services Pvt. Ltd.", sold_by
    sender = _values(
        _page(
            ("QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen",),
            ("iViveLabs Ltd.",),
            ("93B Sai Yu Chung",),
            ("Rechnungsnr.", "30064443"),
            ("Total EUR", "34,73"),
        )
    )
    assert sender["vendor"] == "QualityHosting AG", sender


def test_an_invoice_without_a_due_date_has_none_and_other_english_labels_count():  # type: ignore[no-untyped-def]
    values = _values(
        _page(
            ("Nordic Supplies AB",),
            ("Invoice ID:", "A-77120"),
            ("Billing Date:", "March 3, 2024"),
            ("PO Number", "PO-5512"),
            ("Paper", "5", "20,00", "100,00"),
            ("Total before tax", "100,00"),
            ("VAT 25%", "25,00"),
            ("To pay", "SEK 125,00"),
        )
    )
    expected = {
        "invoice_number": "A-77120",
        "date": "2024-03-03",
        "due_date": None,
        "subtotal": "100.00",
        "tax": "25.00",
        "total": "125.00",
        "currency": "SEK",
    }
    assert {name: values[name] for name in expected} == expected


def test_line_items_under_a_german_heading_keep_their_service_period():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("QualityHosting AG",),
            ("Rechnungsnr.", "30064443"),
            ("Pos. Menge Beschreibung", "VK-Preis", "Zeilenbetrag"),
            ("Ohne MwSt.",),
            ("1 1 Small Business Exchange 2010", "3,89", "3,89"),
            ("01.05.14-31.05.14",),
            ("2 1 Small Business Exchange 2010", "5,39", "5,39"),
            ("01.05.14-31.05.14",),
            ("Total EUR", "9,28"),
        )
    )
    assert [(i["description"], i["amount"]) for i in items] == [
        ("1 1 Small Business Exchange 2010 01.05.14-31.05.14", "3.89"),
        ("2 1 Small Business Exchange 2010 01.05.14-31.05.14", "5.39"),
    ]


def test_line_items_under_a_french_heading_take_a_whole_amount_with_its_currency():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("Netpresse SARL",),
            ("Facture n°", "2022089083"),
            ("Désignation", "Nombre", "P.U. HT", "Montant HT"),
            ("Justificatif PDF", "1", "0,75 €", "0,75 €"),
            ("Justificatif Papier", "0", "3,50 €", "0 €"),
            ("Total HT :", "0,75 €"),
        )
    )
    assert [(i["description"], i["quantity"], i["amount"]) for i in items] == [
        ("Justificatif PDF", "1", "0.75"),
        ("Justificatif Papier", "0", "0.00"),
    ]


def _table_page(*rows: tuple[tuple[float, str], ...]) -> tuple[Page, ...]:
    """One page; each row a line of cells, each cell centred on its own x (columns as a table aligns them)."""
    words = []
    for i, row in enumerate(rows):
        for centre, cell in row:
            tokens = cell.split()
            width = sum(9 * len(t) + 9 for t in tokens) - 9
            x = centre - width / 2
            for token in tokens:
                words.append(Word(token, (x, 30.0 * i, x + 9 * len(token), 30.0 * i + 20)))
                x += 9 * len(token) + 9
    return (Page(1, 1400.0, 30.0 * len(rows) + 40, tuple(words), "supplied"),)


def test_amounts_under_the_headings_of_a_totals_table_take_their_column_s_label():  # type: ignore[no-untyped-def]
    values = _values(
        _table_page(
            ((150, "Free SAS"),),
            ((250, "Facture n°562044387 du 02 Juillet 2015"),),
            ((700, "Montant EUR HT"), (950, "Montant TVA"), (1200, "Montant EUR TTC")),
            ((150, "Abonnements, forfaits et options"), (700, "24.99"), (950, "5.00"), (1200, "29.99")),
            ((150, "Communications"), (700, "0.00"), (950, "0.00"), (1200, "0.00")),
            ((150, "Somme à payer"), (1200, "29.99 €")),
        )
    )
    expected = {"subtotal": "24.99", "tax": "5.00", "total": "29.99"}
    assert {name: values[name] for name in expected} == expected


def test_an_item_s_own_tax_rate_does_not_end_the_table():  # type: ignore[no-untyped-def]
    items = _line_items(
        _page(
            ("Sammy Maystone",),
            ("Invoice #", "1001"),
            ("Item", "Quantity", "Rate", "Amount"),
            ("Service A", "12", "$10.00", "$120.00"),
            ("Tax: 0.2%",),
            ("Service B", "5", "$1.50", "$7.50"),
            ("Tax: 0.4%",),
            ("Subtotal:", "$127.50"),
        )
    )
    assert [(i["description"], i["amount"]) for i in items] == [
        ("Service A Tax: 0.2%", "120.00"),
        ("Service B Tax: 0.4%", "7.50"),
    ]


def test_a_five_read_as_a_section_sign_inside_an_amount_is_put_back():  # type: ignore[no-untyped-def]
    values = _values(
        _page(
            ("Kastanie Druckerei GmbH",),
            ("Invoice number", "INV-2024-13573"),
            ("Subtotal", "4.262,43 €"),
            ("VAT 19%", "809,86 €"),
            ("Total due", "§.072,29 €"),  # tesseract's "§" for the 5
        )
    )
    assert values["total"] == "5072.29"
    # A section sign that stands apart from a number is left alone: "§ 14 UStG" is no amount.
    untouched = _values(_page(("Steuerfrei nach", "§ 14.00 UStG")))
    assert untouched["total"] != "5014.00"
