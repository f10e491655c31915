"""gold documents: known answers re-queued unmarked to score reviewers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 07:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "gold_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("copies_inserted", sa.Integer(), nullable=False),
        sa.Column("last_inserted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_gold_documents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_gold_documents_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_documents")),
        sa.UniqueConstraint("document_id", name=op.f("uq_gold_documents_document_id")),
    )
    op.create_table(
        "gold_copies",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("gold_id", sa.Integer(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_gold_copies_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gold_id"],
            ["gold_documents.id"],
            name=op.f("fk_gold_copies_gold_id_gold_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_gold_copies")),
    )
    op.create_index(op.f("ix_gold_copies_gold_id"), "gold_copies", ["gold_id"], unique=False)
    op.create_table(
        "gold_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("copy_document_id", sa.Integer(), nullable=False),
        sa.Column("gold_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("given", sa.Text(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["copy_document_id"],
            ["documents.id"],
            name=op.f("fk_gold_scores_copy_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gold_id"],
            ["gold_documents.id"],
            name=op.f("fk_gold_scores_gold_id_gold_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_gold_scores_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_scores")),
        sa.UniqueConstraint("copy_document_id", "field", name="uq_gold_scores_copy_field"),
    )
    op.create_index("ix_gold_scores_user_field", "gold_scores", ["user_id", "field"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_gold_scores_user_field", table_name="gold_scores")
    op.drop_table("gold_scores")
    op.drop_index(op.f("ix_gold_copies_gold_id"), table_name="gold_copies")
    op.drop_table("gold_copies")
    op.drop_table("gold_documents")
