"""The inbound pipeline shared by every channel: a customer's message as a channel delivered it is
stored once (customer, conversation, dedupe by provider message id) and the buffered agent turn is
scheduled (`niaga.messaging.buffer`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from niaga.customers.service import get_or_create_by_identity
from niaga.messaging import buffer
from niaga.messaging import service as conversations
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Message
from niaga.ops.logging import get_logger
from niaga.tenancy.models import Business

log = get_logger("niaga.channels")


# --- inbound ---------------------------------------------------------------------------------------


@dataclass
class Inbound:
    """One customer message as a channel delivered it, before it is stored."""

    channel: str
    chat_id: str
    text: str
    provider_message_id: str | None = None
    name: str | None = None
    phone: str | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    # Text to send the customer at once (e.g. their file was too large), besides the agent's answer.
    notice: str | None = None
    # The WhatsApp gateway it came through (waha|fonnte|starsender); the reply goes out through it.
    gateway: str | None = None


def do_receive(db: Session, *, business: Business, inbound: Inbound) -> Message | None:
    """Store a customer's message and schedule the (buffered) agent turn. None when it is a duplicate."""
    customer = get_or_create_by_identity(
        db,
        business_id=business.id,
        channel=inbound.channel,
        external_id=inbound.chat_id,
        name=inbound.name,
        phone=inbound.phone,
    )
    conversation = conversations.get_or_open(
        db, business_id=business.id, customer_id=customer.id, channel=inbound.channel, chat_id=inbound.chat_id
    )
    msg = conversations.record_inbound(
        db,
        conversation=conversation,
        text=inbound.text,
        media=inbound.media or None,
        provider_message_id=inbound.provider_message_id,
    )
    if inbound.gateway and conversation.gateway != inbound.gateway:
        conversation.gateway = inbound.gateway
    if msg is None:
        log.info("channel.duplicate_message", business_id=business.id, channel=inbound.channel)
        return None
    # conversations.service publishes message.created after commit.
    if inbound.notice:
        do_send(db, conversation=conversation, text=inbound.notice, sender_type="bot")
    if inbound.text.strip() or not inbound.notice:
        buffer.schedule_turn(db, business=business, conversation=conversation, message=msg)
    else:
        msg.delivery_status = "processed"  # nothing for the agent to answer beyond the notice
    return msg
