"""print shop: price lists, template overrides, processing log

Revision ID: 0004_printshop
Revises: 0003_rfm
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import niaga.db.base

revision = "0004_printshop"
down_revision = "0003_rfm"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _common(table: str) -> list:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("created_at", niaga.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", niaga.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f(f"fk_{table}_business_id_businesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "printshop_price_lists",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prices", JSON, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        *_common("printshop_price_lists"),
        sa.UniqueConstraint("business_id", "name", name=op.f("uq_printshop_price_lists_business_id_name")),
    )
    with op.batch_alter_table("printshop_price_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_printshop_price_lists_business_id"), ["business_id"], unique=False
        )
    op.create_table(
        "printshop_templates",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("data", JSON, nullable=False),
        *_common("printshop_templates"),
        sa.UniqueConstraint("business_id", "name", name=op.f("uq_printshop_templates_business_id_name")),
    )
    with op.batch_alter_table("printshop_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_printshop_templates_business_id"), ["business_id"], unique=False)
    op.create_table(
        "printshop_processing_steps",
        sa.Column("document", sa.String(length=500), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("outputs", JSON, nullable=False),
        sa.Column("params", JSON, nullable=False),
        *_common("printshop_processing_steps"),
    )
    with op.batch_alter_table("printshop_processing_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_printshop_processing_steps_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(
            "ix_printshop_processing_steps_business_document", ["business_id", "document"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("printshop_processing_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_printshop_processing_steps_business_document")
        batch_op.drop_index(batch_op.f("ix_printshop_processing_steps_business_id"))
    op.drop_table("printshop_processing_steps")
    with op.batch_alter_table("printshop_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_printshop_templates_business_id"))
    op.drop_table("printshop_templates")
    with op.batch_alter_table("printshop_price_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_printshop_price_lists_business_id"))
    op.drop_table("printshop_price_lists")
