"""pages.rotation: the turn that levels a page's text

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add pages.rotation (0 for pages read before)."""
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("rotation", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop pages.rotation."""
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("rotation")
