"""Retrieval memory in the application: each document a person confirmed is remembered in the database,
and every worker keeps an in-process index that it brings up to date before each job, so a correction
helps the very next document of the same vendor without any retraining."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from extractors.memory import Memory, MemoryEntry
from extractors.schema import Schema
from extractors.types import Page as PageResult
from extractors.types import words_of_rows
from review_app.models import MemoryRecord, Page
from review_app.services.strategies import memory_entry


def pages_of(session: Session, document_id: int) -> tuple[PageResult, ...]:
    """A stored document's pages as the extractors see them."""
    rows = session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number))
    return tuple(
        PageResult(
            number=row.number,
            width=row.width,
            height=row.height,
            words=words_of_rows(row.words),
            alternates=tuple(words_of_rows(words) for words in row.alternates or ()),
            source=row.source,
            flags=tuple(row.flags or ()),
            rotation=row.rotation or 0.0,
        )
        for row in rows
    )


def remember(session: Session, document_id: int, schema: Schema, final: dict[str, str | None]) -> None:
    """Store (or replace) the memory entry of a document whose values a person confirmed."""
    pages = pages_of(session, document_id)
    if not pages:
        return
    entry = memory_entry(str(document_id), pages, schema, final)
    session.execute(delete(MemoryRecord).where(MemoryRecord.document_id == document_id))
    session.add(
        MemoryRecord(
            document_id=document_id, doc_type=schema.name, vendor=entry.vendor[:255], entry=entry.to_json()
        )
    )


def forget(session: Session, document_id: int) -> None:
    """Drop a document from memory (erasure)."""
    session.execute(delete(MemoryRecord).where(MemoryRecord.document_id == document_id))


class MemoryIndex:
    """A worker's copy of the memory. New rows are loaded by id; when the table lost rows (erasure) the
    copy is rebuilt, since rows are only ever added or deleted."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.memory = Memory()
        self._last_id = 0
        self._loaded: set[int] = set()

    def refresh(self, session: Session) -> Memory:
        """Bring the index up to date with the database (one cheap query when nothing changed)."""
        count, newest = session.execute(select(func.count(), func.max(MemoryRecord.id))).one()
        if (newest or 0) < self._last_id or count < len(self._loaded):
            self._reset()  # rows were deleted: start again from the table
        if (newest or 0) > self._last_id:
            rows = session.execute(
                select(MemoryRecord.id, MemoryRecord.entry)
                .where(MemoryRecord.id > self._last_id)
                .order_by(MemoryRecord.id)
            )
            for row_id, entry in rows:
                self.memory.add(MemoryEntry.from_json(entry))
                self._loaded.add(row_id)
                self._last_id = row_id
        if count != len(self._loaded):  # a row was deleted and another added since the last look
            self._reset()
            return self.refresh(session)
        return self.memory
