"""In a real browser: log in, open the queue, correct a field, submit."""

from __future__ import annotations

import pytest

from review_app.models import Document, DocumentStatus, FieldValue
from review_app.services.ingest import Upload, ingest
from tests.browser.conftest import screenshot
from tests.conftest import SAMPLES
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_log_in_correct_a_field_and_submit(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "rita@example.com")
    sample = SAMPLES / "invoice-01.pdf"
    document = ingest(runtime, Upload(data=sample.read_bytes(), filename=sample.name, doc_type="invoice"))
    worker()
    with runtime.session() as session:
        assert session.get(Document, document.id).status == DocumentStatus.REVIEW

    page.goto(f"{live_server}/")
    assert "/login" in page.url  # every page needs a login
    page.fill("#email", "rita@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#task-table")
    screenshot(page, "queue")
    assert page.locator(f"text=#{document.id}").count() >= 1

    page.click("#next-task")
    page.wait_for_selector("#review-form")
    page.wait_for_load_state("load")  # the load event waits for the page image
    screenshot(page, "review")
    page.fill("#field-invoice_number", "CORRECTED-123")
    page.click("#submit-button")
    page.wait_for_url(f"{live_server}/")
    assert page.locator(".flash").count() >= 1

    with runtime.session() as session:
        stored = session.get(Document, document.id)
        assert stored.status in {DocumentStatus.COMPLETED, DocumentStatus.REVIEW}
        field = session.query(FieldValue).filter_by(document_id=document.id, name="invoice_number").one()
        assert field.final_value == "CORRECTED-123"
        assert field.corrected is True
    assert not page.console_errors, page.console_errors
