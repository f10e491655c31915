"""retrieval memory: one entry per confirmed document

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "memory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=64), nullable=False),
        sa.Column("vendor", sa.String(length=255), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_memory_entries_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_entries")),
    )
    op.create_index(op.f("ix_memory_entries_doc_type"), "memory_entries", ["doc_type"], unique=False)
    op.create_index(op.f("ix_memory_entries_document_id"), "memory_entries", ["document_id"], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_memory_entries_document_id"), table_name="memory_entries")
    op.drop_index(op.f("ix_memory_entries_doc_type"), table_name="memory_entries")
    op.drop_table("memory_entries")
