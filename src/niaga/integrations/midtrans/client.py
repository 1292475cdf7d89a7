"""Midtrans Snap + Core API client (protocols.md §3).

Auth is HTTP Basic with the server key as the user name and an empty password. Snap (create transaction)
and the Core API (status, cancel) live on different hosts; `base_url` overrides both (self-hosted proxy,
tests' fake server).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from niaga.integrations.base import ProviderError, http_client, raise_for_provider

PROVIDER = "midtrans"
SNAP_URLS = {"sandbox": "https://app.sandbox.midtrans.com", "production": "https://app.midtrans.com"}
API_URLS = {"sandbox": "https://api.sandbox.midtrans.com", "production": "https://api.midtrans.com"}
MODES = tuple(SNAP_URLS)


def basic_auth(server_key: str) -> str:
    return "Basic " + base64.b64encode(f"{server_key}:".encode()).decode()


def signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """hex(SHA512(order_id + status_code + gross_amount + server_key)) — the strings exactly as sent."""
    raw = f"{order_id}{status_code}{gross_amount}{server_key}"
    return hashlib.sha512(raw.encode()).hexdigest()


def verify_signature(payload: dict[str, Any], server_key: str) -> bool:
    """True when the notification's `signature_key` matches. Fields are used exactly as received
    (never re-formatted: "10000.00" stays "10000.00"); a missing or non-string field fails."""
    parts = [payload.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key")]
    if not all(isinstance(p, str) and p for p in parts) or not server_key:
        return False
    order_id, status_code, gross_amount, sig = parts
    expected = signature(order_id, status_code, gross_amount, server_key)  # type: ignore[arg-type]
    return hmac.compare_digest(expected, sig.lower())  # type: ignore[union-attr]


def parse_amount(value: Any) -> int | None:
    """Midtrans sends "10000.00"; rupiah have no fractional part in practice. None when unparseable or
    fractional (the caller flags it instead of guessing)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if d != d.to_integral_value():
        return None
    return int(d)


class MidtransClient:
    def __init__(
        self,
        server_key: str,
        *,
        mode: str = "sandbox",
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
        keep_alive: bool = False,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown Midtrans mode {mode!r}")
        self.server_key = server_key
        self.mode = mode
        self.snap_base = (base_url or SNAP_URLS[mode]).rstrip("/")
        self.api_base = (base_url or API_URLS[mode]).rstrip("/")
        self._transport = transport
        self._timeout = timeout
        self._headers = {
            "Authorization": basic_auth(server_key),
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        # keep_alive: one httpx client (and its connections) for every request of this object, which its
        # owner closes; else a client per request.
        self._held: httpx.Client | None = None
        self._keep_alive = keep_alive

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def _request(
        self, method: str, url: str, *, json: Any = None, allow_404: bool = False
    ) -> dict[str, Any] | None:
        try:
            if self._keep_alive:
                if self._held is None:
                    self._held = http_client(
                        transport=self._transport, headers=self._headers, timeout=self._timeout
                    )
                resp = self._held.request(method, url, json=json)
            else:
                with http_client(
                    transport=self._transport, headers=self._headers, timeout=self._timeout
                ) as c:
                    resp = c.request(method, url, json=json)
        except httpx.HTTPError as exc:
            raise ProviderError(f"midtrans unreachable: {exc}", provider=PROVIDER, permanent=False) from exc
        if allow_404 and resp.status_code == 404:
            return None
        if resp.status_code == 406:
            # order_id already used/paid: retrying the same request cannot succeed.
            raise ProviderError(
                f"midtrans answered 406: {resp.text[:300]}",
                provider=PROVIDER,
                permanent=True,
                status=406,
                body=resp.text[:500],
            )
        raise_for_provider(resp, PROVIDER)
        try:
            data = resp.json()
        except ValueError as exc:
            raise ProviderError(
                "midtrans answered with non-JSON",
                provider=PROVIDER,
                permanent=False,
                status=resp.status_code,
                body=resp.text[:500],
            ) from exc
        if not isinstance(data, dict):
            raise ProviderError(
                "midtrans answered with an unexpected body",
                provider=PROVIDER,
                permanent=False,
                status=resp.status_code,
                body=data,
            )
        return data

    def create_transaction(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /snap/v1/transactions → {"token", "redirect_url"}."""
        data = self._request("POST", f"{self.snap_base}/snap/v1/transactions", json=payload)
        assert data is not None
        if not data.get("redirect_url") or not data.get("token"):
            raise ProviderError(
                "midtrans snap answer lacks token/redirect_url", provider=PROVIDER, permanent=False, body=data
            )
        return data

    def get_status(self, order_id: str) -> dict[str, Any] | None:
        """GET /v2/{order_id}/status. None on 404 — for Snap that means the customer has not chosen a
        payment method yet (or the id is unknown)."""
        data = self._request("GET", f"{self.api_base}/v2/{quote(order_id, safe='')}/status", allow_404=True)
        if data is not None and str(data.get("status_code")) == "404":
            return None
        return data

    def cancel(self, order_id: str) -> dict[str, Any] | None:
        return self._request("POST", f"{self.api_base}/v2/{quote(order_id, safe='')}/cancel", allow_404=True)
