"""The sweeper: the database is the source of truth, so anything the queue lost is found and re-enqueued."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from review_app.db import utcnow
from review_app.exceptions import QueueUnavailable
from review_app.models import Document, DocumentStatus
from review_app.queue import (
    delivery_job_id,
    enqueue_delivery,
    enqueue_processing,
    job_queue,
    process_job_id,
    redis_connection,
)
from review_app.runtime import Runtime
from review_app.services import recalibration
from review_app.services.drift import alert_view, check_drift
from review_app.services.tasks import expire_leases
from review_app.services.webhooks import due_deliveries

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did."""

    requeued: int
    leases_expired: int
    webhooks_requeued: int = 0


def _job_alive(runtime: Runtime, job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=redis_connection(runtime.settings))
    except Exception:  # rq raises NoSuchJobError, or a deserialisation error for a damaged job
        return False
    if job.get_status(refresh=False) == JobStatus.QUEUED:
        # "Queued" is only true while the id is in the queue's list: a worker that died just after taking
        # the job leaves it marked queued in RQ's intermediate list, where nobody will run it.
        return job_queue(runtime.settings).get_job_position(job_id) is not None
    # Only a job still waiting counts. The sweeper asks about work whose database lease is over (or that
    # nobody claimed within the grace): a "started" job then died with its worker (RQ notices only minutes
    # later), and a "scheduled" one that late waits for a scheduler that died too. At worst a duplicate job
    # runs, finds the work claimed or done, and does nothing.
    return job.get_status(refresh=False) == JobStatus.DEFERRED


def sweep(runtime: Runtime) -> SweepResult:
    """Re-enqueue documents stuck in queued/processing past their grace or lease; expire review leases."""
    now = utcnow()
    requeued = 0
    with runtime.session() as session:
        stuck = session.execute(
            select(Document.id, Document.attempts)
            .where(
                or_(
                    (Document.status == DocumentStatus.QUEUED)
                    & (Document.updated_at < now - timedelta(seconds=runtime.settings.sweep_grace_seconds)),
                    (Document.status == DocumentStatus.PROCESSING) & (Document.lease_expires_at < now),
                )
            )
            .order_by(Document.id)
            .limit(BATCH)
        ).all()
    try:
        for document_id, attempts in stuck:
            attempt = attempts + 1
            if _job_alive(runtime, process_job_id(document_id, attempt)):
                continue
            enqueue_processing(runtime.settings, document_id, attempt)
            requeued += 1
    except (RedisError, QueueUnavailable) as e:
        log.warning("sweeper: queue unreachable (%s); will try again", e)
    with runtime.session() as session:
        expired = expire_leases(session)
    webhooks = _requeue_deliveries(runtime)
    _check_drift_hourly(runtime)
    _recalibrate_periodically(runtime)
    if requeued or expired or webhooks:
        log.info(
            "sweeper: re-enqueued %d document(s) and %d webhook(s), expired %d review lease(s)",
            requeued,
            webhooks,
            expired,
        )
    return SweepResult(requeued=requeued, leases_expired=expired, webhooks_requeued=webhooks)


def _our_turn(runtime: Runtime, task: str, seconds: int) -> bool:
    """Is it this sweeper's turn at a periodic task? Of all the sweepers, whichever takes the task's Redis
    key runs it, once per period; with Redis unreachable, nobody does."""
    try:
        key = f"docloop:{runtime.settings.queue_name}:{task}"
        return bool(redis_connection(runtime.settings).set(key, "1", nx=True, ex=seconds))
    except RedisError:
        return False


def _check_drift_hourly(runtime: Runtime) -> None:
    """Drift is a weekly measure: one sweeper an hour checks it."""
    if not _our_turn(runtime, "drift-checked", 3600):
        return
    with runtime.session() as session:
        raised = check_drift(session, runtime.settings)
    for alert in raised:
        log.warning("quality alert: %s", alert_view(alert)["message"])


def _recalibrate_periodically(runtime: Runtime) -> None:
    """Confidences refitted to the reviews that came in: one sweeper every `recalibrate_hours` registers a
    recalibrated version of each type's model, for an admin to promote."""
    hours = runtime.settings.recalibrate_hours
    if hours <= 0 or not _our_turn(runtime, "recalibrated", max(1, int(hours * 3600))):
        return
    for schema in runtime.schemas.values():
        with runtime.session() as session:
            result = recalibration.run(session, schema, by="sweeper", automatic=True)
        if result.version_id is not None:
            log.warning(
                "recalibrated %s model %s on %d reviewed values: held-out calibration error %.3f -> %.3f; "
                "promote version %d to serve it",
                schema.name,
                result.base_version,
                result.values,
                result.ece_before or 0.0,
                result.ece_after or 0.0,
                result.version_id,
            )


def _requeue_deliveries(runtime: Runtime) -> int:
    """Due webhook deliveries go back to the queue (retries are scheduled here, in the database)."""
    with runtime.session() as session:
        due = due_deliveries(session, runtime.settings.sweep_grace_seconds)
    count = 0
    try:
        for delivery_id, attempts in due:
            # The attempt's job is still waiting (or running): enqueueing it again would only flood the queue.
            if _job_alive(runtime, delivery_job_id(delivery_id, attempts + 1)):
                continue
            enqueue_delivery(runtime.settings, delivery_id, attempts + 1)
            count += 1
    except QueueUnavailable as e:
        log.warning("sweeper: queue unreachable for webhooks (%s)", e)
    return count
