"""Webhook subscriptions of an API key, the delivery log, and manual replay."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from review_app.api import bp
from review_app.api.auth import api_key_required, current_key
from review_app.api.forms import optional_int
from review_app.exceptions import NotFound, ValidationFailed
from review_app.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from review_app.services.urls import check_callback_url
from review_app.services.webhooks import EVENT_TYPES, new_secret, replay
from review_app.web.context import db, runtime

SCOPE = "documents:read"


def subscription_view(subscription: WebhookSubscription) -> dict[str, Any]:
    """A subscription as the API returns it (its secret included: only its own key can read it)."""
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
        "active": subscription.active,
        "secret": subscription.secret,
        "created_at": subscription.created_at.isoformat(),
    }


def delivery_view(delivery: WebhookDelivery, attempts: list[WebhookAttempt] | None = None) -> dict[str, Any]:
    """A delivery and, when given, its attempts (the log)."""
    view: dict[str, Any] = {
        "id": delivery.id,
        "event_type": delivery.event_type,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "document_id": delivery.document_id,
        "subscription_id": delivery.subscription_id,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at.isoformat(),
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.status == "pending" else None,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }
    if attempts is not None:
        view["log"] = [
            {
                "number": a.number,
                "at": a.attempted_at.isoformat(),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ]
    return view


@bp.post("/webhooks")
@api_key_required(SCOPE)
def create_subscription():  # type: ignore[no-untyped-def]
    """Subscribe a URL to event types; the answer carries the signing secret."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Send a JSON object with 'url' and 'events'.", code="invalid_json")
    events = body.get("events") or list(EVENT_TYPES)
    if not isinstance(events, list) or not events or any(e not in EVENT_TYPES for e in events):
        raise ValidationFailed(
            "Unknown event type.", code="invalid_events", details={"allowed": list(EVENT_TYPES)}
        )
    url = check_callback_url(str(body.get("url") or ""), runtime().settings)
    subscription = WebhookSubscription(
        api_key_id=current_key().id,
        url=url,
        events=sorted(set(events)),
        secret=new_secret(),
        description=str(body.get("description") or "")[:255],
    )
    db().add(subscription)
    db().commit()
    response = jsonify(subscription_view(subscription))
    response.status_code = 201
    return response


@bp.get("/webhooks")
@api_key_required(SCOPE)
def list_subscriptions():  # type: ignore[no-untyped-def]
    """This key's subscriptions."""
    rows = db().scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.api_key_id == current_key().id)
        .order_by(WebhookSubscription.id)
    )
    return jsonify({"data": [subscription_view(s) for s in rows]})


def _subscription(subscription_id: int) -> WebhookSubscription:
    subscription = db().get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.api_key_id != current_key().id:
        raise NotFound(
            f"Webhook subscription {subscription_id} does not exist.", code="subscription_not_found"
        )
    return subscription


@bp.delete("/webhooks/<id:subscription_id>")
@api_key_required(SCOPE)
def delete_subscription(subscription_id: int):  # type: ignore[no-untyped-def]
    """Stop sending to a subscription (its delivery log stays)."""
    subscription = _subscription(subscription_id)
    subscription.active = False
    db().commit()
    return jsonify(subscription_view(subscription))


@bp.get("/webhook-deliveries")
@api_key_required(SCOPE)
def list_deliveries():  # type: ignore[no-untyped-def]
    """The delivery log of this key, newest first; filters `status`, `subscription_id`, `document_id`."""
    args = request.args
    query = select(WebhookDelivery).where(WebhookDelivery.api_key_id == current_key().id)
    if args.get("status"):
        query = query.where(WebhookDelivery.status == args["status"])
    for name, column in (
        ("subscription_id", WebhookDelivery.subscription_id),
        ("document_id", WebhookDelivery.document_id),
    ):
        if args.get(name):
            query = query.where(column == optional_int(name, args[name], 1, 2**31))
    limit = optional_int("limit", args.get("limit"), 1, 500, default=100)
    rows = db().scalars(query.order_by(WebhookDelivery.created_at.desc()).limit(limit))
    return jsonify({"data": [delivery_view(d) for d in rows]})


def _delivery(delivery_id: str) -> WebhookDelivery:
    delivery = db().get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.api_key_id != current_key().id:
        raise NotFound(f"Webhook delivery {delivery_id} does not exist.", code="delivery_not_found")
    return delivery


@bp.get("/webhook-deliveries/<delivery_id>")
@api_key_required(SCOPE)
def read_delivery(delivery_id: str):  # type: ignore[no-untyped-def]
    """One delivery with every attempt made."""
    delivery = _delivery(delivery_id)
    attempts = list(
        db().scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
    )
    return jsonify(delivery_view(delivery, attempts))


@bp.post("/webhook-deliveries/<delivery_id>/replay")
@api_key_required(SCOPE)
def replay_delivery(delivery_id: str):  # type: ignore[no-untyped-def]
    """Send a delivery again (a dead letter, or one the receiver lost): 202, same webhook-id."""
    _delivery(delivery_id)
    delivery = replay(db(), delivery_id, runtime().settings)
    db().commit()
    response = jsonify(delivery_view(delivery))
    response.status_code = 202
    return response
