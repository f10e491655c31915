"""Normalisation: dates to ISO, amounts to decimal strings, whitespace collapsed."""

from __future__ import annotations

import pytest

from extractors.compare import normalize_expected, values_match
from extractors.normalize import find_dates, normalize_amount, normalize_currency, normalize_date


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
