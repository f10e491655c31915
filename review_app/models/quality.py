"""Quality alerts: drift in a field's confidence or correction rate, raised once per field and week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base


class QualityAlert(Base):
    """One drift finding: what moved, by how much, against which baseline, in which week."""

    __tablename__ = "quality_alerts"
    __table_args__ = (UniqueConstraint("doc_type", "field", "kind", "week", name="uq_quality_alerts_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # confidence_shift | correction_rate
    week: Mapped[str] = mapped_column(String(10))  # the Monday (ISO date) of the week measured
    value: Mapped[float] = mapped_column(Float)  # PSI, or the week's correction rate
    baseline: Mapped[float] = mapped_column(Float)  # 0 for PSI, or the baseline's correction rate
    threshold: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
