"""rfm: the aggregates' index covers the figures (an RFM run reads them from the index alone)

Revision ID: 0013_rfm_cover
Revises: 0012_print_jobs
"""

from __future__ import annotations

from alembic import op

revision = "0013_rfm_cover"
down_revision = "0012_print_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_customer_purchase_stats_business_last", table_name="customer_purchase_stats")
    op.create_index(
        "ix_customer_purchase_stats_business_figures",
        "customer_purchase_stats",
        ["business_id", "last_on", "frequency", "monetary", "customer_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_customer_purchase_stats_business_figures", table_name="customer_purchase_stats")
    op.create_index(
        "ix_customer_purchase_stats_business_last",
        "customer_purchase_stats",
        ["business_id", "last_on"],
        unique=False,
    )
