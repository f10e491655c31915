"""pages.alternates: the words of a page's further OCR readings ("eng,msa")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add pages.alternates (none for pages read before: they were read once)."""
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("alternates", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop pages.alternates."""
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("alternates")
