"""Channel connections of a business: which provider kinds exist, how their settings and secrets are stored,
and the one sender interface every outbound gateway implements (WAHA, Fonnte, Starsender, Telegram).

Settings that are not secret live in `ProviderConfig.config`; tokens and keys are Fernet-encrypted in
`ProviderConfig.secrets` and never leave the service in full (see `mask`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.crypto import decrypt_json
from niaga.kit.ports import Port, PortMissing
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business, ProviderConfig

if TYPE_CHECKING:
    from niaga.messaging.models import Conversation

# kind -> (config fields with defaults (None = required), secret fields (all required))
CHANNEL_KINDS: dict[str, dict[str, Any]] = {
    "waha": {
        "channel": "whatsapp",
        # admin_number: the owner's WhatsApp number for operations alerts (optional)
        "config": {"base_url": None, "session": "default", "admin_number": ""},
        "secrets": ("api_key", "hmac_key"),
    },
    "fonnte": {
        "channel": "whatsapp",
        "config": {"base_url": "https://api.fonnte.com", "admin_number": ""},
        "secrets": ("token",),
    },
    "starsender": {
        "channel": "whatsapp",
        "config": {"base_url": "https://api.starsender.online", "admin_number": ""},
        "secrets": ("api_key",),
    },
    "telegram": {
        "channel": "telegram",
        "config": {"base_url": "https://api.telegram.org", "admin_chat_id": ""},
        "secrets": ("bot_token", "secret_token"),
    },
}
WHATSAPP_GATEWAYS = ("waha", "fonnte", "starsender")


@dataclass
class ChannelConfig:
    """A decrypted provider configuration, detached from the session."""

    id: int
    business_id: int
    kind: str
    config: dict[str, Any]
    secrets: dict[str, Any]
    is_enabled: bool = True

    def get(self, key: str, default: Any = None) -> Any:
        value = self.config.get(key)
        if value in (None, ""):
            value = CHANNEL_KINDS.get(self.kind, {}).get("config", {}).get(key)
        return default if value in (None, "") else value


@dataclass
class SendResult:
    provider_message_id: str | None
    raw: Any = field(default=None, repr=False)


@dataclass
class OutboundFile:
    """A file to send: a local `path` (uploaded by the client) or a public `url` (fetched by the provider)."""

    filename: str
    mimetype: str
    path: Path | None = None
    url: str | None = None


class Sender(Protocol):
    """What the delivery job needs from a gateway. Errors are `ProviderError(permanent=...)`."""

    provider: str

    def send_text(self, *, chat_id: str, text: str, reply_to: str | None = None) -> SendResult: ...

    def send_file(
        self, *, chat_id: str, file: OutboundFile, caption: str = "", reply_to: str | None = None
    ) -> SendResult: ...

    def mark_seen(self, *, chat_id: str, message_ids: list[str]) -> None: ...

    def start_typing(self, *, chat_id: str) -> None: ...

    def stop_typing(self, *, chat_id: str) -> None: ...

    def find_sent(self, *, chat_id: str, text: str, since: datetime) -> str | None:
        """The provider id of a message we already sent with this text after `since`, when the provider
        lets us look (used to settle a send whose outcome we never recorded); None when not found or when
        the provider cannot tell."""
        ...

    def check(self) -> dict[str, Any]:
        """A real, harmless call that proves the credentials; returns what the provider said."""
        ...

    def close(self) -> None: ...


# A short cache for the webhook hot path: (business_id, kind) -> (expires, ChannelConfig | None).
_cache_lock = threading.Lock()
_cache: dict[tuple[int, str], tuple[float, ChannelConfig | None]] = {}
CACHE_SECONDS = 5.0


def invalidate_cache(business_id: int | None = None) -> None:
    with _cache_lock:
        if business_id is None:
            _cache.clear()
        else:
            for key in [k for k in _cache if k[0] == business_id]:
                _cache.pop(key, None)


def _detach(row: ProviderConfig) -> ChannelConfig:
    return ChannelConfig(
        id=row.id,
        business_id=row.business_id,
        kind=row.kind,
        config=dict(row.config or {}),
        secrets=decrypt_json(row.secrets),
        is_enabled=row.is_enabled,
    )


_MISS = object()
MISS = _MISS  # what `cached_config` answers when the cache has nothing (public name)


def cached_config(business_id: int, kind: str) -> ChannelConfig | object | None:
    """The cached configuration without touching the database, or `_MISS` (webhook fast path)."""
    with _cache_lock:
        hit = _cache.get((business_id, kind))
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return _MISS


def load(db: Session, *, business_id: int, kind: str, cached: bool = False) -> ChannelConfig | None:
    """The business's configuration of `kind` (enabled or not), or None. `cached`: a copy read in this
    process in the last `CACHE_SECONDS` will do."""
    key = (business_id, kind)
    if cached:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).first()
    cfg = _detach(row) if row is not None else None
    with _cache_lock:
        _cache[key] = (time.monotonic() + CACHE_SECONDS, cfg)
    return cfg


# kind -> factory(ChannelConfig) -> Sender; the channel adapters register here (niaga.integrations.registry).
SENDERS: Port[Callable[[ChannelConfig], Sender]] = Port("channel sender")


def make_sender(cfg: ChannelConfig) -> Sender:
    """The client object for a configuration."""
    try:
        factory = SENDERS.get(cfg.kind)
    except PortMissing:
        raise ValueError(f"unknown channel kind {cfg.kind!r}") from None
    return factory(cfg)


def whatsapp_gateway(
    db: Session, *, business_id: int, preferred: str = "", cached: bool = False
) -> ChannelConfig | None:
    """The gateway that sends a business's WhatsApp messages: the one named in settings
    (channels.whatsapp_gateway), else the first enabled of WAHA, Fonnte, Starsender."""
    order = [preferred] if preferred in WHATSAPP_GATEWAYS else []
    order += [k for k in WHATSAPP_GATEWAYS if k not in order]
    for kind in order:
        cfg = load(db, business_id=business_id, kind=kind, cached=cached)
        if cfg is not None and cfg.is_enabled:
            return cfg
    return None


def reply_gateway(conversation: Conversation, business: Business) -> str:
    """The WhatsApp gateway a conversation's replies go out through: the one the customer last wrote
    through, else the business's chosen gateway (channels.whatsapp_gateway). `whatsapp_gateway` falls back
    to another enabled gateway when that one is switched off."""
    if conversation.gateway:
        return conversation.gateway
    return chosen_gateway(business_settings(business))


def chosen_gateway(settings: dict[str, Any]) -> str:
    """The WhatsApp gateway chosen in a business's (merged) settings; "" = the first configured."""
    return str(settings.get("channels", {}).get("whatsapp_gateway", "") or "")


def sender_for_channel(
    db: Session, *, business_id: int, channel: str, preferred: str = "", cached: bool = False
) -> Sender | None:
    """The sender for a conversation channel; None for channels delivered by niaga itself (web) or when the
    business has no enabled gateway for it. `cached`: see `load`."""
    if channel == "whatsapp":
        cfg = whatsapp_gateway(db, business_id=business_id, preferred=preferred, cached=cached)
    elif channel == "telegram":
        cfg = load(db, business_id=business_id, kind="telegram", cached=cached)
        cfg = cfg if cfg is not None and cfg.is_enabled else None
    else:
        return None
    return make_sender(cfg) if cfg is not None else None


def mask(value: str | None) -> str:
    """Show enough of a secret to recognise it, never enough to use it."""
    if not value:
        return ""
    return "••••" + value[-4:] if len(value) > 8 else "••••"
