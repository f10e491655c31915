"""Signals for operations: Prometheus metrics at /metrics and readiness at /readyz.

The figures are read from the database and Redis when Prometheus scrapes, not counted in process memory:
the web app runs as several gunicorn processes and the work happens in workers, so only the shared
stores know the totals.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from rq import Worker
from sqlalchemy import Integer, func, select, text

from review_app.db import read_only
from review_app.models import Document, Extraction, FieldValue, ReviewTask, WebhookDelivery
from review_app.queue import job_queue, redis_connection
from review_app.runtime import Runtime
from review_app.services.dashboard import queue_state
from review_app.services.gold import not_a_gold_copy
from review_app.web.context import runtime

bp = Blueprint("ops", __name__)
DURATION_BUCKETS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
REVIEW_BUCKETS_S = (5, 10, 20, 30, 60, 120, 300, 600, 1800)


def public(view: Any) -> Any:
    """Mark a view as reachable without a login (the route-access test reads this)."""
    view.public = True
    return view


class DatabaseCollector(Collector):
    """Metrics computed from the database and the queue at scrape time."""

    def __init__(self, runtime_: Runtime) -> None:
        self.runtime = runtime_

    def collect(self) -> Iterator[Any]:
        with read_only(self.runtime.database_url) as connection:
            yield from self._documents(connection)
            yield from self._durations(connection)
            yield from self._reviews(connection)
            yield from self._fields(connection)
            yield from self._webhooks(connection)
        yield from self._queue()

    def _documents(self, connection: Any) -> Iterator[Any]:
        by_status = GaugeMetricFamily("docloop_documents", "Documents by status.", labels=["status"])
        # Gold copies are reviewer checks, not documents anyone sent: they stay out of document figures.
        rows = connection.execute(
            select(Document.status, func.count()).where(not_a_gold_copy()).group_by(Document.status)
        ).all()
        for status, count in rows:
            by_status.add_metric([str(status)], count)
        yield by_status
        routes = dict(
            connection.execute(
                select(Extraction.route, func.count())
                .where(not_a_gold_copy(Extraction.document_id))
                .group_by(Extraction.route)
            ).all()
        )
        total = sum(routes.values())
        ratio = GaugeMetricFamily(
            "docloop_auto_approve_ratio", "Share of processed documents that went straight through."
        )
        ratio.add_metric([], (routes.get("auto", 0) / total) if total else 0.0)
        yield ratio

    def _durations(self, connection: Any) -> Iterator[Any]:
        not_copied = not_a_gold_copy(Extraction.document_id)
        for column, name, what in (
            (Extraction.read_ms, "docloop_read_duration_seconds", "Reading a document (text layer or OCR)."),
            (Extraction.extract_ms, "docloop_extraction_duration_seconds", "Extracting the fields."),
        ):
            # A gold copy's extraction repeats its source's timings: counted once, with the source.
            yield _histogram(
                connection, column, name, what, DURATION_BUCKETS_MS, scale=1000.0, where=not_copied
            )

    def _reviews(self, connection: Any) -> Iterator[Any]:
        yield _histogram(
            connection,
            ReviewTask.handling_seconds,
            "docloop_review_duration_seconds",
            "Time a reviewer spent on a task.",
            REVIEW_BUCKETS_S,
        )
        state = queue_state(connection)
        depth = GaugeMetricFamily(
            "docloop_review_queue_depth", "Review tasks waiting, being worked on or escalated."
        )
        depth.add_metric([], state.depth)
        yield depth
        age = GaugeMetricFamily("docloop_review_queue_oldest_age_seconds", "Age of the oldest waiting task.")
        age.add_metric([], state.oldest_age_seconds or 0.0)
        yield age
        past_due = GaugeMetricFamily(
            "docloop_review_tasks_past_due", "Waiting review tasks past their due time."
        )
        past_due.add_metric([], state.past_due)
        yield past_due

    def _fields(self, connection: Any) -> Iterator[Any]:
        corrections = CounterMetricFamily(
            "docloop_field_corrections", "Field values a reviewer corrected, by field.", labels=["field"]
        )
        rows = connection.execute(
            select(FieldValue.name, func.count())
            .where(FieldValue.corrected.is_(True), not_a_gold_copy(FieldValue.document_id))
            .group_by(FieldValue.name)
        ).all()
        for name, count in rows:
            corrections.add_metric([name], count)
        yield corrections

    def _webhooks(self, connection: Any) -> Iterator[Any]:
        deliveries = GaugeMetricFamily(
            "docloop_webhook_deliveries", "Webhook deliveries by outcome.", labels=["status"]
        )
        rows = connection.execute(
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
        ).all()
        for status, count in rows:
            deliveries.add_metric([status], count)
        yield deliveries

    def _queue(self) -> Iterator[Any]:
        depth = GaugeMetricFamily("docloop_job_queue_depth", "Jobs waiting in the Redis queue.")
        workers = GaugeMetricFamily("docloop_workers", "Workers registered with the queue.")
        try:
            queue = job_queue(self.runtime.settings)
            depth.add_metric([], queue.count)
            workers.add_metric([], Worker.count(queue=queue))
        except Exception:  # Redis down: the metrics say so by their absence; readyz says why
            return
        yield depth
        yield workers


def _histogram(
    connection: Any,
    column: Any,
    name: str,
    what: str,
    buckets: tuple[float, ...],
    scale: float = 1.0,
    where: Any = True,
) -> HistogramMetricFamily:
    """A Prometheus histogram of a numeric column, counted in SQL (one pass, no rows fetched)."""
    counts = [func.sum((column <= bound).cast(Integer())) for bound in buckets]
    row = connection.execute(
        select(func.count(column), func.coalesce(func.sum(column), 0), *counts).where(
            column.is_not(None), where
        )
    ).one()
    total, summed, *cumulative = row
    family = HistogramMetricFamily(name, what)
    family.add_metric(
        [],
        [(str(bound / scale), int(c or 0)) for bound, c in zip(buckets, cumulative, strict=True)]
        + [("+Inf", int(total or 0))],
        sum_value=float(summed or 0) / scale,
    )
    return family


def _metrics_allowed() -> bool:
    token = runtime().settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return secrets.compare_digest(given, token)
    # Without a token only the machine itself may scrape (a Prometheus agent or a proxy on localhost).
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
@public
def metrics() -> Response:
    """Prometheus metrics (a bearer token when DOCLOOP_METRICS_TOKEN is set, else loopback only)."""
    if not _metrics_allowed():
        abort(403)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(runtime()))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")


@bp.get("/readyz")
@public
def readyz() -> tuple[dict[str, Any], int]:
    """Ready to serve: database, Redis, tesseract and at least one live worker; 503 says which failed."""
    checks: dict[str, str] = {}
    rt = runtime()
    try:
        with read_only(rt.database_url) as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as e:  # reported, not raised: this endpoint's job is to say what is down
        checks["database"] = f"error: {type(e).__name__}"
    try:
        redis_connection(rt.settings).ping()
        checks["redis"] = "ok"
    except Exception as e:  # reported, not raised
        checks["redis"] = f"error: {type(e).__name__}"
    languages = ",".join([rt.settings.ocr_language, *rt.ocr_languages_by_type.values()])
    checks["tesseract"] = _tesseract_check(languages, rt.settings.tessdata_dir)
    if checks["redis"] == "ok":
        alive = Worker.count(queue=job_queue(rt.settings))
        checks["workers"] = f"ok: {alive}" if alive else "error: no worker is listening on the queue"
    else:
        checks["workers"] = "unknown: Redis is unreachable"
    ready = all(value.startswith("ok") for value in checks.values())
    return {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503


def _tesseract_check(language: str, tessdata_dir: Path | None = None) -> str:
    command = shutil.which("tesseract")
    if command is None:
        return "error: tesseract is not installed"
    folder = ["--tessdata-dir", str(tessdata_dir)] if tessdata_dir else []
    try:
        listing = subprocess.run(
            [command, *folder, "--list-langs"], capture_output=True, check=True, timeout=5, text=True
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"error: {type(e).__name__}"
    # The first line is a heading ("List of available languages in ..."); the codes follow, one a line.
    installed = set(listing.stdout.split("\n")[1:])
    codes = dict.fromkeys(code.strip() for code in re.split(r"[+,]", language) if code.strip())
    missing = [code for code in codes if code not in installed]
    if missing:
        where = f" in {tessdata_dir} (DOCLOOP_TESSDATA_DIR, " if tessdata_dir else " ("
        return f"error: no language data for {', '.join(missing)}{where}DOCLOOP_OCR_LANGUAGE)"
    return "ok"
