"""The one error family of every provider call (chat channels, payments, email, language models): its
`permanent` flag drives retry decisions in one place. Domains catch it without importing a provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Why a call failed, when the provider says so in a way the domain acts on (`ProviderError.reason`).
RECIPIENT_UNREACHABLE = "recipient_unreachable"  # blocked the bot, deleted the account: permanent
CHAT_MIGRATED = "chat_migrated"  # the chat has a new id (`migrate_to`): retry there at once


# Called with (provider, permanent) for every provider error made (niaga.ops.metrics counts them by provider).
error_hooks: list[Callable[[str, bool], None]] = []


def _report(provider: str, permanent: bool) -> None:
    for hook in list(error_hooks):
        try:
            hook(provider, permanent)
        except Exception:  # counting must never change what the caller sees
            pass


class ProviderError(Exception):
    """A provider call failed. `permanent=True`: retrying cannot help (401, invalid number, bad request).
    `retry_after`: seconds the provider asked us to wait (429). `reason`: one of the constants above when
    the provider told us more (a domain acts on it: follow the migration, mark the customer unreachable)."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        body: Any = None,
        reason: str | None = None,
        migrate_to: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.reason = reason
        self.migrate_to = migrate_to
        _report(provider, permanent)


# 4xx answers that a later retry can succeed: timeout, conflict (in flight), too early, too many requests.
TEMPORARY_4XX = frozenset({408, 409, 425, 429})


def classify_status(status: int) -> bool:
    """True when an HTTP status means 'do not retry': a 4xx (the request itself is wrong) except
    `TEMPORARY_4XX`; 5xx and everything else are temporary."""
    return 400 <= status < 500 and status not in TEMPORARY_4XX


class LLMError(Exception):
    """A language model call failed; `retryable` moves the turn to a retry or the next provider."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
        provider: str = "llm",
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.provider = provider
        _report(provider, not retryable)
