"""Reading documents back: the API's representation of a document, its fields and its review state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_app.exceptions import NotFound
from review_app.models import Document, DocumentStatus, ReviewTask, TaskStatus


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def get_document(session: Session, document_id: int) -> Document:
    """A document by id, or a 404."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"Document {document_id} does not exist.", code="document_not_found")
    return document


def open_tasks(session: Session, document_id: int) -> list[ReviewTask]:
    """The document's tasks that still wait for a person."""
    return list(
        session.scalars(
            select(ReviewTask)
            .where(
                ReviewTask.document_id == document_id,
                ReviewTask.status.in_([TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.ESCALATED]),
            )
            .order_by(ReviewTask.id)
        )
    )


def document_view(session: Session, document: Document, *, just_ingested: bool = False) -> dict[str, Any]:
    """The document as the API returns it. A document `just_ingested` has no pages, fields or tasks yet,
    so none are looked up (this is the hot path of uploads)."""
    extraction = None if just_ingested else document.extraction
    fields = [] if just_ingested else document.fields
    final = document.status == DocumentStatus.COMPLETED
    return {
        "id": document.id,
        "status": str(document.status),
        "doc_type": document.doc_type,
        "filename": document.filename,
        "media_type": document.media_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "external_id": document.external_id,
        "metadata": document.meta or {},
        "callback_url": document.callback_url,
        "due_at": _iso(document.due_at),
        "priority": document.priority,
        "duplicate_of": document.duplicate_of_id,
        "created_at": _iso(document.created_at),
        "updated_at": _iso(document.updated_at),
        "processed_at": _iso(document.processed_at),
        "finalized_at": _iso(document.finalized_at),
        "deleted_at": _iso(document.deleted_at),
        "version": document.version,
        "error": {"code": document.error_code, "message": document.error_message}
        if document.error_code
        else None,
        "fields": [
            {
                "name": f.name,
                "type": f.field_type,
                "value": f.value,
                "normalized": f.normalized,
                "confidence": round(f.confidence, 4),
                "page": f.page,
                "box": f.box,
                "source": f.source,
                "flags": f.flags,
                "status": str(f.status),
                "final_value": f.final_value,
                "corrected": f.corrected,
            }
            for f in fields
        ],
        "review": {
            "route": extraction.route if extraction else None,
            "reasons": extraction.reasons if extraction else [],
            "high_consequence": document.high_consequence,
            "audit_sample": document.audit_sample,
            "open_tasks": [
                {"id": t.id, "stage": t.stage, "status": str(t.status), "due_at": _iso(t.due_at)}
                for t in ([] if just_ingested else open_tasks(session, document.id))
            ],
        },
        "final": {f.name: f.final_value for f in fields} if final else None,
    }


def webhook_view(document: Document) -> dict[str, Any]:
    """What a webhook says about a document: enough to act on without calling back."""
    final = document.status == DocumentStatus.COMPLETED
    return {
        "id": document.id,
        "status": str(document.status),
        "doc_type": document.doc_type,
        "external_id": document.external_id,
        "metadata": document.meta or {},
        "error": {"code": document.error_code, "message": document.error_message}
        if document.error_code
        else None,
        "fields": {
            f.name: {"value": f.normalized, "confidence": round(f.confidence, 4)} for f in document.fields
        },
        "final": {f.name: f.final_value for f in document.fields} if final else None,
    }


PENDING_STATES = (DocumentStatus.QUEUED, DocumentStatus.PROCESSING, DocumentStatus.REVIEW)


def result_view(document: Document) -> tuple[dict[str, Any], bool]:
    """The document's outcome, and whether it is final (completed, rejected, failed or deleted)."""
    status = DocumentStatus(document.status)
    final = status not in PENDING_STATES
    body: dict[str, Any] = {
        "id": document.id,
        "status": str(status),
        "final": final,
        "external_id": document.external_id,
    }
    if status == DocumentStatus.COMPLETED:
        body["fields"] = {f.name: f.final_value for f in document.fields}
    elif final:
        body["error"] = {"code": document.error_code, "message": document.error_message}
    else:
        body["message"] = {
            DocumentStatus.QUEUED: "Waiting for a worker.",
            DocumentStatus.PROCESSING: "Being read and extracted.",
            DocumentStatus.REVIEW: "Waiting for a person to review it.",
        }[status]
    return body, final
