"""The figures of the quality dashboard, computed in SQL over a period and, optionally, one document type.

Every figure comes with what it counts, so the page and `docloop report` can state it next to the number.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, false, func, literal, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

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
from review_app.services.day_cache import DayCache, day_stamps, edge_days
from review_app.services.drift import recent_alerts
from review_app.services.gold import not_a_gold_copy
from review_app.services.queue_view import LIVE
from review_app.services.stats import wilson_interval
from review_app.settings import Settings

# Queries of one dashboard request running at once on a server database: the field query is most of the
# work, the rest fits beside it (benchmarks/dashboard_latency.py compares 1 and 2; splitting the field
# query further cost more CPU than it saved on two cores).
PARALLEL_QUERIES = 2
# A query the day cache can hold: rows of some days of the period, each row naming its day.
DayRead = Callable[[Session, "Period", Iterable[str] | None], list[tuple[Any, ...]]]


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
    # Stamps first: a day's rows read after its stamp can only be newer than the stamp says, never older.
    stamps = day_stamps(session, _in_period(period))
    edges = edge_days(session, period.since, period.until)
    bind = session.get_bind()
    days = DayCache(settings, bind.url.render_as_string(hide_password=False), period.doc_type or "*")

    def kept(kind: str, read: DayRead, day_at: int = 0) -> Callable[[Session], list[tuple[Any, ...]]]:
        """Rows of one query per day: whole unchanged days from the cache, the rest from the database."""
        return lambda s: days.rows(
            kind, stamps, edges, lambda wanted: read(s, period, wanted), day_of=lambda r: str(r[day_at])[:10]
        )

    found = _run_queries(
        session,
        {
            # The slowest first, so it starts at once on its own connection while the rest run beside it.
            "facts": kept("facts", _field_facts, day_at=1),
            "volume": kept("volume", _volume_rows),
            "tasks": kept("tasks", _handled_tasks),
            "audit": kept("audit", _audit_rows),
            "queue": lambda s: _queue(s, period),
            "doc_types": lambda s: sorted(s.scalars(select(Document.doc_type).distinct())),
            "alerts": recent_alerts,
            # Reviewers by id, read now, so a renamed reviewer shows under today's name.
            "emails": lambda s: {row[0]: row[1] for row in s.execute(select(User.id, User.email))},
        },
    )
    facts, volume, tasks = found["facts"], _volume(found["volume"]), found["tasks"]
    return {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "doc_type": period.doc_type,
        },
        "doc_types": found["doc_types"],
        "volume": volume,
        "queue": found["queue"],
        "fields": _fields(facts),
        "audit": _audit(found["audit"]),
        "reliability": _reliability(facts),
        "reviewers": _reviewers(tasks, found["emails"]),
        "time_saved": _time_saved(settings, volume["processed"], tasks),
        "alerts": [a for a in found["alerts"] if not period.doc_type or a["doc_type"] == period.doc_type],
    }


def _run_queries(session: Session, queries: dict[str, Callable[[Session], Any]]) -> dict[str, Any]:
    """Run independent read queries; on a server database PARALLEL_QUERIES at a time, each on its own
    connection (each sees its own snapshot, which a dashboard can afford). SQLite runs them in turn."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" or PARALLEL_QUERIES < 2:
        return {name: query(session) for name, query in queries.items()}
    own_sessions = sessionmaker(bind=bind)

    def run(query: Callable[[Session], Any]) -> Any:
        with own_sessions() as own:
            return query(own)

    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        futures = {name: pool.submit(run, query) for name, query in queries.items()}
        return {name: future.result() for name, future in futures.items()}


def _volume_rows(session: Session, period: Period, days: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """Per day: documents, straight through, reviewed, in review, rejected, failed, processed."""
    day = func.date(Document.created_at)
    auto = Extraction.route == "auto"
    return session.execute(
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
        .where(_in_period(period), _on_days(days))
        .group_by(day)
    ).all()


def _on_days(days: Iterable[str] | None) -> Any:
    """Documents created on these days (as the database names days; None: every day of the period): a
    range per day, so the index on the creation time finds them without reading the rest of the period."""
    if days is None:
        return true()
    ranges = []
    for day in sorted({date.fromisoformat(d) for d in days}):
        start, end = literal(day, Date), literal(day + timedelta(days=1), Date)
        ranges.append(and_(Document.created_at >= start, Document.created_at < end))
    return or_(*ranges) if ranges else false()


def _volume(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Documents per day by outcome, and the straight-through rate per day and overall."""
    days = []
    totals = {"documents": 0, "straight_through": 0, "processed": 0}
    for d, count, straight, reviewed, waiting, rejected, failed, processed in sorted(
        rows, key=lambda r: str(r[0])
    ):
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


def _audit_rows(session: Session, period: Period, days: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """Per day, over the audit sample: reviewed fields, corrected ones, documents, documents corrected."""
    audited = and_(
        _in_period(period),
        _on_days(days),
        Document.audit_sample.is_(True),
        Document.status == DocumentStatus.COMPLETED,
    )
    reviewed = FieldValue.status.in_(REVIEWED)
    day = func.date(Document.created_at)
    return session.execute(
        select(
            day,
            func.sum(case((reviewed, 1), else_=0)),
            func.sum(case((and_(reviewed, FieldValue.corrected.is_(True)), 1), else_=0)),
            func.count(func.distinct(Document.id)),
            func.count(func.distinct(case((FieldValue.corrected.is_(True), Document.id)))),
        )
        .select_from(Document)
        .join(FieldValue, FieldValue.document_id == Document.id)
        .where(audited)
        .group_by(day)
    ).all()


def _audit(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The random audit sample (documents that would have gone straight through, checked by people):
    the share of their fields a person had to correct estimates the error rate of auto-approved fields."""
    fields, wrong, documents, documents_wrong = (sum(int(r[i] or 0) for r in rows) for i in range(1, 5))
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


def _field_facts(session: Session, period: Period, days: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """One pass over the field values of some days of the period, grouped finely enough for every field
    figure: (field, day, confidence bin, status, corrected, count, sum of confidences)."""
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
            .where(_in_period(period), _on_days(days))
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


def _handled_tasks(session: Session, period: Period, days: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """(day, reviewer id, status, handling seconds) of every task of the period someone spent time on."""
    return list(
        session.execute(
            select(
                func.date(Document.created_at),
                ReviewTask.completed_by_id,
                ReviewTask.status,
                ReviewTask.handling_seconds,
            )
            .select_from(ReviewTask)
            .join(Document, Document.id == ReviewTask.document_id)
            .where(_in_period(period), _on_days(days), ReviewTask.handling_seconds.is_not(None))
        ).all()
    )


def _reviewers(tasks: list[tuple[Any, ...]], emails: dict[int, str]) -> list[dict[str, Any]]:
    """Tasks each reviewer finished in the period and their median handling time."""
    by_reviewer: dict[str, list[float]] = {}
    for _day, user_id, status, seconds in tasks:
        if user_id in emails and status == TaskStatus.DONE:
            by_reviewer.setdefault(emails[user_id], []).append(float(seconds))
    return [
        {"reviewer": email, "tasks": len(times), "median_handling_seconds": statistics.median(times)}
        for email, times in sorted(by_reviewer.items())
    ]


def _time_saved(settings: Settings, processed: int, tasks: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Hours and money saved against keying every processed document by hand."""
    review_seconds = sum(float(seconds) for _day, _user, _status, seconds in tasks)
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
