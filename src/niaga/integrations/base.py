"""What every provider client shares: one error type whose `permanent` flag drives retry decisions."""

from __future__ import annotations

from typing import Any

import httpx

from niaga.kit.providers import ProviderError as ProviderError  # re-export
from niaga.kit.providers import classify_status as classify_status  # re-export
from niaga.settings import get_settings


def http_client(base_url: str = "", *, transport: httpx.BaseTransport | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> httpx.Client:
    """The one way provider clients make an httpx.Client (tests inject a transport)."""
    return httpx.Client(base_url=base_url, transport=transport, headers=headers or {},
                        timeout=timeout or get_settings().http_timeout_seconds)


def raise_for_provider(resp: httpx.Response, provider: str) -> None:
    if resp.status_code < 400:
        return
    retry_after = None
    ra = resp.headers.get("retry-after")
    if ra:
        try:
            retry_after = float(ra)
        except ValueError:
            retry_after = None
    try:
        body: Any = resp.json()
    except ValueError:
        body = resp.text[:500]
    raise ProviderError(f"{provider} answered {resp.status_code}: {str(body)[:300]}", provider=provider,
                        permanent=classify_status(resp.status_code), status=resp.status_code,
                        retry_after=retry_after, body=body)
