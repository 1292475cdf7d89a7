"""Job functions are registered by name (`domain.verb`) and receive JSON-safe keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class PermanentError(Exception):
    """Retrying cannot help (bad credentials, invalid number, unknown id): dead-letter at once."""

    permanent = True


class RetryLater(Exception):
    """A temporary failure; `retry_after` (seconds) overrides the backoff when the provider says so."""

    permanent = False

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class TaskSpec:
    name: str
    fn: Callable[..., Any]
    max_attempts: int | None
    base_delay: float
    max_delay: float


REGISTRY: dict[str, TaskSpec] = {}


def task(name: str, *, max_attempts: int | None = None, base_delay: float = 2.0,
         max_delay: float = 3600.0) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the job `name`. The function opens its own session and should be idempotent:
    after a crash mid-run it is run again."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise RuntimeError(f"job {name!r} registered twice")
        REGISTRY[name] = TaskSpec(name, fn, max_attempts, base_delay, max_delay)
        return fn

    return deco


def load_all() -> None:
    """Import every domain's tasks module so the registry is complete in web and worker processes."""
    import importlib

    for mod in ("niaga.jobs.tasks", "niaga.integrations.tasks", "niaga.conversations.tasks",
                "niaga.orders.tasks", "niaga.agent.tasks", "niaga.customers.tasks", "niaga.catalog.tasks",
                "niaga.marketing.tasks"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
