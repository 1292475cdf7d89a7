"""WAHA webhooks: HMAC verification, the event key and `POST /webhooks/waha/{slug}` (the shared
store-then-ack endpoint of `niaga.integrations.webhooks`). The inbox handler for `message` and
`session.status` events is in tasks.py."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import Headers

from niaga.integrations.webhooks import Target, WebhookSpec, add_webhook, channel_resolver
from niaga.ops.logging import get_logger

log = get_logger("niaga.waha")
PROVIDER = "waha"


def verify(raw_body: bytes, signature: str | None, key: str, algorithm: str | None = None) -> bool:
    """`X-Webhook-Hmac` = hex HMAC-SHA512(key, raw body). Compared in constant time."""
    if not signature or not key:
        return False
    if algorithm and algorithm.lower() != "sha512":
        return False
    expected = hmac.digest(key.encode(), raw_body, "sha512").hex()
    return hmac.compare_digest(expected, signature.strip().lower())


def event_key(business_id: int, body: dict[str, Any]) -> str:
    """Dedupe key: the message id for message events (WAHA retries and `message`/`message.any` carry the
    same message), else the envelope id, else a hash of the event."""
    raw_payload = body.get("payload")
    payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
    event = str(body.get("event") or "")
    if event.startswith("message") and payload.get("id"):
        return f"{business_id}:msg:{payload['id']}"
    if body.get("id"):
        return f"{business_id}:evt:{body['id']}"
    digest = hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()[:40]
    return f"{business_id}:{event}:{digest}"


def _verify(raw: bytes, headers: Headers, target: Target) -> bool:
    return verify(
        raw,
        headers.get("x-webhook-hmac"),
        str(target.secrets.get("hmac_key") or ""),
        headers.get("x-webhook-hmac-algorithm"),
    )


router = APIRouter()
add_webhook(
    router,
    WebhookSpec(
        provider=PROVIDER,
        path="/webhooks/waha/{slug}",
        resolve=channel_resolver("waha", "WhatsApp (WAHA) belum diatur untuk bisnis ini."),
        verify_raw=_verify,
        event_key=event_key,
        event_type=lambda body: str(body.get("event") or ""),
    ),
)
