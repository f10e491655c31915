"""Several OCR readings of a page ("eng,msa"): read from one image, pooled into one set of candidates."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from extractors import scoring
from extractors.context import ReadContext
from extractors.exceptions import OcrFailed
from extractors.extract import candidates_for, extract
from extractors.reading.document import read_document
from extractors.reading.ocr import ocr_image
from extractors.reading.tesseract_library import engine_for
from extractors.schema import load_schemas
from extractors.scoring import load_model, reading_kind
from extractors.types import Page, Word
from extractors.view import DocumentView
from tests.conftest import SAMPLES

RECEIPT = load_schemas()["receipt"]
TOTAL = next(spec for spec in RECEIPT.fields if spec.name == "total")
SYSTEM_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")


def _page(rows: list[str], alternates: Sequence[list[str]] = ()) -> Page:
    def words(lines: list[str]) -> tuple[Word, ...]:
        return tuple(
            Word(text, (10.0, 30.0 * i, 10.0 + 9 * len(text), 30.0 * i + 20)) for i, text in enumerate(lines)
        )

    return Page(1, 600.0, 400.0, words(rows), "ocr", alternates=tuple(words(a) for a in alternates))


def test_the_comma_separates_readings_and_the_plus_joins_languages_in_one():  # type: ignore[no-untyped-def]
    assert ReadContext(ocr_language="eng").ocr_readings == ("eng",)
    assert ReadContext(ocr_language="msa+eng").ocr_readings == ("msa+eng",)
    assert ReadContext(ocr_language="eng, msa+eng").ocr_readings == ("eng", "msa+eng")
    assert ReadContext(ocr_language=" , ").ocr_readings == ("eng",)


def test_candidates_of_every_reading_are_pooled_and_a_value_read_alike_is_marked():  # type: ignore[no-untyped-def]
    # The first reading misread the total; the second read it right and so did a third.
    page = _page(["TOTAL 12.80"], [["TOTAL 12.50"], ["TOTAL: 12.50"]])
    view = DocumentView((page,))
    candidates = candidates_for(view, TOTAL)
    by_value: dict[str, list[dict[str, float]]] = {}
    for candidate in candidates:
        by_value.setdefault(candidate.normalized, []).append(candidate.features)
    assert set(by_value) == {"12.80", "12.50"}
    assert [f.get("read_alike", 0.0) for f in by_value["12.80"]] == [0.0]
    assert [f.get("other_reading", 0.0) for f in by_value["12.80"]] == [0.0]
    # Each of the two is read alike by one of the two other readings.
    assert sorted(f.get("read_alike", 0.0) for f in by_value["12.50"]) == [0.5, 0.5]
    assert all(f.get("other_reading") == 1.0 for f in by_value["12.50"])
    assert by_value["12.80"][0]["read_near"] < by_value["12.50"][0]["read_near"] < 1.0
    cues = {c.normalized: c.cues for c in candidates if c.features.get("other_reading")}
    assert "readings agree" in cues["12.50"] and "reading 2" in candidates[1].cues + candidates[2].cues
    # One reading alone: nothing pooled, nothing marked.
    alone = candidates_for(DocumentView((_page(["TOTAL 12.80"]),)), TOTAL)
    assert [c.normalized for c in alone] == ["12.80"]
    assert "read_alike" not in alone[0].features


def test_other_readings_share_the_chosen_values_and_leave_uncovered_pages_empty():  # type: ignore[no-untyped-def]
    text_page = Page(2, 600.0, 400.0, (Word("Invoice", (1, 1, 50, 10)),), "text_layer")
    view = DocumentView((_page(["TOTAL 12.80"], [["TOTAL 12.50"]]), text_page))
    (other,) = view.other_readings
    assert [w.text for w in other.pages[0].words] == ["TOTAL 12.50"]
    assert other.pages[1].words == ()
    view.chosen["vendor"] = candidates_for(view, TOTAL)[0]
    assert other.chosen is view.chosen


@pytest.mark.ocr
@pytest.mark.parametrize("engine", ["library", "command"])
def test_a_second_reading_reads_the_same_image_into_the_same_coordinates(engine):  # type: ignore[no-untyped-def]
    image = Image.open(SAMPLES / "receipt-03.jpg")
    one = ocr_image(image, ReadContext(ocr_engine=engine))
    two = ocr_image(image, ReadContext(ocr_engine=engine, ocr_language="eng,msa"))
    assert two.words == one.words and two.rotation == one.rotation
    (malay,) = two.alternates
    assert len(malay) > 20
    # Malay's model reads the same lines: most of its words stand where English words stand.
    centres = [((w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2) for w in malay]
    inside = sum(any(e.x0 <= x <= e.x1 and e.y0 <= y <= e.y1 for e in one.words) for x, y in centres)
    assert inside >= 0.8 * len(malay)
    assert {w.text for w in malay} != {w.text for w in one.words}


@pytest.mark.ocr
@pytest.mark.parametrize("kind", ["image", "scanned pdf"])
def test_pages_carry_their_readings_in_page_units_and_extraction_uses_them(kind):  # type: ignore[no-untyped-def]
    image = Image.open(SAMPLES / "receipt-03.jpg")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG" if kind == "image" else "PDF", resolution=200.0)
    media_type = "image/jpeg" if kind == "image" else "application/pdf"
    pages = read_document(buffer.getvalue(), media_type, ReadContext(ocr_language="eng,eng"))
    (page,) = pages
    assert page.source == "ocr" and len(page.words) > 20
    # The same model twice reads the same words, mapped the same way (points on a PDF page).
    assert page.alternates == (page.words,)
    assert max(w.x1 for w in page.words) <= page.width + 1
    by_value = {c.normalized: c for c in candidates_for(DocumentView(pages), TOTAL)}
    assert by_value and all(c.features.get("read_alike") == 1.0 for c in by_value.values())
    assert extract(pages, RECEIPT).fields[0].value


@pytest.mark.ocr
@pytest.mark.parametrize("engine", ["library", "command"])
def test_language_data_from_a_folder_of_its_own(engine, tmp_path):  # type: ignore[no-untyped-def]
    image = Image.open(SAMPLES / "receipt-03.jpg")
    with pytest.raises(OcrFailed, match=r"no language data for 'eng' in .*'docloop ocr-models eng'"):
        ocr_image(image, ReadContext(ocr_engine=engine, tessdata_dir=str(tmp_path)))
    (tmp_path / "eng.traineddata").symlink_to(SYSTEM_TESSDATA / "eng.traineddata")
    ctx = ReadContext(ocr_engine=engine, tessdata_dir=str(tmp_path))
    assert ocr_image(image, ctx) == ocr_image(image, replace(ctx, tessdata_dir=None))
    if engine == "library":
        assert engine_for("eng", str(tmp_path)) is not engine_for("eng")


def test_pages_read_several_times_have_a_reading_kind_and_borrow_the_ocr_model_until_one_is_shipped(
    tmp_path, monkeypatch
):  # type: ignore[no-untyped-def]
    once, twice = _page(["TOTAL 1.00"]), _page(["TOTAL 1.00"], [["TOTAL 1.00"]])
    text = replace(once, source="text_layer")
    assert reading_kind((once,)) == "ocr"
    assert reading_kind((twice,)) == "ocr-readings"
    assert reading_kind((twice, text, text)) == "text"
    assert reading_kind((twice, once, once)) == "ocr"
    monkeypatch.setattr(scoring, "BUILTIN_MODEL_DIR", tmp_path)
    (tmp_path / "receipt.ocr.json").write_text('{"doc_type": "receipt", "version": "single"}')
    assert load_model("receipt", "ocr-readings").version == "single"
    (tmp_path / "receipt.ocr-readings.json").write_text('{"doc_type": "receipt", "version": "pooled"}')
    assert load_model("receipt", "ocr-readings").version == "pooled"
    assert load_model("receipt", "ocr").version == "single"


@pytest.mark.ocr
def test_a_page_turned_upright_has_every_reading_mapped_back_onto_it():  # type: ignore[no-untyped-def]
    upside_down = Image.open(SAMPLES / "receipt-03.jpg").rotate(180, expand=True)
    reading = ocr_image(upside_down, ReadContext(ocr_language="eng,eng"))
    # Orientation detection turned the page; the second reading of the same model lands on the same boxes.
    assert abs(abs(reading.rotation) - 180) < 5
    assert reading.alternates == (tuple(reading.words),)
    assert len(reading.words) > 20
