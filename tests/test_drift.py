"""Drift: a synthetic shift in one field's confidence raises exactly that alert, once, to the dashboard and
to webhook subscribers."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from review_app.db import utcnow
from review_app.models import (
    Document,
    DocumentStatus,
    FieldStatus,
    FieldValue,
    QualityAlert,
    Role,
    WebhookDelivery,
)
from review_app.services.drift import check_drift, psi
from tests.helpers import BASE, bearer, login, make_key, make_user


def _seed(runtime, shifted_field: str) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    now = utcnow()
    with runtime.session() as session:
        for n in range(400):
            this_week = n >= 320  # 320 documents over the four weeks before, 80 in the last seven days
            created = now - (timedelta(days=1 + n % 6) if this_week else timedelta(days=8 + n % 27))
            document = Document(
                sha256=f"{n:064x}",
                filename=f"d{n}.pdf",
                media_type="application/pdf",
                size_bytes=1,
                doc_type="receipt",
                status=DocumentStatus.COMPLETED,
                created_at=created,
            )
            session.add(document)
            session.flush()
            for name in ("company", "date", "total"):
                confidence = rng.uniform(0.85, 0.99)
                if this_week and name == shifted_field:
                    confidence = rng.uniform(0.3, 0.6)  # the shift: the extractor has become unsure
                session.add(
                    FieldValue(
                        document_id=document.id,
                        name=name,
                        field_type="text",
                        value="v",
                        normalized="v",
                        confidence=confidence,
                        status=FieldStatus.AUTO_APPROVED,
                    )
                )


def test_psi_is_zero_for_the_same_distribution_and_grows_with_a_shift():  # type: ignore[no-untyped-def]
    same = (10, 20, 30, 40)
    assert psi(same, same) == 0.0
    assert psi(same, (40, 30, 20, 10)) > psi(same, (15, 20, 30, 35)) > 0


def test_a_shift_in_one_field_raises_exactly_that_alert(client, runtime):  # type: ignore[no-untyped-def]
    key = make_key(runtime)
    subscribed = client.post(
        "/api/v1/webhooks",
        headers=bearer(key),
        json={"url": "http://127.0.0.1:9/hook", "events": ["quality.alert"]},
    )
    assert subscribed.status_code == 201, subscribed.json
    _seed(runtime, "total")
    with runtime.session() as session:
        raised = check_drift(session, runtime.settings)
        assert [(a.doc_type, a.field, a.kind) for a in raised] == [("receipt", "total", "confidence_shift")]
        assert raised[0].value > runtime.settings.drift_psi_threshold
    with runtime.session() as session:
        assert check_drift(session, runtime.settings) == []  # once per field, kind and week
        assert session.scalars(select(QualityAlert)).all()[0].field == "total"
        deliveries = session.scalars(select(WebhookDelivery)).all()
        assert [d.event_type for d in deliveries] == ["quality.alert"]
        assert deliveries[0].payload["data"]["field"] == "total"

    make_user(runtime, "ana@example.com")

    make_user(runtime, "analyst@example.com", Role.ANALYST)
    login(client, "analyst@example.com")
    page = client.get("/dashboard?days=90", **BASE)
    assert 'data-alert="receipt.total.confidence_shift"' in page.text
    assert client.get("/dashboard/data?days=90", **BASE).json["alerts"][0]["field"] == "total"


def test_no_alert_without_a_shift(runtime):  # type: ignore[no-untyped-def]
    _seed(runtime, "none")
    with runtime.session() as session:
        assert check_drift(session, runtime.settings) == []
