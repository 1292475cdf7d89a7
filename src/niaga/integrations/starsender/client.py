"""Starsender (V3) WhatsApp gateway, outbound only: `POST /api/send` with the device API key.

Starsender's documentation is not public; the shapes follow public integrations (see protocols.md §4.2).
Files are sent by URL only, so local files go out through a signed niaga download link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from niaga.files import links
from niaga.integrations.base import ProviderError, http_client, raise_for_provider
from niaga.integrations.http import request
from niaga.integrations.whatsapp import to_target
from niaga.messaging.channels import ChannelConfig, OutboundFile, SendResult

PROVIDER = "starsender"


class StarsenderClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.starsender.online",
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self._http = http_client(
            base_url.rstrip("/"), transport=transport, headers={"Authorization": api_key}, timeout=timeout
        )

    @classmethod
    def from_config(cls, cfg: ChannelConfig, **kwargs: Any) -> StarsenderClient:
        return cls(api_key=cfg.secrets.get("api_key", ""), base_url=cfg.get("base_url"), **kwargs)

    def close(self) -> None:
        self._http.close()

    def _send(self, payload: dict[str, Any]) -> SendResult:
        resp = request(self._http, PROVIDER, "POST", "/api/send", json=payload)
        raise_for_provider(resp, PROVIDER)
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("status") is False:
            message = str(body.get("message") or "unknown")
            permanent = any(w in message.lower() for w in ("invalid", "unauthor", "not found", "api key"))
            raise ProviderError(
                f"starsender refused: {message}",
                provider=PROVIDER,
                permanent=permanent,
                status=resp.status_code,
                body=body,
            )
        data = body.get("data") if isinstance(body, dict) else None
        mid = None
        if isinstance(data, dict):
            mid = data.get("id") or data.get("message_id")
        return SendResult(str(mid) if mid else None, body)

    def send_text(self, *, chat_id: str, text: str, reply_to: str | None = None) -> SendResult:
        return self._send({"messageType": "text", "to": to_target(chat_id), "body": text})

    def send_file(
        self, *, chat_id: str, file: OutboundFile, caption: str = "", reply_to: str | None = None
    ) -> SendResult:
        url = file.url
        if not url and file.path is not None:
            # Starsender fetches files by URL only: a local file goes out as a signed, expiring link.
            try:
                url = links.signed_url(file.path, filename=file.filename)
            except ValueError:
                url = None
        if not url:
            raise ProviderError(
                "starsender: only files reachable by URL can be sent", provider=PROVIDER, permanent=True
            )
        return self._send({"messageType": "media", "to": to_target(chat_id), "body": caption, "file": url})

    def mark_seen(self, *, chat_id: str, message_ids: list[str]) -> None:
        return None

    def start_typing(self, *, chat_id: str) -> None:
        return None

    def stop_typing(self, *, chat_id: str) -> None:
        return None

    def find_sent(self, *, chat_id: str, text: str, since: datetime) -> str | None:
        return None

    def check(self) -> dict[str, Any]:
        """Listing the device's groups needs a valid device key and sends nothing."""
        resp = request(self._http, PROVIDER, "GET", "/api/whatsapp/groups")
        raise_for_provider(resp, PROVIDER)
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("status") is False:
            raise ProviderError(
                f"starsender refused: {body.get('message')}",
                provider=PROVIDER,
                permanent=True,
                status=resp.status_code,
                body=body,
            )
        return {"ok": True}
