"""Trained scoring models as versioned artifacts, and which one serves each document type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base


class ModelVersion(Base):
    """One fitted model (the JSON the extractors load), never changed once registered."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(128))
    artifact: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_on: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelPromotion(Base):
    """A change of the model serving a type: the newest row per type is in production; no version means the
    model shipped with docloop. Rows are only ever added, so the history says who changed what and when."""

    __tablename__ = "model_promotions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"))
    action: Mapped[str] = mapped_column(String(16))  # promote | rollback
    by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_model_promotions_type_id", "doc_type", "id"),)
