"""The learning loop in production: a confirmed correction is remembered in the database and the very next
document of the same vendor comes out with it, without retraining; erasure forgets it."""

from __future__ import annotations

from sqlalchemy import select

from review_app.models import Document, FieldValue, MemoryRecord, ReviewTask, User
from review_app.services.erasure import erase_document
from review_app.services.review import submit
from review_app.services.tasks import claim_next
from tests.helpers import ingest_pdf, invoice_pdf, make_user

CANONICAL = "ACME WIDGETS LIMITED"  # how the team files this vendor; the invoices print "Acme Widgets Ltd"


def _vendor(runtime, document_id: int) -> tuple[str | None, list[str]]:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        field = session.scalars(
            select(FieldValue).where(FieldValue.document_id == document_id, FieldValue.name == "vendor")
        ).one()
        return field.normalized, list(field.source)


def _confirm_with_canonical_vendor(runtime, document_id: int, user_id: int) -> None:  # type: ignore[no-untyped-def]
    with runtime.session() as session:
        user = session.get(User, user_id)
        task = claim_next(session, user, runtime.settings)
        assert task is not None and task.document_id == document_id
        document = session.get(Document, document_id)
        values = {f.name: f.normalized for f in document.fields if f.position == 0}
        values["vendor"] = CANONICAL
        submit(
            session,
            task.id,
            user,
            runtime.settings,
            runtime.schema("invoice"),
            values,
            expected_version=document.version,
            accept_warnings=True,
        )


def test_a_correction_is_used_by_the_next_document_of_the_vendor(runtime, worker):  # type: ignore[no-untyped-def]
    reviewer = make_user(runtime)
    first = ingest_pdf(runtime, invoice_pdf(number="INV-2001", total="120.00"))
    worker()
    before, _ = _vendor(runtime, first)
    assert before != CANONICAL  # the extractor alone reads the printed name
    _confirm_with_canonical_vendor(runtime, first, reviewer)
    with runtime.session() as session:
        record = session.scalars(select(MemoryRecord)).one()
        assert record.document_id == first and record.doc_type == "invoice"
        assert record.entry["values"]["vendor"] == CANONICAL

    second = ingest_pdf(runtime, invoice_pdf(number="INV-2002", total="75.50", tax="12.58", subtotal="62.92"))
    worker()
    after, cues = _vendor(runtime, second)
    assert after == CANONICAL
    assert "memory" in cues

    # Erasure forgets: a third invoice no longer gets the remembered name.
    erase_document(runtime, first)
    with runtime.session() as session:
        assert session.scalars(select(MemoryRecord)).all() == []
        assert session.scalars(select(ReviewTask).where(ReviewTask.document_id == second)).one()
    third = ingest_pdf(runtime, invoice_pdf(number="INV-2003", total="10.00", tax="1.67", subtotal="8.33"))
    worker()
    assert _vendor(runtime, third)[0] == before
