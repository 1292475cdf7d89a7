"""WAHA inbound events (stored by the webhook) -> the messaging domain: `message` becomes a customer
message (media downloaded with the API key), `session.status` alerts the admins when the session is down."""

from __future__ import annotations

import mimetypes
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.integrations.base import ProviderError
from niaga.integrations.http import TooLarge
from niaga.integrations.models import InboundEvent, ProviderConfig
from niaga.integrations.waha.client import WahaClient
from niaga.integrations.waha.webhook import PROVIDER
from niaga.messaging import channels
from niaga.messaging.alerts import queue_alert
from niaga.messaging.inbound import Inbound, do_receive
from niaga.messaging.media import max_media_bytes, safe_name, too_large_notice
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.waha")
IGNORED_SUFFIXES = ("@newsletter", "@broadcast")


def handle(db: Session, event: InboundEvent) -> None:
    body = event.payload or {}
    business = db.get(Business, event.business_id) if event.business_id else None
    if business is None:
        return
    kind = str(body.get("event") or "")
    raw_payload = body.get("payload")
    payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
    if kind == "message":
        _on_message(db, business, payload)
    elif kind == "session.status":
        _on_session_status(db, business, payload)
    else:
        log.info("waha.event_ignored", business_id=business.id, waha_event=kind)


def push_name(p: dict[str, Any]) -> str | None:
    """The sender's WhatsApp profile name when the engine reports one (WEBJS `_data.notifyName`, NOWEB/GOWS
    `_data.pushName`). Engine-specific and optional: a message without it simply has no name yet."""
    raw = p.get("_data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for key in ("notifyName", "pushName", "pushname"):
        v = data.get(key) or p.get(key)
        if isinstance(v, str) and v.strip() and v.strip() != "~":
            return " ".join(v.split())[:200]
    return None


def _on_message(db: Session, business: Business, p: dict[str, Any]) -> None:
    chat = str(p.get("from") or "")
    if p.get("fromMe") or not chat or chat.endswith(IGNORED_SUFFIXES) or chat == "status@broadcast":
        return
    if chat.endswith("@g.us") and business_settings(business).get("channels", {}).get("ignore_groups", True):
        return
    if chat.endswith("@s.whatsapp.net"):
        chat = chat.split("@", 1)[0] + "@c.us"
    phone = chat.split("@", 1)[0] if chat.endswith("@c.us") else None
    text = str(p.get("body") or "")
    media: list[dict[str, Any]] = []
    notice = None
    if p.get("hasMedia"):
        item, notice = _fetch_media(db, business, p)
        media.append(item)
    inbound = Inbound(
        channel="whatsapp",
        chat_id=chat,
        text=text,
        provider_message_id=p.get("id"),
        name=push_name(p),
        phone=phone,
        media=media,
        notice=notice,
        gateway="waha",
    )
    do_receive(db, business=business, inbound=inbound)


def _fetch_media(db: Session, business: Business, p: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Download the media through WAHA (X-Api-Key) into files_dir. Returns (media entry, notice)."""
    media = p.get("media") if isinstance(p.get("media"), dict) else None
    if not media or not media.get("url"):
        return {"note": "not_downloaded", "mimetype": (media or {}).get("mimetype")}, None
    mimetype = media.get("mimetype") or "application/octet-stream"
    filename = media.get("filename") or f"wa{mimetypes.guess_extension(mimetype.split(';')[0]) or ''}"
    if media.get("error"):
        return {
            "note": "download_failed",
            "mimetype": mimetype,
            "filename": filename,
            "error": str(media["error"])[:300],
        }, None
    cfg = channels.load(db, business_id=business.id, kind="waha")
    if cfg is None:
        return {"note": "not_downloaded", "mimetype": mimetype, "filename": filename}, None
    limit = max_media_bytes(business)
    rel = f"{business.id}/inbound/{uuid.uuid4().hex[:12]}-{safe_name(filename)}"
    dest = get_settings().files_dir / rel

    client = WahaClient.from_config(cfg)
    try:
        size = client.download_media(str(media["url"]), dest, limit=limit)
    except TooLarge:
        log.info("waha.media_too_large", business_id=business.id, limit=limit)
        return (
            {"note": "too_large", "mimetype": mimetype, "filename": filename, "limit_bytes": limit},
            too_large_notice(filename, limit),
        )
    except ProviderError as exc:
        if not exc.permanent:
            raise  # WAHA briefly unreachable: the inbox job retries
        return {
            "note": "download_failed",
            "mimetype": mimetype,
            "filename": filename,
            "error": str(exc)[:300],
        }, None
    finally:
        client.close()
    return {"path": rel, "mimetype": mimetype, "filename": filename, "size": size}, None


BAD_STATUSES = ("STOPPED", "FAILED", "SCAN_QR_CODE", "PASSKEY_REQUIRED", "PASSKEY_CONFIRMATION_REQUIRED")


def _on_session_status(db: Session, business: Business, p: dict[str, Any]) -> None:
    status = str(p.get("status") or "")
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business.id, ProviderConfig.kind == PROVIDER
        )
    ).first()
    if row is None:
        return
    previous = (row.config or {}).get("session_status")
    row.config = {**(row.config or {}), "session_status": status}
    log.info("waha.session_status", business_id=business.id, status=status, previous=previous)
    if status != "WORKING" and (previous == "WORKING" or (previous is None and status in BAD_STATUSES)):
        hint = (
            "Scan ulang QR di WAHA." if status == "SCAN_QR_CODE" else "Periksa server WAHA dan sesi WhatsApp."
        )
        queue_alert(
            db,
            business_id=business.id,
            topic="waha-session",
            text=f"⚠️ WhatsApp {business.name}: sesi WAHA berubah dari {previous or '?'} ke {status}. "
            f"Pesan pelanggan tidak terkirim sampai sesi kembali WORKING. {hint}",
        )
