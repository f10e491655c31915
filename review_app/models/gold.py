"""Gold documents: reviewed documents with known answers, re-queued unmarked to score reviewers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base


class GoldDocument(Base):
    """A reviewed document an admin vouched for; its answers are frozen when it is marked."""

    __tablename__ = "gold_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> normalised value
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    copies_inserted: Mapped[int] = mapped_column(Integer, default=0)
    last_inserted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GoldCopy(Base):
    """A document row that is a copy of a gold document; nothing outside admin pages may tell it apart."""

    __tablename__ = "gold_copies"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    gold_id: Mapped[int] = mapped_column(ForeignKey("gold_documents.id", ondelete="CASCADE"), index=True)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GoldScore(Base):
    """One field of one gold copy as a reviewer settled it, against the known answer."""

    __tablename__ = "gold_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    copy_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    gold_id: Mapped[int] = mapped_column(ForeignKey("gold_documents.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(64))
    expected: Mapped[str | None] = mapped_column(Text)
    given: Mapped[str | None] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("copy_document_id", "field", name="uq_gold_scores_copy_field"),
        Index("ix_gold_scores_user_field", "user_id", "field"),
    )
