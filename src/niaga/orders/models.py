from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime
from niaga.kit.timeutil import utcnow

ORDER_STATES = (
    "draft",
    "awaiting_payment",
    "paid",
    "processing",
    "ready",
    "shipped",
    "picked_up",
    "completed",
    "cancelled",
    "expired",
    "refunded",
)


class Order(IdMixin, BusinessMixin, TimestampMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "number"),
        sa.Index("ix_orders_business_status", "business_id", "status"),
        sa.Index("ix_orders_business_created", "business_id", "created_at"),
        sa.CheckConstraint("total >= 0", name="total_nonneg"),
    )

    number: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # ORD-YYYYMMDD-NNNN
    customer_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("conversations.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(20), default="retail", nullable=False)  # retail|print
    source: Mapped[str] = mapped_column(
        sa.String(20), default="dashboard", nullable=False
    )  # chat|dashboard|api
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", nullable=False)
    subtotal: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    shipping_cost: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    discount: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    points_redeemed: Mapped[int] = mapped_column(default=0, nullable=False)
    points_discount: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    paid_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    # {"city","courier","service","weight_g","kg","address"} or {} for pickup
    shipping: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    print_spec: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Reasons staff must look at this order: amount mismatch, double payment, late settlement...
    flags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    payment_url: Mapped[str | None] = mapped_column(sa.String(500))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id", lazy="selectin"
    )


class OrderItem(IdMixin, BusinessMixin, Base):
    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("products.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    quantity: Mapped[int] = mapped_column(nullable=False)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    weight_g: Mapped[int | None] = mapped_column(sa.Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)

    order: Mapped[Order] = relationship(back_populates="items")


class OrderEvent(IdMixin, BusinessMixin, Base):
    """The order's timeline: every state change and notable step, with who or what caused it."""

    __tablename__ = "order_events"

    order_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    event: Mapped[str] = mapped_column(sa.String(50), nullable=False)  # order.created, order.paid, ...
    actor_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # user|customer|system|provider
    actor_id: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class OrderCounter(Base):
    """Per business, per local day: the last allocated order sequence number."""

    __tablename__ = "order_counters"

    business_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # YYYYMMDD
    last: Mapped[int] = mapped_column(default=0, nullable=False)


class Payment(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One money movement: a payment (amount > 0) or a refund (amount < 0)."""

    __tablename__ = "payments"
    __table_args__ = (sa.UniqueConstraint("business_id", "provider", "provider_ref"),)

    order_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    method: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # midtrans|cash|transfer|qris
    provider: Mapped[str] = mapped_column(sa.String(20), default="manual", nullable=False)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    tendered: Mapped[int | None] = mapped_column(sa.BigInteger)  # cash handed over
    change: Mapped[int | None] = mapped_column(sa.BigInteger)
    proof: Mapped[list[Any]] = mapped_column(default=list, nullable=False)  # media refs of a transfer proof
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    flag: Mapped[str | None] = mapped_column(sa.String(100))
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Invoice(IdMixin, BusinessMixin, TimestampMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (sa.UniqueConstraint("business_id", "number"),)

    order_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("orders.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    number: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    path: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_via: Mapped[str | None] = mapped_column(sa.String(20))


class LoyaltyEntry(IdMixin, BusinessMixin, Base):
    """Points ledger: earn (+), redeem (-), expire (-), adjust (±). The balance is the sum."""

    __tablename__ = "loyalty_entries"
    __table_args__ = (sa.Index("ix_loyalty_entries_customer", "business_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
    )
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    points: Mapped[int] = mapped_column(nullable=False)
    remaining: Mapped[int] = mapped_column(default=0, nullable=False)  # unspent part of an earn entry
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
