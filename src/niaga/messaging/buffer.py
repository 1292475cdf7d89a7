"""Message buffering: customers split one question over several chat bubbles ("kak", "mau tanya",
"peci hitam brp?"). Every inbound message schedules job `conversations.reply` delayed by the business's
window (settings channels.buffer_seconds, default 2 s). When a job runs and a newer unanswered message
exists, it does nothing: that message's own job comes later. The job of the last message runs ONE agent turn
over all unanswered messages, merged in order. A customer who keeps typing is answered at the latest
`MAX_WAIT_FACTOR` windows after their first unanswered message.

Idempotent: the turn claims its messages with a conditional UPDATE (`received` → `processed`) in the same
transaction that stores the reply and enqueues its delivery, so a retried or duplicated job cannot answer
the same messages twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from niaga.jobs.runner import enqueue
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.tenancy.defaults import merged_section
from niaga.tenancy.models import Business

log = get_logger("niaga.buffer")
MAX_WAIT_FACTOR = 5


def window_seconds(business: Business) -> float:
    return window_of({"channels": merged_section(business, "channels")})


def window_of(settings: dict[str, Any]) -> float:
    """The buffer window of a business's (merged) settings."""
    try:
        return max(0.0, float(settings.get("channels", {}).get("buffer_seconds", 2.0)))
    except (TypeError, ValueError):
        return 2.0


def schedule_turn(db: Session, *, business: Business, conversation: Conversation, message: Message) -> None:
    """Schedule the (buffered) answer to `message`; runs after the caller's transaction commits."""
    enqueue(
        db,
        "conversations.reply",
        business_id=business.id,
        delay=window_seconds(business),
        idempotency_key=f"reply:{message.id}",
        conversation_id=conversation.id,
        message_id=message.id,
    )


def unanswered(db: Session, *, conversation_id: int, business_id: int) -> list[Message]:
    return list(db.scalars(_UNANSWERED, {"b_conv": conversation_id, "b_business": business_id}))


_UNANSWERED_WHERE = (
    Message.business_id == sa.bindparam("b_business"),
    Message.conversation_id == sa.bindparam("b_conv"),
    Message.direction == "in",
    Message.delivery_status == "received",
)
_UNANSWERED = sa.select(Message).where(*_UNANSWERED_WHERE).order_by(Message.id)


def merged_text(messages: list[Message]) -> str:
    return "\n".join(m.text.strip() for m in messages if (m.text or "").strip())


def is_due(messages: list[Message], *, message_id: int, window: float) -> bool:
    """The turn belongs to `message_id` when it is the newest unanswered message, or when the customer has
    kept typing for longer than the maximum wait (then the newest job present answers everything)."""
    if not messages or message_id not in {m.id for m in messages}:
        return False
    if messages[-1].id == message_id:
        return True
    oldest = messages[0].created_at
    return oldest is not None and utcnow() - oldest > timedelta(seconds=window * MAX_WAIT_FACTOR)


def claim(db: Session, messages: list[Message]) -> list[Message]:
    """Mark the messages processed; returns those this transaction actually claimed.

    One conditional UPDATE … RETURNING: the rows returned are the rows this statement changed, so of two
    concurrent turns over the same messages (two due jobs on two workers) only one gets each message; the
    other waits on the row lock and, after the first commits, finds them no longer `received`."""
    claimed = set(claim_ids(db, [m.id for m in messages]))
    if not claimed:
        return []
    for m in messages:
        if m.id in claimed:  # what the UPDATE wrote, as the session's loaded state (nothing to flush again)
            set_committed_value(m, "delivery_status", "processed")
    return [m for m in messages if m.id in claimed]


def claim_ids(db: Session, ids: list[int]) -> list[int]:
    """`claim` by message ids (no ORM objects): the ids this transaction claimed, in the order given."""
    if not ids:
        return []
    claimed = set(db.connection().scalars(_CLAIM, {"b_ids": ids}))
    return [i for i in ids if i in claimed]


_MESSAGES: Any = Message.__table__
_CLAIM = (
    sa.update(_MESSAGES)
    .where(
        _MESSAGES.c.id.in_(sa.bindparam("b_ids", expanding=True)), _MESSAGES.c.delivery_status == "received"
    )
    .values(delivery_status="processed")
    .returning(_MESSAGES.c.id)
)


def turn_message(messages: list[Message]) -> Message:
    """The message the agent answers: the last one, or for several a detached copy of the last one that
    carries the merged text and all media (the stored messages keep what the customer wrote)."""
    last = messages[-1]
    if len(messages) == 1:
        return last
    media: list[Any] = []
    for m in messages:
        media.extend(m.media or [])
    copy = Message(
        id=last.id,
        business_id=last.business_id,
        conversation_id=last.conversation_id,
        channel=last.channel,
        direction="in",
        sender_type=last.sender_type,
        text=merged_text(messages),
        media=media,
        provider_message_id=last.provider_message_id,
        delivery_status="processed",
        entities={},
        meta={**(last.meta or {}), "merged_ids": [m.id for m in messages]},
        created_at=last.created_at,
    )
    return copy
