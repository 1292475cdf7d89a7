"""login_throttles: failed logins per client address and per (account, address)

Revision ID: 0006_login_throttle
Revises: 0005_session_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from niaga.db.base import UTCDateTime

revision = "0006_login_throttle"
down_revision = "0005_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )


def downgrade() -> None:
    op.drop_table("login_throttles")
