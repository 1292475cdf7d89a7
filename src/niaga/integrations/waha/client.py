"""WAHA (WhatsApp HTTP API) client: send text/files, seen and typing, media download, session status.

Every call carries `X-Api-Key`; errors become `ProviderError` (401/4xx permanent, 5xx/timeouts temporary).
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from niaga.integrations.base import ProviderError, http_client, raise_for_provider
from niaga.integrations.http import download, request
from niaga.messaging.channels import ChannelConfig, OutboundFile, SendResult

PROVIDER = "waha"


def message_id_of(body: Any) -> str | None:
    """WAHA's send responses differ per engine: `id` as a string, `id._serialized`, or Baileys' `key.id`."""
    if not isinstance(body, dict):
        return None
    mid = body.get("id")
    if isinstance(mid, str) and mid:
        return mid
    if isinstance(mid, dict):
        return mid.get("_serialized") or mid.get("id")
    key = body.get("key")
    if isinstance(key, dict) and key.get("id"):
        return str(key["id"])
    return None


def to_chat_id(value: str) -> str:
    """A phone number or chat id as WAHA wants it (`<digits>@c.us`)."""
    value = value.strip()
    if value.endswith("@s.whatsapp.net"):
        return value.split("@", 1)[0] + "@c.us"
    if "@" in value:
        return value
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits + "@c.us"


class WahaClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        session: str = "default",
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = session
        self._http = http_client(
            self.base_url, transport=transport, headers={"X-Api-Key": api_key}, timeout=timeout
        )

    @classmethod
    def from_config(cls, cfg: ChannelConfig, **kwargs: Any) -> WahaClient:
        return cls(
            base_url=cfg.get("base_url"),
            api_key=cfg.secrets.get("api_key", ""),
            session=cfg.get("session", "default"),
            **kwargs,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WahaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        resp = request(self._http, PROVIDER, "POST", path, json={"session": self.session, **payload})
        raise_for_provider(resp, PROVIDER)
        try:
            return resp.json()
        except ValueError:
            return None

    # --- sending ------------------------------------------------------------------------------------
    def send_text(self, *, chat_id: str, text: str, reply_to: str | None = None) -> SendResult:
        payload: dict[str, Any] = {"chatId": to_chat_id(chat_id), "text": text, "linkPreview": False}
        if reply_to:
            payload["reply_to"] = reply_to
        body = self._post("/api/sendText", payload)
        return SendResult(message_id_of(body), body)

    def send_file(
        self, *, chat_id: str, file: OutboundFile, caption: str = "", reply_to: str | None = None
    ) -> SendResult:
        spec: dict[str, Any] = {"mimetype": file.mimetype, "filename": file.filename}
        if file.url:
            spec["url"] = file.url
        elif file.path is not None:
            spec["data"] = base64.b64encode(Path(file.path).read_bytes()).decode()
        else:
            raise ProviderError("waha: file without path or url", provider=PROVIDER, permanent=True)
        endpoint = "/api/sendImage" if file.mimetype in ("image/jpeg", "image/png") else "/api/sendFile"
        payload: dict[str, Any] = {"chatId": to_chat_id(chat_id), "file": spec, "caption": caption}
        if reply_to:
            payload["reply_to"] = reply_to
        body = self._post(endpoint, payload)
        return SendResult(message_id_of(body), body)

    def mark_seen(self, *, chat_id: str, message_ids: list[str]) -> None:
        payload: dict[str, Any] = {"chatId": to_chat_id(chat_id)}
        if message_ids:
            payload["messageIds"] = message_ids
        self._post("/api/sendSeen", payload)

    def start_typing(self, *, chat_id: str) -> None:
        self._post("/api/startTyping", {"chatId": to_chat_id(chat_id)})

    def stop_typing(self, *, chat_id: str) -> None:
        self._post("/api/stopTyping", {"chatId": to_chat_id(chat_id)})

    def find_sent(self, *, chat_id: str, text: str, since: datetime) -> str | None:
        """Look through the chat's latest messages for one we sent with this text (WAHA keeps the history
        of the linked phone, so a send that WAHA accepted shows up here even if our worker died)."""
        chat = to_chat_id(chat_id)
        resp = request(
            self._http,
            PROVIDER,
            "GET",
            f"/api/{self.session}/chats/{chat}/messages",
            params={"limit": 20, "downloadMedia": "false"},
        )
        raise_for_provider(resp, PROVIDER)
        try:
            rows = resp.json()
        except ValueError:
            return None
        floor = since.timestamp() - 5  # clock skew between us and WAHA
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or not row.get("fromMe"):
                continue
            ts = row.get("timestamp") or 0
            if ts > 10**11:  # milliseconds
                ts = ts / 1000
            if (row.get("body") or "") == text and ts >= floor:
                return message_id_of(row)
        return None

    # --- account ------------------------------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        resp = request(self._http, PROVIDER, "GET", f"/api/sessions/{self.session}")
        raise_for_provider(resp, PROVIDER)
        body = resp.json()
        return {
            "session": body.get("name", self.session),
            "status": body.get("status"),
            "me": (body.get("me") or {}).get("id") if isinstance(body.get("me"), dict) else None,
        }

    def download_media(self, url: str, dest: Path, *, limit: int) -> int:
        """Fetch a media URL from a webhook with the API key (the URL's host is WAHA's own)."""
        return download(self._http, PROVIDER, url, dest, limit=limit, headers={"X-Api-Key": self.api_key})
