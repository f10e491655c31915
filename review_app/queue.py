"""Redis connections and enqueueing jobs by dotted name (review_app never imports workers)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

from review_app.exceptions import QueueUnavailable
from review_app.settings import Settings

PROCESS_DOCUMENT = "workers.jobs.process_document"
DELIVER_WEBHOOK = "workers.jobs.deliver_webhook"


def embedded_redis_socket(data_dir: Path) -> Path:
    """Where `docloop run` keeps the embedded Redis server's socket."""
    return data_dir / "redis" / "redis.sock"


def redis_url_for(settings: Settings) -> str:
    """The Redis URL to use: the configured one, else the embedded server's socket."""
    if settings.redis_url:
        return settings.redis_url
    return f"unix://{embedded_redis_socket(settings.data_dir)}"


_connections: dict[str, Redis] = {}


def redis_connection(settings: Settings) -> Redis:
    """A process-wide Redis client for the configured server."""
    url = redis_url_for(settings)
    connection = _connections.get(url)
    if connection is None:
        connection = Redis.from_url(
            url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30
        )
        _connections[url] = connection
    return connection


def job_queue(settings: Settings) -> Queue:
    """The RQ queue documents are processed from."""
    return Queue(
        settings.queue_name,
        connection=redis_connection(settings),
        default_timeout=settings.job_timeout_seconds,
    )


def process_job_id(document_id: int, attempt: int) -> str:
    """Deterministic id: one job per document and attempt, so a re-enqueue cannot fork work."""
    return f"process-{document_id}-{attempt}"


def enqueue_processing(settings: Settings, document_id: int, attempt: int) -> None:
    """Ask a worker to process a document; raises QueueUnavailable if Redis cannot be reached."""
    try:
        job_queue(settings).enqueue(
            PROCESS_DOCUMENT,
            document_id,
            job_id=process_job_id(document_id, attempt),
            retry=Retry(max=2, interval=[5, 30]),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"process document {document_id}",
        )
    except RedisError as e:
        raise QueueUnavailable(
            "The job queue is unreachable; the document is saved and will be picked up by the sweeper."
        ) from e


def delivery_job_id(delivery_id: str, attempt: int) -> str:
    """One job id per delivery attempt, so the sweeper can tell a queued attempt from a lost one."""
    return f"webhook-{delivery_id}-{attempt}"


def enqueue_delivery(
    settings: Settings, delivery_id: str, attempt: int = 1, delay_seconds: float = 0.0
) -> None:
    """Ask a worker to make attempt `attempt` of a webhook delivery now, or after a delay (the database
    keeps the schedule; the sweeper re-enqueues what the queue loses)."""
    try:
        queue = job_queue(settings)
        options = {
            "job_id": delivery_job_id(delivery_id, attempt),
            "result_ttl": 600,
            "failure_ttl": 7 * 24 * 3600,
            "description": f"deliver webhook {delivery_id}",
        }
        if delay_seconds > 0:
            queue.enqueue_in(timedelta(seconds=delay_seconds), DELIVER_WEBHOOK, delivery_id, **options)
        else:
            queue.enqueue(DELIVER_WEBHOOK, delivery_id, **options)
    except RedisError as e:
        raise QueueUnavailable("The job queue is unreachable; the delivery waits for the sweeper.") from e
