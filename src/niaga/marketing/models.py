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


class RfmSnapshotBlock(Base):
    """Up to `rfm_store.BLOCK` customers of one snapshot (consecutive ids), their figures and scores packed
    by column (layout and readers in `marketing.rfm_store`). A snapshot of 100k customers is 25 rows, not
    100k: storing it costs about as much as writing 2.7 MB, and a customer's row is one key lookup."""

    __tablename__ = "rfm_snapshot_blocks"

    snapshot_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("rfm_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    first_customer_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    last_customer_id: Mapped[int] = mapped_column(BigId, nullable=False)
    business_id: Mapped[int] = mapped_column(BigId, nullable=False)
    n: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)


# PostgreSQL would compress every block (TOAST, pglz) on write: 40x slower than storing it as it is, for
# packed integers that compress poorly. Blocks are stored out of line uncompressed (STORAGE EXTERNAL); the
# migration 0015_rfm_snapshot sets the same.
BLOCK_STORAGE = "ALTER TABLE rfm_snapshot_blocks ALTER COLUMN data SET STORAGE EXTERNAL"
sa.event.listen(
    RfmSnapshotBlock.__table__, "after_create", sa.DDL(BLOCK_STORAGE).execute_if(dialect="postgresql")
)


def _forget_snapshot_rows(db: Session, business_id: int, customer_id: int) -> None:
    """A deleted customer is cut out of every stored snapshot of their business."""
    from niaga.marketing import rfm_store

    rfm_store.forget_customer(db, business_id=business_id, customer_id=customer_id)


# Registered when the models are loaded (niaga.db.models.MODEL_MODULES), i.e. wherever the tables exist.
FORGET_HOOKS.append(_forget_snapshot_rows)
