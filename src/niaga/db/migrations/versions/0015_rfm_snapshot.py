"""rfm: snapshots stored by column in blocks of customers (rfm_snapshot_blocks) instead of one row per customer

Writing one row per customer was ~70% of an RFM run. A snapshot is now a few rows of up to 4096 customers
each (consecutive ids), their figures and scores packed by column (layout in `niaga.marketing.rfm_store`,
copied below so later code cannot change what this migration writes). Existing snapshot rows are converted
both ways.

Revision ID: 0015_rfm_snapshot
Revises: 0014_embeddings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_rfm_snapshot"
down_revision = "0014_embeddings"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BLOCK = 4096
LAYOUT = (
    ("customer_id", "<i8"),
    ("recency_days", "<i4"),
    ("frequency", "<i4"),
    ("monetary", "<i8"),
    ("r", "u1"),
    ("f", "u1"),
    ("m", "u1"),
)
_COLS = ", ".join(name for name, _ in LAYOUT)
_GRID = {
    5: ("new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"),
    2: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
}
# The rows table's cascade trigger as 0007_rfm_rows_lean made it.
_TRIGGERS = {
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


def _pack(rows: list[tuple[int, ...]]) -> bytes:
    import numpy as np

    a = np.asarray(rows, dtype=np.int64).reshape(-1, len(LAYOUT))
    return b"".join(np.ascontiguousarray(a[:, i], dtype=dt).tobytes() for i, (_, dt) in enumerate(LAYOUT))


def _unpack(n: int, data: bytes) -> list[tuple[int, ...]]:
    import numpy as np

    cols, off = [], 0
    for _, dt in LAYOUT:
        a = np.frombuffer(data, dtype=dt, count=n, offset=off)
        off += a.nbytes
        cols.append(a.astype(np.int64).tolist())
    return list(zip(*cols, strict=True))


def upgrade() -> None:
    op.create_table(
        "rfm_snapshot_blocks",
        sa.Column("snapshot_id", BigId, nullable=False),
        sa.Column("first_customer_id", BigId, nullable=False),
        sa.Column("last_customer_id", BigId, nullable=False),
        sa.Column("business_id", BigId, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["rfm_snapshots.id"],
            name=op.f("fk_rfm_snapshot_blocks_snapshot_id_rfm_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "first_customer_id", name=op.f("pk_rfm_snapshot_blocks")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # no TOAST compression of the packed blocks (see the model)
        op.execute("ALTER TABLE rfm_snapshot_blocks ALTER COLUMN data SET STORAGE EXTERNAL")
    blocks = sa.table(
        "rfm_snapshot_blocks",
        *(sa.column(c) for c in ("snapshot_id", "first_customer_id", "last_customer_id", "business_id", "n")),
        sa.column("data", sa.LargeBinary()),
    )
    snaps = bind.exec_driver_sql("SELECT DISTINCT snapshot_id, business_id FROM rfm_snapshot_rows").all()
    for sid, bid in snaps:
        rows = [
            tuple(r)
            for r in bind.execute(
                sa.text(f"SELECT {_COLS} FROM rfm_snapshot_rows WHERE snapshot_id = :s ORDER BY customer_id"),
                {"s": sid},
            )
        ]
        for lo in range(0, len(rows), BLOCK):
            part = rows[lo : lo + BLOCK]
            bind.execute(
                blocks.insert().values(
                    snapshot_id=sid,
                    first_customer_id=part[0][0],
                    last_customer_id=part[-1][0],
                    business_id=bid,
                    n=len(part),
                    data=_pack(part),
                )
            )
    pg = bind.dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS rfm_snapshot_rows_cascade" + (" ON rfm_snapshots" if pg else ""))
    if pg:
        op.execute("DROP FUNCTION IF EXISTS rfm_snapshot_rows_cascade()")
    op.drop_table("rfm_snapshot_rows")


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":  # as 0007_rfm_rows_lean left it
        op.execute(
            "CREATE TABLE rfm_snapshot_rows ("
            "snapshot_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, recency_days INTEGER NOT NULL, "
            "frequency INTEGER NOT NULL, monetary BIGINT NOT NULL, r SMALLINT NOT NULL, f SMALLINT NOT NULL, "
            "m SMALLINT NOT NULL, segment VARCHAR(32) NOT NULL, business_id INTEGER NOT NULL, "
            "CONSTRAINT pk_rfm_snapshot_rows PRIMARY KEY (snapshot_id, customer_id)) WITHOUT ROWID"
        )
    else:
        op.create_table(
            "rfm_snapshot_rows",
            sa.Column("snapshot_id", BigId, nullable=False),
            sa.Column("customer_id", BigId, nullable=False),
            sa.Column("recency_days", sa.Integer(), nullable=False),
            sa.Column("frequency", sa.Integer(), nullable=False),
            sa.Column("monetary", sa.BigInteger(), nullable=False),
            sa.Column("r", sa.SmallInteger(), nullable=False),
            sa.Column("f", sa.SmallInteger(), nullable=False),
            sa.Column("m", sa.SmallInteger(), nullable=False),
            sa.Column("segment", sa.String(length=32), nullable=False),
            sa.Column("business_id", BigId, nullable=False),
            sa.PrimaryKeyConstraint("snapshot_id", "customer_id", name=op.f("pk_rfm_snapshot_rows")),
        )
    for stmt in _TRIGGERS.get(dialect, ()):
        op.execute(stmt)
    found = bind.exec_driver_sql(
        "SELECT snapshot_id, business_id, n, data FROM rfm_snapshot_blocks ORDER BY snapshot_id, first_customer_id"
    ).all()
    insert = sa.text(
        f"INSERT INTO rfm_snapshot_rows (snapshot_id, business_id, {_COLS}, segment) "
        "VALUES (:s, :b, :customer_id, :recency_days, :frequency, :monetary, :r, :f, :m, :segment)"
    )
    for sid, bid, n, data in found:
        rows = [
            {
                "s": sid,
                "b": bid,
                **dict(zip((name for name, _ in LAYOUT), row, strict=True)),
                "segment": _GRID[row[4]][row[5] - 1],
            }
            for row in _unpack(n, bytes(data))
        ]
        if rows:
            bind.execute(insert, rows)
    op.drop_table("rfm_snapshot_blocks")
