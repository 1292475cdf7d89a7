"""What every provider client shares: one error type whose `permanent` flag drives retry decisions."""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from niaga.kit.providers import LLMError
from niaga.kit.providers import ProviderError as ProviderError  # re-export
from niaga.kit.providers import classify_status as classify_status  # re-export
from niaga.settings import get_settings


def http_client(
    base_url: str = "",
    *,
    transport: httpx.BaseTransport | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Client:
    """The one way provider clients make an httpx.Client (tests inject a transport)."""
    return httpx.Client(
        base_url=base_url,
        transport=transport,
        headers=headers or {},
        timeout=timeout or get_settings().http_timeout_seconds,
    )


def raise_for_provider(resp: httpx.Response, provider: str) -> None:
    """An HTTP error answer as `ProviderError`, classified the same way for every REST provider (WAHA,
    Fonnte, Starsender, Resend, Midtrans): 4xx permanent except 408/409/425/429, 5xx temporary; the
    provider's Retry-After is kept for the retry."""
    if resp.status_code < 400:
        return
    # Retry-After in seconds or as an HTTP date (429, 503); only temporary errors carry it.
    retry_after = _retry_after_headers(resp)
    try:
        body: Any = resp.json()
    except ValueError:
        body = resp.text[:500]
    raise ProviderError(
        f"{provider} answered {resp.status_code}: {str(body)[:300]}",
        provider=provider,
        permanent=classify_status(resp.status_code),
        status=resp.status_code,
        retry_after=retry_after,
        body=body,
    )


# --- language models ------------------------------------------------------------------------------


def _retry_after_headers(resp: httpx.Response) -> float | None:
    ms = resp.headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    ra = resp.headers.get("retry-after")
    if ra:
        try:
            return float(ra)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(ra)
                return max((when - datetime.now(UTC)).total_seconds(), 0.0)
            except (TypeError, ValueError):
                return None
    return None


def _gemini_retry_delay(body: Any) -> float | None:
    try:
        for d in body["error"].get("details") or []:
            if str(d.get("@type", "")).endswith("RetryInfo") and d.get("retryDelay"):
                return float(str(d["retryDelay"]).rstrip("s"))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def raise_for_llm(resp: httpx.Response, provider: str) -> None:
    """A language model's error answer as `LLMError` (retryable or not, with the provider's retry hint)."""
    if resp.status_code < 400:
        return
    try:
        body = resp.json()
    except ValueError:
        body = resp.text[:300]
    retry_after = _retry_after_headers(resp) or _gemini_retry_delay(body)
    err = body.get("error") if isinstance(body, dict) else None
    code = str((err or {}).get("code") or (err or {}).get("type") or "")
    quota = "insufficient_quota" in code or "PerDay" in json.dumps(body)
    should_retry = resp.headers.get("x-should-retry")
    retryable = resp.status_code in (408, 409, 429) or resp.status_code >= 500
    if quota or should_retry == "false":
        retryable = False
    raise LLMError(
        f"{provider} answered {resp.status_code}: {str(body)[:200]}",
        retryable=retryable,
        retry_after=retry_after if retryable else None,
        status=resp.status_code,
        provider=provider,
    )
