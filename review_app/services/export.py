"""Exports of final documents: full records (words and boxes, predicted and final values, reviewers,
timings), streamed in batches, split by vendor, optionally redacted, with a manifest."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from extractors.schema import Schema
from review_app.db import utcnow
from review_app.models import Document, DocumentStatus, Extraction, FieldValue, Page, ReviewTask
from review_app.services.dataset_formats import RawJSON
from review_app.services.gold import not_a_gold_copy
from review_app.services.redaction import Redactor

FINAL_STATUSES = (DocumentStatus.COMPLETED,)
BATCH = 500


@dataclass
class ExportDocument:
    """What an export reads of a document: its own columns, its fields, pages and extraction, as plain rows
    (read with Core, not the ORM, which cost most of an export's time in benchmarks/export_snapshot.py)."""

    id: int
    external_id: str | None
    doc_type: str
    sha256: str
    filename: str
    finalized_at: Any
    fields: list[Any] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)
    extraction: Any = None


FIELD_COLUMNS = (
    FieldValue.document_id,
    FieldValue.name,
    FieldValue.field_type,
    FieldValue.value,
    FieldValue.normalized,
    FieldValue.confidence,
    FieldValue.page,
    FieldValue.box,
    FieldValue.final_value,
    FieldValue.corrected,
    FieldValue.status,
    FieldValue.reviewed_by_id,
)
PAGE_COLUMNS = (
    Page.document_id,
    Page.number,
    Page.width,
    Page.height,
    Page.source,
    Page.rotation,
)
# How an export reads page words: parsed (to redact or re-shape them), as the stored JSON text (spliced into
# a JSONL line unparsed: a third of the time of a plain export), or not at all (CSV has no words).
WORDS_PARSED, WORDS_RAW, WORDS_NONE = "parsed", "raw", "none"
EXTRACTION_COLUMNS = (
    Extraction.document_id,
    Extraction.route,
    Extraction.extractor_version,
    Extraction.read_ms,
    Extraction.extract_ms,
)


def final_batches(
    session: Session, doc_type: str | None = None, words: str = WORDS_PARSED
) -> Iterator[list[ExportDocument]]:
    """Completed documents in id order, in batches with their fields, pages and extraction, so memory
    stays flat however many there are."""
    last_id = 0
    while True:
        query = (
            select(
                Document.id,
                Document.external_id,
                Document.doc_type,
                Document.sha256,
                Document.filename,
                Document.finalized_at,
            )
            .where(Document.status.in_(FINAL_STATUSES), Document.id > last_id, not_a_gold_copy())
            .order_by(Document.id)
            .limit(BATCH)
        )
        if doc_type:
            query = query.where(Document.doc_type == doc_type)
        batch = {row.id: ExportDocument(*row) for row in session.execute(query)}
        if not batch:
            return
        ids = list(batch)
        for row in session.execute(
            select(*FIELD_COLUMNS)
            .where(FieldValue.document_id.in_(ids))
            .order_by(FieldValue.document_id, FieldValue.position)
        ):
            batch[row.document_id].fields.append(row)
        word_column = {
            WORDS_PARSED: [Page.words, Page.alternates],
            WORDS_RAW: [
                cast(Page.words, Text).label("words"),
                cast(Page.alternates, Text).label("alternates"),
            ],
            WORDS_NONE: [],
        }[words]
        for row in session.execute(
            select(*PAGE_COLUMNS, *word_column)
            .where(Page.document_id.in_(ids))
            .order_by(Page.document_id, Page.number)
        ):
            batch[row.document_id].pages.append(row)
        for row in session.execute(select(*EXTRACTION_COLUMNS).where(Extraction.document_id.in_(ids))):
            batch[row.document_id].extraction = row
        yield list(batch.values())
        last_id = ids[-1]


def final_documents(session: Session, doc_type: str | None = None) -> Iterator[ExportDocument]:
    """Completed documents in id order, fetched in batches so memory stays flat."""
    for batch in final_batches(session, doc_type):
        yield from batch


def review_seconds(session: Session, document_ids: list[int]) -> dict[int, float]:
    """Time people spent on each document's review tasks."""
    rows = session.execute(
        select(ReviewTask.document_id, func.sum(ReviewTask.handling_seconds))
        .where(ReviewTask.document_id.in_(document_ids), ReviewTask.handling_seconds.is_not(None))
        .group_by(ReviewTask.document_id)
    )
    return {document_id: float(seconds or 0.0) for document_id, seconds in rows}


def pseudonymizer(secret: str) -> Callable[[int | None], str | None]:
    """Reviewer ids as stable pseudonyms: the same person gets the same name in every export made with the
    same secret key, and the name does not reveal who it is."""

    def pseudonym(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        digest = hmac.new(secret.encode(), f"reviewer:{user_id}".encode(), hashlib.sha256).hexdigest()
        return "reviewer-" + digest[:12]

    return pseudonym


def vendor_of(document: ExportDocument) -> str:
    """The document's vendor as confirmed (its vendor or company field, squashed), "" when it has none."""
    for value in document.fields:
        if value.name in {"vendor", "company"} and value.final_value:
            return re.sub(r"[^A-Z0-9]", "", value.final_value.upper())
    return ""


def split_of(document: ExportDocument, vendor: str, test_share: float) -> str:
    """ "train" or "test", decided by a hash of the vendor (of the document when it has no vendor), so a
    vendor never sits on both sides and the split is the same on every export."""
    return split_for_key(f"{document.doc_type}:{vendor or document.sha256}", test_share)


def split_for_key(key: str, test_share: float) -> str:
    """ "test" for about `test_share` of keys, by their hash alone (exports and `docloop evaluate`)."""
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 10_000
    return "test" if bucket < round(test_share * 10_000) else "train"


@dataclass(frozen=True)
class RecordOptions:
    """How records are made: the split, the reviewer pseudonyms, and the redaction if any."""

    test_share: float = 0.0
    pseudonym: Callable[[int | None], str | None] = lambda _user_id: None
    redactor: Redactor | None = None


def export_record(
    document: ExportDocument, options: RecordOptions | None = None, seconds_in_review: float = 0.0
) -> dict[str, Any]:
    """The full export record of one final document: words and boxes, predicted and final values with
    where they stood, corrected flags, pseudonymous reviewers and timings."""
    options = options or RecordOptions()
    extraction = document.extraction
    vendor = vendor_of(document)
    clean = options.redactor.text if options.redactor else (lambda text: text)
    clean_words = options.redactor.words if options.redactor else (lambda words: words)
    return {
        "document_id": document.id,
        "external_id": clean(document.external_id),
        "doc_type": document.doc_type,
        "sha256": document.sha256,
        "filename": clean(document.filename),
        "finalized_at": document.finalized_at.isoformat() if document.finalized_at else None,
        "route": extraction.route if extraction else None,
        "pages": [
            {
                "number": page.number,
                "width": page.width,
                "height": page.height,
                "source": page.source,
                "rotation": page.rotation,
                "words": _words(page, clean_words),
                **_alternates(page, clean_words),
            }
            for page in document.pages
        ],
        "fields": [
            {
                "name": f.name,
                "type": f.field_type,
                "printed": clean(f.value),
                "predicted": clean(f.normalized),
                "confidence": round(f.confidence, 4),
                "page": f.page,
                "box": f.box,
                "final": clean(f.final_value),
                "corrected": f.corrected,
                "status": str(f.status),
                "reviewer": options.pseudonym(f.reviewed_by_id),
            }
            for f in document.fields
        ],
        "predicted": {
            f.name: {"value": clean(f.normalized), "confidence": round(f.confidence, 4)}
            for f in document.fields
        },
        "final": {f.name: clean(f.final_value) for f in document.fields},
        "corrected": [f.name for f in document.fields if f.corrected],
        "timings": {
            "read_ms": extraction.read_ms if extraction else None,
            "extract_ms": extraction.extract_ms if extraction else None,
            "review_seconds": round(seconds_in_review, 1),
        },
        "extractor_version": extraction.extractor_version if extraction else None,
        "vendor": vendor,
        "split": split_of(document, vendor, options.test_share),
    }


def _words(page: Any, clean: Callable[[Any], Any]) -> Any:
    words = getattr(page, "words", None)
    if words is None:
        return []
    return RawJSON(words) if isinstance(words, str) else clean(words)


def _alternates(page: Any, clean: Callable[[Any], Any]) -> dict[str, Any]:
    """The words of the page's further OCR readings, redacted like its words; nothing when read once."""
    alternates = getattr(page, "alternates", None)
    if not alternates:
        return {}
    if isinstance(alternates, str):
        return {"alternates": RawJSON(alternates)}
    return {"alternates": [clean(words) for words in alternates]}


def export_records(
    session: Session,
    doc_type: str | None = None,
    options: RecordOptions | None = None,
    words: str = WORDS_PARSED,
) -> Iterator[dict[str, Any]]:
    """Every final document's record, streamed batch by batch."""
    for batch in final_batches(session, doc_type, words):
        seconds = review_seconds(session, [d.id for d in batch])
        for document in batch:
            yield export_record(document, options, seconds.get(document.id, 0.0))


class Tally:
    """Counts what passes through an export, for its manifest: documents and vendors per split, extractor
    versions."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.vendors: dict[str, set[str]] = {"train": set(), "test": set()}
        self.versions: set[str] = set()

    def watch(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Pass records through, counting them."""
        for record in records:
            self.counts[record["split"]] += 1
            if record["vendor"]:
                self.vendors[record["split"]].add(record["vendor"])
            if record["extractor_version"]:
                self.versions.add(record["extractor_version"])
            yield record

    def summary(self) -> dict[str, Any]:
        """What the manifest records about the documents."""
        return {
            "documents": sum(self.counts.values()),
            "splits": {
                name: {"documents": self.counts[name], "vendors": len(self.vendors[name])}
                for name in ("train", "test")
            },
            "extractor_versions": sorted(self.versions),
        }


def field_names(schemas: Iterable[Schema]) -> list[str]:
    """The fields of the exported types, in schema order (CSV columns, chat answers)."""
    names: list[str] = []
    for schema in schemas:
        names += [spec.name for spec in schema.fields if spec.name not in names]
    return names


def file_sha256(path: Path) -> str:
    """The checksum of one exported file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(
    path: Path,
    summary: dict[str, Any],
    *,
    doc_type: str | None,
    test_share: float,
    fmt: str = "jsonl",
    files: list[Path] | None = None,
    manifest: Path | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """The snapshot's manifest: what was exported, how it was split, and the checksum of every file."""
    files = files or [path]
    manifest = manifest or path.with_name(path.name + ".manifest.json")
    manifest.write_text(
        json.dumps(
            {
                "format": f"docloop-{fmt}/1",
                "file": path.name,
                "sha256": file_sha256(path) if path.is_file() else None,
                "files": {str(f.relative_to(manifest.parent)): file_sha256(f) for f in files},
                "created_at": utcnow().isoformat(),
                "filters": {"doc_type": doc_type, "status": "completed"},
                "split": {"test_share": test_share, "grouped_by": "vendor"},
                **summary,
                **(extra or {}),
            },
            indent=2,
        )
    )
    return manifest
