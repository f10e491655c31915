"""The audit trail: every change to a document is an event with who, when, before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from review_app.models import ReviewEvent


def record(
    session: Session,
    document_id: int,
    action: str,
    *,
    user_id: int | None = None,
    api_key_id: int | None = None,
    task_id: int | None = None,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    **details: Any,
) -> ReviewEvent:
    """Add an audit event to the session (committed with the change it describes)."""
    event = ReviewEvent(
        document_id=document_id,
        action=action,
        user_id=user_id,
        api_key_id=api_key_id,
        task_id=task_id,
        field=field,
        before=before,
        after=after,
        details=details,
    )
    session.add(event)
    return event
