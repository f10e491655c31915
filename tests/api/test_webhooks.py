"""Webhooks end to end: outbox, real RQ workers, a real HTTP receiver that fails at random, signatures,
retries with backoff, dead letters, replay."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from review_app.models import ApiKey, Document, WebhookAttempt, WebhookDelivery
from review_app.services.sweeper import sweep
from review_app.services.webhooks import emit
from tests.api.receiver import Receiver
from tests.helpers import bearer, invoice_pdf, make_key, seed_review_tasks

FAST_RETRIES = {
    "DOCLOOP_WEBHOOK_BACKOFF_SECONDS": "0.01",
    "DOCLOOP_WEBHOOK_BACKOFF_MAX_SECONDS": "0.05",
    "DOCLOOP_WEBHOOK_MAX_ATTEMPTS": "25",
    "DOCLOOP_WEBHOOK_TIMEOUT_SECONDS": "5",
}


def _drain(runtime, worker, deadline_seconds: float = 240) -> None:  # type: ignore[no-untyped-def]
    """Work the queue and let the sweeper re-enqueue due retries until no delivery is pending."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        worker()
        with runtime.session() as session:
            pending = session.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")
            )
        if not pending:
            return
        time.sleep(0.06)
        sweep(runtime)
    raise AssertionError("deliveries still pending")


def _subscribe(client, key, url, events=None):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/webhooks", headers=bearer(key), json={"url": url, **({"events": events} if events else {})}
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.mark.env(**FAST_RETRIES)
def test_five_hundred_events_through_a_flaky_receiver_arrive_once_each(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    with Receiver(failure_rate=0.3, seed=11) as receiver:
        receiver.secret = _subscribe(client, key, receiver.url, ["document.review_required"])["secret"]
        seed_review_tasks(runtime, 50)
        with runtime.session() as session:
            api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == key.split("_")[1]))
            for document in session.scalars(select(Document)):
                document.api_key_id = api_key.id
        sent = []
        for _ in range(10):  # 50 documents x 10 events, each written in its own transaction
            with runtime.session() as session:
                for document in session.scalars(select(Document)):
                    sent += emit(session, document, "document.review_required", runtime.settings)
        assert len(sent) == 500
        _drain(runtime, worker)
    assert set(receiver.processed) == set(sent), (
        "every webhook-id processed exactly once by the deduping receiver"
    )
    assert receiver.bad_signatures == 0
    assert receiver.requests > 500  # some were retried after failures
    with runtime.session() as session:
        statuses = dict(
            session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            ).all()
        )
        attempts = session.scalar(select(func.count()).select_from(WebhookAttempt))
    assert statuses == {"delivered": 500}
    assert attempts == receiver.requests
    assert all(payload["type"] == "document.review_required" for payload in receiver.processed.values())


@pytest.mark.env(
    DOCLOOP_WEBHOOK_BACKOFF_SECONDS="0.01",
    DOCLOOP_WEBHOOK_BACKOFF_MAX_SECONDS="0.02",
    DOCLOOP_WEBHOOK_MAX_ATTEMPTS="3",
)
def test_a_receiver_that_always_fails_ends_in_dead_letter_and_can_be_replayed(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    with Receiver(failure_rate=1.0) as receiver:
        receiver.secret = _subscribe(client, key, receiver.url)["secret"]
        upload = client.post(
            "/api/v1/documents",
            headers=bearer(key),
            data={"doc_type": "invoice", "file": (io.BytesIO(invoice_pdf()), "i.pdf")},
        )
        assert upload.status_code == 202
        _drain(runtime, worker)
        log = client.get(
            "/api/v1/webhook-deliveries", headers=bearer(key), query_string={"status": "dead"}
        ).json
        assert {d["event_type"] for d in log["data"]} == {"document.processed", "document.review_required"}
        dead = log["data"][0]
        detail = client.get(f"/api/v1/webhook-deliveries/{dead['id']}", headers=bearer(key)).json
        assert detail["status"] == "dead" and detail["attempts"] == 3
        assert [entry["status_code"] for entry in detail["log"]] == [500, 500, 500]
        receiver.failure_rate = 0.0
        replayed = client.post(f"/api/v1/webhook-deliveries/{dead['id']}/replay", headers=bearer(key))
        assert replayed.status_code == 202 and replayed.json["status"] == "pending"
        _drain(runtime, worker)
    again = client.get(f"/api/v1/webhook-deliveries/{dead['id']}", headers=bearer(key)).json
    assert again["status"] == "delivered"
    assert dead["id"] in receiver.processed  # the same webhook-id, so a receiver can dedupe


@pytest.mark.env(**FAST_RETRIES)
def test_document_callback_url_gets_signed_events_in_order_of_the_lifecycle(client, runtime, worker):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    with Receiver() as receiver:
        receiver.secret = client.get("/api/v1/webhook-secret", headers=bearer(key)).json["secret"]
        upload = client.post(
            "/api/v1/documents",
            headers=bearer(key),
            data={
                "doc_type": "invoice",
                "callback_url": receiver.url,
                "file": (io.BytesIO(invoice_pdf()), "i.pdf"),
            },
        )
        assert upload.status_code == 202
        _drain(runtime, worker)
    kinds = sorted(payload["type"] for payload in receiver.processed.values())
    assert kinds == ["document.processed", "document.review_required"]
    assert all(p["data"]["id"] == upload.json["id"] for p in receiver.processed.values())
