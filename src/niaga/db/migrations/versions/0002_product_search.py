"""product search index (SQLite FTS5 trigram / PostgreSQL pg_trgm)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from niaga.catalog import fts

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    fts.install(op.get_bind())


def downgrade() -> None:
    fts.uninstall(op.get_bind())
