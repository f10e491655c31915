"""Per-day results of the dashboard's queries, kept in Redis while the day's documents are unchanged.

Reading every document, field value and task of a month is most of a dashboard request with a large
history. A day's rows
change only when one of that day's documents changes, and every change to a document bumps its version
(review, erasure, reprocessing), while new documents add to the count. So each whole day is stored with a
stamp of (documents, sum of versions, highest id), read before the rows; a day whose stamp moved is read
again. Days the period cuts (its first and last) are always read. Without Redis everything is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from review_app.db import UTCDateTime
from review_app.models import Document
from review_app.queue import redis_connection
from review_app.settings import Settings

log = logging.getLogger(__name__)
KEEP_SECONDS = 8 * 24 * 3600
Stamp = tuple[int, int, int]


def day_stamps(session: Session, in_period: Any) -> dict[str, Stamp]:
    """Each day of the period (in the database's time zone) with its documents' stamp."""
    day = func.date(Document.created_at)
    rows = session.execute(
        select(day, func.count(Document.id), func.sum(Document.version), func.max(Document.id))
        .where(in_period)
        .group_by(day)
    ).all()
    return {str(d)[:10]: (int(n), int(v or 0), int(m or 0)) for d, n, v, m in rows}


def edge_days(session: Session, since: Any, until: Any) -> set[str]:
    """The days the period starts and ends in, as the database names them: never whole, never kept."""
    first, last = session.execute(
        select(func.date(literal(since, UTCDateTime())), func.date(literal(until, UTCDateTime())))
    ).one()
    return {str(first)[:10], str(last)[:10]}


class DayCache:
    """Rows per query and day under a namespace (database, queue, type filter), each with its stamp."""

    def __init__(self, settings: Settings, database_url: str, scope: str) -> None:
        digest = hashlib.sha256(f"{database_url}|{settings.queue_name}".encode()).hexdigest()[:16]
        self.prefix = f"docloop:dashboard:{digest}:{scope}:"
        self.settings = settings

    def rows(
        self,
        kind: str,
        stamps: dict[str, Stamp],
        edges: set[str],
        read: Callable[[Iterable[str] | None], list[tuple[Any, ...]]],
        day_of: Callable[[tuple[Any, ...]], str],
    ) -> list[tuple[Any, ...]]:
        """All rows of the stamped days: kept ones from Redis, the rest from `read(days)` (then kept);
        `read(None)` reads every day of the period."""
        whole = [d for d in stamps if d not in edges]
        kept = self._load(kind, whole, stamps)
        missing = [d for d in stamps if d not in kept]
        # Nothing kept: the whole period in one read, without naming each day.
        fresh = read(None if len(missing) == len(stamps) else missing) if missing else []
        by_day: dict[str, list[list[Any]]] = {d: [] for d in missing if d not in edges}
        for row in fresh:
            day = day_of(row)
            if day in by_day:
                by_day[day].append(list(row))
        self._store(kind, by_day, stamps)
        return [tuple(r) for rows in kept.values() for r in rows] + list(fresh)

    def _load(self, kind: str, days: list[str], stamps: dict[str, Stamp]) -> dict[str, list[list[Any]]]:
        if not days:
            return {}
        try:
            values = redis_connection(self.settings).mget([f"{self.prefix}{kind}:{d}" for d in days])
        except RedisError as e:
            log.warning("dashboard day cache unavailable, reading the database: %s", e)
            return {}
        kept = {}
        for day, raw in zip(days, values, strict=True):
            if raw is None:
                continue
            entry = json.loads(raw)
            if tuple(entry["stamp"]) == stamps[day]:
                kept[day] = entry["rows"]
        return kept

    def _store(self, kind: str, by_day: dict[str, list[list[Any]]], stamps: dict[str, Stamp]) -> None:
        if not by_day:
            return
        try:
            pipe = redis_connection(self.settings).pipeline(transaction=False)
            for day, rows in by_day.items():
                entry = {"stamp": list(stamps[day]), "rows": rows}
                pipe.set(f"{self.prefix}{kind}:{day}", json.dumps(entry, default=str), ex=KEEP_SECONDS)
            pipe.execute()
        except RedisError as e:
            log.warning("dashboard day cache not written: %s", e)
