"""conversations.gateway: the WhatsApp gateway (waha|fonnte|starsender) a customer last wrote through, so
replies go out through the same number

Revision ID: 0017_gateway
Revises: 0016_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_gateway"
down_revision = "0016_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("gateway", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("gateway")
