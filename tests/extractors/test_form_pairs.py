"""Form key-value pairs: a key takes its value from the next column, two pairs close together on one line
are two pairs, and a value written over several lines is read whole."""

from __future__ import annotations

import json

from extractors.extract import extract
from extractors.schema import load_schemas
from extractors.types import Page, Word

FORM = load_schemas()["form"]


def _pairs(*rows: tuple[float, str] | tuple[tuple[float, str], ...]) -> list[tuple[str, str]]:
    """Pairs found on a page; each row is a line starting at x (or several columns, each at its own x),
    its words one space apart."""
    words = []
    for i, row in enumerate(rows):
        for x, text in row if isinstance(row[0], tuple) else (row,):
            for token in text.split():
                words.append(Word(token, (x, 20.0 * i, x + 8 * len(token), 20.0 * i + 12)))
                x += 8 * len(token) + 6
    pages = (Page(1, 1000.0, 20.0 * len(rows) + 40, tuple(words), "supplied"),)
    (field,) = extract(pages, FORM).fields
    return [(p["key"], p["value"]) for p in json.loads(field.normalized or "[]")]


def test_a_second_key_on_the_same_line_starts_a_pair_of_its_own():  # type: ignore[no-untyped-def]
    assert _pairs((10.0, "DATE: June 21, 1993 DEPARTMENT: R&D Library")) == [
        ("DATE:", "June 21, 1993"),
        ("DEPARTMENT:", "R&D Library"),
    ]
    # A time, and a bracketed note inside a value, are not keys.
    assert _pairs((10.0, "Time: 12:30 pm"), (10.0, ""), (10.0, "")) == [("Time:", "12:30 pm")]
    assert _pairs((10.0, "Suggestion: test fewer samples (Note : most labs do not)")) == [
        ("Suggestion:", "test fewer samples (Note : most labs do not)")
    ]


def test_a_value_written_over_several_lines_is_read_whole():  # type: ignore[no-untyped-def]
    pairs = _pairs(
        (10.0, "Approved by: Director of Technical Operations,"),
        (106.0, "Brown & Williamson International"),
        (10.0, "Budget Check: Howard"),
        (10.0, "Printed on recycled paper"),  # starts under the key, not under the value
    )
    assert pairs == [
        ("Approved by:", "Director of Technical Operations, Brown & Williamson International"),
        ("Budget Check:", "Howard"),
    ]


def test_keys_in_one_column_take_their_values_from_the_next():  # type: ignore[no-untyped-def]
    # The layout of docloop's own sample forms: values stand far to the right of their keys.
    pairs = _pairs(
        ((10.0, "Name:"), (300.0, "Amelia Hart")),
        ((10.0, "Department:"), (300.0, "Finance")),
        ((10.0, "Approved by:"),),
    )
    # "Approved by:" has nothing beside it and nothing under it: no value is made up.
    assert pairs == [("Name:", "Amelia Hart"), ("Department:", "Finance")]
