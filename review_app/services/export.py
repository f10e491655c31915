"""Exports of final documents: one JSON line each with predicted and final values."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from review_app.db import utcnow
from review_app.models import Document, DocumentStatus, Extraction
from review_app.services.gold import not_a_gold_copy

FINAL_STATUSES = (DocumentStatus.COMPLETED,)
BATCH = 500


def final_documents(session: Session, doc_type: str | None = None) -> Iterator[Document]:
    """Completed documents in id order, fetched in batches so memory stays flat."""
    last_id = 0
    while True:
        query = (
            select(Document)
            .where(Document.status.in_(FINAL_STATUSES), Document.id > last_id, not_a_gold_copy())
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


def vendor_of(document: Document) -> str:
    """The document's vendor as confirmed (its vendor or company field, squashed), "" when it has none."""
    for field in document.fields:
        if field.name in {"vendor", "company"} and field.final_value:
            return re.sub(r"[^A-Z0-9]", "", field.final_value.upper())
    return ""


def split_of(document: Document, vendor: str, test_share: float) -> str:
    """ "train" or "test", decided by a hash of the vendor (of the document when it has no vendor), so a
    vendor never sits on both sides and the split is the same on every export."""
    key = f"{document.doc_type}:{vendor or document.sha256}"
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 10_000
    return "test" if bucket < round(test_share * 10_000) else "train"


def export_record(document: Document, test_share: float = 0.0) -> dict[str, Any]:
    """The export line of one final document."""
    extraction: Extraction | None = document.extraction
    vendor = vendor_of(document)
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
        "extractor_version": extraction.extractor_version if extraction else None,
        "vendor": vendor,
        "split": split_of(document, vendor, test_share),
    }


def write_jsonl(
    session: Session, out: TextIO, doc_type: str | None = None, test_share: float = 0.0
) -> dict[str, Any]:
    """Write one line per final document (streamed in batches); returns what the manifest records."""
    counts: Counter[str] = Counter()
    vendors: dict[str, set[str]] = {"train": set(), "test": set()}
    versions: set[str] = set()
    for document in final_documents(session, doc_type):
        record = export_record(document, test_share)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        counts[record["split"]] += 1
        if record["vendor"]:
            vendors[record["split"]].add(record["vendor"])
        if record["extractor_version"]:
            versions.add(record["extractor_version"])
    return {
        "documents": sum(counts.values()),
        "splits": {
            name: {"documents": counts[name], "vendors": len(vendors[name])} for name in ("train", "test")
        },
        "extractor_versions": sorted(versions),
    }


def write_manifest(path: Path, summary: dict[str, Any], *, doc_type: str | None, test_share: float) -> Path:
    """The snapshot's manifest beside it: what was exported, how it was split, and its checksum."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    manifest = path.with_name(path.name + ".manifest.json")
    manifest.write_text(
        json.dumps(
            {
                "format": "docloop-jsonl/1",
                "file": path.name,
                "sha256": digest.hexdigest(),
                "created_at": utcnow().isoformat(),
                "filters": {"doc_type": doc_type, "status": "completed"},
                "split": {"test_share": test_share, "grouped_by": "vendor"},
                **summary,
            },
            indent=2,
        )
    )
    return manifest
