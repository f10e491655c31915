"""Exports of final documents: one JSON line each with predicted and final values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from review_app.models import Document, DocumentStatus, Extraction

FINAL_STATUSES = (DocumentStatus.COMPLETED,)
BATCH = 500


def final_documents(session: Session, doc_type: str | None = None) -> Iterator[Document]:
    """Completed documents in id order, fetched in batches so memory stays flat."""
    last_id = 0
    while True:
        query = (
            select(Document)
            .where(Document.status.in_(FINAL_STATUSES), Document.id > last_id)
            .options(selectinload(Document.fields), selectinload(Document.extraction))
            .order_by(Document.id)
            .limit(BATCH)
        )
        if doc_type:
            query = query.where(Document.doc_type == doc_type)
        batch = session.scalars(query).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        session.expunge_all()


def export_record(document: Document) -> dict[str, Any]:
    """The export line of one final document."""
    extraction: Extraction | None = document.extraction
    return {
        "document_id": document.id,
        "external_id": document.external_id,
        "doc_type": document.doc_type,
        "sha256": document.sha256,
        "filename": document.filename,
        "finalized_at": document.finalized_at.isoformat() if document.finalized_at else None,
        "route": extraction.route if extraction else None,
        "predicted": {
            f.name: {"value": f.normalized, "confidence": round(f.confidence, 4)} for f in document.fields
        },
        "final": {f.name: f.final_value for f in document.fields},
        "corrected": [f.name for f in document.fields if f.corrected],
    }


def write_jsonl(session: Session, out: TextIO, doc_type: str | None = None) -> int:
    """Write one line per final document; returns how many."""
    count = 0
    for document in final_documents(session, doc_type):
        out.write(json.dumps(export_record(document), ensure_ascii=False) + "\n")
        count += 1
    return count
