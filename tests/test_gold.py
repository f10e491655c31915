"""Gold documents: an admin vouches for a reviewed document, copies wait in the queue unmarked, reviewers are
scored per field against the known answers, and only admins see the scores."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review_app.models import (
    Document,
    DocumentStatus,
    FieldValue,
    GoldCopy,
    GoldDocument,
    GoldScore,
    MemoryRecord,
    ReviewTask,
    Role,
    TaskStatus,
    User,
    WebhookDelivery,
)
from review_app.services.erasure import erase_document
from review_app.services.export import final_documents
from review_app.services.review import reject
from review_app.services.tasks import claim_next
from tests.helpers import BASE, csrf_from, ingest_pdf, invoice_pdf, login, make_user, review_next

CANONICAL = "ACME WIDGETS LIMITED"


def _review(runtime, user_id: int, values_for=lambda values: values) -> int:  # type: ignore[no-untyped-def]
    """Claim the next task as `user_id` and submit the machine's values, changed by `values_for`."""
    document_id = review_next(
        runtime, user_id, lambda document: values_for({f.name: f.normalized for f in document.fields})
    )
    assert document_id is not None
    return document_id


def _with_canonical_vendor(values: dict) -> dict:  # type: ignore[type-arg]
    return {**values, "vendor": CANONICAL}


def _login_as(app, email: str):  # type: ignore[no-untyped-def]
    """A fresh browser session logged in as `email`."""
    client = app.test_client()
    login(client, email)
    return client


def _post(client, path: str, data: dict, form_page: str = "/admin/gold") -> int:  # type: ignore[no-untyped-def,type-arg]
    token = csrf_from(client.get(form_page, **BASE).get_data(as_text=True))
    return client.post(path, **BASE, data={**data, "csrf_token": token}).status_code


@pytest.mark.env(DOCLOOP_GOLD_RATE="1")
def test_gold_copies_score_reviewers_and_stay_out_of_everything_else(runtime, worker, app):  # type: ignore[no-untyped-def]
    first_reviewer = make_user(runtime, "first@example.com")
    second_reviewer = make_user(runtime, "second@example.com")
    make_user(runtime, "admin@example.com", Role.ADMIN)
    make_user(runtime, "analyst@example.com", Role.ANALYST)

    source = ingest_pdf(runtime, invoice_pdf(number="INV-3001"))
    worker()  # no gold document yet: nothing extra is queued
    assert _review(runtime, first_reviewer, _with_canonical_vendor) == source

    # Only admins may mark a document as gold.
    analyst = _login_as(app, "analyst@example.com")
    assert _post(analyst, "/admin/gold", {"document_id": source}, form_page="/dashboard") == 403
    client = _login_as(app, "admin@example.com")
    assert client.get(f"/documents/{source}", **BASE).get_data(as_text=True).count('id="mark-gold"') == 1
    assert _post(client, "/admin/gold", {"document_id": 999}) == 302  # refused with a message, not a crash
    assert _post(client, "/admin/gold", {"document_id": source}) == 302
    with runtime.session() as session:
        gold = session.scalars(select(GoldDocument)).one()
        assert gold.document_id == source and gold.answers["vendor"] == CANONICAL

    # The next document routed to review brings a copy of the gold document with it (rate 1).
    second = ingest_pdf(runtime, invoice_pdf(number="INV-3002", total="75.50", tax="12.58", subtotal="62.92"))
    worker()
    with runtime.session() as session:
        copy_id = session.scalars(select(GoldCopy.document_id)).one()
        copy = session.get(Document, copy_id)
        assert copy.status == DocumentStatus.REVIEW and copy.api_key_id is None and copy.meta == {}
        # The machine's proposal again, not the answer: the printed vendor name, waiting for a person.
        vendor = next(f for f in copy.fields if f.name == "vendor")
        assert vendor.normalized != CANONICAL and vendor.final_value is None
        open_tasks = session.scalars(select(ReviewTask).where(ReviewTask.status == TaskStatus.OPEN)).all()
        assert sorted(t.document_id for t in open_tasks) == sorted([second, copy_id])
        copy_task = next(t for t in open_tasks if t.document_id == copy_id)

    # Nothing on the reviewer's screens tells the copy apart.
    reviewer_client = _login_as(app, "second@example.com")
    for page in (f"/review/{copy_task.id}", f"/documents/{copy_id}", "/"):
        html = reviewer_client.get(page, **BASE).get_data(as_text=True)
        assert "gold" not in html.lower(), page
    reviewer_client.post(f"/review/{copy_task.id}/release", **BASE, data={"csrf_token": csrf_from(html)})

    # The second reviewer leaves the printed vendor name: every other field is right, the vendor is wrong.
    reviewed = []
    for _ in range(2):
        reviewed.append(_review(runtime, second_reviewer))
    assert sorted(reviewed) == sorted([second, copy_id])
    with runtime.session() as session:
        scores = {s.field: s for s in session.scalars(select(GoldScore))}
        assert set(scores) == {f.name for f in session.get(Document, copy_id).fields}
        assert {s.user_id for s in scores.values()} == {second_reviewer}
        assert not scores["vendor"].correct and scores["vendor"].expected == CANONICAL
        assert all(s.correct for name, s in scores.items() if name != "vendor")
        assert session.get(GoldCopy, copy_id).scored_at is not None
        # The copy taught the memory nothing and told no integrator anything.
        assert session.scalar(select(func.count()).where(MemoryRecord.document_id == copy_id)) == 0
        assert session.scalar(select(func.count()).where(WebhookDelivery.document_id == copy_id)) == 0
        assert copy_id not in {d.id for d in final_documents(session)}
    n_fields = len(scores)

    # Reviewer accuracy: admins only, per field.
    assert analyst.get("/admin/reviewers", **BASE).status_code == 403
    page = client.get("/admin/reviewers", **BASE).get_data(as_text=True)
    row = page.split('data-user="second@example.com"')[1].split("</tr>")[0]
    assert f"({n_fields - 1}/{n_fields};" in row.split('class="overall"')[1].split("</td>")[0]
    vendor_cell = " ".join(row.split('data-field="vendor"')[1].split("</td>")[0].split())
    assert "0% <span" in vendor_cell and "(0/1;" in vendor_cell
    assert 'data-user="first@example.com"' not in page  # the first reviewer was never scored

    # Dashboard and metrics count the documents people sent, not the copies.
    data = client.get("/dashboard/data?days=30", **BASE).get_json()
    assert data["volume"]["documents"] == 2
    metrics = client.get("/metrics", **BASE).get_data(as_text=True)
    assert 'docloop_documents{status="completed"} 2.0' in metrics

    # Erasing the gold document erases its copies and every stored answer and scored value.
    erase_document(runtime, source)
    with runtime.session() as session:
        assert session.get(Document, copy_id).status == DocumentStatus.DELETED
        assert session.scalar(select(func.count()).where(FieldValue.document_id == copy_id)) == 0
        gold = session.scalars(select(GoldDocument)).one()
        assert not gold.active and gold.answers == {}
        assert all(s.expected is None and s.given is None for s in session.scalars(select(GoldScore)))


def test_a_document_no_person_reviewed_cannot_be_gold(runtime, worker, app):  # type: ignore[no-untyped-def]
    make_user(runtime, "admin@example.com", Role.ADMIN)
    reviewer = make_user(runtime, "rev@example.com")
    document = ingest_pdf(runtime, invoice_pdf(number="INV-3101"))
    worker()
    client = _login_as(app, "admin@example.com")
    assert _post(client, "/admin/gold", {"document_id": document}) == 302
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(GoldDocument)) == 0
    assert "Only completed documents" in client.get("/admin/gold", **BASE).get_data(as_text=True)

    # Once reviewed it can be; a copy queued by hand is scored even when the reviewer rejects it.
    _review(runtime, reviewer)
    assert _post(client, "/admin/gold", {"document_id": document}) == 302
    with runtime.session() as session:
        gold_id = session.scalars(select(GoldDocument.id)).one()
    assert _post(client, f"/admin/gold/{gold_id}/copy", {}) == 302
    with runtime.session() as session:
        user = session.get(User, reviewer)
        task = claim_next(session, user, runtime.settings)
        assert task is not None and session.get(GoldCopy, task.document_id) is not None
        reject(session, task.id, user, runtime.settings, reason="illegible")
    with runtime.session() as session:
        scores = session.scalars(select(GoldScore)).all()
        assert scores and not any(s.correct for s in scores)
