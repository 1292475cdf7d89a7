"""Telegram updates (stored by the webhook) -> the messaging domain: messages (text, photos, documents)
and callback queries (buttons) dispatched to `CALLBACK_HANDLERS`."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from niaga.integrations.base import ProviderError
from niaga.integrations.http import TooLarge
from niaga.integrations.models import InboundEvent
from niaga.integrations.telegram.client import TelegramClient
from niaga.integrations.telegram.webhook import CALLBACK_HANDLERS, Callback
from niaga.messaging import channels
from niaga.messaging.inbound import Inbound, do_receive
from niaga.messaging.media import max_media_bytes, safe_name, too_large_notice
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.telegram")
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile cannot serve more


def handle(db: Session, event: InboundEvent) -> None:
    update = event.payload or {}
    business = db.get(Business, event.business_id) if event.business_id else None
    if business is None:
        return
    cfg = channels.load(db, business_id=business.id, kind="telegram")
    if cfg is None:
        return
    if isinstance(update.get("message"), dict):
        _on_message(db, business, cfg, update["message"])
    elif isinstance(update.get("callback_query"), dict):
        _on_callback(db, business, cfg, update["callback_query"])
    else:
        kinds = [k for k in update if k != "update_id"]
        log.info("telegram.update_ignored", business_id=business.id, kinds=kinds)


def _on_message(db: Session, business: Business, cfg: channels.ChannelConfig, m: dict[str, Any]) -> None:
    chat = m.get("chat") or {}
    if chat.get("type") != "private" or (m.get("from") or {}).get("is_bot"):
        return  # groups (the admin chat among them) and other bots are not customers
    chat_id = str(chat.get("id"))
    if cfg.get("admin_chat_id") and chat_id == str(cfg.get("admin_chat_id")):
        return
    sender = m.get("from") or {}
    name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p) or None
    text = str(m.get("text") or m.get("caption") or "")
    media: list[dict[str, Any]] = []
    notice = None
    doc = m.get("document") if isinstance(m.get("document"), dict) else None
    photos = m.get("photo") if isinstance(m.get("photo"), list) and m.get("photo") else None
    if doc or photos:
        if doc:
            info = {
                "file_id": doc.get("file_id"),
                "filename": doc.get("file_name") or "dokumen",
                "mimetype": doc.get("mime_type") or "application/octet-stream",
                "size": doc.get("file_size"),
            }
        else:
            assert photos is not None  # no document, so the photo list is set
            largest = photos[-1]  # ascending sizes
            info = {
                "file_id": largest.get("file_id"),
                "filename": f"foto-{m.get('message_id')}.jpg",
                "mimetype": "image/jpeg",
                "size": largest.get("file_size"),
            }
        item, notice = _fetch_file(business, cfg, info)
        media.append(item)
    elif not text:
        log.info("telegram.message_ignored", business_id=business.id, keys=sorted(m)[:10])
        return
    do_receive(
        db,
        business=business,
        inbound=Inbound(
            channel="telegram",
            chat_id=chat_id,
            text=text,
            provider_message_id=str(m.get("message_id")),
            name=name,
            media=media,
            notice=notice,
        ),
    )


def _fetch_file(
    business: Business, cfg: channels.ChannelConfig, info: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    limit = min(max_media_bytes(business), BOT_DOWNLOAD_LIMIT)
    base = {"mimetype": info["mimetype"], "filename": info["filename"]}
    if info.get("size") and int(info["size"]) > limit:
        return {**base, "note": "too_large", "limit_bytes": limit}, too_large_notice(info["filename"], limit)
    client = TelegramClient.from_config(cfg)
    try:
        meta = client.get_file(str(info["file_id"]))
        path = meta.get("file_path") if isinstance(meta, dict) else None
        if not path:
            return {**base, "note": "too_large", "limit_bytes": limit}, too_large_notice(
                info["filename"], limit
            )
        rel = f"{business.id}/inbound/{uuid.uuid4().hex[:12]}-{safe_name(info['filename'])}"
        size = client.download_file(path, get_settings().files_dir / rel, limit=limit)
    except TooLarge:
        return {**base, "note": "too_large", "limit_bytes": limit}, too_large_notice(info["filename"], limit)
    except ProviderError as exc:
        if not exc.permanent:
            raise
        return {**base, "note": "download_failed", "error": str(exc)[:300]}, None
    finally:
        client.close()
    return {**base, "path": rel, "size": size}, None


def _on_callback(db: Session, business: Business, cfg: channels.ChannelConfig, q: dict[str, Any]) -> None:
    data = str(q.get("data") or "")
    raw_message = q.get("message")
    message: dict[str, Any] = raw_message if isinstance(raw_message, dict) else {}
    chat_id = (message.get("chat") or {}).get("id")
    admin = cfg.get("admin_chat_id")
    cb = Callback(
        business_id=business.id,
        data=data,
        from_id=(q.get("from") or {}).get("id"),
        chat_id=chat_id,
        message_id=message.get("message_id"),
        is_admin_chat=bool(admin) and str(chat_id) == str(admin),
        raw=q,
    )
    prefix = re.split(r"[:|]", data, maxsplit=1)[0]
    fn = CALLBACK_HANDLERS.get(prefix)
    answer = None
    if fn is None:
        log.info("telegram.callback_unhandled", business_id=business.id, prefix=prefix)
        answer = "Tombol ini sudah tidak berlaku."
    else:
        answer = fn(db, cb)
    client = TelegramClient.from_config(cfg)
    try:
        client.answer_callback(str(q.get("id")), answer or "")
    except ProviderError as exc:
        # An expired query (older than a few minutes) cannot be answered; the work is done anyway.
        log.info("telegram.answer_callback_failed", error=str(exc)[:200])
    finally:
        client.close()
