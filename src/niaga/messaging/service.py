"""Conversations and messages: open/continue a conversation, record inbound and outbound messages,
hand a conversation to staff and back. Live events are published only after the transaction commits
(collected in `session.info`, sent by an `after_commit` listener), so the inbox never shows a message
that was rolled back.

Used by the channels (inbound job), the agent (`niaga chat`, `POST /api/v1/agent/turn`), orders
(payment links, invoices) and the dashboard (staff replies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from niaga.customers.models import Customer
from niaga.db.savepoints import in_savepoint, note_inserted
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.text import strip_nul
from niaga.kit.timeutil import utcnow
from niaga.messaging import events
from niaga.messaging.models import Conversation, Message
from niaga.messaging.serialize import message_out
from niaga.ops.logging import get_logger

log = get_logger("niaga.messaging")
_EVENTS_KEY = "niaga_conversation_events"
MAX_TEXT = 20_000


# --- events after commit --------------------------------------------------------------------------


def publish_after_commit(db: Session, business_id: int, event_type: str, **data: Any) -> None:
    db.info.setdefault(_EVENTS_KEY, []).append((business_id, event_type, data))


@event.listens_for(Session, "after_commit")
def _publish_events(session: Session) -> None:
    if in_savepoint(session):
        return
    pending = session.info.pop(_EVENTS_KEY, None)
    for business_id, event_type, data in pending or ():
        try:
            events.publish(business_id, event_type, **data)
        except Exception as exc:  # a dashboard hiccup must not break the caller
            log.warning("conversations.publish_failed", error=str(exc))


@event.listens_for(Session, "after_rollback")
def _drop_events(session: Session) -> None:
    if in_savepoint(session):
        return
    session.info.pop(_EVENTS_KEY, None)


# --- conversations --------------------------------------------------------------------------------


def get(db: Session, *, business_id: int, conversation_id: int) -> Conversation:
    c = db.scalars(
        sa.select(Conversation).where(
            Conversation.business_id == business_id, Conversation.id == conversation_id
        )
    ).first()
    if c is None:
        raise NotFound("Percakapan tidak ditemukan.", code="conversation_not_found")
    return c


def list_conversations(
    db: Session,
    *,
    business_id: int,
    channel: str | None = None,
    owner: str | None = None,
    unread: bool | None = None,
    status: str | None = None,
    search: str | None = None,
    customer_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    count: bool = True,
) -> tuple[list[tuple[Conversation, Customer]], int | None]:
    """The one conversation list (staff API and dashboard inbox): newest activity first, with the customer
    joined. `unread`: True only unread, False only read, None both. `search` looks in the customer's name
    and phone, the chat id and the last message. The total is counted only when `count`."""
    q = (
        sa.select(Conversation, Customer)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.business_id == business_id, Customer.business_id == business_id)
    )
    if channel:
        q = q.where(Conversation.channel == channel)
    if owner:
        q = q.where(Conversation.owner == owner)
    if status:
        q = q.where(Conversation.status == status)
    if customer_id:
        q = q.where(Conversation.customer_id == customer_id)
    if unread is True:
        q = q.where(Conversation.unread_count > 0)
    elif unread is False:
        q = q.where(Conversation.unread_count == 0)
    if search and search.strip():
        term = search.strip()
        q = q.where(
            sa.or_(
                Customer.name.icontains(term, autoescape=True),
                Customer.phone.contains(term, autoescape=True),
                Conversation.chat_id.icontains(term, autoescape=True),
                Conversation.last_message_preview.icontains(term, autoescape=True),
            )
        )
    total = (db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0) if count else None
    q = q.order_by(
        sa.func.coalesce(Conversation.last_message_at, Conversation.created_at).desc(), Conversation.id.desc()
    )
    return [(c, cu) for c, cu in db.execute(q.offset(offset).limit(limit)).all()], total


# Built once: the statement of every turn (no construction or cache-key work per call).
_BY_CHAT = sa.select(Conversation).where(
    Conversation.business_id == sa.bindparam("business_id"),
    Conversation.channel == sa.bindparam("channel"),
    Conversation.chat_id == sa.bindparam("chat_id"),
)


def get_or_open(
    db: Session, *, business_id: int, customer_id: int, channel: str, chat_id: str
) -> Conversation:
    """The conversation for (channel, chat id), created on first contact; a closed one is reopened.
    Safe under concurrent first messages (unique per business, channel, chat id)."""
    keys = {"business_id": business_id, "channel": channel, "chat_id": str(chat_id)}
    conv = db.scalars(_BY_CHAT, keys).first()
    if conv is None:
        try:
            with db.begin_nested():
                conv = Conversation(
                    business_id=business_id,
                    customer_id=customer_id,
                    channel=channel,
                    chat_id=str(chat_id),
                    owner="bot",
                    status="open",
                    memory={},
                )
                db.add(conv)
                db.flush()
        except IntegrityError:
            conv = db.scalars(_BY_CHAT, keys).one()
    if conv.status != "open":
        conv.status = "open"
    return conv


def _touch(conv: Conversation, text: str) -> None:
    conv.last_message_at = utcnow()
    conv.last_message_preview = _preview(text)


def _preview(text: str | None) -> str:
    return (text or "").replace("\n", " ")[:300]


_MESSAGE_TABLE: Any = Message.__table__
_INSERT_MESSAGE = _MESSAGE_TABLE.insert()
_CONVERSATION_TABLE: Any = Conversation.__table__
_TOUCH_INBOUND = (
    _CONVERSATION_TABLE.update()
    .where(_CONVERSATION_TABLE.c.id == sa.bindparam("cid"))
    .values(
        last_message_at=sa.bindparam("at"),
        last_message_preview=sa.bindparam("preview"),
        unread_count=sa.bindparam("unread"),
        updated_at=sa.bindparam("at"),
    )
)


def _insert_message(db: Session, msg: Message, conversation: Conversation) -> None:
    """Store a new message with one INSERT and attach it to the session as a persistent, unchanged object:
    what `db.add(msg); db.flush()` leaves, without a unit-of-work flush (a turn stores two messages; the
    flushes were the largest part of its cost). Column defaults are filled in here, as a flush would."""
    if conversation.id is None or conversation in db.new:
        db.flush()  # the conversation row first (its id is the message's foreign key)
        msg.conversation_id = conversation.id
    _insert_row(db, msg)


def _insert_row(db: Session, msg: Message) -> None:
    """`_insert_message` for a message whose conversation is stored."""
    row: dict[str, Any] = {}
    for col in _MESSAGE_TABLE.columns:
        if col.key == "id":
            continue
        value = getattr(msg, col.key)
        if value is None and col.server_default is not None:
            continue  # the database fills it (loaded when first read)
        if value is None and col.default is not None:
            if col.default.is_callable:
                value = col.default.arg(None)
            elif col.default.is_scalar:
                value = col.default.arg
            else:
                continue  # a SQL expression: the INSERT computes it (loaded when first read)
        setattr(msg, col.key, value)  # every column set: none is left to load later
        row[col.key] = value
    key = db.connection().execute(_INSERT_MESSAGE, row).inserted_primary_key
    assert key is not None
    msg.id = key[0]
    make_transient_to_detached(msg)  # loaded state = the values just written, nothing pending
    db.add(msg)
    note_inserted(db, msg)  # for the commit's event listeners (operations.events: message.received)


def _touch_inbound(db: Session, conversation: Conversation, text: str) -> None:
    """`_touch` and one more unread message, written at once by one UPDATE (no flush); a conversation with
    other pending changes gets them through the ORM, written by the next flush together."""
    unread = (conversation.unread_count or 0) + 1
    if conversation in db.dirty or conversation in db.new:
        _touch(conversation, text)
        conversation.unread_count = unread
        return
    at = utcnow()
    preview = _preview(text)
    db.connection().execute(
        _TOUCH_INBOUND, {"cid": conversation.id, "at": at, "preview": preview, "unread": unread}
    )
    for key, value in (
        ("last_message_at", at),
        ("last_message_preview", preview),
        ("unread_count", unread),
        ("updated_at", at),
    ):
        set_committed_value(conversation, key, value)


def record_inbound(
    db: Session,
    *,
    conversation: Conversation,
    text: str,
    media: list[Any] | None = None,
    provider_message_id: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Message | None:
    """Store a customer's message. Returns None when that provider message id was already stored (a
    webhook delivered twice), so the caller does not answer twice."""
    text, media, meta = strip_nul(text or ""), strip_nul(list(media or [])), strip_nul(dict(meta or {}))
    if provider_message_id:
        dup = db.scalars(
            sa.select(Message.id).where(
                Message.business_id == conversation.business_id,
                Message.channel == conversation.channel,
                Message.provider_message_id == provider_message_id,
            )
        ).first()
        if dup is not None:
            return None
    msg = Message(
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction="in",
        sender_type="customer",
        text=(text or "")[:MAX_TEXT],
        media=list(media or []),
        provider_message_id=provider_message_id,
        delivery_status="received",
        meta=dict(meta or {}),
    )
    if provider_message_id:
        # Only a provider's message id can collide (a webhook delivered twice, racing itself).
        try:
            with db.begin_nested():
                db.add(msg)
                db.flush()
        except IntegrityError:
            return None
        _touch(conversation, text or ("[media]" if media else ""))
        conversation.unread_count = (conversation.unread_count or 0) + 1
    else:
        # Nothing can collide: no savepoint, and no flush (see `_insert_message`, `_touch_inbound`).
        _insert_message(db, msg, conversation)
        _touch_inbound(db, conversation, text or ("[media]" if media else ""))
    publish_after_commit(
        db,
        conversation.business_id,
        "message.created",
        conversation_id=conversation.id,
        message=message_out(msg),
    )
    return msg


def record_outbound(
    db: Session,
    *,
    conversation: Conversation,
    text: str,
    sender_type: str = "bot",
    sender_user_id: int | None = None,
    intent: str | None = None,
    media: list[Any] | None = None,
    delivery_status: str = "queued",
    tokens: int = 0,
    meta: dict[str, Any] | None = None,
    reply_to_id: int | None = None,
) -> Message:
    """Store a reply from the bot or a staff member (sending is the channel's job). `reply_to_id`: the
    customer's message it answers."""
    msg = _outbound(
        ConversationKey(conversation.id, conversation.business_id, conversation.channel),
        text=text,
        sender_type=sender_type,
        sender_user_id=sender_user_id,
        intent=intent,
        media=media,
        delivery_status=delivery_status,
        tokens=tokens,
        meta=meta,
        reply_to_id=reply_to_id,
    )
    _insert_message(db, msg, conversation)
    _touch(conversation, text)  # written by the next flush, with the turn's other changes
    if sender_type == "staff":
        conversation.unread_count = 0
    _published(db, msg)
    return msg


@dataclass(frozen=True)
class ConversationKey:
    """What storing a message needs of its (stored) conversation, for a caller that has not loaded it."""

    id: int
    business_id: int
    channel: str


def record_reply(
    db: Session,
    *,
    conversation: ConversationKey,
    text: str,
    intent: str | None,
    reply_to_id: int | None,
    memory: dict[str, Any],
    summary: str,
) -> Message:
    """`record_outbound` of the bot's reply to a conversation that is not loaded (the reply job's record
    step, `niaga.agent.speculation`), together with the conversation's new memory and summary: one INSERT
    and one UPDATE, no unit-of-work flush."""
    msg = _outbound(conversation, text=text, sender_type="bot", intent=intent, reply_to_id=reply_to_id)
    _insert_row(db, msg)
    set_memory(db, conversation=conversation, memory=memory, summary=summary, last_text=text)
    _published(db, msg)
    return msg


def set_memory(
    db: Session,
    *,
    conversation: ConversationKey,
    memory: dict[str, Any],
    summary: str,
    last_text: str | None = None,
) -> None:
    """Write a conversation's agent memory and summary (and, with `last_text`, its newest message as `_touch`
    does) by one UPDATE, for a conversation that is not loaded."""
    at = utcnow()
    values: dict[str, Any] = {"cid": conversation.id, "memory": memory, "summary": summary, "at": at}
    if last_text is None:
        db.connection().execute(_SET_MEMORY, values)
    else:
        values["preview"] = _preview(last_text)
        db.connection().execute(_SET_MEMORY_TOUCH, values)


def _outbound(
    conversation: ConversationKey,
    *,
    text: str,
    sender_type: str = "bot",
    sender_user_id: int | None = None,
    intent: str | None = None,
    media: list[Any] | None = None,
    delivery_status: str = "queued",
    tokens: int = 0,
    meta: dict[str, Any] | None = None,
    reply_to_id: int | None = None,
) -> Message:
    if sender_type not in ("bot", "staff", "system"):
        raise ValidationFailed(details={"sender_type": "Harus bot, staff atau system."})
    if not (text or "").strip() and not media:
        raise ValidationFailed(details={"text": "Pesan tidak boleh kosong."})
    msg = Message(
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction="out",
        sender_type=sender_type,
        sender_user_id=sender_user_id,
        text=(text or "")[:MAX_TEXT],
        media=list(media or []),
        intent=intent,
        delivery_status=delivery_status,
        tokens=tokens,
        meta=dict(meta or {}),
        reply_to_id=reply_to_id,
    )
    if delivery_status == "sent":
        msg.sent_at = utcnow()
    return msg


def _published(db: Session, msg: Message) -> None:
    publish_after_commit(
        db,
        msg.business_id,
        "message.created",
        conversation_id=msg.conversation_id,
        message=message_out(msg),
    )


def _memory_update(touch: bool) -> Any:
    t = _CONVERSATION_TABLE
    values: dict[str, Any] = {
        "memory": sa.bindparam("memory", type_=t.c.memory.type),
        "summary": sa.bindparam("summary"),
        "updated_at": sa.bindparam("at", type_=t.c.updated_at.type),
    }
    if touch:
        values["last_message_at"] = sa.bindparam("at", type_=t.c.last_message_at.type)
        values["last_message_preview"] = sa.bindparam("preview")
    return t.update().where(t.c.id == sa.bindparam("cid")).values(values)


# Built once (the reply job's record step runs them for every turn).
_SET_MEMORY = _memory_update(touch=False)
_SET_MEMORY_TOUCH = _memory_update(touch=True)


def list_messages(
    db: Session, *, conversation: Conversation, limit: int = 50, before_id: int | None = None
) -> list[Message]:
    """The latest `limit` messages, oldest first."""
    q = sa.select(Message).where(
        Message.business_id == conversation.business_id, Message.conversation_id == conversation.id
    )
    if before_id:
        q = q.where(Message.id < before_id)
    rows = db.scalars(q.order_by(Message.id.desc()).limit(max(1, min(limit, 500)))).all()
    return list(reversed(rows))


# --- handoff --------------------------------------------------------------------------------------


def do_takeover(
    db: Session, *, conversation: Conversation, user_id: int | None = None, reason: str = "staff"
) -> Conversation:
    """Staff own the conversation from now on: the bot stays silent until `do_handback`.
    Publishes `conversation.updated` (with handoff=True) so staff are notified."""
    already = conversation.owner == "staff"
    conversation.owner = "staff"
    conversation.handoff_reason = (reason or "staff")[:100]
    if user_id is not None:
        conversation.assigned_user_id = user_id
    mem = dict(conversation.memory or {})
    mem["unanswered"] = 0
    conversation.memory = mem
    db.flush()
    if not already:
        log.info(
            "conversation.handoff",
            business_id=conversation.business_id,
            conversation_id=conversation.id,
            reason=conversation.handoff_reason,
            user_id=user_id,
        )
    publish_after_commit(
        db,
        conversation.business_id,
        "conversation.updated",
        conversation_id=conversation.id,
        owner="staff",
        handoff=True,
        reason=conversation.handoff_reason,
        customer_id=conversation.customer_id,
        preview=conversation.last_message_preview,
    )
    return conversation


def do_handback(db: Session, *, conversation: Conversation, user_id: int | None = None) -> Conversation:
    """The bot answers again. Staff messages stay in the history and so in the agent's memory."""
    conversation.owner = "bot"
    conversation.handoff_reason = None
    conversation.assigned_user_id = None
    mem = dict(conversation.memory or {})
    mem["unanswered"] = 0
    mem.pop("handoff_notified", None)
    conversation.memory = mem
    db.flush()
    log.info(
        "conversation.handback",
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        user_id=user_id,
    )
    publish_after_commit(
        db,
        conversation.business_id,
        "conversation.updated",
        conversation_id=conversation.id,
        owner="bot",
        handoff=False,
    )
    return conversation


def do_mark_read(db: Session, *, conversation: Conversation) -> Conversation:
    conversation.unread_count = 0
    db.flush()
    return conversation
