"""search: products' analysed search documents, read by the agent's product index instead of analysing the
catalogue again in every process; an index on (business_id, updated_at) for the index's freshness key

Revision ID: 0016_search
Revises: 0015_rfm_snapshot
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_search"
down_revision = "0015_rfm_snapshot"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "product_search_docs",
        sa.Column("product_id", BigId, autoincrement=False, nullable=False),
        sa.Column("sig", sa.String(length=32), nullable=False),
        sa.Column(
            "terms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("business_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_index(
        op.f("ix_product_search_docs_business_id"), "product_search_docs", ["business_id"], unique=False
    )
    op.create_index("ix_products_business_updated", "products", ["business_id", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_products_business_updated", table_name="products")
    op.drop_index(op.f("ix_product_search_docs_business_id"), table_name="product_search_docs")
    op.drop_table("product_search_docs")
