"""Review tasks (what waits for a person) and review events (the audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base, TaskStatus
from review_app.models.documents import Document

LIVE_SQL = "status IN ('open', 'claimed', 'escalated')"


class ReviewTask(Base):
    __tablename__ = "review_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(Integer, default=1)  # 2 = the second pair of eyes
    status: Mapped[TaskStatus] = mapped_column(String(16), default=TaskStatus.OPEN)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Queue order: the due time pulled earlier by consequence and uncertainty; indexed so "next" is cheap.
    sort_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Four eyes: the reviewer of stage 1 may not take stage 2.
    excluded_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handling_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()

    __table_args__ = (
        Index("ix_review_tasks_status_sort", "status", "sort_at"),
        # The queue and "next task" read live tasks in working order: a partial index serves them without
        # sorting every live task (measured in benchmarks/queue_latency.py).
        Index(
            "ix_review_tasks_live_order",
            "sort_at",
            "id",
            postgresql_where=text(LIVE_SQL),
            sqlite_where=text(LIVE_SQL),
        ),
        # One task per document and stage: a retried job cannot queue the same review twice.
        Index("uq_review_tasks_document_stage", "document_id", "stage", unique=True),
    )


class TaskReason(Base):
    """One reason of a task, in its own row so the queue can filter and count by reason with an index."""

    __tablename__ = "task_reasons"

    task_id: Mapped[int] = mapped_column(ForeignKey("review_tasks.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (Index("ix_task_reasons_code", "code", "task_id"),)


class ReviewEvent(Base):
    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("review_tasks.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
