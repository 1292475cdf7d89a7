"""Print-job tables: one customer's print order as it moves from files received to picked up, and its
timeline (every state change with the actor that caused it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime
from niaga.kit.timeutil import utcnow

JOB_STATES = (
    "received",
    "processing",
    "needs_customer",
    "quoted",
    "awaiting_payment",
    "paid",
    "queued",
    "printing",
    "ready",
    "picked_up",
    "shipped",
    "completed",
    "cancelled",
    "failed",
)


class PrintJob(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A print order. `files`: [{"name", "path" (relative to files_dir), "size", "kind", "pages",
    "colour_pages", "finding"?, "role"?}]; `spec`: the parsed print spec (copies, binding, cover colour,
    paper, colour mode, duplex, express, pickup); `quote`: pricing.Quote.as_dict(); `output_path` and
    `previews` are relative to files_dir."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "number"),
        sa.Index("ix_print_jobs_business_status", "business_id", "status"),
        sa.Index("ix_print_jobs_business_conversation", "business_id", "conversation_id"),
    )

    number: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # CTK-<id>
    customer_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("conversations.id", ondelete="SET NULL")
    )
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # whatsapp|telegram|upload|counter
    status: Mapped[str] = mapped_column(sa.String(20), default="received", nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    files: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    findings: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    quote: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    pages_bw: Mapped[int] = mapped_column(default=0, nullable=False)
    pages_colour: Mapped[int] = mapped_column(default=0, nullable=False)
    copies: Mapped[int] = mapped_column(default=1, nullable=False)
    output_path: Mapped[str | None] = mapped_column(sa.String(500))
    previews: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    express: Mapped[bool] = mapped_column(default=False, nullable=False)
    pickup_text: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    payment_method: Mapped[str | None] = mapped_column(sa.String(20))  # online|counter
    alert: Mapped[str | None] = mapped_column(sa.String(300))  # printer trouble shown on the board
    print_request_id: Mapped[int | None] = mapped_column(BigId)
    print_attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    # when the job began waiting on the customer (quote sent, question asked, payment link sent)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    files_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    output_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PrintJobEvent(IdMixin, BusinessMixin, Base):
    """The job's timeline: `print_job.<to>` for every state change, plus notable steps."""

    __tablename__ = "print_job_events"
    __table_args__ = (sa.Index("ix_print_job_events_job", "business_id", "job_id", "id"),)

    job_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("print_jobs.id", ondelete="CASCADE"), nullable=False
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    event: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    actor_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # user|customer|system|provider
    actor_id: Mapped[int | None] = mapped_column(BigId)
    note: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
