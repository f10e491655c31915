"""A document type is a schema file: adding one needs no code, and mistakes get clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.exceptions import SchemaError
from extractors.extract import extract
from extractors.schema import load_schema_file, load_schemas
from extractors.types import Page, Word
from review_app.runtime import get_runtime

PARKING = """
name = "parking_ticket"
title = "Parking ticket"
date_order = "DMY"

[[fields]]
name = "plate"
type = "identifier"
required = true
labels = ["vehicle", "plate", "reg no"]

[[fields]]
name = "issued"
type = "date"
required = true
labels = ["issued", "date"]

[[fields]]
name = "fine"
type = "amount"
required = true
labels = ["fine", "amount payable"]

[[rules]]
name = "fine_positive"
kind = "compare"
left = "fine"
op = ">"
right = "fine"
message = "never true: proves rules run"
"""


def _page(lines: list[str]) -> tuple[Page, ...]:
    words = tuple(Word(t, (10.0, 20.0 * i, 10.0 + 8 * len(t), 20.0 * i + 12)) for i, t in enumerate(lines))
    return (Page(1, 500.0, 400.0, words, "supplied"),)


def test_a_new_type_from_a_schema_file_extracts_without_code(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "parking.toml").write_text(PARKING)
    schema = load_schemas([tmp_path])["parking_ticket"]
    assert "receipt" in load_schemas([tmp_path])  # built-ins stay
    pages = _page(["CITY COUNCIL PARKING", "Vehicle: WXY1234", "Issued: 14/02/2024 09:12", "Fine 50.00"])
    result = extract(pages, schema)
    values = {f.name: f.normalized for f in result.fields}
    assert values == {"plate": "WXY1234", "issued": "2024-02-14", "fine": "50.00"}
    assert [i.rule for i in result.issues] == ["fine_positive"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[[fields]]\nname = "a"\ntype = "colour"\n', "unknown type 'colour'"),
        ('name = "x"\n', "at least one [[fields]]"),
        (
            'name = "x"\n[[fields]]\nname = "a"\n[[rules]]\n'
            'kind = "compare"\nleft = "a"\nop = "<"\nright = "b"\n',
            "unknown field 'b'",
        ),
        ('name = "x"\n[[fields]\n', "cannot be read as TOML"),
        (
            'name = "x"\nocr_segmentation = "columns"\n[[fields]]\nname = "a"\n',
            "ocr_segmentation must be one of block, sparse",
        ),
    ],
)
def test_schema_mistakes_are_named(tmp_path: Path, text: str, message: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SchemaError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_schema_file(path)


def test_each_type_says_how_ocr_finds_its_text():  # type: ignore[no-untyped-def]
    # A receipt is one column of lines; invoices and forms stand in columns and boxes.
    schemas = load_schemas()
    assert schemas["receipt"].ocr_segmentation == "block"
    assert schemas["invoice"].ocr_segmentation == "sparse"
    assert schemas["form"].ocr_segmentation == "sparse"
    # The worker and `docloop eval` read each document with its type's setting.
    runtime = get_runtime()
    assert runtime.read_context_for("invoice").page_segmentation == "sparse"
    assert runtime.read_context_for("receipt") == runtime.read_context
