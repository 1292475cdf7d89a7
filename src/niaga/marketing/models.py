"""Tables of customer intelligence: per-customer purchase aggregates, RFM snapshots and their rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from niaga.customers.models import CustomerPurchaseStats as CustomerPurchaseStats  # re-export
from niaga.customers.service import FORGET_HOOKS
from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, UTCDateTime
from niaga.kit.timeutil import utcnow


class RfmSnapshot(IdMixin, BusinessMixin, Base):
    """One RFM run of a business: the as-of date, the method, and the totals per segment."""

    __tablename__ = "rfm_snapshots"
    __table_args__ = (
        sa.Index("ix_rfm_snapshots_business_taken", "business_id", "taken_at"),
        sa.UniqueConstraint("business_id", "period"),
    )

    as_of: Mapped[date] = mapped_column(sa.Date, nullable=False)
    method: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), default="manual", nullable=False)  # manual|weekly|api
    # A weekly snapshot's slot ("2026-W48"): unique per business, so two workers never take it twice.
    period: Mapped[str | None] = mapped_column(sa.String(20))
    customers_scored: Mapped[int] = mapped_column(default=0, nullable=False)
    customers_without_purchases: Mapped[int] = mapped_column(default=0, nullable=False)
    # {"champions": {"count": 12, "revenue": 3400000}, ...}
    segments: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    # {"5,4": {"count": 3, "revenue": 1200000}, ...} (R,F cells)
    grid: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class RfmSnapshotRow(Base):
    """A customer's figures, scores and segment in one snapshot (their history is the rows over time)."""

    __tablename__ = "rfm_snapshot_rows"
    # Derived rows written 100k at a time, so the table is kept lean:
    # - only the (snapshot_id, customer_id) key (a snapshot appends in key order; a customer's history is one
    #   point lookup per snapshot), and on SQLite the rows live in that key's b-tree only (WITHOUT ROWID):
    #   one b-tree insert per row instead of two;
    # - no per-row foreign-key checks: on PostgreSQL the check of `snapshot_id` alone made storing a snapshot
    #   3-5x slower. Rows are written only by `service.do_run`, in the transaction that creates their
    #   snapshot, and a trigger (CASCADE_TRIGGERS) deletes a snapshot's rows when the snapshot goes (also
    #   when a business's deletion cascades to its snapshots). A deleted customer's rows are removed by
    #   `aggregates.forget_customer`.
    __table_args__ = {"sqlite_with_rowid": False}

    business_id: Mapped[int] = mapped_column(BigId, nullable=False)
    snapshot_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recency_days: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    frequency: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    monetary: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    r: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    f: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    m: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    segment: Mapped[str] = mapped_column(sa.String(32), nullable=False)


# "ON DELETE CASCADE" from rfm_snapshots to their rows, as a trigger (see RfmSnapshotRow). Used by
# create_all (below) and by the migration that introduced it (0007_rfm_rows_lean), so both schemas agree.
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


@sa.event.listens_for(Base.metadata, "after_create")
def _create_cascade_trigger(target: sa.MetaData, connection: sa.Connection, **kw: Any) -> None:
    """After create_all (both tables exist by then, in whatever order they were made)."""
    made = {t.name for t in kw.get("tables") or ()}
    if {"rfm_snapshots", "rfm_snapshot_rows"} <= made:
        for stmt in CASCADE_TRIGGERS.get(connection.dialect.name, ()):
            connection.exec_driver_sql(stmt)


def _forget_snapshot_rows(db: Session, business_id: int, customer_id: int) -> None:
    """A deleted customer's snapshot rows go too (they have no foreign key to the customer)."""
    db.execute(
        sa.delete(RfmSnapshotRow).where(
            RfmSnapshotRow.business_id == business_id, RfmSnapshotRow.customer_id == customer_id
        )
    )


# Registered when the models are loaded (niaga.db.models.MODEL_MODULES), i.e. wherever the tables exist.
FORGET_HOOKS.append(_forget_snapshot_rows)
