"""Inbound messages from the unsigned Indonesian WhatsApp gateways (Fonnte, Starsender).

Both push an incoming message to a webhook URL and sign nothing, so the URL carries an unguessable
per-business token (`/webhooks/{kind}/{slug}/{token}`, rotatable in the channel settings; a wrong token
answers 404 and stores nothing). Bodies come as JSON or as a form post. Each adapter maps its fields onto
`GatewayMessage` (`normalise`); the rest is shared here: the dedupe key (the gateway's message id, else a
hash of sender + text + minute), the store-then-ack spec, and the inbox handler that downloads media by URL
with the business's size cap and hands the message to the same inbound path as WAHA
(`messaging.inbound.do_receive`).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from niaga.integrations.base import ProviderError
from niaga.integrations.http import TooLarge, UnsafeAddress, download, public_only_client, unsafe_url_problem
from niaga.integrations.models import InboundEvent
from niaga.integrations.webhooks import WebhookSpec, channel_resolver
from niaga.kit.jsonbounds import MAX_DEPTH, MalformedJson, loads_bounded
from niaga.messaging import channels
from niaga.messaging.inbound import Inbound, do_receive
from niaga.messaging.media import max_media_bytes, safe_name, too_large_notice
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.gateway_inbound")


@dataclass(frozen=True)
class GatewayMessage:
    """One incoming WhatsApp message as an unsigned gateway described it."""

    sender: str  # digits of the customer's number (or a group id)
    text: str
    message_id: str | None = None
    name: str | None = None
    is_group: bool = False
    member: str | None = None  # the actual sender inside a group
    media_url: str | None = None
    filename: str | None = None
    mimetype: str | None = None
    from_me: bool = False


def parse_body(raw: bytes, headers: Headers) -> dict[str, Any]:
    """A JSON object, or a form post (urlencoded) as a flat dict; `MalformedJson` (400) otherwise."""
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=200)
        except (UnicodeDecodeError, ValueError):
            raise MalformedJson("Body form tidak valid.") from None
        return {k: v[-1] for k, v in form.items()}
    body = loads_bounded(raw or b"null", max_depth=MAX_DEPTH)
    if not isinstance(body, dict):
        raise MalformedJson("Body harus berupa objek JSON.")
    return body


def digits(value: Any) -> str:
    """The number part of a WhatsApp id ('62812…@c.us', '+62 812-…', '62812…@s.whatsapp.net')."""
    s = str(value or "").split("@", 1)[0]
    return "".join(ch for ch in s if ch.isdigit())


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "ya")
    return bool(value)


def event_key_for(normalise: Callable[[dict[str, Any]], GatewayMessage | None]) -> Callable[[int, dict], str]:
    def event_key(business_id: int, body: dict[str, Any]) -> str:
        msg = normalise(body)
        if msg is not None and msg.message_id:
            return f"{business_id}:msg:{msg.message_id}"[:200]
        if msg is not None:
            # No id from the gateway: the same sender, text and file within one minute is one message
            # (a gateway retrying its delivery); the next minute's identical text is a new one.
            minute = int(time.time() // 60)
            seed = f"{msg.sender}\x00{msg.text}\x00{msg.media_url or ''}\x00{minute}"
        else:
            seed = json.dumps(body, sort_keys=True, default=str)
        return f"{business_id}:h:{hashlib.sha256(seed.encode()).hexdigest()[:40]}"

    return event_key


def _check_for(normalise: Callable[[dict[str, Any]], GatewayMessage | None]) -> Callable[[dict], Any]:
    def check(body: dict[str, Any]) -> tuple[str, str] | None:
        msg = normalise(body)
        if msg is not None and not msg.sender:
            return ("bad_payload", "Nomor pengirim kosong.")
        return None

    return check


def spec(
    provider: str, normalise: Callable[[dict[str, Any]], GatewayMessage | None], label: str
) -> WebhookSpec:
    """The store-then-ack endpoint `POST /webhooks/{provider}/{slug}/{token}` of an unsigned gateway."""
    return WebhookSpec(
        provider=provider,
        path=f"/webhooks/{provider}/{{slug}}/{{token}}",
        resolve=channel_resolver(provider, f"{label} belum diatur untuk bisnis ini."),
        token_secret="webhook_token",
        parse=parse_body,
        check=_check_for(normalise),
        event_key=event_key_for(normalise),
        event_type=lambda body: "message" if normalise(body) is not None else "other",
        not_object=("malformed_json", "Body harus berupa objek JSON."),
    )


def handler(
    provider: str, normalise: Callable[[dict[str, Any]], GatewayMessage | None]
) -> Callable[[Session, InboundEvent], None]:
    """The inbox handler: a stored gateway event -> a customer message on the WhatsApp channel."""

    def handle(db: Session, event: InboundEvent) -> None:
        business = db.get(Business, event.business_id) if event.business_id else None
        if business is None:
            return
        msg = normalise(event.payload or {})
        if msg is None:
            log.info("gateway.event_ignored", provider=provider, business_id=business.id)
            return
        if msg.from_me or not msg.sender:
            return
        ignore_groups = business_settings(business).get("channels", {}).get("ignore_groups", True)
        if msg.is_group and ignore_groups:
            return
        media: list[dict[str, Any]] = []
        notice = None
        if msg.media_url:
            gateway = channels.load(db, business_id=business.id, kind=provider)
            trusted = (str(gateway.get("base_url") or ""),) if gateway is not None else ()
            item, notice = fetch_media(provider, business, msg, trusted=trusted)
            media.append(item)
        do_receive(
            db,
            business=business,
            inbound=Inbound(
                channel="whatsapp",
                chat_id=f"{msg.sender}@{'g.us' if msg.is_group else 'c.us'}",
                text=msg.text,
                provider_message_id=f"{provider}:{msg.message_id}" if msg.message_id else None,
                name=msg.name,
                phone=None if msg.is_group else msg.sender,
                media=media,
                notice=notice,
                gateway=provider,
            ),
        )

    return handle


def fetch_media(
    provider: str, business: Business, msg: GatewayMessage, *, trusted: tuple[str, ...] = ()
) -> tuple[dict[str, Any], str | None]:
    """Download the message's file from the gateway's URL into files_dir, stopping at the business's size cap.
    Returns (media entry, notice for the customer or None); a temporarily unreachable URL raises (the inbox
    job retries), a permanent failure is recorded on the message."""
    url = str(msg.media_url)
    ext = "." + msg.filename.rsplit(".", 1)[-1] if msg.filename and "." in msg.filename else ""
    mimetype = msg.mimetype or mimetypes.guess_type(msg.filename or urlsplit(url).path)[0]
    mimetype = mimetype or "application/octet-stream"
    filename = msg.filename or f"wa{mimetypes.guess_extension(mimetype) or ext}"
    problem = unsafe_url_problem(url, trusted=trusted)
    if problem is not None:
        # The webhook is unsigned (a token in its path): its URL is never followed to our own network.
        log.warning("gateway.media_url_refused", provider=provider, business_id=business.id, reason=problem)
        return {"note": "download_failed", "filename": filename, "error": problem}, None
    limit = max_media_bytes(business)
    rel = f"{business.id}/inbound/{uuid.uuid4().hex[:12]}-{safe_name(filename)}"
    dest = get_settings().files_dir / rel
    client = public_only_client(trusted=trusted, timeout=30.0)
    try:
        size = download(client, provider, url, dest, limit=limit)
    except UnsafeAddress as exc:  # the name now resolves to a private address (DNS rebinding)
        log.warning("gateway.media_url_refused", provider=provider, business_id=business.id, reason=str(exc))
        return {"note": "download_failed", "filename": filename, "error": str(exc)}, None
    except TooLarge:
        log.info("gateway.media_too_large", provider=provider, business_id=business.id, limit=limit)
        return (
            {"note": "too_large", "mimetype": mimetype, "filename": filename, "limit_bytes": limit},
            too_large_notice(filename, limit),
        )
    except ProviderError as exc:
        if not exc.permanent:
            raise
        return {
            "note": "download_failed",
            "mimetype": mimetype,
            "filename": filename,
            "error": str(exc)[:300],
        }, None
    except httpx.InvalidURL as exc:
        return {"note": "download_failed", "filename": filename, "error": str(exc)[:300]}, None
    finally:
        client.close()
    return {"path": rel, "mimetype": mimetype, "filename": filename, "size": size}, None


__all__ = ["GatewayMessage", "digits", "handler", "parse_body", "spec", "text_of", "truthy"]
