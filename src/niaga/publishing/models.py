"""Tables of publishing: calendar items, their publication per platform, broadcasts and their recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime

ITEM_STATES = (
    "draft",
    "awaiting_approval",
    "approved",
    "scheduled",
    "publishing",
    "published",
    "failed",
    "rejected",
)
PLATFORMS = ("instagram", "facebook", "tiktok", "telegram_channel")


class ContentItem(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One post of the content calendar: caption, media, target platforms and the time it goes out."""

    __tablename__ = "content_items"
    __table_args__ = (
        sa.Index("ix_content_items_business_when", "business_id", "scheduled_at"),
        sa.Index("ix_content_items_business_status", "business_id", "status"),
        # the weekly batch drafts one item per slot, once (two workers: the second insert fails)
        sa.UniqueConstraint("business_id", "batch_slot"),
    )

    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    caption: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    hashtags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    # [{"path": relative to files_dir, "token": public id, "mimetype", "kind": "image"|"video"}]
    media: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    targets: Mapped[list[Any]] = mapped_column(default=list, nullable=False)  # PLATFORMS
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", nullable=False)
    segment: Mapped[str | None] = mapped_column(sa.String(32))
    product_sku: Mapped[str | None] = mapped_column(sa.String(64))
    occasion: Mapped[str | None] = mapped_column(sa.String(40))
    batch_slot: Mapped[str | None] = mapped_column(sa.String(40))  # "2026-W49:3" for weekly drafts
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)  # rejection or revision request
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))  # "user:3" | "telegram:999"
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the Telegram approval messages: [{"chat_id", "message_id"}]
    approval_messages: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class ContentPublication(IdMixin, BusinessMixin, TimestampMixin, Base):
    """An item on one platform: its own state, the provider's ids (kept across retries so a retry resumes
    instead of posting twice) and the published post's id and link."""

    __tablename__ = "content_publications"
    __table_args__ = (sa.UniqueConstraint("item_id", "platform"),)

    item_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("content_items.id", ondelete="CASCADE"), index=True, nullable=False
    )
    platform: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(20), default="pending", nullable=False
    )  # pending|publishing|published|failed
    state: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)  # container/publish ids
    remote_id: Mapped[str | None] = mapped_column(sa.String(200))
    permalink: Mapped[str | None] = mapped_column(sa.String(500))
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Broadcast(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A WhatsApp message to a group of customers (an RFM segment, a tag or a city)."""

    __tablename__ = "broadcasts"

    name: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)  # segment|tag|city
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(20), default="draft", nullable=False
    )  # draft|sending|paused|done|cancelled
    # pacing and the consent rule it was sent with (copied from the settings at start)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    created_by: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pause_reason: Mapped[str | None] = mapped_column(sa.Text)


class BroadcastRecipient(IdMixin, BusinessMixin, Base):
    """One customer of a broadcast: when their message is due, its outbound message and its status."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        sa.UniqueConstraint("broadcast_id", "customer_id"),
        sa.Index("ix_broadcast_recipients_due", "broadcast_id", "status", "due_at"),
    )

    broadcast_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False
    )
    customer_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
    )
    phone: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    # pending|queued (handed to the outbound path)|sent|delivered|read|failed|opted_out|skipped
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", nullable=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[int | None] = mapped_column(BigId)
    error: Mapped[str | None] = mapped_column(sa.Text)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
