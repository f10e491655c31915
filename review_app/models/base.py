"""Declarative base and the enums stored in the database."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic revisions identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DocumentStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    REVIEW = "review"
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"
    DELETED = "deleted"

    @property
    def is_terminal(self) -> bool:
        """True when nothing more will happen to the document without a person asking."""
        return self in {
            DocumentStatus.COMPLETED,
            DocumentStatus.REJECTED,
            DocumentStatus.FAILED,
            DocumentStatus.DELETED,
        }


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    ANALYST = "analyst"


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


class FieldStatus(StrEnum):
    PENDING = "pending"
    AUTO_APPROVED = "auto_approved"
    APPROVED = "approved"
    CORRECTED = "corrected"


class Route(StrEnum):
    AUTO = "auto"
    REVIEW = "review"
