"""Anti-ban send limits for WhatsApp: per chat per minute and per business per day, counted on what was
actually sent."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.timeutil import local_now
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.channels")


def check_send_rate(
    db: Session, *, msg: Message, chat_id: str, business: Business, now: datetime
) -> float | None:
    """Anti-ban limits for WhatsApp: seconds to wait when the per-number rate (messages per minute to one
    chat) or the business's daily cap is reached, else None. Counts what was actually sent."""
    cfg = business_settings(business).get("channels", {})
    per_minute = int(cfg.get("per_number_per_minute") or 0)
    daily_cap = int(cfg.get("daily_cap") or 0)
    base = sa.select(Message.sent_at).where(
        Message.business_id == msg.business_id,
        Message.channel == msg.channel,
        Message.direction == "out",
        Message.sent_at.is_not(None),
    )
    if per_minute:
        window = now - timedelta(seconds=60)
        recent = [
            t
            for t in db.scalars(
                base.join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.chat_id == chat_id, Message.sent_at >= window)
                .order_by(Message.sent_at)
            )
            if t is not None
        ]
        if len(recent) >= per_minute:
            oldest = recent[len(recent) - per_minute]
            return max(1.0, (oldest + timedelta(seconds=60) - now).total_seconds())
    if daily_cap:
        local = local_now(business.timezone)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        sent_today = (
            db.scalar(sa.select(sa.func.count()).select_from(base.where(Message.sent_at >= start).subquery()))
            or 0
        )
        if sent_today >= daily_cap:
            return max(60.0, (start + timedelta(days=1) - local).total_seconds())
    return None
