"""Fonnte WhatsApp gateway (outbound only): `POST /send` with the device token in `Authorization`.

Fonnte answers HTTP 200 even when it refuses a message; `status: false` with a `reason` is the failure.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from niaga.integrations.base import ProviderError, http_client, raise_for_provider
from niaga.integrations.http import request
from niaga.integrations.whatsapp import to_target as to_target  # re-export
from niaga.messaging.channels import ChannelConfig, OutboundFile, SendResult

PROVIDER = "fonnte"
# Reasons after which retrying cannot help.
PERMANENT_REASONS = ("token", "invalid", "device", "not registered", "disconnect", "unauthorized")


class FonnteClient:
    provider = PROVIDER

    def __init__(
        self,
        *,
        token: str,
        base_url: str = "https://api.fonnte.com",
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        self._http = http_client(
            base_url.rstrip("/"), transport=transport, headers={"Authorization": token}, timeout=timeout
        )

    @classmethod
    def from_config(cls, cfg: ChannelConfig, **kwargs: Any) -> FonnteClient:
        return cls(token=cfg.secrets.get("token", ""), base_url=cfg.get("base_url"), **kwargs)

    def close(self) -> None:
        self._http.close()

    def _check(self, resp: httpx.Response) -> dict[str, Any]:
        raise_for_provider(resp, PROVIDER)
        try:
            body = resp.json()
        except ValueError:
            raise ProviderError(
                "fonnte: answer is not JSON",
                provider=PROVIDER,
                permanent=False,
                status=resp.status_code,
                body=resp.text[:300],
            )
        if not body.get("status"):
            reason = str(body.get("reason") or body.get("detail") or "unknown")
            permanent = any(r in reason.lower() for r in PERMANENT_REASONS)
            raise ProviderError(
                f"fonnte refused: {reason}",
                provider=PROVIDER,
                permanent=permanent,
                status=resp.status_code,
                body=body,
            )
        return body

    @staticmethod
    def _id(body: dict[str, Any]) -> str | None:
        ids = body.get("id")
        if isinstance(ids, list) and ids:
            return str(ids[0])
        return str(ids) if ids else None

    def send_text(self, *, chat_id: str, text: str, reply_to: str | None = None) -> SendResult:
        resp = request(
            self._http,
            PROVIDER,
            "POST",
            "/send",
            data={"target": to_target(chat_id), "message": text, "countryCode": "62"},
        )
        body = self._check(resp)
        return SendResult(self._id(body), body)

    def send_file(
        self, *, chat_id: str, file: OutboundFile, caption: str = "", reply_to: str | None = None
    ) -> SendResult:
        data = {
            "target": to_target(chat_id),
            "message": caption,
            "countryCode": "62",
            "filename": file.filename,
        }
        if file.url:
            resp = request(self._http, PROVIDER, "POST", "/send", data={**data, "url": file.url})
        elif file.path is not None:
            with Path(file.path).open("rb") as fh:
                resp = request(
                    self._http,
                    PROVIDER,
                    "POST",
                    "/send",
                    data=data,
                    files={"file": (file.filename, fh, file.mimetype)},
                )
        else:
            raise ProviderError("fonnte: file without path or url", provider=PROVIDER, permanent=True)
        body = self._check(resp)
        return SendResult(self._id(body), body)

    # Fonnte has no read receipts, typing or history lookup through its send API.
    def mark_seen(self, *, chat_id: str, message_ids: list[str]) -> None:
        return None

    def start_typing(self, *, chat_id: str) -> None:
        return None

    def stop_typing(self, *, chat_id: str) -> None:
        return None

    def find_sent(self, *, chat_id: str, text: str, since: datetime) -> str | None:
        return None

    def check(self) -> dict[str, Any]:
        """`POST /device` (the device profile) proves the token."""
        body = self._check(request(self._http, PROVIDER, "POST", "/device"))
        return {"device": body.get("device"), "status": body.get("device_status"), "name": body.get("name")}
