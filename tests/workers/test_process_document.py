"""The process_document job: real queue, real worker, safe to run twice, clear failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    FieldValue,
    Page,
    ReviewTask,
)
from review_app.services import processing
from review_app.services.ingest import Upload, ingest
from review_app.services.sweeper import sweep
from tests.conftest import SAMPLES
from tests.helpers import ingest_pdf, invoice_pdf
from workers.jobs import process_document


def _counts(runtime):  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Extraction, FieldValue, Page, ReviewTask)
        )


def test_running_the_job_twice_writes_results_once(runtime, worker):  # type: ignore[no-untyped-def]
    sample = SAMPLES / "invoice-02.pdf"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="invoice"))
    worker()
    first = _counts(runtime)
    assert first[0] == 1 and first[2] == 1
    assert process_document(document.id) == "skipped"  # a duplicate delivery of the same job
    assert _counts(runtime) == first


def test_text_layer_pdf_skips_ocr(runtime, worker):  # type: ignore[no-untyped-def]
    sample = SAMPLES / "invoice-03.pdf"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="invoice"))
    worker()
    with runtime.session() as session:
        pages = session.scalars(select(Page).where(Page.document_id == document.id)).all()
        assert [p.source for p in pages] == ["text_layer"]
        assert any(w[0] == "Invoice" or w[0].startswith("Tax") for w in pages[0].words)


def test_scanned_image_is_read_with_tesseract(runtime, worker):  # type: ignore[no-untyped-def]
    sample = SAMPLES / "receipt-02.jpg"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="receipt"))
    worker()
    with runtime.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == document.id)).one()
        assert page.source == "ocr"
        text = " ".join(w[0] for w in page.words)
        assert "TOTAL" in text.upper()
        assert all(0.0 <= w[5] <= 1.0 for w in page.words)


def test_encrypted_pdf_fails_with_a_stable_code(runtime, worker, tmp_path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium  # noqa: F401  (pdfium reads what reportlab encrypts)
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    pdf.drawString(100, 700, "Invoice 123 total 10.00")
    pdf.save()
    document = ingest(runtime, Upload(data=path.read_bytes(), filename="locked.pdf", doc_type="invoice"))
    worker()
    with runtime.session() as session:
        stored = session.get(Document, document.id)
        assert stored.status == DocumentStatus.FAILED
        assert stored.error_code == "encrypted_pdf"
        assert "password" in stored.error_message


@pytest.mark.env(DOCLOOP_MAX_PROCESSING_ATTEMPTS="2")
def test_a_document_that_keeps_killing_its_worker_fails_after_the_retry_limit(runtime, worker):  # type: ignore[no-untyped-def]
    document_id = ingest_pdf(runtime, invoice_pdf(number="CRASH-1"))
    for _ in range(2):  # a worker claims it, then dies without a word: its lease runs out
        assert processing.claim(runtime, document_id) is not None
        with runtime.session() as session:
            session.get(Document, document_id).lease_expires_at = utcnow() - timedelta(seconds=1)
    assert sweep(runtime).requeued == 1  # the sweeper finds it and queues a third attempt
    worker()
    with runtime.session() as session:
        document = session.get(Document, document_id)
        assert document.status == DocumentStatus.FAILED
        assert document.error_code == "processing_retries_exhausted"
        assert "2 times" in document.error_message
