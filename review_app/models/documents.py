"""Documents, their pages, and what the extractor found on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base, DocumentStatus, FieldStatus


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int | None] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[DocumentStatus] = mapped_column(String(16), default=DocumentStatus.QUEUED)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    words_sha256: Mapped[str | None] = mapped_column(String(64))  # caller-supplied words JSON, if any
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Processing lease: the database, not the queue, decides who may write results.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic concurrency for reviews: any change bumps it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    high_consequence: Mapped[bool] = mapped_column(Boolean, default=False)
    audit_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    callback_url: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan"
    )
    fields: Mapped[list[FieldValue]] = relationship(
        back_populates="document", order_by="FieldValue.position", cascade="all, delete-orphan"
    )
    extraction: Mapped[Extraction | None] = relationship(
        back_populates="document", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_documents_status_updated", "status", "updated_at"),
        # The dashboard reads a period, and the days of it that changed, by creation time.
        Index("ix_documents_created_at", "created_at"),
    )

    def touch(self) -> None:
        """Mark a change that other reviewers must not silently overwrite."""
        self.version += 1
        self.updated_at = utcnow()


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1-based
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))  # text_layer | ocr | supplied
    # [[text, x0, y0, x1, y1, confidence], ...] in page units; compact because pages are read whole.
    words: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # The words of further OCR readings of the page, each a list like `words`; None: read once.
    alternates: Mapped[list[list[list[Any]]] | None] = mapped_column(JSON(none_as_null=True))
    image_path: Mapped[str | None] = mapped_column(String(512))
    image_width: Mapped[int | None] = mapped_column(Integer)
    image_height: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Degrees (counter-clockwise) that level the page's text; boxes stay on the page as uploaded.
    rotation: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")

    document: Mapped[Document] = relationship(back_populates="pages")

    __table_args__ = (UniqueConstraint("document_id", "number"),)


STRATEGY_LENGTH = 32


class Extraction(Base):
    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One extraction per document: a job that runs twice cannot write a second one.
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    extractor_version: Mapped[str] = mapped_column(String(64))
    strategy: Mapped[str] = mapped_column(String(STRATEGY_LENGTH))
    route: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    read_ms: Mapped[int] = mapped_column(Integer, default=0)
    extract_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="extraction")

    @staticmethod
    def stored_strategy(label: str) -> str:
        """A strategy label as the column keeps it: a long model label must not fail the write."""
        return label[:STRATEGY_LENGTH]


class FieldValue(Base):
    __tablename__ = "field_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    field_type: Mapped[str] = mapped_column(String(16))
    # What the machine proposed
    value: Mapped[str | None] = mapped_column(Text)  # as printed on the document
    normalized: Mapped[str | None] = mapped_column(Text)  # ISO date, decimal string, collapsed text
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[list[float] | None] = mapped_column(JSON)
    source: Mapped[list[str]] = mapped_column(JSON, default=list)  # the cues that chose the value
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # why a person should look
    # What a person (or the auto-approval) settled on
    status: Mapped[FieldStatus] = mapped_column(String(16), default=FieldStatus.PENDING)
    final_value: Mapped[str | None] = mapped_column(Text)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship(back_populates="fields")

    __table_args__ = (UniqueConstraint("document_id", "name"),)
