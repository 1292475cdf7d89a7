"""Fonnte inbound: `POST /webhooks/fonnte/{slug}/{token}` (the shared store-then-ack endpoint).

Fonnte signs nothing; the token in the URL (per business, rotatable) is the credential. Fields accepted
(JSON or form post, all optional but `sender`): `device` (the shop's number), `sender` (customer number, or
the group id), `message` (text or caption; `text` as a fallback), `name`/`pushname`, `member` (sender in a
group), `isgroup`, `url` (the file, downloaded with a size cap), `filename`, `extension`, `inboxid` (the
message id: the dedupe key), `location`. A body without `sender` and `message`/`url` (device status,
delivery reports) is acknowledged and stored but produces no message.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from fastapi import APIRouter

from niaga.integrations import gateway_inbound as gw
from niaga.integrations.webhooks import add_webhook

PROVIDER = "fonnte"


def normalise(body: dict[str, Any]) -> gw.GatewayMessage | None:
    """The message in a Fonnte webhook body, or None when it is not an incoming message."""
    sender_raw = gw.text_of(body.get("sender"))
    text = gw.text_of(body.get("message") if body.get("message") is not None else body.get("text"))
    url = gw.text_of(body.get("url")).strip() or None
    if not sender_raw or (not text and not url):
        return None
    is_group = gw.truthy(body.get("isgroup")) or sender_raw.endswith("@g.us") or "-" in sender_raw
    sender = sender_raw.split("@", 1)[0] if is_group else gw.digits(sender_raw)
    extension = gw.text_of(body.get("extension")).strip().lstrip(".").lower()
    filename = gw.text_of(body.get("filename")).strip() or None
    if url and not filename and extension:
        filename = f"file.{extension}"
    mimetype = mimetypes.guess_type(f"x.{extension}")[0] if extension else None
    inbox_id = gw.text_of(body.get("inboxid") or body.get("id")).strip() or None
    return gw.GatewayMessage(
        sender=sender,
        text=text,
        message_id=inbox_id,
        name=(gw.text_of(body.get("name") or body.get("pushname")).strip() or None),
        is_group=is_group,
        member=gw.digits(body.get("member")) or None,
        media_url=url,
        filename=filename,
        mimetype=mimetype,
    )


router = APIRouter()
add_webhook(router, gw.spec(PROVIDER, normalise, "WhatsApp (Fonnte)"))
