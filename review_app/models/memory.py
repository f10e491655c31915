"""What retrieval remembers of each confirmed document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from review_app.db import UTCDateTime, utcnow
from review_app.models.base import Base


class MemoryRecord(Base):
    """One confirmed document as an `extractors.memory.MemoryEntry` (its header fingerprint, vendor, final
    values and where they stood). Rows are only added or deleted, so workers load new ones by id."""

    __tablename__ = "memory_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True, index=True
    )
    doc_type: Mapped[str] = mapped_column(String(64), index=True)
    vendor: Mapped[str] = mapped_column(String(255), default="")
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
