"""users.session_version: logout, password change and role change end every dashboard session

Revision ID: 0005_session_version
Revises: 0004_printshop
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_session_version"
down_revision = "0004_printshop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
