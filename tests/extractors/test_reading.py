"""Reading: magic bytes, text layers, supplied words."""

from __future__ import annotations

import json

import pytest

from extractors.context import ReadContext
from extractors.exceptions import CorruptDocument, EmptyDocument, InvalidWords, UnsupportedDocument
from extractors.reading import read_document
from extractors.reading.words_json import parse_words_json
from extractors.sniff import JPEG, PDF, PNG, TIFF, sniff_media_type
from tests.conftest import SAMPLES


def test_sniff_by_content_not_name():  # type: ignore[no-untyped-def]
    assert sniff_media_type((SAMPLES / "invoice-01.pdf").read_bytes()[:16]) == PDF
    assert sniff_media_type((SAMPLES / "receipt-01.jpg").read_bytes()[:16]) == JPEG
    assert sniff_media_type((SAMPLES / "form-01.png").read_bytes()[:16]) == PNG
    assert sniff_media_type(b"II*\x00rest") == TIFF
    with pytest.raises(EmptyDocument):
        sniff_media_type(b"")
    with pytest.raises(UnsupportedDocument):
        sniff_media_type(b"PK\x03\x04zipfile")


def test_text_layer_words_have_boxes_inside_the_page():  # type: ignore[no-untyped-def]
    pages = read_document((SAMPLES / "invoice-01.pdf").read_bytes(), PDF, ReadContext())
    assert len(pages) == 1 and pages[0].source == "text_layer"
    page = pages[0]
    assert any(w.text == "INVOICE" for w in page.words)
    for w in page.words:
        assert 0 <= w.x0 < w.x1 <= page.width + 1 and 0 <= w.y0 < w.y1 <= page.height + 1


def test_multi_page_pdf_reads_every_page():  # type: ignore[no-untyped-def]
    pages = read_document((SAMPLES / "invoice-13.pdf").read_bytes(), PDF, ReadContext())
    assert [p.number for p in pages] == [1, 2]
    assert "continued" in pages[1].text


def test_truncated_pdf_is_corrupt():  # type: ignore[no-untyped-def]
    data = (SAMPLES / "invoice-01.pdf").read_bytes()[:300]
    with pytest.raises(CorruptDocument):
        read_document(data, PDF, ReadContext())


def test_supplied_words():  # type: ignore[no-untyped-def]
    words = {
        "pages": [
            {"width": 100, "height": 200, "words": [{"text": " TOTAL  9.00 ", "box": [10, 20, 60, 30]}]}
        ]
    }
    pages = parse_words_json(json.dumps(words).encode(), max_pages=5)
    assert pages[0].source == "supplied" and pages[0].words[0].text == "TOTAL 9.00"
    with pytest.raises(InvalidWords):
        parse_words_json(
            b'{"pages": [{"width": 1, "height": 1, "words": [{"text": "x", "box": [1, 2]}]}]}', max_pages=5
        )
    with pytest.raises(InvalidWords):
        parse_words_json(b"not json", max_pages=5)
