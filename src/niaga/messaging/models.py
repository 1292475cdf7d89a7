from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime
from niaga.kit.timeutil import utcnow


class Conversation(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One customer on one channel. `owner` says who answers: the bot, or staff after a handoff."""

    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "channel", "chat_id"),
        sa.Index("ix_conversations_business_last", "business_id", "last_message_at"),
        sa.Index("ix_conversations_business_owner", "business_id", "owner", "status"),
    )

    customer_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True, nullable=False
    )
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # whatsapp|telegram|web|api|cli
    chat_id: Mapped[str] = mapped_column(sa.String(128), nullable=False)  # provider chat id / visitor id
    owner: Mapped[str] = mapped_column(sa.String(10), default="bot", nullable=False)  # bot|staff
    assigned_user_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(
        sa.String(20), default="open", nullable=False
    )  # open|closed|unreachable (blocked the bot; opens again when the customer writes)
    unread_count: Mapped[int] = mapped_column(default=0, nullable=False)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_message_preview: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    # Agent memory: products in focus, pending draft order, last quoted numbers, language, unanswered turns.
    memory: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    handoff_reason: Mapped[str | None] = mapped_column(sa.String(100))
    # WhatsApp only: the gateway (waha|fonnte|starsender) the customer last wrote through. Replies go out
    # through it, so a shop with two numbers answers from the number the customer wrote to.
    gateway: Mapped[str | None] = mapped_column(sa.String(20))

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="Message.id",
        lazy="raise_on_sql",
    )


class Message(IdMixin, BusinessMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "channel", "provider_message_id"),
        sa.Index("ix_messages_conversation_id", "conversation_id", "id"),
        sa.Index("ix_messages_business_created", "business_id", "created_at"),
    )

    conversation_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    direction: Mapped[str] = mapped_column(sa.String(3), nullable=False)  # in|out
    sender_type: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # customer|bot|staff|system
    sender_user_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # [{"path"|"url", "mimetype", "filename", "size", "note"}]
    media: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    reply_to_id: Mapped[int | None] = mapped_column(BigId)
    intent: Mapped[str | None] = mapped_column(sa.String(30))
    entities: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    # in: received|processed; out: queued|sending|sent|delivered|read|failed
    delivery_status: Mapped[str] = mapped_column(sa.String(12), default="received", nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    tokens: Mapped[int] = mapped_column(default=0, nullable=False)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
