"""Channels as the rest of niaga uses them: configuration per business, the inbound pipeline shared by all
channels, durable outbound delivery and alerts to the business's admin chat.

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

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.service import get_or_create_by_identity
from niaga.db.engine import session_scope
from niaga.jobs.models import Job
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.jobs.runner import enqueue, run_sooner
from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import local_now, utcnow
from niaga.messaging import buffer, channels
from niaga.messaging import service as conversations
from niaga.messaging.channels import CHANNEL_KINDS, OutboundFile
from niaga.messaging.events import publish_after_commit
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business, ProviderConfig

log = get_logger("niaga.channels")

SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


# --- configuration ---------------------------------------------------------------------------------


def _check_kind(kind: str) -> dict[str, Any]:
    spec = CHANNEL_KINDS.get(kind)
    if spec is None:
        raise NotFound(
            f"Kanal '{kind}' tidak dikenal. Pilihan: {', '.join(CHANNEL_KINDS)}.", code="unknown_channel"
        )
    return spec


def get_config_row(db: Session, *, business_id: int, kind: str) -> ProviderConfig | None:
    _check_kind(kind)
    return db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).first()


def channel_out(kind: str, row: ProviderConfig | None, *, business: Business | None = None) -> dict[str, Any]:
    """The configuration as the API shows it: settings in full, secrets masked."""
    spec = _check_kind(kind)
    secrets = decrypt_json(row.secrets) if row is not None else {}
    out: dict[str, Any] = {
        "kind": kind,
        "channel": spec["channel"],
        "configured": row is not None,
        "is_enabled": bool(row.is_enabled) if row is not None else False,
        "config": {
            **{k: v for k, v in spec["config"].items() if v is not None},
            **(row.config if row else {}),
        },
        "secrets": {name: channels.mask(secrets.get(name)) for name in spec["secrets"]},
        "last_test_at": row.last_test_at.isoformat() if row is not None and row.last_test_at else None,
        "last_test_ok": row.last_test_ok if row is not None else None,
        "last_error": row.last_error if row is not None else None,
    }
    if business is not None and kind in ("waha", "telegram"):
        out["webhook_url"] = webhook_url(business.slug, kind)
    return out


def webhook_url(slug: str, kind: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/webhooks/{kind}/{slug}"


def do_configure(
    db: Session,
    *,
    business_id: int,
    kind: str,
    config: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    is_enabled: bool | None = None,
) -> ProviderConfig:
    """Create or update a channel. Given secrets replace stored ones; omitted or empty ones are kept.
    Preconditions: required settings and secrets present after the merge (422 with field details)."""
    spec = _check_kind(kind)
    row = get_config_row(db, business_id=business_id, kind=kind)
    new_config = dict(row.config) if row is not None else {}
    for key, value in (config or {}).items():
        if key not in spec["config"]:
            raise ValidationFailed(details={f"config.{key}": "Pengaturan ini tidak dikenal untuk kanal ini."})
        new_config[key] = value.strip() if isinstance(value, str) else value
    stored = decrypt_json(row.secrets) if row is not None else {}
    for key, value in (secrets or {}).items():
        if key not in spec["secrets"]:
            raise ValidationFailed(details={f"secrets.{key}": "Rahasia ini tidak dikenal untuk kanal ini."})
        if isinstance(value, str) and value.strip():
            stored[key] = value.strip()
    errors: dict[str, str] = {}
    for key, default in spec["config"].items():
        if default is None and not new_config.get(key):
            errors[f"config.{key}"] = "Wajib diisi."
    base_url = new_config.get("base_url")
    if base_url and not re.match(r"^https?://[^\s/]+", str(base_url)):
        errors["config.base_url"] = "Harus alamat http:// atau https://."
    for key in spec["secrets"]:
        if not stored.get(key):
            errors[f"secrets.{key}"] = "Wajib diisi."
    if (
        kind == "telegram"
        and stored.get("secret_token")
        and not SECRET_TOKEN_RE.match(stored["secret_token"])
    ):
        errors["secrets.secret_token"] = "Hanya huruf, angka, _ dan - (1–256 karakter)."
    if (
        kind == "telegram"
        and new_config.get("admin_chat_id")
        and not re.fullmatch(r"-?\d+", str(new_config["admin_chat_id"]))
    ):
        errors["config.admin_chat_id"] = "Chat id Telegram berupa angka, mis. -1001234567890."
    if errors:
        raise ValidationFailed("Pengaturan kanal belum lengkap.", details=errors)
    if row is None:
        row = ProviderConfig(
            business_id=business_id,
            kind=kind,
            config=new_config,
            secrets=encrypt_json(stored),
            is_enabled=True if is_enabled is None else is_enabled,
        )
        db.add(row)
    else:
        row.config = new_config
        row.secrets = encrypt_json(stored)
        if is_enabled is not None:
            row.is_enabled = is_enabled
    db.flush()
    channels.invalidate_cache(business_id)
    return row


def do_test(db: Session, *, business_id: int, kind: str) -> dict[str, Any]:
    """A real call with the stored credentials; the outcome is kept on the configuration."""
    row = get_config_row(db, business_id=business_id, kind=kind)
    if row is None:
        raise NotFound("Kanal ini belum diatur.", code="channel_not_configured")
    cfg = channels.load(db, business_id=business_id, kind=kind)
    assert cfg is not None
    sender = channels.make_sender(cfg)
    try:
        info = sender.check()
        row.last_test_ok, row.last_error = True, None
        result = {"ok": True, "kind": kind, "info": info}
    except ProviderError as exc:
        row.last_test_ok, row.last_error = False, str(exc)[:1000]
        result = {"ok": False, "kind": kind, "error": _friendly_error(exc)}
    finally:
        sender.close()
    row.last_test_at = utcnow()
    db.flush()
    return result


def _friendly_error(exc: ProviderError) -> str:
    if exc.status in (401, 403):
        return "Kredensial ditolak penyedia (401/403). Periksa API key / token."
    if exc.status == 404:
        return "Alamat atau sesi tidak ditemukan di penyedia (404). Periksa base URL / nama sesi."
    if exc.status is None:
        return f"Penyedia tidak dapat dihubungi: {exc}"
    return f"Penyedia menjawab {exc.status}: {str(exc)[:200]}"


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


def message_out(msg: Message) -> dict[str, Any]:
    """A message as the inbox and the widget see it (no local file paths)."""
    return {
        "id": msg.id,
        "conversation_id": msg.conversation_id,
        "channel": msg.channel,
        "direction": msg.direction,
        "sender_type": msg.sender_type,
        "text": msg.text,
        "media": [
            {k: v for k, v in m.items() if k in ("filename", "mimetype", "size", "note", "url")}
            for m in (msg.media or [])
            if isinstance(m, dict)
        ],
        "delivery_status": msg.delivery_status,
        "intent": msg.intent,
        "created_at": msg.created_at.isoformat() if msg.created_at else None,
        "sent_at": msg.sent_at.isoformat() if msg.sent_at else None,
    }


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
) -> Message:
    """Record an outgoing message and queue its delivery (what bots, staff and other domains call).
    `hold_seconds`: see `queue_delivery`."""
    msg = conversations.record_outbound(
        db,
        conversation=conversation,
        text=text,
        sender_type=sender_type,
        sender_user_id=sender_user_id,
        intent=intent,
        media=media,
        delivery_status="queued",
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
                message=message_out(msg),
            )
            return "sent"
        preferred = business_settings(business).get("channels", {}).get("whatsapp_gateway", "")
        sender = channels.sender_for_channel(
            db, business_id=msg.business_id, channel=msg.channel, preferred=preferred
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
        _record_failure(message_id, exc)
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    finally:
        sender.close()
    with session_scope() as db:
        msg = db.get(Message, message_id)
        assert msg is not None
        meta = dict(msg.meta or {})
        meta.pop("send_attempt", None)
        meta.pop("sent_parts", None)
        msg.meta = meta
        msg.provider_message_id = msg.provider_message_id or provider_id
        msg.delivery_status, msg.sent_at, msg.error = "sent", utcnow(), None
        publish_after_commit(
            db, business_id, "message.updated", conversation_id=conversation_id, message=message_out(msg)
        )
    log.info("channel.sent", message_id=message_id, provider=sender.provider)
    return "sent"


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
        with session_scope() as db:
            msg = db.get(Message, message_id)
            if msg is not None:
                msg.meta = {**(msg.meta or {}), "sent_parts": list(sent_parts)}
    return provider_id or (sent_parts[0] if sent_parts and sent_parts[0] != "?" else None)


def _record_failure(message_id: int, exc: ProviderError) -> None:
    with session_scope() as db:
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
        db, msg.business_id, "message.updated", conversation_id=msg.conversation_id, message=message_out(msg)
    )
    return msg


# --- alerts ----------------------------------------------------------------------------------------

ALERT_BUCKET_SECONDS = 900


def queue_alert(db: Session, *, business_id: int, topic: str, text: str) -> None:
    """Tell the business's admins (Telegram admin chat). One alert per topic per 15 minutes."""
    bucket = int(utcnow().timestamp() // ALERT_BUCKET_SECONDS)
    enqueue(
        db,
        "channels.alert",
        business_id=business_id,
        idempotency_key=f"alert:{business_id}:{topic}:{bucket}",
        for_business=business_id,
        text=text,
    )


def send_alert(business_id: int, text: str) -> str:
    """Send an alert to the admin chat (job `channels.alert`). Without a Telegram admin chat it is only
    logged (the dead letter stays visible in the dashboard)."""
    with session_scope() as db:
        cfg = channels.load(db, business_id=business_id, kind="telegram")
    if cfg is None or not cfg.is_enabled or not cfg.get("admin_chat_id"):
        log.warning("channel.alert_unrouted", business_id=business_id, text=text[:200])
        return "unrouted"
    client = channels.make_sender(cfg)
    try:
        client.send_message(chat_id=cfg.get("admin_chat_id"), text=text)  # type: ignore[attr-defined]
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    finally:
        client.close()
    return "sent"
