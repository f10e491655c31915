"""Webhooks: an outbox written with each state change, delivered signed (Standard Webhooks) with retries.

A delivery row is added in the same transaction as the change it reports, so a change and its event
commit or vanish together. After the commit the delivery is enqueued; if the queue is down, the sweeper
finds it (pending, due, no live job). Each delivery keeps one `webhook-id` for all its attempts, so a
receiver that dedupes on it processes each event once even when a retry repeats one that arrived.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from review_app.db import utcnow
from review_app.exceptions import NotFound, QueueUnavailable
from review_app.models import ApiKey, Document, WebhookAttempt, WebhookDelivery, WebhookSubscription
from review_app.queue import enqueue_delivery
from review_app.runtime import Runtime
from review_app.services.documents import webhook_view
from review_app.services.urls import check_callback_url
from review_app.settings import Settings

log = logging.getLogger(__name__)

EVENT_TYPES = (
    "document.processed",
    "document.review_required",
    "document.completed",
    "document.rejected",
    "document.failed",
    "quality.alert",
)
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
_PENDING_KEY = "docloop_webhooks"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_secret(key: ApiKey) -> str:
    """The secret that signs deliveries to a key's per-document callback URLs (made on first use)."""
    if not key.signing_secret:
        key.signing_secret = new_secret()
    return key.signing_secret


def emit(session: Session, document: Document, event_type: str, settings: Settings) -> list[str]:
    """Queue an event about a document for every subscription that wants it and its callback URL."""
    targets: list[tuple[str, int | None]] = []
    if document.api_key_id is not None:
        subscriptions = session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.api_key_id == document.api_key_id, WebhookSubscription.active.is_(True)
            )
        )
        targets += [(s.url, s.id) for s in subscriptions if event_type in s.events]
        if document.callback_url and event_type != "quality.alert":
            targets.append((document.callback_url, None))
    body = {"type": event_type, "timestamp": utcnow().isoformat(), "data": webhook_view(document)}
    return [
        _add(session, url, subscription_id, document.api_key_id, document.id, event_type, body, settings)
        for url, subscription_id in targets
    ]


def emit_to_all(session: Session, event_type: str, data: dict[str, Any], settings: Settings) -> list[str]:
    """Queue an event that concerns no document (a quality alert) for every subscription that wants it."""
    body = {"type": event_type, "timestamp": utcnow().isoformat(), "data": data}
    subscriptions = session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
    return [
        _add(session, s.url, s.id, s.api_key_id, None, event_type, body, settings)
        for s in subscriptions
        if event_type in s.events
    ]


def _add(
    session: Session,
    url: str,
    subscription_id: int | None,
    api_key_id: int | None,
    document_id: int | None,
    event_type: str,
    body: dict[str, Any],
    settings: Settings,
) -> str:
    delivery = WebhookDelivery(
        id=f"msg_{secrets.token_hex(16)}",
        subscription_id=subscription_id,
        api_key_id=api_key_id,
        document_id=document_id,
        url=url,
        event_type=event_type,
        payload=body,
        status=PENDING,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    pending = session.info.setdefault(_PENDING_KEY, [])
    pending.append((settings, delivery.id))
    return delivery.id


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    """Deliveries go to the queue only once their rows are committed (else a worker could miss them)."""
    pending = session.info.pop(_PENDING_KEY, [])
    for settings, delivery_id in pending:
        try:
            enqueue_delivery(settings, delivery_id)
        except QueueUnavailable:
            log.warning("queue unavailable; webhook delivery %s left for the sweeper", delivery_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def backoff_seconds(attempt: int, settings: Settings) -> float:
    """Wait before the next attempt: base * 2^(attempt-1), capped."""
    return min(
        settings.webhook_backoff_max_seconds, settings.webhook_backoff_seconds * 2 ** max(0, attempt - 1)
    )


def _secret_for(session: Session, delivery: WebhookDelivery) -> str:
    if delivery.subscription_id is not None:
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is not None:
            return subscription.secret
    key = session.get(ApiKey, delivery.api_key_id) if delivery.api_key_id else None
    if key is None:
        raise NotFound("The delivery has neither a subscription nor an API key to sign with.")
    return signing_secret(key)


def deliver(runtime: Runtime, delivery_id: str) -> tuple[str, float | None, int]:
    """Try one delivery now (if it is due and nobody else is trying it); returns its status afterwards,
    when it failed but will be retried the seconds until the next attempt, and the attempts made so far."""
    settings = runtime.settings
    token = secrets.token_hex(16)
    now = utcnow()
    with runtime.session() as session:
        claimed = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                (WebhookDelivery.lease_expires_at.is_(None)) | (WebhookDelivery.lease_expires_at < now),
            )
            .values(
                claim_token=token,
                lease_expires_at=now + timedelta(seconds=settings.webhook_timeout_seconds * 3),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            delivery = session.get(WebhookDelivery, delivery_id)
            return (delivery.status if delivery else "missing"), None, (delivery.attempts if delivery else 0)
        delivery = session.get(WebhookDelivery, delivery_id)
        secret = _secret_for(session, delivery)
        url, payload, attempt = delivery.url, delivery.payload, delivery.attempts + 1
    status_code, error, elapsed = _post(url, delivery_id, payload, secret, settings)
    with runtime.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.claim_token != token:
            return "lost_claim", None, attempt
        session.add(
            WebhookAttempt(
                delivery_id=delivery_id,
                number=attempt,
                status_code=status_code,
                error=error,
                duration_ms=round(elapsed * 1000),
            )
        )
        delivery.attempts = attempt
        delivery.last_status_code = status_code
        delivery.last_error = error
        delivery.claim_token = None
        delivery.lease_expires_at = None
        retry_in = None
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = DELIVERED
            delivery.delivered_at = utcnow()
        elif attempt >= settings.webhook_max_attempts:
            delivery.status = DEAD
        else:
            retry_in = backoff_seconds(attempt, settings) + 0.05  # fire just after the time it waits for
            delivery.next_attempt_at = utcnow() + timedelta(seconds=retry_in)
        return delivery.status, retry_in, attempt


def _post(
    url: str, delivery_id: str, payload: dict[str, Any], secret: str, settings: Settings
) -> tuple[int | None, str | None, float]:
    started = time.perf_counter()
    try:
        check_callback_url(url, settings)  # again at delivery time: DNS may have changed since
        body = _canonical(payload)
        timestamp = datetime.fromtimestamp(int(time.time()), tz=utcnow().tzinfo)
        signature = Webhook(secret).sign(delivery_id, timestamp, body)
        response = requests.post(
            url,
            data=body.encode(),
            timeout=settings.webhook_timeout_seconds,
            allow_redirects=False,
            headers={
                "content-type": "application/json",
                "webhook-id": delivery_id,
                "webhook-timestamp": str(int(timestamp.timestamp())),
                "webhook-signature": signature,
                "user-agent": "docloop-webhooks/1",
            },
        )
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return response.status_code, error, time.perf_counter() - started
    except Exception as e:  # any failure of this attempt is recorded on it and retried
        return None, f"{type(e).__name__}: {e}"[:500], time.perf_counter() - started


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def replay(session: Session, delivery_id: str, settings: Settings) -> WebhookDelivery:
    """Send a delivery again from the start (after a dead letter, or on an integrator's request)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"Webhook delivery {delivery_id} does not exist.", code="delivery_not_found")
    delivery.status = PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.claim_token = None
    delivery.lease_expires_at = None
    session.info.setdefault(_PENDING_KEY, []).append((settings, delivery.id))
    return delivery


def due_deliveries(session: Session, grace_seconds: float = 0.0, limit: int = 500) -> list[tuple[str, int]]:
    """Pending deliveries (id, attempts made) due for longer than the grace: their job may have been lost."""
    now = utcnow()
    return list(
        session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now - timedelta(seconds=grace_seconds),
                (WebhookDelivery.lease_expires_at.is_(None)) | (WebhookDelivery.lease_expires_at < now),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )
