"""The review workspace in a real browser: keyboard work, click-to-fill, reject, four eyes, leases, stale
submits, and document text rendered inert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from review_app.db import utcnow
from review_app.models import Document, DocumentStatus, FieldValue, ReviewTask, Role, TaskStatus
from review_app.services.tasks import expire_leases
from tests.browser.conftest import screenshot
from tests.helpers import PASSWORD, ingest_pdf, invoice_pdf, make_user

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Log in with the keyboard only."""
    page.goto(f"{base}/login")
    page.focus("#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#task-table, .empty")


def _document(runtime, document_id: int) -> Document:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        document = session.get(Document, document_id)
        session.expunge(document)
        return document


def _field(runtime, document_id: int, name: str) -> FieldValue:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        field = session.scalars(
            select(FieldValue).where(FieldValue.document_id == document_id, FieldValue.name == name)
        ).one()
        session.expunge(field)
        return field


def _claim_with_n(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")  # the queue's keyboard handler is attached
    page.keyboard.press("n")
    page.wait_for_selector("#review-form")
    page.wait_for_load_state("load")


def test_finish_a_document_with_the_keyboard_alone(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "kim@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf())
    worker()
    _log_in(page, live_server, "kim@example.com")
    _claim_with_n(page)
    assert page.evaluate("document.activeElement.id") == "field-vendor"
    page.keyboard.press("Control+a")
    page.keyboard.type("ACME WIDGETS LIMITED")
    for _ in range(10):  # accept each field in turn with Enter
        page.keyboard.press("Enter")
        if page.evaluate("document.activeElement.id") == "submit-button":
            break
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{live_server}/")
    assert _document(runtime, document_id).status == DocumentStatus.COMPLETED
    assert _field(runtime, document_id, "vendor").final_value == "ACME WIDGETS LIMITED"
    assert not page.console_errors, page.console_errors


def test_clicking_a_word_fills_the_focused_field(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "lee@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf(number="INV-7788"))
    worker()
    _log_in(page, live_server, "lee@example.com")
    _claim_with_n(page)
    page.fill("#field-invoice_number", "")
    page.focus("#field-invoice_number")
    page.click('svg g.words rect[data-text="INV-7788"]')
    assert page.input_value("#field-invoice_number") == "INV-7788"
    assert page.locator('rect.field-box.active[data-field="invoice_number"]').count() == 1
    page.keyboard.press("Shift+Enter")  # no-op key: focus stays
    page.click("#submit-button")
    page.wait_for_url(f"{live_server}/")
    assert _field(runtime, document_id, "invoice_number").final_value == "INV-7788"


def test_reject_with_a_reason_from_the_keyboard(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "ann@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf())
    worker()
    _log_in(page, live_server, "ann@example.com")
    _claim_with_n(page)
    page.keyboard.press("Alt+r")
    page.wait_for_selector("#reject-dialog[open]")
    page.keyboard.press("2")  # wrong document type
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    document = _document(runtime, document_id)
    assert document.status == DocumentStatus.REJECTED
    assert document.error_code == "rejected_wrong_document_type"


def test_high_value_document_needs_a_second_reviewer(live_server, browser, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "first@example.com")
    make_user(runtime, "second@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf(subtotal="5000.00", tax="1000.00", total="6000.00"))
    worker()
    assert _document(runtime, document_id).high_consequence
    first = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    _log_in(first, live_server, "first@example.com")
    _claim_with_n(first)
    first.click("#submit-button")
    first.wait_for_url(f"{live_server}/")
    assert "second approval" in first.inner_text(".flashes").lower()
    assert _document(runtime, document_id).status == DocumentStatus.REVIEW
    # The first reviewer is not offered the second approval.
    first.keyboard.press("n")
    first.wait_for_selector(".flash")
    assert "empty" in first.inner_text(".flashes").lower()
    second = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    _log_in(second, live_server, "second@example.com")
    _claim_with_n(second)
    assert "second approval" in second.inner_text(".doc-head")
    second.click("#submit-button")
    second.wait_for_url(f"{live_server}/")
    assert _document(runtime, document_id).status == DocumentStatus.COMPLETED
    with runtime.session() as session:
        stages = session.scalars(
            select(ReviewTask).where(ReviewTask.document_id == document_id).order_by(ReviewTask.stage)
        ).all()
        assert [(t.stage, t.status) for t in stages] == [(1, TaskStatus.DONE), (2, TaskStatus.DONE)]
        assert stages[0].completed_by_id != stages[1].completed_by_id


def test_expired_lease_returns_the_task_and_the_late_submit_is_refused(live_server, browser, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "slow@example.com")
    make_user(runtime, "quick@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf())
    worker()
    slow = browser.new_context().new_page()
    _log_in(slow, live_server, "slow@example.com")
    _claim_with_n(slow)
    slow.fill("#field-invoice_number", "TYPED-BY-SLOW")
    with runtime.session() as session:  # ten minutes pass
        for task in session.scalars(select(ReviewTask).where(ReviewTask.document_id == document_id)):
            task.lease_expires_at = utcnow() - timedelta(seconds=1)
    with runtime.session() as session:
        assert expire_leases(session) == 1
    quick = browser.new_context().new_page()
    _log_in(quick, live_server, "quick@example.com")
    _claim_with_n(quick)  # the task came back to the queue
    slow.click("#submit-button")
    slow.wait_for_selector("#submit-error")
    assert "no longer yours" in slow.inner_text("#submit-error")
    assert slow.input_value("#field-invoice_number") == "TYPED-BY-SLOW"  # the input is kept
    assert _field(runtime, document_id, "invoice_number").final_value is None


def test_stale_submit_is_refused_and_the_input_kept(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "sam@example.com")
    document_id = ingest_pdf(runtime, invoice_pdf())
    worker()
    _log_in(page, live_server, "sam@example.com")
    _claim_with_n(page)
    page.fill("#field-total", "999.99")
    with runtime.session() as session:  # someone else changes the document meanwhile
        session.get(Document, document_id).touch()
    page.click("#submit-button")
    page.wait_for_selector("#submit-error")
    assert page.get_attribute("#submit-error", "data-code") == "stale_document"
    assert "changed by someone else" in page.inner_text("#submit-error")
    assert page.input_value("#field-total") == "999.99"
    assert _field(runtime, document_id, "total").final_value is None


def test_text_from_a_document_is_rendered_inert(live_server, page, runtime, worker):  # type: ignore[no-untyped-def]
    make_user(runtime, "eve@example.com")
    hostile = ("<script>alert('xss-script')</script>", "<img src=x onerror=\"alert('xss-img')\">")
    document_id = ingest_pdf(runtime, invoice_pdf(vendor=hostile[0], extra_lines=hostile))
    worker()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _log_in(page, live_server, "eve@example.com")
    _claim_with_n(page)
    screenshot(page, "review-hostile-text")
    assert page.input_value("#field-vendor") == hostile[0]  # shown as characters
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    page.goto(f"{live_server}/documents/{document_id}")
    assert "<script>" in page.inner_text("body")
    assert dialogs == []
    csp = page.request.get(f"{live_server}/").headers["content-security-policy"]
    assert "script-src 'self'" in csp


def test_admin_adds_disables_and_re_roles_a_user(live_server, page, runtime):  # type: ignore[no-untyped-def]
    make_user(runtime, "boss@example.com", Role.ADMIN)
    _log_in(page, live_server, "boss@example.com")
    page.goto(f"{live_server}/admin/users")
    page.fill("input[name=email]", "new@example.com")
    page.select_option("form.grid-form select[name=role]", "analyst")
    page.click("form.grid-form button[type=submit]")
    assert "Password (shown once)" in page.inner_text(".flashes")
    row = page.locator('tr[data-user="new@example.com"]')
    row.locator("select[name=role]").select_option("reviewer")
    row.locator("form", has_text="Save").locator("button").click()
    assert "is now reviewer" in page.inner_text(".flashes")
    page.locator('tr[data-user="new@example.com"]').locator("button", has_text="Disable").click()
    assert "disabled" in page.inner_text(".flashes")
