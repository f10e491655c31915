"""Drift: has a field's confidence distribution, or its correction rate, moved this week?

For each document type and field, the last seven days are compared with the `drift_baseline_weeks` weeks
before them: the confidence distributions by the population stability index (PSI, over the dashboard's
ten bins), the correction rates by their difference. A finding above its threshold is stored once per
field, kind and week, shown on the dashboard, and sent to webhook subscribers as `quality.alert`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_app.db import utcnow
from review_app.models import Document, FieldValue, QualityAlert
from review_app.services.confidence_bins import CONFIDENCE_BINS, REVIEWED, confidence_bin
from review_app.services.gold import not_a_gold_copy
from review_app.services.webhooks import emit_to_all
from review_app.settings import Settings

EPSILON = 1e-4  # keeps an empty bin from making the index infinite


@dataclass(frozen=True)
class Window:
    """A field's values in one window: counts per confidence bin, reviewed and corrected counts."""

    bins: tuple[int, ...]
    reviewed: int
    corrected: int

    @property
    def total(self) -> int:
        return sum(self.bins)

    @property
    def correction_rate(self) -> float | None:
        return self.corrected / self.reviewed if self.reviewed else None


def psi(baseline: tuple[int, ...], current: tuple[int, ...]) -> float:
    """Population stability index of `current` against `baseline` (same bins)."""
    b_total, c_total = sum(baseline) or 1, sum(current) or 1
    index = 0.0
    for b, c in zip(baseline, current, strict=True):
        p, q = max(b / b_total, EPSILON), max(c / c_total, EPSILON)
        index += (q - p) * math.log(q / p)
    return index


def _windows(session: Session, since: datetime, until: datetime) -> dict[tuple[str, str], Window]:
    bucket = confidence_bin()
    reviewed = FieldValue.status.in_(REVIEWED)
    rows = session.execute(
        select(
            Document.doc_type,
            FieldValue.name,
            bucket,
            func.count(FieldValue.id),
            func.sum(case((reviewed, 1), else_=0)),
            func.sum(case((and_(reviewed, FieldValue.corrected.is_(True)), 1), else_=0)),
        )
        .join(Document, Document.id == FieldValue.document_id)
        .where(
            Document.created_at >= since,
            Document.created_at < until,
            Document.deleted_at.is_(None),
            not_a_gold_copy(),
        )
        .group_by(Document.doc_type, FieldValue.name, bucket)
    ).all()
    collected: dict[tuple[str, str], list[Any]] = {}
    for doc_type, name, b, count, n_reviewed, n_corrected in rows:
        entry = collected.setdefault((doc_type, name), [[0] * CONFIDENCE_BINS, 0, 0])
        entry[0][int(b)] += int(count)
        entry[1] += int(n_reviewed or 0)
        entry[2] += int(n_corrected or 0)
    return {key: Window(tuple(bins), r, c) for key, (bins, r, c) in collected.items()}


def check_drift(session: Session, settings: Settings, now: datetime | None = None) -> list[QualityAlert]:
    """Compare this week with the baseline weeks; store and announce each new finding; return them."""
    now = now or utcnow()
    week_start = now - timedelta(days=7)
    current = _windows(session, week_start, now)
    baseline = _windows(session, week_start - timedelta(weeks=settings.drift_baseline_weeks), week_start)
    monday = (now - timedelta(days=now.weekday())).date().isoformat()
    alerts: list[QualityAlert] = []
    for key, this_week in sorted(current.items()):
        before = baseline.get(key)
        if before is None or min(before.total, this_week.total) < settings.drift_min_values:
            continue
        doc_type, name = key
        shift = psi(before.bins, this_week.bins)
        if shift > settings.drift_psi_threshold:
            alerts.append(
                QualityAlert(
                    doc_type=doc_type,
                    field=name,
                    kind="confidence_shift",
                    week=monday,
                    value=round(shift, 4),
                    baseline=0.0,
                    threshold=settings.drift_psi_threshold,
                )
            )
        rate, rate_before = this_week.correction_rate, before.correction_rate
        if (
            rate is not None
            and rate_before is not None
            and min(this_week.reviewed, before.reviewed) >= settings.drift_min_values
            and rate - rate_before > settings.drift_correction_threshold
        ):
            alerts.append(
                QualityAlert(
                    doc_type=doc_type,
                    field=name,
                    kind="correction_rate",
                    week=monday,
                    value=round(rate, 4),
                    baseline=round(rate_before, 4),
                    threshold=settings.drift_correction_threshold,
                )
            )
    raised = []
    for alert in alerts:
        try:
            with session.begin_nested():  # raised once per field, kind and week, even by two sweepers
                session.add(alert)
        except IntegrityError:
            continue
        emit_to_all(session, "quality.alert", alert_view(alert), settings)
        raised.append(alert)
    return raised


def alert_view(alert: QualityAlert) -> dict[str, Any]:
    """An alert as the dashboard and the webhook show it, with a sentence a person can act on."""
    if alert.kind == "confidence_shift":
        message = (
            f"The confidence distribution of {alert.doc_type}.{alert.field} moved this week "
            f"(PSI {alert.value:.2f} against the weeks before; alert above {alert.threshold:.2f})."
        )
    else:
        message = (
            f"Reviewers corrected {alert.value:.0%} of {alert.doc_type}.{alert.field} this week against "
            f"{alert.baseline:.0%} before (alert above +{alert.threshold:.0%})."
        )
    return {
        "doc_type": alert.doc_type,
        "field": alert.field,
        "kind": alert.kind,
        "week": alert.week,
        "value": alert.value,
        "baseline": alert.baseline,
        "threshold": alert.threshold,
        "message": message,
    }


def recent_alerts(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest alerts, newest first."""
    rows = session.scalars(select(QualityAlert).order_by(QualityAlert.id.desc()).limit(limit))
    return [{**alert_view(a), "created_at": a.created_at.isoformat()} for a in rows]
