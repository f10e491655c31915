"""The figures of the quality dashboard, computed in SQL over a period and, optionally, one document type.

Every figure comes with what it counts, so the page and `docloop report` can state it next to the number.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    Extraction,
    FieldValue,
    ReviewTask,
    TaskStatus,
    User,
)
from review_app.services.confidence_bins import CONFIDENCE_BINS, REVIEWED, confidence_bin
from review_app.services.drift import recent_alerts
from review_app.services.gold import not_a_gold_copy
from review_app.services.queue_view import LIVE
from review_app.services.stats import wilson_interval
from review_app.settings import Settings


@dataclass(frozen=True)
class Period:
    """Which documents the figures cover: created in [since, until), of one type or all."""

    since: datetime
    until: datetime
    doc_type: str | None = None

    @classmethod
    def last_days(cls, days: int, doc_type: str | None = None) -> Period:
        """The last `days` days up to now."""
        now = utcnow()
        return cls(since=now - timedelta(days=days), until=now, doc_type=doc_type or None)


def _in_period(period: Period) -> Any:
    condition = and_(
        Document.created_at >= period.since,
        Document.created_at < period.until,
        Document.deleted_at.is_(None),
        not_a_gold_copy(),
    )
    return condition if period.doc_type is None else and_(condition, Document.doc_type == period.doc_type)


def figures(session: Session, settings: Settings, period: Period) -> dict[str, Any]:
    """Everything the dashboard shows, as JSON-ready data."""
    facts = _field_facts(session, period)
    volume = _volume(session, period)
    tasks = _handled_tasks(session, period)
    return {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "doc_type": period.doc_type,
        },
        "doc_types": sorted(session.scalars(select(Document.doc_type).distinct())),
        "volume": volume,
        "queue": _queue(session, period),
        "fields": _fields(facts),
        "audit": _audit(session, period),
        "reliability": _reliability(facts),
        "reviewers": _reviewers(tasks),
        "time_saved": _time_saved(settings, volume["processed"], tasks),
        "alerts": [
            a for a in recent_alerts(session) if not period.doc_type or a["doc_type"] == period.doc_type
        ],
    }


def _volume(session: Session, period: Period) -> dict[str, Any]:
    """Documents per day by outcome, and the straight-through rate per day and overall."""
    day = func.date(Document.created_at)
    auto = Extraction.route == "auto"
    rows = session.execute(
        select(
            day,
            func.count(Document.id),
            func.sum(case((auto, 1), else_=0)),
            func.sum(
                case(
                    (and_(Extraction.route == "review", Document.status == DocumentStatus.COMPLETED), 1),
                    else_=0,
                )
            ),
            func.sum(case((Document.status == DocumentStatus.REVIEW, 1), else_=0)),
            func.sum(case((Document.status == DocumentStatus.REJECTED, 1), else_=0)),
            func.sum(case((Document.status == DocumentStatus.FAILED, 1), else_=0)),
            func.count(Extraction.id),
        )
        .select_from(Document)
        .outerjoin(Extraction, Extraction.document_id == Document.id)
        .where(_in_period(period))
        .group_by(day)
        .order_by(day)
    ).all()
    days = []
    totals = {"documents": 0, "straight_through": 0, "processed": 0}
    for d, count, straight, reviewed, waiting, rejected, failed, processed in rows:
        straight, processed = int(straight or 0), int(processed or 0)
        days.append(
            {
                "day": str(d)[:10],
                "documents": int(count),
                "straight_through": straight,
                "reviewed": int(reviewed or 0),
                "in_review": int(waiting or 0),
                "rejected": int(rejected or 0),
                "failed": int(failed or 0),
                "straight_through_rate": straight / processed if processed else None,
            }
        )
        totals["documents"] += int(count)
        totals["straight_through"] += straight
        totals["processed"] += processed
    rate = totals["straight_through"] / totals["processed"] if totals["processed"] else None
    return {"days": days, **totals, "straight_through_rate": rate}


@dataclass(frozen=True)
class QueueState:
    """What waits for people now (live tasks: open, claimed or escalated)."""

    depth: int
    oldest_age_seconds: float | None
    past_due: int


def queue_state(executor: Session | Connection, doc_type: str | None = None) -> QueueState:
    """Depth, oldest age and past-due count of the review queue now (the dashboard and /metrics)."""
    now = utcnow()
    query = select(
        func.count(ReviewTask.id),
        func.min(ReviewTask.created_at),
        func.sum(case((ReviewTask.due_at < now, 1), else_=0)),
    ).where(ReviewTask.status.in_(LIVE))
    if doc_type:
        query = query.join(Document, Document.id == ReviewTask.document_id).where(
            Document.doc_type == doc_type
        )
    depth, oldest, past_due = executor.execute(query).one()
    return QueueState(
        depth=int(depth or 0),
        oldest_age_seconds=(now - oldest).total_seconds() if oldest else None,
        past_due=int(past_due or 0),
    )


def _queue(session: Session, period: Period) -> dict[str, Any]:
    """The queue as the dashboard shows it (whatever the period: the queue is now)."""
    state = queue_state(session, period.doc_type)
    age = state.oldest_age_seconds
    return {
        "depth": state.depth,
        "oldest_age_hours": round(age / 3600, 2) if age is not None else None,
        "past_due": state.past_due,
    }


def _monday(iso_day: str) -> str:
    day = datetime.fromisoformat(iso_day)
    return (day - timedelta(days=day.weekday())).date().isoformat()


def _audit(session: Session, period: Period) -> dict[str, Any]:
    """The random audit sample (documents that would have gone straight through, checked by people):
    the share of their fields a person had to correct estimates the error rate of auto-approved fields."""
    audited = and_(
        _in_period(period), Document.audit_sample.is_(True), Document.status == DocumentStatus.COMPLETED
    )
    reviewed = FieldValue.status.in_(REVIEWED)
    fields, wrong, documents, documents_wrong = session.execute(
        select(
            func.sum(case((reviewed, 1), else_=0)),
            func.sum(case((and_(reviewed, FieldValue.corrected.is_(True)), 1), else_=0)),
            func.count(func.distinct(Document.id)),
            func.count(func.distinct(case((FieldValue.corrected.is_(True), Document.id)))),
        )
        .select_from(Document)
        .join(FieldValue, FieldValue.document_id == Document.id)
        .where(audited)
    ).one()
    fields, wrong = int(fields or 0), int(wrong or 0)
    return {
        "fields": fields,
        "fields_wrong": wrong,
        "field_error_rate": wrong / fields if fields else None,
        "field_error_interval_95": wilson_interval(wrong, fields),
        "documents": int(documents or 0),
        "documents_wrong": int(documents_wrong or 0),
        "document_error_rate": documents_wrong / documents if documents else None,
        "document_error_interval_95": wilson_interval(int(documents_wrong or 0), int(documents or 0)),
    }


def _field_facts(session: Session, period: Period) -> list[tuple[Any, ...]]:
    """One pass over the period's field values, grouped finely enough for every field figure:
    (field, day, confidence bin, status, corrected, count, sum of confidences)."""
    bucket = confidence_bin()
    day = func.date(Document.created_at)
    return list(
        session.execute(
            select(
                FieldValue.name,
                day,
                bucket,
                FieldValue.status,
                FieldValue.corrected,
                func.count(FieldValue.id),
                func.sum(FieldValue.confidence),
            )
            .join(Document, Document.id == FieldValue.document_id)
            .where(_in_period(period))
            .group_by(FieldValue.name, day, bucket, FieldValue.status, FieldValue.corrected)
        ).all()
    )


def _fields(facts: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Per field: values a person reviewed, how many they corrected, and the correction rate per week."""
    per_field: dict[str, dict[str, Any]] = {}
    for name, day, _bin, status, corrected, count, _confidence in facts:
        if status not in REVIEWED:
            continue
        entry = per_field.setdefault(name, {"field": name, "reviewed": 0, "corrected": 0, "weeks": {}})
        weekly = entry["weeks"].setdefault(_monday(str(day)[:10]), [0, 0])
        wrong = int(count) if corrected else 0
        weekly[0] += int(count)
        weekly[1] += wrong
        entry["reviewed"] += int(count)
        entry["corrected"] += wrong
    result = []
    for entry in sorted(per_field.values(), key=lambda e: e["field"]):
        entry["correction_rate"] = entry["corrected"] / entry["reviewed"] if entry["reviewed"] else None
        entry["weeks"] = [
            {"week": w, "reviewed": r, "corrected": c, "correction_rate": c / r if r else None}
            for w, (r, c) in sorted(entry["weeks"].items())
        ]
        result.append(entry)
    return result


def _reliability(facts: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Predicted confidence against observed accuracy (a value a person left as it was counts as right),
    over reviewed fields; and each field's confidence histogram over all its values."""
    totals: dict[int, list[float]] = {}  # bin -> [count, sum of confidences, corrected]
    histograms: dict[str, list[int]] = {}
    for name, _day, b, status, corrected, count, confidence in facts:
        histograms.setdefault(name, [0] * CONFIDENCE_BINS)[int(b)] += int(count)
        if status in REVIEWED:
            entry = totals.setdefault(int(b), [0, 0.0, 0])
            entry[0] += int(count)
            entry[1] += float(confidence or 0.0)
            entry[2] += int(count) if corrected else 0
    bins = [
        {
            "bin": b,
            "low": b / CONFIDENCE_BINS,
            "high": (b + 1) / CONFIDENCE_BINS,
            "count": int(n),
            "mean_confidence": total_confidence / n,
            "accuracy": 1 - wrong / n,
        }
        for b, (n, total_confidence, wrong) in sorted(totals.items())
    ]
    total = sum(b["count"] for b in bins)
    ece = sum(b["count"] / total * abs(b["accuracy"] - b["mean_confidence"]) for b in bins) if total else None
    return {"bins": bins, "expected_calibration_error": ece, "histograms": histograms}


def _handled_tasks(session: Session, period: Period) -> list[tuple[Any, ...]]:
    """(reviewer, status, handling seconds) of every task of the period someone spent time on."""
    return list(
        session.execute(
            select(User.email, ReviewTask.status, ReviewTask.handling_seconds)
            .select_from(ReviewTask)
            .join(Document, Document.id == ReviewTask.document_id)
            .outerjoin(User, User.id == ReviewTask.completed_by_id)
            .where(_in_period(period), ReviewTask.handling_seconds.is_not(None))
        ).all()
    )


def _reviewers(tasks: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Tasks each reviewer finished in the period and their median handling time."""
    by_reviewer: dict[str, list[float]] = {}
    for email, status, seconds in tasks:
        if email is not None and status == TaskStatus.DONE:
            by_reviewer.setdefault(email, []).append(float(seconds))
    return [
        {"reviewer": email, "tasks": len(times), "median_handling_seconds": statistics.median(times)}
        for email, times in sorted(by_reviewer.items())
    ]


def _time_saved(settings: Settings, processed: int, tasks: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Hours and money saved against keying every processed document by hand."""
    review_seconds = sum(float(seconds) for _email, _status, seconds in tasks)
    manual_hours = processed * settings.manual_minutes_per_document / 60
    review_hours = float(review_seconds) / 3600
    saved_hours = manual_hours - review_hours
    return {
        "documents": int(processed),
        "manual_hours": round(manual_hours, 2),
        "review_hours": round(review_hours, 2),
        "saved_hours": round(saved_hours, 2),
        "saved_money": round(saved_hours * settings.hourly_cost, 2),
        "currency": settings.cost_currency,
        "assumptions": (
            f"Keying one document by hand takes {settings.manual_minutes_per_document:g} minutes and an "
            f"hour of work costs {settings.hourly_cost:g} {settings.cost_currency} (settings "
            "DOCLOOP_MANUAL_MINUTES_PER_DOCUMENT, DOCLOOP_HOURLY_COST). Review time is the time reviewers "
            "spent on tasks as measured; time spent on uploads and on failed documents is not counted."
        ),
    }
