"""Telegram webhooks: secret-token check, the update key, and the table of inline-button (callback query)
handlers by data prefix. The inbox handler (messages: text, document, photo; callback queries) is in
tasks.py."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from niaga.ops.logging import get_logger

log = get_logger("niaga.telegram")
PROVIDER = "telegram"


def verify(header_value: str | None, secret: str) -> bool:
    if not header_value or not secret:
        return False
    return hmac.compare_digest(header_value.encode(), secret.encode())


def event_key(business_id: int, update: dict[str, Any]) -> str:
    return f"{business_id}:{update.get('update_id')}"


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
