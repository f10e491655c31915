"""Dates as OCR garbles them are repaired only when exactly one valid date is one or two slips away."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.normalize import find_dates_tolerant

YEARS = range(1990, 2036)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Date : 30/83/2618", date(2018, 3, 30)),  # 8 for 0, 6 for 0
        ("Date 69/02/2018", date(2018, 2, 9)),  # 6 for 0
        ("O7/B1/18 14:41", date(2018, 1, 7)),  # letters for digits
        ("22/03/2078", date(2018, 3, 22)),  # a year nobody writes on a receipt
        ("25/12/2018", date(2018, 12, 25)),  # clean: untouched
        ("Salesperson: Date: 1202/2018", date(2018, 2, 12)),  # one separator lost
        ("Date 12/022018 10:41", date(2018, 2, 12)),  # the other one lost
        ("00440010036 25032018 13:11:54", date(2018, 3, 25)),  # both lost, day first
        ("Printed 20180428", date(2018, 4, 28)),  # both lost, year first
        ("GBH: 45076840325 26/Fen/2017 07", date(2017, 2, 26)),  # a month name misread by a letter
        ("fate : GS Jan 2017 12:41pm", date(2017, 1, 5)),  # a named month's day read as letters
        ("Ql-Nov-2017 11:20:04AM", date(2017, 11, 1)),
    ],
)
def test_repairs(printed, expected):  # type: ignore[no-untyped-def]
    found = find_dates_tolerant(printed, "DMY", YEARS)
    assert [d for _p, d, _s, _r in found] == [expected]


def test_no_guess_when_several_dates_are_equally_near():  # type: ignore[no-untyped-def]
    # 31 June does not exist; 31 May and 31 August are each one slip away: no guess.
    assert find_dates_tolerant("31/06/2018", "DMY", YEARS) == []


@pytest.mark.parametrize(
    "printed",
    [
        "9555017370017 1 28.00",  # a barcode: no date inside it
        "TEL: 03-41318972",  # eight digits that are no date (day 41)
        "20/12/2018 25:00",  # printed with both separators: an ordinary date, not a repair
        "26 Mau 2017",  # as near to March as to May: no guess
        "Ref 20991231",  # a year outside the plausible range
    ],
)
def test_no_repaired_date_in_digits_that_are_not_one(printed):  # type: ignore[no-untyped-def]
    assert [d for _p, d, _s, repairs in find_dates_tolerant(printed, "DMY", YEARS) if repairs] == []


def test_repair_count_is_reported():  # type: ignore[no-untyped-def]
    ((_p, _d, _span, repairs),) = find_dates_tolerant("30/83/2618", "DMY", YEARS)
    assert repairs == 2
    ((_p, _d, _span, repairs),) = find_dates_tolerant("1202/2018", "DMY", YEARS)
    assert repairs == 1  # one separator lost
