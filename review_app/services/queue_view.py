"""The review queue as people see it: filtered, ordered, counted by reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from review_app.db import utcnow
from review_app.models import Document, ReviewTask, TaskReason, TaskStatus

LIVE = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.ESCALATED)
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    """What the reviewer narrowed the queue to."""

    doc_type: str | None = None
    reason: str | None = None
    status: str | None = None
    older_than_hours: float | None = None


def _filtered(query, f: QueueFilter, now: datetime):  # type: ignore[no-untyped-def]
    statuses = [TaskStatus(f.status)] if f.status in {s.value for s in LIVE} else list(LIVE)
    query = query.where(ReviewTask.status.in_(statuses))
    if f.doc_type:
        query = query.where(Document.doc_type == f.doc_type)
    if f.reason:
        query = query.where(ReviewTask.id.in_(select(TaskReason.task_id).where(TaskReason.code == f.reason)))
    if f.older_than_hours:
        query = query.where(ReviewTask.created_at < now - timedelta(hours=f.older_than_hours))
    return query


def list_tasks(session: Session, f: QueueFilter, page: int = 1) -> list[ReviewTask]:
    """One page of live tasks in working order (earliest effective due time first)."""
    now = utcnow()
    query = select(ReviewTask).join(Document, Document.id == ReviewTask.document_id)
    query = _filtered(query, f, now).options(joinedload(ReviewTask.document))
    query = (
        query.order_by(ReviewTask.sort_at, ReviewTask.id)
        .limit(PAGE_SIZE)
        .offset((max(1, page) - 1) * PAGE_SIZE)
    )
    return list(session.scalars(query))


def reason_counts(session: Session, f: QueueFilter) -> dict[str, int]:
    """Live tasks per reason code (within the other filters)."""
    now = utcnow()
    query = select(TaskReason.code, func.count()).join(ReviewTask, ReviewTask.id == TaskReason.task_id)
    if f.doc_type:  # join documents only when the filter needs them
        query = query.join(Document, Document.id == ReviewTask.document_id)
    query = _filtered(
        query, QueueFilter(doc_type=f.doc_type, status=f.status, older_than_hours=f.older_than_hours), now
    ).group_by(TaskReason.code)
    return {code: count for code, count in session.execute(query)}


def queue_totals(session: Session) -> dict[str, int]:
    """Live tasks by status, and how many are past due."""
    now = utcnow()
    totals = {
        str(status): count
        for status, count in session.execute(
            select(ReviewTask.status, func.count())
            .where(ReviewTask.status.in_(LIVE))
            .group_by(ReviewTask.status)
        )
    }
    totals["past_due"] = (
        session.scalar(
            select(func.count())
            .select_from(ReviewTask)
            .where(ReviewTask.status.in_(LIVE), ReviewTask.due_at < now)
        )
        or 0
    )
    return totals
