"""Small helpers the tests share: logging in through the real form, API headers, sample files."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from review_app.db import dispose_all
from review_app.models import Role
from review_app.runtime import Runtime
from review_app.services.accounts import create_api_key, create_user

BASE = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/"}}
PASSWORD = "correct horse battery"


def make_user(runtime: Runtime, email: str = "rev@example.com", role: Role = Role.REVIEWER) -> int:
    """Create a user with the shared test password; returns its id."""
    with runtime.session() as session:
        return create_user(session, email, PASSWORD, role).id


def make_key(runtime: Runtime, scopes: list[str] | None = None) -> str:
    """Create an API key (all scopes unless given); returns the secret."""
    with runtime.session() as session:
        return create_api_key(
            session, "test", scopes or ["documents:write", "documents:read", "reviews:write", "exports:read"]
        ).secret


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page carries no CSRF token"
    return match.group(1)


def login(client, email: str = "rev@example.com", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the real form (CSRF included); returns the response."""
    page = client.get("/login", **BASE)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}, **BASE
    )


def bearer(secret: str) -> dict[str, str]:
    """Authorization header for an API key."""
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def postgres_schema(base_url: str, prefix: str = "docloop_test") -> Iterator[str]:
    """A private, empty schema in the PostgreSQL of `base_url`; yields a URL that uses it, drops it after."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed_document(session, n: int, doc_type: str, status: str):  # type: ignore[no-untyped-def]
    """A one-page PDF document row, numbered `n` (its content hash and file name come from it), flushed."""
    from review_app.models import Document

    document = Document(
        sha256=f"{n:064x}",
        filename=f"seed-{n}.pdf",
        media_type="application/pdf",
        size_bytes=100,
        doc_type=doc_type,
        status=status,
        page_count=1,
    )
    session.add(document)
    session.flush()
    return document


def seed_review_tasks(runtime: Runtime, count: int, doc_type: str = "receipt") -> list[int]:
    """Documents waiting in review with one open task each (no worker needed); returns the task ids."""
    from review_app.models import DocumentStatus, FieldValue
    from review_app.services.tasks import open_review_task

    ids = []
    with runtime.session() as session:
        for n in range(count):
            document = seed_document(session, n, doc_type, DocumentStatus.REVIEW)
            session.add(
                FieldValue(
                    document_id=document.id,
                    name="total",
                    field_type="amount",
                    value="1.00",
                    normalized="1.00",
                    confidence=0.5,
                )
            )
            session.flush()
            task = open_review_task(
                session,
                document,
                [{"code": "low_confidence", "field": "total", "detail": ""}],
                stage=1,
                settings=runtime.settings,
            )
            ids.append(task.id)
    return ids


def invoice_pdf(
    vendor: str = "Acme Widgets Ltd",
    number: str = "INV-1001",
    issued: str = "03/05/2024",
    due: str = "02/06/2024",
    subtotal: str = "100.00",
    tax: str = "20.00",
    total: str = "120.00",
    extra_lines: tuple[str, ...] = (),
) -> bytes:
    """A one-page text-layer invoice drawn with reportlab (deterministic bytes)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, vendor)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, "1 High Street, Leeds LS1 1AA")
    pdf.drawString(330, height - 110, "Invoice No:")
    pdf.drawString(420, height - 110, number)
    pdf.drawString(330, height - 125, "Date:")
    pdf.drawString(420, height - 125, issued)
    pdf.drawString(330, height - 140, "Due Date:")
    pdf.drawString(420, height - 140, due)
    y = height - 200
    for line in extra_lines:
        pdf.drawString(50, y, line)
        y -= 16
    pdf.drawString(330, 200, "Subtotal")
    pdf.drawRightString(width - 50, 200, subtotal)
    pdf.drawString(330, 184, "Tax 20%")
    pdf.drawRightString(width - 50, 184, tax)
    pdf.drawString(330, 168, "Total (GBP)")
    pdf.drawRightString(width - 50, 168, total)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def ingest_pdf(runtime: Runtime, data: bytes, doc_type: str = "invoice", name: str = "test.pdf") -> int:
    """Store and enqueue a document as the API would; returns its id."""
    from review_app.services.ingest import Upload, ingest

    return ingest(runtime, Upload(data=data, filename=name, doc_type=doc_type)).id


def review_next(runtime: Runtime, user_id: int, values_for=lambda document: {}) -> int | None:  # type: ignore[no-untyped-def]
    """Claim the next task as `user_id` and submit the values `values_for(document)` gives (unnamed fields
    keep the machine's value); returns the document id, or None when nothing waits for this user."""
    from review_app.models import Document, User
    from review_app.services.review import submit
    from review_app.services.tasks import claim_next

    with runtime.session() as session:
        user = session.get(User, user_id)
        task = claim_next(session, user, runtime.settings)
        if task is None:
            return None
        document = session.get(Document, task.document_id)
        submit(
            session,
            task.id,
            user,
            runtime.settings,
            runtime.schema(document.doc_type),
            values_for(document),
            expected_version=document.version,
            accept_warnings=True,
        )
        return document.id
