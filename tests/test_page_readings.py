"""A page read twice ("eng,msa") keeps both readings: stored, exported (redacted alike) and re-imported."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from review_app.cli import main
from review_app.evaluation.loading import load_snapshot_items
from review_app.exceptions import ConfigurationError
from review_app.models import Document, DocumentStatus, Page
from review_app.services.ingest import Upload, ingest
from review_app.settings import load_settings
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr


@pytest.mark.env(DOCLOOP_OCR_LANGUAGE="eng,msa")
def test_every_reading_is_stored_exported_and_read_back(runtime, worker, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    sample = SAMPLES / "receipt-02.jpg"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="receipt"))
    worker()
    with runtime.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == document.id)).one()
        words, (malay,) = page.words, page.alternates
        assert len(malay) > 10 and malay != words
        # A snapshot exports final documents: this one is finished as a reviewer would finish it.
        session.get(Document, document.id).status = DocumentStatus.COMPLETED

    out = tmp_path / "snapshot.jsonl"
    result = CliRunner().invoke(main, ["export", str(out), "--doc-type", "receipt"])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["pages"][0]["words"] == words
    assert record["pages"][0]["alternates"] == [malay]
    (item,) = load_snapshot_items(out, "receipt")
    (read_back,) = item.pages
    assert [[w.text, *w.box] for w in read_back.alternates[0]] == [row[:5] for row in malay]

    # Redaction reaches every reading: a word found in both is replaced in both.
    target = next(row[0] for row in malay if row[0] in {w[0] for w in words} and len(row[0]) > 4)
    redacted = tmp_path / "redacted.jsonl"
    monkeypatch.setenv("DOCLOOP_REDACT_PATTERNS", json.dumps([re.escape(target)]))
    result = CliRunner().invoke(main, ["export", str(redacted), "--doc-type", "receipt", "--redact"])
    assert result.exit_code == 0, result.output
    page_record = json.loads(redacted.read_text())["pages"][0]
    assert target not in {w[0] for w in page_record["words"]}
    assert target not in {w[0] for w in page_record["alternates"][0]}


def test_a_page_read_once_stores_and_exports_no_other_readings(runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    sample = SAMPLES / "receipt-02.jpg"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="receipt"))
    worker()
    with runtime.session() as session:
        assert session.scalars(select(Page).where(Page.document_id == document.id)).one().alternates is None
        session.get(Document, document.id).status = DocumentStatus.COMPLETED
    out = tmp_path / "snapshot.jsonl"
    assert CliRunner().invoke(main, ["export", str(out), "--doc-type", "receipt"]).exit_code == 0
    assert "alternates" not in json.loads(out.read_text())["pages"][0]


@pytest.mark.env(DOCLOOP_OCR_LANGUAGE_BY_TYPE='{"receipt": "eng,msa"}')
def test_a_type_can_be_read_more_often_than_the_others(runtime, worker):  # type: ignore[no-untyped-def]
    assert runtime.read_context_for("receipt").ocr_readings == ("eng", "msa")
    assert runtime.read_context_for("invoice").ocr_readings == ("eng",)
    sample = SAMPLES / "receipt-02.jpg"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="receipt"))
    worker()
    with runtime.session() as session:
        assert len(session.scalars(select(Page).where(Page.document_id == document.id)).one().alternates) == 1


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("receipt=eng,msa", "not JSON"), ('{"receipt": 3}', "not an object"), ('["eng"]', "not an object")],
)
def test_a_malformed_readings_by_type_setting_is_refused_at_start(raw, problem, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match=f"DOCLOOP_OCR_LANGUAGE_BY_TYPE is {problem}"):
        load_settings({"DOCLOOP_OCR_LANGUAGE_BY_TYPE": raw, "DOCLOOP_DATA_DIR": str(tmp_path)})
