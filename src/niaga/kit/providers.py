"""The one error family of every provider call (chat channels, payments, email, language models): its
`permanent` flag drives retry decisions in one place. Domains catch it without importing a provider."""

from __future__ import annotations

from typing import Any


class ProviderError(Exception):
    """A provider call failed. `permanent=True`: retrying cannot help (401, invalid number, bad request).
    `retry_after`: seconds the provider asked us to wait (429)."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.body = body


def classify_status(status: int) -> bool:
    """True when an HTTP status means 'do not retry'."""
    return status in (400, 401, 403, 404, 405, 410, 413, 415, 422)


class LLMError(Exception):
    """A language model call failed; `retryable` moves the turn to a retry or the next provider."""

    def __init__(
        self, message: str, *, retryable: bool, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
