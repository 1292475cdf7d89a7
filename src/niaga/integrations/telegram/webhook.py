"""Telegram webhooks: secret-token check, the update key, `POST /webhooks/telegram/{slug}` (the shared
store-then-ack endpoint of `niaga.integrations.webhooks`), and the table of inline-button (callback query)
handlers by data prefix. The inbox handler (messages: text, document, photo; callback queries) is in
tasks.py."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from niaga.integrations.webhooks import Target, WebhookSpec, add_webhook, channel_resolver
from niaga.ops.logging import get_logger

log = get_logger("niaga.telegram")
PROVIDER = "telegram"


def verify(header_value: str | None, secret: str) -> bool:
    if not header_value or not secret:
        return False
    return hmac.compare_digest(header_value.encode(), secret.encode())


def event_key(business_id: int, update: dict[str, Any]) -> str:
    return f"{business_id}:{update.get('update_id')}"


_NOT_AN_UPDATE = ("malformed_json", "Body bukan update Telegram yang valid.")


def _verify(raw: bytes, headers: Headers, target: Target) -> bool:
    return verify(
        headers.get("x-telegram-bot-api-secret-token"), str(target.secrets.get("secret_token") or "")
    )


def _check(update: dict[str, Any]) -> tuple[str, str] | None:
    return None if "update_id" in update else _NOT_AN_UPDATE


router = APIRouter()
add_webhook(
    router,
    WebhookSpec(
        provider=PROVIDER,
        path="/webhooks/telegram/{slug}",
        resolve=channel_resolver("telegram", "Telegram belum diatur untuk bisnis ini."),
        verify_raw=_verify,
        check=_check,
        event_key=event_key,
        event_type=lambda update: next((k for k in update if k != "update_id"), None),
        bad_signature=("invalid_secret", "Secret token tidak valid."),
        malformed_message=_NOT_AN_UPDATE[1],
        not_object=_NOT_AN_UPDATE,
    ),
)


# --- callback queries ------------------------------------------------------------------------------


@dataclass
class Callback:
    business_id: int
    data: str
    from_id: int | None
    chat_id: int | None
    message_id: int | None
    is_admin_chat: bool
    raw: dict[str, Any]


# prefix -> fn(db, callback) -> text shown to the person who pressed (None = nothing)
CALLBACK_HANDLERS: dict[str, Callable[[Session, Callback], str | None]] = {}


def callback_handler(
    prefix: str,
) -> Callable[[Callable[[Session, Callback], str | None]], Callable[[Session, Callback], str | None]]:
    """Register the handler of inline buttons whose callback_data starts with `prefix:` (e.g. "approve").
    Handlers must be idempotent (double clicks deliver two queries) and must check `is_admin_chat` or the
    sender before changing anything."""

    def deco(fn: Callable[[Session, Callback], str | None]) -> Callable[[Session, Callback], str | None]:
        CALLBACK_HANDLERS[prefix] = fn
        return fn

    return deco
