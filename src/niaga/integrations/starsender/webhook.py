"""Starsender inbound: `POST /webhooks/starsender/{slug}/{token}` (the shared store-then-ack endpoint).

Starsender signs nothing; the token in the URL (per business, rotatable) is the credential. Its webhook
documentation is not public (protocols.md §4.2), so the body is read leniently, as JSON or a form post,
optionally wrapped in `data`. Fields accepted, first present wins:
- sender: `from`, `sender`, `number`, `phone` (a number or a WhatsApp id `…@c.us` / `…@g.us`)
- text: `message`, `body`, `text`, `caption`
- message id (dedupe key): `message_id`, `messageId`, `id`, `inboxid`
- name: `pushname`, `pushName`, `name`, `push_name`
- file: `media_url`, `mediaUrl`, `url`, `file` (a URL; downloaded with a size cap), with `filename`/
  `file_name`, `mimetype`/`mime_type`
- flags: `isGroup`/`is_group`/`isgroup`, `fromMe`/`from_me` (own messages are ignored)
A body with no sender, or neither text nor file, is acknowledged and stored but produces no message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from niaga.integrations import gateway_inbound as gw
from niaga.integrations.webhooks import add_webhook

PROVIDER = "starsender"


def _first(body: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = body.get(name)
        if value not in (None, ""):
            return value
    return None


def normalise(body: dict[str, Any]) -> gw.GatewayMessage | None:
    """The message in a Starsender webhook body, or None when it is not an incoming message."""
    data = body.get("data")
    if isinstance(data, dict) and not _first(body, "from", "sender", "number", "phone"):
        body = data
    sender_raw = gw.text_of(_first(body, "from", "sender", "number", "phone"))
    text = gw.text_of(_first(body, "message", "body", "text", "caption"))
    url = gw.text_of(_first(body, "media_url", "mediaUrl", "url", "file")).strip() or None
    if not sender_raw or (not text and not url):
        return None
    is_group = gw.truthy(_first(body, "isGroup", "is_group", "isgroup")) or sender_raw.endswith("@g.us")
    sender = sender_raw.split("@", 1)[0] if is_group else gw.digits(sender_raw)
    return gw.GatewayMessage(
        sender=sender,
        text=text,
        message_id=gw.text_of(_first(body, "message_id", "messageId", "id", "inboxid")).strip() or None,
        name=gw.text_of(_first(body, "pushname", "pushName", "name", "push_name")).strip() or None,
        is_group=is_group,
        media_url=url,
        filename=gw.text_of(_first(body, "filename", "file_name")).strip() or None,
        mimetype=gw.text_of(_first(body, "mimetype", "mime_type")).strip() or None,
        from_me=gw.truthy(_first(body, "fromMe", "from_me")),
    )


router = APIRouter()
add_webhook(router, gw.spec(PROVIDER, normalise, "WhatsApp (Starsender)"))
