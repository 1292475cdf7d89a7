"""SQLite's single writer: recognising "database is locked" and retrying a whole unit of work.

A lock error is never the caller's fault and never permanent: requests replay their unit of work (see
`niaga.app.LockRetryMiddleware`), jobs are rescheduled without spending an attempt (`niaga.jobs.runner`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")
LOCK_MESSAGES = ("database is locked", "database table is locked", "database schema is locked")


def is_lock_error(exc: BaseException | None) -> bool:
    """True when `exc` (or what it wraps) is SQLite's busy/locked error."""
    seen = 0
    while exc is not None and seen < 8:
        text = str(exc).lower()
        if any(m in text for m in LOCK_MESSAGES):
            return True
        orig = getattr(exc, "orig", None)
        exc = orig if isinstance(orig, BaseException) else (exc.__cause__ or exc.__context__)
        seen += 1
    return False


def lock_backoff(attempt: int, *, base: float = 0.05, cap: float = 2.0) -> float:
    return min(cap, base * (2 ** max(attempt - 1, 0))) * random.uniform(0.5, 1.5)


def retry_on_lock(fn: Callable[[], T], *, attempts: int = 10) -> T:
    """Run `fn` (a whole unit of work that opens and commits its own session) again when SQLite answers
    "database is locked"; other errors, and the last lock error, propagate."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if attempt >= attempts or not is_lock_error(exc):
                raise
            time.sleep(lock_backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def write_unit(fn: Callable[[Session], T], *, attempts: int = 8, immediate: bool = False) -> T:
    """Run `fn(db)` as one unit of work in its own transaction and commit it. The first try is a deferred
    transaction (its reads do not hold SQLite's writer, e.g. while it downloads a file); when SQLite answers
    "database is locked" (another writer committed after this one's reads began, which SQLite reports at
    once, without waiting) the unit runs again holding the writer from its first statement, so the retry
    waits its turn (busy_timeout) instead of failing the same way. On PostgreSQL the first try is the only one.
    `immediate=True` holds the writer from the first try (a read-modify-write of books that must not be
    read stale)."""
    from niaga.db.engine import session_scope

    for attempt in range(1, attempts + 1):
        try:
            with session_scope(immediate=immediate or attempt > 1) as db:
                return fn(db)
        except Exception as exc:
            if attempt >= attempts or not is_lock_error(exc):
                raise
            time.sleep(lock_backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
