"""Review tasks: open them with a priority, claim them atomically under a lease, renew and release them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from review_app.db import utcnow
from review_app.exceptions import Conflict, NotFound
from review_app.models import Document, FieldValue, ReviewTask, Role, TaskReason, TaskStatus, User
from review_app.services import audit
from review_app.settings import Settings

# How much earlier than its due time a task is worked on, per cause (hours).
CONSEQUENCE_BOOST_HOURS = 8.0
UNCERTAINTY_BOOST_HOURS = 6.0
PRIORITY_STEP_HOURS = 2.0


def priority_boost_hours(high_consequence: bool, min_confidence: float, integrator_priority: int) -> float:
    """Hours to pull a task forward: consequence, uncertainty and the integrator's priority combined."""
    boost = CONSEQUENCE_BOOST_HOURS if high_consequence else 0.0
    boost += UNCERTAINTY_BOOST_HOURS * (1.0 - max(0.0, min(1.0, min_confidence)))
    boost += PRIORITY_STEP_HOURS * max(-10, min(10, integrator_priority))
    return boost


def open_review_task(
    session: Session,
    document: Document,
    reasons: list[dict],
    *,
    stage: int,
    settings: Settings,
    excluded_user_id: int | None = None,
) -> ReviewTask:
    """Queue a document for review (stage 2 is the second pair of eyes)."""
    created = utcnow()
    due_at = document.due_at or (document.created_at or created) + timedelta(hours=settings.review_sla_hours)
    confidences = [f.confidence for f in document.fields if f.normalized is not None] if stage == 1 else [1.0]
    boost = priority_boost_hours(document.high_consequence, min(confidences, default=0.0), document.priority)
    task = ReviewTask(
        document_id=document.id,
        stage=stage,
        status=TaskStatus.OPEN,
        reasons=reasons,
        priority=round(boost, 3),
        due_at=due_at,
        sort_at=due_at - timedelta(hours=boost),
        excluded_user_id=excluded_user_id,
        created_at=created,
    )
    session.add(task)
    session.flush()
    for code in sorted({r["code"] for r in reasons}):
        session.add(TaskReason(task_id=task.id, code=code))
    audit.record(
        session,
        document.id,
        "task_opened",
        task_id=task.id,
        after={"stage": stage, "reasons": [r["code"] for r in reasons]},
    )
    return task


def _claimable(user: User, now: datetime):  # type: ignore[no-untyped-def]
    statuses = [TaskStatus.OPEN, TaskStatus.ESCALATED] if user.role == Role.ADMIN else [TaskStatus.OPEN]
    expired = and_(ReviewTask.status == TaskStatus.CLAIMED, ReviewTask.lease_expires_at < now)
    return and_(
        or_(ReviewTask.status.in_(statuses), expired),
        or_(ReviewTask.excluded_user_id.is_(None), ReviewTask.excluded_user_id != user.id),
    )


def claim_next(
    session: Session,
    user: User,
    settings: Settings,
    *,
    doc_type: str | None = None,
    exclude_ids: Iterable[int] = (),
    api_key_id: int | None = None,
) -> ReviewTask | None:
    """Atomically take the top task for `user` (of one API key's documents when given); two reviewers
    asking at once never get the same one."""
    now = utcnow()
    for _attempt in range(5):
        query = select(ReviewTask.id).where(_claimable(user, now)).order_by(ReviewTask.sort_at, ReviewTask.id)
        if doc_type or api_key_id is not None:
            query = query.join(Document, Document.id == ReviewTask.document_id)
        if doc_type:
            query = query.where(Document.doc_type == doc_type)
        if api_key_id is not None:
            query = query.where(Document.api_key_id == api_key_id)
        excluded = list(exclude_ids)
        if excluded:
            query = query.where(ReviewTask.id.not_in(excluded))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=ReviewTask)
        task_id = session.scalar(query.limit(1))
        if task_id is None:
            return None
        task = _take(session, task_id, user, settings, now)
        if task is not None:
            return task
    return None


def claim_task(session: Session, task_id: int, user: User, settings: Settings) -> ReviewTask:
    """Take one named task, or explain why it cannot be taken."""
    now = utcnow()
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise NotFound(f"Review task {task_id} does not exist.")
    if (
        task.status == TaskStatus.CLAIMED
        and task.assignee_id == user.id
        and task.lease_expires_at
        and task.lease_expires_at >= now
    ):
        return renew(session, task, user, settings)
    if task.excluded_user_id == user.id:
        raise Conflict(
            "You approved this document already; a different reviewer must give the second approval.",
            code="four_eyes",
        )
    taken = _take(session, task_id, user, settings, now)
    if taken is None:
        raise Conflict("Someone else is working on this task, or it is finished.", code="task_unavailable")
    return taken


def _take(session: Session, task_id: int, user: User, settings: Settings, now: datetime) -> ReviewTask | None:
    """Compare-and-set: only one UPDATE can move a claimable task to this user."""
    lease = now + timedelta(minutes=settings.lease_minutes)
    result = session.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task_id, _claimable(user, now))
        .values(status=TaskStatus.CLAIMED, assignee_id=user.id, lease_expires_at=lease, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    task = session.get(ReviewTask, task_id, populate_existing=True)
    audit.record(session, task.document_id, "claimed", user_id=user.id, task_id=task.id)
    return task


def renew(session: Session, task: ReviewTask, user: User, settings: Settings) -> ReviewTask:
    """Extend the lease while the reviewer keeps the page open."""
    now = utcnow()
    if (
        task.status != TaskStatus.CLAIMED
        or task.assignee_id != user.id
        or (task.lease_expires_at is not None and task.lease_expires_at < now)
    ):
        raise Conflict(
            "Your hold on this task has ended; it may be with another reviewer now.", code="lease_lost"
        )
    task.lease_expires_at = now + timedelta(minutes=settings.lease_minutes)
    return task


def release(session: Session, task: ReviewTask, user: User, action: str = "released") -> None:
    """Give a task back to the queue (leaving the page, skipping)."""
    if task.status == TaskStatus.CLAIMED and task.assignee_id == user.id:
        task.status = TaskStatus.OPEN
        task.assignee_id = None
        task.lease_expires_at = None
        audit.record(session, task.document_id, action, user_id=user.id, task_id=task.id)


def expire_leases(session: Session) -> int:
    """Return tasks whose lease ran out to the queue; returns how many."""
    now = utcnow()
    expired = session.scalars(
        select(ReviewTask).where(ReviewTask.status == TaskStatus.CLAIMED, ReviewTask.lease_expires_at < now)
    ).all()
    for task in expired:
        audit.record(session, task.document_id, "lease_expired", user_id=task.assignee_id, task_id=task.id)
        task.status = TaskStatus.OPEN
        task.assignee_id = None
        task.lease_expires_at = None
    return len(expired)


def held_task(session: Session, task_id: int, user: User) -> ReviewTask:
    """The task if `user` holds a live lease on it, else a clear 409."""
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise NotFound(f"Review task {task_id} does not exist.")
    now = utcnow()
    if task.status != TaskStatus.CLAIMED or task.assignee_id != user.id:
        raise Conflict(
            "This task is no longer yours: it was finished, released or taken by someone else. "
            "Your input is still on the page; claim the task again to continue.",
            code="lease_lost",
        )
    if task.lease_expires_at is not None and task.lease_expires_at < now:
        raise Conflict(
            "Your hold on this task expired. Your input is still on the page; "
            "claim the task again to continue.",
            code="lease_lost",
        )
    return task


def min_field_confidence(fields: Iterable[FieldValue]) -> float:
    """The lowest confidence among found fields (1.0 when nothing was found at all)."""
    return min((f.confidence for f in fields if f.normalized is not None), default=1.0)
