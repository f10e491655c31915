"""Normalisation: dates to ISO, amounts to decimal strings, whitespace collapsed."""

from __future__ import annotations

import pytest

from extractors.candidates.labels import find_labels
from extractors.compare import normalize_expected, values_match
from extractors.normalize import find_dates, normalize_amount, normalize_currency, normalize_date
from extractors.types import Line, Word


@pytest.mark.parametrize(
    ("printed", "order", "iso"),
    [
        ("25/12/2018", "DMY", "2018-12-25"),
        ("12/25/2018", "MDY", "2018-12-25"),
        ("03/04/2018", "DMY", "2018-04-03"),
        ("03/04/2018", "MDY", "2018-03-04"),
        ("2018-12-25", "MDY", "2018-12-25"),
        ("25.12.18", "DMY", "2018-12-25"),
        ("25 Dec 2018", "DMY", "2018-12-25"),
        ("December 25, 2018", "DMY", "2018-12-25"),
        ("25-DEC-18", "DMY", "2018-12-25"),
        ("20180304", "DMY", "2018-03-04"),  # compact, year first: not 3 April under day-first
        ("25032018", "DMY", "2018-03-25"),  # compact, day first
    ],
)
def test_dates(printed, order, iso):  # type: ignore[no-untyped-def]
    assert normalize_date(printed, order) == iso


def test_not_dates():  # type: ignore[no-untyped-def]
    assert normalize_date("hello", "DMY") is None
    assert find_dates("TEL 03-3362 4395", "DMY") == []
    assert find_dates("31/02/2018", "DMY") == []  # no such day


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("9.00", "9.00"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("RM 12.30", "12.30"),
        ("$1,000,000.00", "1000000.00"),
        ("12,50 €", "12.50"),
        ("0.5", "0.50"),
    ],
)
def test_amounts(printed, value):  # type: ignore[no-untyped-def]
    assert normalize_amount(printed) == value


def test_currencies():  # type: ignore[no-untyped-def]
    assert normalize_currency("$") == "USD"
    assert normalize_currency("rm") == "MYR"
    assert normalize_currency("EUR") == "EUR"
    assert normalize_currency("XYZ") is None


def test_values_match_rules():  # type: ignore[no-untyped-def]
    assert values_match("amount", "9.00", "9")
    assert values_match("text", "BOOK TA .K(TAMAN DAYA)", "book ta .k (taman daya)")
    assert not values_match("text", "SDN BND", "SDN BHD")
    assert values_match(
        "text", "BOOK TA .K(TAMAN DAYA) SDN BND", "BOOK TA .K (TAMAN DAYA) SDN BHD", tolerant=True
    )
    assert not values_match("text", "ABC", "XYZ", tolerant=True)
    assert normalize_expected("date", "25/12/2018") == "2018-12-25"
    assert normalize_expected("amount", "1,234.5") == "1234.50"


def test_month_names_of_other_languages_need_a_four_digit_year():  # type: ignore[no-untyped-def]
    def dates(text: str) -> list[str]:
        return [parsed.isoformat() for _printed, parsed, _span, _ambiguous in find_dates(text)]

    assert dates("Facture n°562044387 du 02 Juillet 2015") == ["2015-07-02"]
    assert dates("Rechnungsdatum 7. Mai 2014") == ["2014-05-07"]
    assert dates("Fecha: 3 de marzo de 2020") == ["2020-03-03"]
    assert dates("12 déc. 2021") == dates("12 dec 2021") == ["2021-12-12"]
    # A chocolate bar on a receipt is not 1 March 2045; an English month still takes two digits.
    assert dates("1 MARS 45G") == []
    assert dates("25 DEC 18") == ["2018-12-25"]


def test_labels_match_with_or_without_their_accents():  # type: ignore[no-untyped-def]
    line = _line("NET A PAYER 104,90 EUR")
    assert [h.label for h in find_labels(line, ("net à payer",))] == ["net à payer"]
    line = _line("Date d’echeance : 02/03/2026")
    assert [h.label for h in find_labels(line, ("date d'échéance",))] == ["date d'échéance"]


def _line(text: str) -> Line:
    words, x = [], 0.0
    for token in text.split():
        words.append(Word(token, (x, 0.0, x + 9 * len(token), 20.0)))
        x += 9 * len(token) + 9
    return Line(1, tuple(words), 0)
