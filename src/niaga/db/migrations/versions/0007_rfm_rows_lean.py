"""RFM tables with lean bulk writes: no per-row foreign-key checks (cascades as triggers), WITHOUT ROWID rows

- customer_purchase_stats: derived aggregates a rebuild restores; the per-row checks of customer_id and
  business_id were most of the cost of a rebuild on PostgreSQL. The customer cascade is now a trigger on
  customers; the redundant single-column business_id index goes (the (business_id, last_on) index serves).
- rfm_snapshot_rows: a snapshot writes one row per customer (100k at a time). The per-row check of
  snapshot_id made storing a snapshot 3-5x slower on PostgreSQL; its cascade is now a trigger on
  rfm_snapshots. On SQLite the table is WITHOUT ROWID: the rows live in the primary key's b-tree only, one
  b-tree insert per row instead of two.

Revision ID: 0007_rfm_rows_lean
Revises: 0006_login_throttle
"""

from __future__ import annotations

from alembic import op

revision = "0007_rfm_rows_lean"
down_revision = "0006_login_throttle"
branch_labels = None
depends_on = None

# The triggers' text as of this revision (kept here so later model edits cannot change this migration).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER customer_purchase_stats_cascade AFTER DELETE ON customers FOR EACH ROW "
        "BEGIN DELETE FROM customer_purchase_stats WHERE customer_id = OLD.id; END",
        "CREATE TRIGGER rfm_snapshot_rows_cascade AFTER DELETE ON rfm_snapshots FOR EACH ROW "
        "BEGIN DELETE FROM rfm_snapshot_rows WHERE snapshot_id = OLD.id; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION customer_purchase_stats_cascade() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM customer_purchase_stats s USING old_customers o WHERE s.customer_id = o.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER customer_purchase_stats_cascade AFTER DELETE ON customers "
        "REFERENCING OLD TABLE AS old_customers FOR EACH STATEMENT "
        "EXECUTE FUNCTION customer_purchase_stats_cascade()",
        "CREATE OR REPLACE FUNCTION rfm_snapshot_rows_cascade() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM rfm_snapshot_rows r USING old_snapshots o WHERE r.snapshot_id = o.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER rfm_snapshot_rows_cascade AFTER DELETE ON rfm_snapshots "
        "REFERENCING OLD TABLE AS old_snapshots FOR EACH STATEMENT "
        "EXECUTE FUNCTION rfm_snapshot_rows_cascade()",
    ),
}

_ROWS = "snapshot_id, customer_id, recency_days, frequency, monetary, r, f, m, segment, business_id"
_STATS = "customer_id, last_on, frequency, monetary, business_id"


def _sqlite_recreate(lean: bool) -> None:
    """SQLite cannot drop a foreign key: both tables again, lean (upgrade) or as before (downgrade)."""
    fk = "CONSTRAINT fk_{t}_{c}_{p} FOREIGN KEY({c}) REFERENCES {p} (id) ON DELETE CASCADE"
    op.execute("ALTER TABLE customer_purchase_stats RENAME TO _old_stats")
    op.execute("DROP INDEX IF EXISTS ix_customer_purchase_stats_business_last")
    op.execute("DROP INDEX IF EXISTS ix_customer_purchase_stats_business_id")
    stats_fks = (
        ""
        if lean
        else ", "
        + fk.format(t="customer_purchase_stats", c="business_id", p="businesses")
        + ", "
        + fk.format(t="customer_purchase_stats", c="customer_id", p="customers")
    )
    op.execute(
        "CREATE TABLE customer_purchase_stats (customer_id INTEGER NOT NULL, last_on DATE NOT NULL, "
        "frequency INTEGER NOT NULL, monetary BIGINT NOT NULL, business_id INTEGER NOT NULL, "
        f"CONSTRAINT pk_customer_purchase_stats PRIMARY KEY (customer_id){stats_fks})"
    )
    op.execute(f"INSERT INTO customer_purchase_stats ({_STATS}) SELECT {_STATS} FROM _old_stats")
    op.execute("DROP TABLE _old_stats")
    op.execute(
        "CREATE INDEX ix_customer_purchase_stats_business_last ON customer_purchase_stats (business_id, last_on)"
    )
    if not lean:
        op.execute(
            "CREATE INDEX ix_customer_purchase_stats_business_id ON customer_purchase_stats (business_id)"
        )

    op.execute("ALTER TABLE rfm_snapshot_rows RENAME TO _old_rows")
    op.execute(
        "CREATE TABLE rfm_snapshot_rows ("
        "snapshot_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, recency_days INTEGER NOT NULL, "
        "frequency INTEGER NOT NULL, monetary BIGINT NOT NULL, r SMALLINT NOT NULL, f SMALLINT NOT NULL, "
        "m SMALLINT NOT NULL, segment VARCHAR(32) NOT NULL, business_id INTEGER NOT NULL, "
        "CONSTRAINT pk_rfm_snapshot_rows PRIMARY KEY (snapshot_id, customer_id)"
        + (
            ") WITHOUT ROWID"
            if lean
            else ", " + fk.format(t="rfm_snapshot_rows", c="snapshot_id", p="rfm_snapshots") + ")"
        )
    )
    op.execute(f"INSERT INTO rfm_snapshot_rows ({_ROWS}) SELECT {_ROWS} FROM _old_rows")
    op.execute("DROP TABLE _old_rows")


_PG_FKS = (
    (
        "fk_customer_purchase_stats_business_id_businesses",
        "customer_purchase_stats",
        "businesses",
        "business_id",
    ),
    (
        "fk_customer_purchase_stats_customer_id_customers",
        "customer_purchase_stats",
        "customers",
        "customer_id",
    ),
    ("fk_rfm_snapshot_rows_snapshot_id_rfm_snapshots", "rfm_snapshot_rows", "rfm_snapshots", "snapshot_id"),
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_recreate(lean=True)
    else:
        for name, table, _parent, _col in _PG_FKS:
            op.drop_constraint(name, table, type_="foreignkey")
        op.drop_index("ix_customer_purchase_stats_business_id", table_name="customer_purchase_stats")
    for stmt in TRIGGERS.get(dialect, ()):
        op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    pg = dialect == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS customer_purchase_stats_cascade" + (" ON customers" if pg else ""))
    op.execute("DROP TRIGGER IF EXISTS rfm_snapshot_rows_cascade" + (" ON rfm_snapshots" if pg else ""))
    if not pg:
        _sqlite_recreate(lean=False)
        return
    op.execute("DROP FUNCTION IF EXISTS customer_purchase_stats_cascade()")
    op.execute("DROP FUNCTION IF EXISTS rfm_snapshot_rows_cascade()")
    op.create_index(
        "ix_customer_purchase_stats_business_id", "customer_purchase_stats", ["business_id"], unique=False
    )
    for name, table, parent, col in _PG_FKS:
        op.create_foreign_key(name, table, parent, [col], ["id"], ondelete="CASCADE")
