"""Partial index of live review tasks in working order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('open', 'claimed', 'escalated')"


def upgrade() -> None:
    """The queue page and "next task" read live tasks by sort_at without sorting them all."""
    op.create_index(
        "ix_review_tasks_live_order",
        "review_tasks",
        ["sort_at", "id"],
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )


def downgrade() -> None:
    """Drop the partial index."""
    op.drop_index("ix_review_tasks_live_order", table_name="review_tasks")
