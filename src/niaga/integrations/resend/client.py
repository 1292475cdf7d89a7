"""Resend email API client (protocols.md §8): POST /emails with a Bearer key and an Idempotency-Key."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from niaga.integrations.base import ProviderError, http_client, raise_for_provider
from niaga.messaging.email import Attachment as Attachment  # re-export
from niaga.messaging.email import Email as Email  # re-export

PROVIDER = "resend"
BASE_URL = "https://api.resend.com"


class ResendClient:
    def __init__(
        self, api_key: str, *, base_url: str | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.api_key = api_key
        self.base_url = (base_url or BASE_URL).rstrip("/")
        self._transport = transport

    def send(self, email: Email, *, idempotency_key: str | None = None) -> str:
        """Send one email; returns Resend's id. With `idempotency_key`, a retry after a crash returns the
        first send's answer instead of emailing twice (Resend keeps keys for 24 h)."""
        body: dict[str, Any] = {
            "from": email.sender,
            "to": email.to,
            "subject": email.subject,
            "text": email.text,
        }
        if email.html:
            body["html"] = email.html
        if email.reply_to:
            body["reply_to"] = email.reply_to
        if email.headers:
            body["headers"] = email.headers
        if email.attachments:
            body["attachments"] = [
                {
                    "filename": a.filename,
                    "content": base64.b64encode(a.content).decode(),
                    **({"content_type": a.content_type} if a.content_type else {}),
                }
                for a in email.attachments
            ]
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key[:256]
        try:
            with http_client(self.base_url, transport=self._transport, headers=headers) as c:
                resp = c.post("/emails", json=body)
        except httpx.HTTPError as exc:
            raise ProviderError(f"resend unreachable: {exc}", provider=PROVIDER, permanent=False) from exc
        if resp.status_code == 409:
            # Same idempotency key with another payload, or a concurrent send: retry later.
            raise ProviderError(
                "resend idempotency conflict", provider=PROVIDER, permanent=False, status=409, retry_after=5.0
            )
        raise_for_provider(resp, PROVIDER)
        data = resp.json()
        return str(data.get("id", ""))
