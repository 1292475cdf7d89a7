"""embeddings: per-business vectors of products and knowledge documents (hybrid retrieval)

Revision ID: 0014_embeddings
Revises: 0013_rfm_cover
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import niaga.db.base

revision = "0014_embeddings"
down_revision = "0013_rfm_cover"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("business_id", BigId, nullable=False),
        sa.Column("created_at", niaga.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", niaga.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_id", "kind", "ref_id"),
    )
    op.create_index(op.f("ix_embeddings_business_id"), "embeddings", ["business_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_embeddings_business_id"), table_name="embeddings")
    op.drop_table("embeddings")
