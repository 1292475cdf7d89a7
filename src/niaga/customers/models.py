from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime
from niaga.kit.timeutil import utcnow

CHANNELS = ("whatsapp", "telegram", "web", "email")


class Customer(IdMixin, BusinessMixin, TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "customer_ref"),
        sa.Index("ix_customers_business_phone", "business_id", "phone"),
        sa.Index("ix_customers_business_name", "business_id", "name"),
    )

    customer_ref: Mapped[str | None] = mapped_column(sa.String(64))  # external id from imports
    name: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(32))  # E.164 digits without '+', e.g. 6281234...
    email: Mapped[str | None] = mapped_column(sa.String(254))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(5), default="id", nullable=False)
    tags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Totals kept up to date from paid orders and imported transactions.
    total_orders: Mapped[int] = mapped_column(default=0, nullable=False)
    total_spent: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    first_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    points_balance: Mapped[int] = mapped_column(default=0, nullable=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_blocked: Mapped[bool] = mapped_column(default=False, nullable=False)

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", lazy="selectin"
    )


class CustomerIdentity(IdMixin, BusinessMixin, TimestampMixin, Base):
    """How a customer is reached on one channel: WhatsApp number, Telegram chat id, web visitor id, email."""

    __tablename__ = "customer_identities"
    __table_args__ = (sa.UniqueConstraint("business_id", "channel", "external_id"),)

    customer_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True, nullable=False
    )
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    external_id: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    display_name: Mapped[str | None] = mapped_column(sa.String(200))

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Transaction(IdMixin, BusinessMixin, Base):
    """A purchase for RFM: imported from the shop's books or written when an order is paid."""

    __tablename__ = "transactions"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "ref"),
        sa.Index("ix_transactions_business_customer_date", "business_id", "customer_id", "occurred_on"),
        sa.Index("ix_transactions_business_date", "business_id", "occurred_on"),
        # Covers the RFM aggregate rebuild (GROUP BY customer over completed rows) as an index-only scan.
        sa.Index("ix_transactions_rfm", "business_id", "customer_id", "status", "occurred_on", "amount"),
    )

    ref: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    customer_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
    )
    occurred_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="completed", nullable=False)
    products: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    source: Mapped[str] = mapped_column(sa.String(20), default="import", nullable=False)  # import|order|api
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CustomerPurchaseStats(Base):
    """One row per customer with at least one completed transaction: the three RFM inputs, kept up to date
    whenever a transaction is written (import, paid order, refund, cancellation) so that an RFM run reads
    one row per customer instead of every transaction. `niaga rfm rebuild` recomputes them from scratch.

    Derived data that a rebuild can always restore, written in bulk (imports, rebuilds), so it carries no
    per-row foreign-key checks: on PostgreSQL the checks of `customer_id` and `business_id` were most of the
    cost of a rebuild. A trigger (STATS_CASCADE_TRIGGERS) deletes a customer's row when the customer goes
    (also when a business's deletion cascades to its customers); writers only ever add rows for customers
    whose transactions they have just written."""

    __tablename__ = "customer_purchase_stats"
    # Covering index: an RFM run reads (and its snapshot INSERT … SELECT scans) a business's figures from
    # the index alone, without one table lookup per customer (that lookup was most of a run's read).
    __table_args__ = (
        sa.Index(
            "ix_customer_purchase_stats_business_figures",
            "business_id",
            "last_on",
            "frequency",
            "monetary",
            "customer_id",
        ),
    )

    customer_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(BigId, nullable=False)
    last_on: Mapped[date] = mapped_column(
        sa.Date, nullable=False
    )  # latest completed transaction (local date)
    frequency: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    monetary: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


# "ON DELETE CASCADE" from customers to their aggregates, as a trigger (see CustomerPurchaseStats). Used by
# create_all (below) and by the migration that introduced it (0007_rfm_rows_lean), so both schemas agree.
STATS_CASCADE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER customer_purchase_stats_cascade AFTER DELETE ON customers FOR EACH ROW "
        "BEGIN DELETE FROM customer_purchase_stats WHERE customer_id = OLD.id; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION customer_purchase_stats_cascade() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM customer_purchase_stats s USING old_customers o WHERE s.customer_id = o.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER customer_purchase_stats_cascade AFTER DELETE ON customers "
        "REFERENCING OLD TABLE AS old_customers FOR EACH STATEMENT "
        "EXECUTE FUNCTION customer_purchase_stats_cascade()",
    ),
}


@sa.event.listens_for(Base.metadata, "after_create")
def _create_stats_cascade_trigger(target: sa.MetaData, connection: sa.Connection, **kw: Any) -> None:
    """After create_all (both tables exist by then, in whatever order they were made)."""
    made = {t.name for t in kw.get("tables") or ()}
    if {"customers", "customer_purchase_stats"} <= made:
        for stmt in STATS_CASCADE_TRIGGERS.get(connection.dialect.name, ()):
            connection.exec_driver_sql(stmt)
