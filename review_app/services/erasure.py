"""Erasure: a document's bytes, page images, words and values are removed; a tombstone stays for audit."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from review_app.db import utcnow
from review_app.models import Document, DocumentStatus, FieldValue, Page, ReviewTask, TaskStatus
from review_app.runtime import Runtime
from review_app.services import audit
from review_app.services.gold import retire_for_erasure
from review_app.services.memory import forget
from review_app.services.page_images import delete_page_images


def erase_document(
    runtime: Runtime, document_id: int, *, api_key_id: int | None = None, user_id: int | None = None
) -> None:
    """Erase everything the document told us; keep who uploaded and erased it, and when."""
    with runtime.session() as session:
        copies = retire_for_erasure(session, document_id)
    # Gold copies carry the same content: they go first, so the bytes are freed once the source goes too.
    for copy_id in copies:
        erase_document(runtime, copy_id, api_key_id=api_key_id, user_id=user_id)
    with runtime.session() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None or document.deleted_at is not None:
            return
        sha256, words_sha = document.sha256, document.words_sha256
        session.execute(delete(FieldValue).where(FieldValue.document_id == document_id))
        session.execute(delete(Page).where(Page.document_id == document_id))
        forget(session, document_id)
        for task in session.scalars(select(ReviewTask).where(ReviewTask.document_id == document_id)):
            if task.status in {TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.ESCALATED}:
                task.status = TaskStatus.CANCELLED
                task.assignee_id = None
        if document.extraction is not None:
            session.delete(document.extraction)
        document.status = DocumentStatus.DELETED
        document.deleted_at = utcnow()
        document.filename = "(erased)"
        document.meta = {}
        document.external_id = None
        document.words_sha256 = None
        document.error_code = document.error_message = None
        document.touch()
        audit.record(
            session,
            document_id,
            "erased",
            api_key_id=api_key_id,
            user_id=user_id,
            after={"erased_at": document.deleted_at.isoformat()},
        )
        session.flush()
        # Bytes are shared by content: remove them only when no live document still points at them.
        still_used = (
            session.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.sha256 == sha256, Document.deleted_at.is_(None))
            )
            or 0
        )
        words_used = (
            session.scalar(
                select(func.count()).select_from(Document).where(Document.words_sha256 == words_sha)
            )
            if words_sha
            else 0
        )
    if not still_used:
        runtime.blobs.delete(sha256)
        delete_page_images(runtime, document)
    if words_sha and not words_used:
        runtime.blobs.delete(words_sha)
