"""Messages to the customer about an order, on the channel they use.

The text (and any file) is stored as an outbound `Message` in the customer's conversation and sent by the
channels' durable job `channels.send_message` — so it shows in the staff inbox and is retried on failure.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.jobs.runner import enqueue
from niaga.messaging.models import Conversation
from niaga.messaging.service import record_outbound
from niaga.ops.logging import get_logger
from niaga.orders.models import Order

log = get_logger("niaga.orders.notify")

CHAT_CHANNELS = ("whatsapp", "telegram", "web")
SEND_JOB = "channels.send_message"


def conversation_for(
    db: Session, order: Order, *, channels: tuple[str, ...] = CHAT_CHANNELS
) -> Conversation | None:
    """The order's own conversation, else the customer's most recent one on a chat channel."""
    if order.conversation_id:
        conv = db.get(Conversation, order.conversation_id)
        if conv is not None and conv.business_id == order.business_id and conv.channel in channels:
            return conv
    if order.customer_id:
        return db.scalars(
            sa.select(Conversation)
            .where(
                Conversation.business_id == order.business_id,
                Conversation.customer_id == order.customer_id,
                Conversation.channel.in_(channels),
            )
            .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
            .limit(1)
        ).first()
    return None


def send_to_customer(
    db: Session,
    order: Order,
    *,
    text: str,
    media: list[dict[str, Any]] | None = None,
    conversation: Conversation | None = None,
) -> Any | None:
    """Queue `text` (+ media) to the customer. Returns the stored Message, or None when the customer has no
    chat conversation."""
    conv = conversation or conversation_for(db, order)
    if conv is None:
        return None

    msg = record_outbound(db, conversation=conv, text=text, sender_type="bot", media=media)
    db.flush()
    # The channels domain's delivery job, addressed by name (same idempotency key as its own sends).
    enqueue(db, SEND_JOB, business_id=order.business_id, message_id=msg.id, idempotency_key=f"send:{msg.id}")
    return msg
