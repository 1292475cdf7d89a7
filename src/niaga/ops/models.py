"""Operations tables: outgoing event webhook subscriptions and their delivery log, and alert state (so that a
condition alerts the owner at most once per period)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime
from niaga.kit.timeutil import utcnow

EVENT_TYPES = (
    "message.received",
    "order.created",
    "order.paid",
    "order.status_changed",
    "print_job.ready",
    "customer.segment_changed",
    "content.published",
    "ping",
)


class EventSubscription(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A business's endpoint for outgoing events (n8n, Zapier-like tools, the shop's own scripts)."""

    __tablename__ = "event_subscriptions"

    url: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    events: Mapped[list[Any]] = mapped_column(default=list, nullable=False)  # ["*"] = every event
    secret_enc: Mapped[str] = mapped_column(sa.Text, nullable=False)  # Fernet (kit.crypto)
    description: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    consecutive_failures: Mapped[int] = mapped_column(default=0, nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)


class EventDelivery(IdMixin, BusinessMixin, Base):
    """One event for one subscription: the body sent (so it can be replayed) and the outcome of each try."""

    __tablename__ = "event_deliveries"
    __table_args__ = (sa.Index("ix_event_deliveries_subscription_created", "subscription_id", "created_at"),)

    subscription_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("event_subscriptions.id", ondelete="CASCADE"), nullable=False
    )
    event_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    event_type: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(12), default="pending", nullable=False
    )  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    duration_ms: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OpsAlert(IdMixin, BusinessMixin, Base):
    """The last state of one alert condition for one business."""

    __tablename__ = "ops_alerts"
    __table_args__ = (sa.UniqueConstraint("business_id", "condition"),)

    condition: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    active: Mapped[bool] = mapped_column(default=False, nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
