"""rfm_snapshot_rows: lean writes (WITHOUT ROWID on SQLite, the snapshot cascade as a trigger)

A snapshot writes one row per customer (100k at a time) keyed by (snapshot_id, customer_id).
- As an ordinary SQLite table every row went into two b-trees (the rowid table and the primary-key index);
  WITHOUT ROWID stores the rows in the key's b-tree only, which halves the cost of storing a snapshot.
- The per-row foreign-key check of snapshot_id made storing a snapshot 3-5x slower on PostgreSQL; the
  ON DELETE CASCADE it carried is now a trigger on rfm_snapshots (see marketing/models.py).

Revision ID: 0007_rfm_rows_lean
Revises: 0006_login_throttle
"""

from __future__ import annotations

from alembic import op

# The trigger's text as of this revision (kept here so later model edits cannot change this migration).
CASCADE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER rfm_snapshot_rows_cascade AFTER DELETE ON rfm_snapshots FOR EACH ROW "
        "BEGIN DELETE FROM rfm_snapshot_rows WHERE snapshot_id = OLD.id; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION rfm_snapshot_rows_cascade() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM rfm_snapshot_rows r USING old_snapshots o WHERE r.snapshot_id = o.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER rfm_snapshot_rows_cascade AFTER DELETE ON rfm_snapshots "
        "REFERENCING OLD TABLE AS old_snapshots FOR EACH STATEMENT "
        "EXECUTE FUNCTION rfm_snapshot_rows_cascade()",
    ),
}

revision = "0007_rfm_rows_lean"
down_revision = "0006_login_throttle"
branch_labels = None
depends_on = None

_COLUMNS = "snapshot_id, customer_id, recency_days, frequency, monetary, r, f, m, segment, business_id"


def _recreate(without_rowid: bool) -> None:
    """SQLite: the table again, WITHOUT ROWID (upgrade) or as before with its foreign key (downgrade)."""
    op.execute("ALTER TABLE rfm_snapshot_rows RENAME TO _rfm_snapshot_rows_old")
    op.execute(
        "CREATE TABLE rfm_snapshot_rows ("
        "snapshot_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, recency_days INTEGER NOT NULL, "
        "frequency INTEGER NOT NULL, monetary BIGINT NOT NULL, r SMALLINT NOT NULL, f SMALLINT NOT NULL, "
        "m SMALLINT NOT NULL, segment VARCHAR(32) NOT NULL, business_id INTEGER NOT NULL, "
        "CONSTRAINT pk_rfm_snapshot_rows PRIMARY KEY (snapshot_id, customer_id)"
        + (
            ") WITHOUT ROWID"
            if without_rowid
            else ", CONSTRAINT fk_rfm_snapshot_rows_snapshot_id_rfm_snapshots FOREIGN KEY(snapshot_id) "
            "REFERENCES rfm_snapshots (id) ON DELETE CASCADE)"
        )
    )
    op.execute(f"INSERT INTO rfm_snapshot_rows ({_COLUMNS}) SELECT {_COLUMNS} FROM _rfm_snapshot_rows_old")
    op.execute("DROP TABLE _rfm_snapshot_rows_old")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _recreate(without_rowid=True)
    else:
        op.drop_constraint(
            "fk_rfm_snapshot_rows_snapshot_id_rfm_snapshots", "rfm_snapshot_rows", type_="foreignkey"
        )
    for stmt in CASCADE_TRIGGERS.get(dialect, ()):
        op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "DROP TRIGGER IF EXISTS rfm_snapshot_rows_cascade"
        + (" ON rfm_snapshots" if dialect == "postgresql" else "")
    )
    if dialect == "sqlite":
        _recreate(without_rowid=False)
    else:
        op.execute("DROP FUNCTION IF EXISTS rfm_snapshot_rows_cascade()")
        op.create_foreign_key(
            "fk_rfm_snapshot_rows_snapshot_id_rfm_snapshots",
            "rfm_snapshot_rows",
            "rfm_snapshots",
            ["snapshot_id"],
            ["id"],
            ondelete="CASCADE",
        )
