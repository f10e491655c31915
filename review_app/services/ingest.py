"""Ingest: check an upload, store its bytes, commit the document, then ask a worker to process it."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors.exceptions import EmptyDocument, ExtractionError, UnknownDocumentType, UnsupportedDocument
from extractors.reading.words_json import parse_words_json
from extractors.sniff import sniff_media_type
from review_app.exceptions import (
    Conflict,
    PayloadTooLarge,
    QueueUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from review_app.models import Document, DocumentStatus
from review_app.queue import enqueue_processing
from review_app.runtime import Runtime
from review_app.services import audit
from review_app.services.gold import not_a_gold_copy
from review_app.services.urls import check_callback_url
from review_app.storage import sha256_hex

log = logging.getLogger(__name__)
MAX_FILENAME = 200
MAX_EXTERNAL_ID = 255


@dataclass(frozen=True)
class Upload:
    """One file as an integrator, the web form or the CLI hands it in."""

    data: bytes
    filename: str
    doc_type: str
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    words: bytes | None = None
    due_at: datetime | None = None
    priority: int = 0
    callback_url: str | None = None
    api_key_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Ingested:
    """What an upload led to: a new document, or an earlier one with the same bytes (duplicate)."""

    document: Document
    duplicate: bool = False


def safe_filename(name: str | None) -> str:
    """A display-safe file name: no directories, no control characters, bounded length."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:MAX_FILENAME] or "upload"


def check_upload(runtime: Runtime, upload: Upload) -> str:
    """Validate an upload without storing anything; returns its media type or raises a 4xx error."""
    settings = runtime.settings
    if not upload.doc_type:
        raise ValidationFailed(
            "doc_type is required.", code="missing_doc_type", details={"known": sorted(runtime.schemas)}
        )
    try:
        runtime.schema(upload.doc_type)
    except UnknownDocumentType as e:
        raise ValidationFailed(e.message, code=e.code, details={"known": sorted(runtime.schemas)}) from e
    if len(upload.data) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is {len(upload.data):,} bytes; the limit is {settings.max_upload_bytes:,}.",
            details={"limit": settings.max_upload_bytes},
        )
    try:
        media_type = sniff_media_type(upload.data[:16])
    except EmptyDocument as e:
        raise ValidationFailed(e.message, code=e.code) from e
    except UnsupportedDocument as e:
        raise UnsupportedMediaType(e.message, code=e.code) from e
    if upload.external_id is not None and len(upload.external_id) > MAX_EXTERNAL_ID:
        raise ValidationFailed(
            f"external_id is longer than {MAX_EXTERNAL_ID} characters.", code="invalid_external_id"
        )
    if upload.words is not None:
        if len(upload.words) > settings.max_words_json_bytes:
            raise PayloadTooLarge(
                f"The words JSON is {len(upload.words):,} bytes; the limit is "
                f"{settings.max_words_json_bytes:,}.",
                code="words_too_large",
            )
        try:
            parse_words_json(upload.words, max_pages=settings.max_pages)
        except ExtractionError as e:
            raise ValidationFailed(e.message, code=e.code) from e
    if upload.callback_url:
        check_callback_url(upload.callback_url, settings)
    return media_type


def earlier_copy(session: Session, digest: str, doc_type: str, api_key_id: int | None) -> Document | None:
    """A live document of the same caller with the same bytes and type, if one was uploaded before."""
    return session.scalar(
        select(Document)
        .where(
            Document.sha256 == digest,
            Document.doc_type == doc_type,
            Document.api_key_id.is_not_distinct_from(api_key_id),
            Document.deleted_at.is_(None),
            Document.duplicate_of_id.is_(None),
            not_a_gold_copy(),
        )
        .order_by(Document.id)
        .limit(1)
    )


def ingest(runtime: Runtime, upload: Upload) -> Document:
    """Store and commit a document, then enqueue it (duplicates are stored as new documents)."""
    return ingest_checked(runtime, upload, duplicate_policy="allow").document


def ingest_checked(runtime: Runtime, upload: Upload, duplicate_policy: str | None = None) -> Ingested:
    """Store and commit a document, then enqueue it. The row is committed before the job exists.

    Identical bytes of the same type from the same caller are a duplicate: with the "link" policy the
    earlier document is answered instead of storing a new one; with "refuse" the upload is a 409.
    """
    media_type = check_upload(runtime, upload)
    policy = duplicate_policy or runtime.settings.duplicate_policy
    digest = sha256_hex(upload.data)
    if policy in {"link", "refuse"}:
        with runtime.session() as session:
            earlier = earlier_copy(session, digest, upload.doc_type, upload.api_key_id)
        if earlier is not None:
            if policy == "refuse":
                raise Conflict(
                    f"These bytes were uploaded before as document {earlier.id}.",
                    code="duplicate_document",
                    details={"document_id": earlier.id},
                )
            return Ingested(document=earlier, duplicate=True)
    runtime.blobs.put(upload.data)
    words_digest = runtime.blobs.put(upload.words) if upload.words is not None else None
    with runtime.session() as session:
        document = Document(
            sha256=digest,
            filename=safe_filename(upload.filename),
            media_type=media_type,
            size_bytes=len(upload.data),
            doc_type=upload.doc_type,
            status=DocumentStatus.QUEUED,
            external_id=upload.external_id,
            meta=upload.metadata,
            words_sha256=words_digest,
            api_key_id=upload.api_key_id,
            due_at=upload.due_at,
            priority=upload.priority,
            callback_url=upload.callback_url,
        )
        session.add(document)
        session.flush()
        audit.record(
            session,
            document.id,
            "ingested",
            user_id=upload.user_id,
            api_key_id=upload.api_key_id,
            after={"sha256": digest, "doc_type": upload.doc_type, "filename": document.filename},
        )
    try:
        enqueue_processing(runtime.settings, document.id, attempt=1)
    except QueueUnavailable:
        # The document is safe in the database; the sweeper enqueues it once Redis answers again.
        log.warning("queue unavailable; document %s left for the sweeper", document.id)
    return Ingested(document=document)
