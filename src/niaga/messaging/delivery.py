"""Durable outbound delivery: the state machine of an outgoing message (queued → sending → sent | failed)
and what a provider's error means for it. Configuration (`config`), the inbound pipeline (`inbound`), send
limits (`ratelimit`), alerts (`alerts`) and serialisation (`serialize`) are modules of their own.

Delivery guarantee (job `channels.send_message`, one job per outgoing message):
- before the provider is called the message is committed as `sending` with a send-attempt marker;
- after the provider accepts, its message id and `sent` are committed;
- a run that finds `sending` (the previous worker died mid-send, or the provider's answer timed out) first
  asks the provider whether the message already went out (`Sender.find_sent`: WAHA looks through the chat
  history for our text after the attempt started). Found → recorded as sent, not sent again.
So on WAHA a message is delivered exactly once unless WAHA itself loses its history. Gateways that cannot
be asked (Fonnte, Starsender, Telegram) are at-least-once: a second copy is possible only when a worker dies
in the few milliseconds between the provider accepting and our commit, or when the provider's answer times
out after it acted. Messages are never silently dropped: exhausted or permanent failures become dead
letters (replayable) and the message is marked `failed`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.jobs.models import Job
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.jobs.runner import enqueue, run_sooner
from niaga.kit.providers import CHAT_MIGRATED, RECIPIENT_UNREACHABLE, ProviderError
from niaga.kit.timeutil import utcnow
from niaga.messaging import channels
from niaga.messaging import service as conversations
from niaga.messaging.channels import OutboundFile
from niaga.messaging.events import publish_after_commit
from niaga.messaging.models import Conversation, Message
from niaga.messaging.ratelimit import check_send_rate
from niaga.messaging.serialize import message_out
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.channels")

# Conversation status when the customer cannot be reached any more (blocked the bot).
UNREACHABLE = "unreachable"


# --- outbound --------------------------------------------------------------------------------------


def queue_delivery(db: Session, message: Message, *, delay: float = 0) -> Job:
    """Enqueue the durable delivery job for an outgoing message (once per message). With `delay`, the
    message is held that long (a caller may still complete it, then `release_delivery`); if the caller
    dies meanwhile, it is sent as it is."""
    return enqueue(
        db,
        "channels.send_message",
        business_id=message.business_id,
        idempotency_key=f"send:{message.id}",
        delay=delay,
        message_id=message.id,
    )


def release_delivery(db: Session, message: Message) -> None:
    """Send a held message now (see `queue_delivery`)."""
    run_sooner(db, idempotency_key=f"send:{message.id}")


def do_send(
    db: Session,
    *,
    conversation: Conversation,
    text: str,
    media: list[dict[str, Any]] | None = None,
    sender_type: str = "bot",
    sender_user_id: int | None = None,
    intent: str | None = None,
    hold_seconds: float = 0,
    reply_to_id: int | None = None,
) -> Message:
    """Record an outgoing message and queue its delivery (what bots, staff and other domains call).
    `hold_seconds`: see `queue_delivery`; `reply_to_id`: the customer's message it answers."""
    msg = conversations.record_outbound(
        db,
        conversation=conversation,
        text=text,
        sender_type=sender_type,
        sender_user_id=sender_user_id,
        intent=intent,
        media=media,
        delivery_status="queued",
        reply_to_id=reply_to_id,
    )
    queue_delivery(db, msg, delay=hold_seconds)
    return msg


def _file_of(item: dict[str, Any]) -> OutboundFile | None:
    path = item.get("path")
    if path:
        p = Path(path)
        if not p.is_absolute():
            p = get_settings().files_dir / p
        return OutboundFile(
            filename=item.get("filename") or p.name,
            mimetype=item.get("mimetype") or "application/octet-stream",
            path=p,
        )
    if item.get("url"):
        return OutboundFile(
            filename=item.get("filename") or "file",
            mimetype=item.get("mimetype") or "application/octet-stream",
            url=item["url"],
        )
    return None


def deliver(message_id: int) -> str:
    """Deliver one outgoing message (the body of job `channels.send_message`). Returns the outcome."""
    now = utcnow()
    with session_scope(immediate=True) as db:
        msg = db.get(Message, message_id)
        if msg is None:
            return "gone"
        if msg.direction != "out":
            raise PermanentError(f"message {message_id} is not outgoing")
        if msg.delivery_status in ("sent", "delivered", "read"):
            return "already_sent"
        conv = db.get(Conversation, msg.conversation_id)
        business = db.get(Business, msg.business_id)
        assert conv is not None and business is not None
        if msg.channel not in ("whatsapp", "telegram"):
            # web/api/cli: the customer reads it from niaga itself (widget SSE/polling).
            msg.delivery_status, msg.sent_at = "sent", now
            publish_after_commit(
                db,
                msg.business_id,
                "message.updated",
                conversation_id=conv.id,
                chat_id=conv.chat_id,
                message=message_out(msg, public=True),
            )
            return "sent"
        sender = channels.sender_for_channel(
            db,
            business_id=msg.business_id,
            channel=msg.channel,
            preferred=channels.reply_gateway(conv, business),
        )
        if sender is None:
            raise PermanentError(f"no enabled {msg.channel} gateway for business {msg.business_id}")
        meta = dict(msg.meta or {})
        attempt = meta.get("send_attempt")
        ambiguous = msg.delivery_status == "sending" and isinstance(attempt, dict)
        if not ambiguous and msg.channel == "whatsapp":
            wait = check_send_rate(db, msg=msg, chat_id=conv.chat_id, business=business, now=now)
            if wait is not None:
                sender.close()
                log.info("channel.rate_limited", message_id=message_id, wait_s=round(wait))
                raise RetryLater("anti-ban send limit reached", retry_after=wait)
        if not ambiguous:
            attempt = {
                "at": now.isoformat(),
                "provider": sender.provider,
                "n": int(meta.get("attempts", 0)) + 1,
            }
            meta["send_attempt"] = attempt
            meta["attempts"] = attempt["n"]
            msg.meta = meta
            msg.delivery_status = "sending"
        reply_to = None
        if meta.get("quote") and msg.reply_to_id:
            quoted = db.get(Message, msg.reply_to_id)
            reply_to = quoted.provider_message_id if quoted is not None else None
        chat_id, text, media = conv.chat_id, msg.text, list(msg.media or [])
        sent_parts = list(meta.get("sent_parts") or [])
        business_id, conversation_id = msg.business_id, conv.id
    # The `sending` marker is committed: from here on a crash leaves a trace the next run can settle.
    try:
        provider_id = None
        if ambiguous and attempt is not None:
            since = datetime.fromisoformat(attempt["at"])
            # With files the text went out as the first caption, which WAHA lists as that message's body.
            provider_id = sender.find_sent(chat_id=chat_id, text=text, since=since)
            if provider_id:
                log.warning("channel.send_settled", message_id=message_id, provider=sender.provider)
        if provider_id is None:
            provider_id = _send_parts(
                sender,
                message_id,
                chat_id=chat_id,
                text=text,
                media=media,
                reply_to=reply_to,
                sent_parts=sent_parts,
            )
    except ProviderError as exc:
        retry_after = exc.retry_after
        if exc.reason == CHAT_MIGRATED and exc.migrate_to:
            if _follow_migration(conversation_id, exc.migrate_to):
                retry_after = 0.1  # at once, to the chat's new id
        elif exc.reason == RECIPIENT_UNREACHABLE:
            _mark_unreachable(conversation_id, exc)
        _record_failure(message_id, exc)
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=retry_after) from exc
    finally:
        sender.close()
    with session_scope(immediate=True) as db:
        msg = db.get(Message, message_id)
        assert msg is not None
        meta = dict(msg.meta or {})
        meta.pop("send_attempt", None)
        meta.pop("sent_parts", None)
        msg.meta = meta
        msg.provider_message_id = msg.provider_message_id or provider_id
        msg.delivery_status, msg.sent_at, msg.error = "sent", utcnow(), None
        publish_after_commit(
            db,
            business_id,
            "message.updated",
            conversation_id=conversation_id,
            message=message_out(msg, public=True),
        )
    log.info("channel.sent", message_id=message_id, provider=sender.provider)
    return "sent"


def _follow_migration(conversation_id: int, new_chat_id: str) -> bool:
    """The chat moved (a Telegram group upgraded to a supergroup): the conversation continues under the
    new chat id. False when another conversation already holds that id (then the error stands)."""
    with session_scope(immediate=True) as db:
        conv = db.get(Conversation, conversation_id)
        if conv is None:
            return False
        taken = db.scalar(
            sa.select(Conversation.id).where(
                Conversation.business_id == conv.business_id,
                Conversation.channel == conv.channel,
                Conversation.chat_id == new_chat_id,
            )
        )
        if taken is not None and taken != conv.id:
            log.warning("channel.migration_conflict", conversation_id=conv.id, other=taken)
            return False
        log.info("channel.chat_migrated", conversation_id=conv.id, old=conv.chat_id, new=new_chat_id)
        conv.chat_id = new_chat_id
        return True


def _mark_unreachable(conversation_id: int, exc: ProviderError) -> None:
    """The customer blocked the bot (or left): nothing more can be sent there. The conversation is marked
    `unreachable` (staff see it); it opens again when the customer writes."""
    with session_scope(immediate=True) as db:
        conv = db.get(Conversation, conversation_id)
        if conv is None or conv.status == UNREACHABLE:
            return
        conv.status = UNREACHABLE
        publish_after_commit(
            db, conv.business_id, "conversation.updated", conversation_id=conv.id, status=UNREACHABLE
        )
    log.warning(
        "channel.unreachable", conversation_id=conversation_id, provider=exc.provider, error=str(exc)[:200]
    )


def _send_parts(
    sender: channels.Sender,
    message_id: int,
    *,
    chat_id: str,
    text: str,
    media: list[dict[str, Any]],
    reply_to: str | None,
    sent_parts: list[str],
) -> str | None:
    """Text, or each file (the text as the first caption). Progress is committed per part so that a retry
    does not repeat files that already went out."""
    files = [f for f in (_file_of(m) for m in media if isinstance(m, dict)) if f is not None]
    if not files:
        return sender.send_text(chat_id=chat_id, text=text, reply_to=reply_to).provider_message_id
    provider_id = None
    for index, file in enumerate(files):
        if index < len(sent_parts):
            continue
        result = sender.send_file(
            chat_id=chat_id,
            file=file,
            caption=text if index == 0 else "",
            reply_to=reply_to if index == 0 else None,
        )
        provider_id = provider_id or result.provider_message_id
        sent_parts.append(result.provider_message_id or "?")
        with session_scope(immediate=True) as db:
            msg = db.get(Message, message_id)
            if msg is not None:
                msg.meta = {**(msg.meta or {}), "sent_parts": list(sent_parts)}
    return provider_id or (sent_parts[0] if sent_parts and sent_parts[0] != "?" else None)


def _record_failure(message_id: int, exc: ProviderError) -> None:
    with session_scope(immediate=True) as db:
        msg = db.get(Message, message_id)
        if msg is None:
            return
        msg.error = str(exc)[:2000]
        if exc.permanent:
            msg.delivery_status = "failed"
        elif not getattr(exc, "ambiguous", False):
            # The provider clearly did not take it: the next attempt needs no reconciliation.
            meta = dict(msg.meta or {})
            meta.pop("send_attempt", None)
            msg.meta = meta
            msg.delivery_status = "queued"
    log.warning(
        "channel.send_failed",
        message_id=message_id,
        provider=exc.provider,
        status=exc.status,
        permanent=exc.permanent,
    )


def do_mark_failed(db: Session, *, message_id: int, error: str) -> Message | None:
    msg = db.get(Message, message_id)
    if msg is None or msg.delivery_status in ("sent", "delivered", "read"):
        return None
    msg.delivery_status, msg.error = "failed", error[:2000]
    publish_after_commit(
        db,
        msg.business_id,
        "message.updated",
        conversation_id=msg.conversation_id,
        message=message_out(msg, public=True),
    )
    return msg
