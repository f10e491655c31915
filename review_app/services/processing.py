"""The database side of processing: claim a document under a lease, then write results once, or fail it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from extractors.types import Extraction as ExtractionResult
from extractors.types import Page as PageResult
from extractors.types import word_rows
from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    FieldStatus,
    FieldValue,
    Page,
    Route,
)
from review_app.runtime import Runtime
from review_app.services import audit
from review_app.services.gold import maybe_insert_copy
from review_app.services.routing import Decision
from review_app.services.tasks import open_review_task
from review_app.services.webhooks import emit

RETRIES_EXHAUSTED = "processing_retries_exhausted"


@dataclass(frozen=True)
class Claim:
    """A worker's right to write a document's results, valid while its token matches."""

    document_id: int
    token: str
    attempt: int


def claim(runtime: Runtime, document_id: int) -> Claim | None:
    """Take a queued document (or one whose processing lease ran out); None if someone else has it."""
    now = utcnow()
    token = secrets.token_hex(16)
    lease = now + timedelta(seconds=runtime.settings.processing_lease_seconds)
    with runtime.session() as session:
        result = session.execute(
            update(Document)
            .where(Document.id == document_id)
            .where(
                or_(
                    Document.status == DocumentStatus.QUEUED,
                    (Document.status == DocumentStatus.PROCESSING) & (Document.lease_expires_at < now),
                )
            )
            .values(
                status=DocumentStatus.PROCESSING,
                claim_token=token,
                lease_expires_at=lease,
                attempts=Document.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        attempts = session.scalar(select(Document.attempts).where(Document.id == document_id))
    if attempts is not None and attempts > runtime.settings.max_processing_attempts:
        fail(
            runtime,
            Claim(document_id, token, attempts),
            RETRIES_EXHAUSTED,
            f"Processing was attempted {attempts - 1} times without finishing (worker crashes or timeouts).",
        )
        return None
    return Claim(document_id=document_id, token=token, attempt=attempts or 1)


def _owned(session, claim_: Claim) -> Document | None:  # type: ignore[no-untyped-def]
    document = session.get(Document, claim_.document_id, with_for_update=True)
    if (
        document is None
        or document.claim_token != claim_.token
        or document.status != DocumentStatus.PROCESSING
    ):
        return None
    return document


def save_results(
    runtime: Runtime,
    claim_: Claim,
    pages: tuple[PageResult, ...],
    extraction: ExtractionResult,
    decision: Decision,
    *,
    read_ms: int,
    extract_ms: int,
) -> bool:
    """Write pages, fields, the route and any review task in one transaction; False if the claim was lost."""
    with runtime.session() as session:
        document = _owned(session, claim_)
        if document is None:
            return False
        now = utcnow()
        for page in pages:
            session.add(
                Page(
                    document_id=document.id,
                    number=page.number,
                    width=page.width,
                    height=page.height,
                    source=page.source,
                    flags=list(page.flags),
                    rotation=round(page.rotation, 3),
                    words=word_rows(page.words),
                    alternates=[word_rows(words) for words in page.alternates] or None,
                )
            )
        session.add(
            Extraction(
                document_id=document.id,
                extractor_version=extraction.extractor_version,
                strategy=Extraction.stored_strategy(extraction.strategy),
                route=decision.route,
                reasons=[r.as_dict() for r in decision.reasons],
                read_ms=read_ms,
                extract_ms=extract_ms,
            )
        )
        auto = decision.route == Route.AUTO
        for position, result in enumerate(extraction.fields):
            session.add(
                FieldValue(
                    document_id=document.id,
                    name=result.name,
                    position=position,
                    field_type=result.type,
                    value=result.value,
                    normalized=result.normalized,
                    confidence=result.confidence,
                    page=result.page,
                    box=list(result.box) if result.box else None,
                    source=list(result.cues),
                    flags=list(result.flags),
                    status=FieldStatus.AUTO_APPROVED if auto else FieldStatus.PENDING,
                    final_value=result.normalized if auto else None,
                )
            )
        document.page_count = len(pages)
        document.processed_at = now
        document.high_consequence = decision.high_consequence
        document.audit_sample = decision.audit_sample
        document.claim_token = None
        document.lease_expires_at = None
        document.error_code = document.error_message = None
        if auto:
            document.status = DocumentStatus.COMPLETED
            document.finalized_at = now
        else:
            document.status = DocumentStatus.REVIEW
            open_review_task(
                session, document, [r.as_dict() for r in decision.reasons], stage=1, settings=runtime.settings
            )
            # Gold copies ride on real review work, so their share of the queue follows the configured rate.
            maybe_insert_copy(session, runtime.settings)
        document.touch()
        session.flush()
        emit(session, document, "document.processed", runtime.settings)
        emit(
            session, document, "document.completed" if auto else "document.review_required", runtime.settings
        )
        audit.record(
            session,
            document.id,
            "processed",
            after={"route": str(decision.route), "reasons": [r.code for r in decision.reasons]},
            attempt=claim_.attempt,
        )
    return True


def fail(runtime: Runtime, claim_: Claim, code: str, message: str) -> bool:
    """End a claimed document as failed with a stable code and a reason a person can act on."""
    with runtime.session() as session:
        document = _owned(session, claim_)
        if document is None:
            return False
        document.status = DocumentStatus.FAILED
        document.error_code = code
        document.error_message = message
        document.claim_token = None
        document.lease_expires_at = None
        document.processed_at = utcnow()
        document.touch()
        emit(session, document, "document.failed", runtime.settings)
        audit.record(
            session, document.id, "failed", after={"code": code, "message": message}, attempt=claim_.attempt
        )
    return True


def release(runtime: Runtime, claim_: Claim) -> None:
    """Give a claimed document back to the queue after an unexpected error, so a retry can take it."""
    with runtime.session() as session:
        document = _owned(session, claim_)
        if document is not None:
            document.status = DocumentStatus.QUEUED
            document.claim_token = None
            document.lease_expires_at = None
