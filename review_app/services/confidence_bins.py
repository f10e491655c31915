"""What the dashboard and drift detection share: confidence bins in SQL, and which values a person
reviewed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from review_app.models import FieldStatus, FieldValue

CONFIDENCE_BINS = 10
REVIEWED = (FieldStatus.APPROVED, FieldStatus.CORRECTED)


def confidence_bin() -> Any:
    """A field value's confidence bin, 0 to CONFIDENCE_BINS - 1, as an SQL expression. Binned by comparison,
    not by casting: PostgreSQL rounds a cast to integer where SQLite truncates."""
    return case(
        *[(FieldValue.confidence < (i + 1) / CONFIDENCE_BINS, i) for i in range(CONFIDENCE_BINS - 1)],
        else_=CONFIDENCE_BINS - 1,
    )
