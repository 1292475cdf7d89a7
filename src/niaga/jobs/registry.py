"""Job functions are registered by name (`domain.verb`) and receive JSON-safe keyword arguments."""

from __future__ import annotations

import importlib
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
    # Optional: runs many jobs of this task handed over together (`runner.run_jobs`), given their args in
    # order, and returns one outcome per job: None (done) or the exception that job failed with. It must
    # keep the jobs apart (one job's failure never undoes another's work).
    batch: Callable[[list[dict[str, Any]]], list[BaseException | None]] | None = None
    # Taken by its done mark instead of a claim of its own (`runner.finish_in`): for a job whose work is
    # read-only until one last write transaction, so it takes the database's writer once instead of twice.
    # Its reads may run twice when a copy of it is handed over twice; one copy commits, the other is
    # rolled back. Slow work (a model call) takes the lease first (`runner.lease_now`).
    late_claim: bool = False
    # Seconds a run may take before it is given up (`runner.TimeLimitExceeded`); None: the setting
    # `job_time_limit_seconds`. For a job whose normal run is long (a large document's conversion).
    time_limit: float | None = None


# The explicit tables. Every module that registers jobs, periodic tasks, webhook handlers or adapters is
# listed here and imported at start-up (web, worker, CLI); a module that fails to import is a loud error.
TASK_MODULES: tuple[str, ...] = (
    "niaga.jobs.tasks",
    "niaga.integrations.tasks",  # also installs every provider adapter (integrations/registry.py)
    "niaga.messaging.tasks",
    "niaga.agent.tasks",
    "niaga.orders.tasks",
    "niaga.printshop.tasks",
    "niaga.printshop.printing_tasks",
    "niaga.printshop.jobs_tasks",
    "niaga.marketing.tasks",
    "niaga.operations.tasks",
    "niaga.publishing.tasks",
    "niaga.catalog.embedding_tasks",
)

# name -> spec, filled by @task in the modules above.
REGISTRY: dict[str, TaskSpec] = {}
# name -> (crontab kwargs, fn), filled by @periodic in the modules above.
PERIODIC: dict[str, tuple[dict[str, str], Callable[[], Any]]] = {}

_loaded = False


def task(
    name: str,
    *,
    max_attempts: int | None = None,
    base_delay: float = 2.0,
    max_delay: float = 3600.0,
    batch: Callable[[list[dict[str, Any]]], list[BaseException | None]] | None = None,
    late_claim: bool = False,
    time_limit: float | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the job `name`. The function opens its own session and should be idempotent:
    after a crash mid-run it is run again."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise RuntimeError(f"job {name!r} registered twice")
        REGISTRY[name] = TaskSpec(
            name, fn, max_attempts, base_delay, max_delay, batch, late_claim, time_limit
        )
        return fn

    return deco


def periodic(name: str, **crontab_kwargs: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register an idempotent periodic function (Huey crontab). Several workers may run it at once, so it
    must claim rows with conditional UPDATEs."""

    def deco(fn: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC[name] = (crontab_kwargs, fn)
        return fn

    return deco


def load_all() -> None:
    """Import every module of `TASK_MODULES` so the tables are complete in web, worker and CLI processes.
    A missing or broken module raises: a job kind without its code must not pass unnoticed."""
    global _loaded
    if _loaded:
        return
    for mod in TASK_MODULES:
        importlib.import_module(mod)
    _loaded = True


def resolve(name: str) -> TaskSpec:
    """The spec of job `name`, loading the tables first; `UnknownJob` when no module registers it."""
    spec = REGISTRY.get(name)
    if spec is None:
        load_all()
        spec = REGISTRY.get(name)
    if spec is None:
        raise UnknownJob(f"unknown job {name!r}: no module in niaga.jobs.registry.TASK_MODULES registers it")
    return spec


class UnknownJob(PermanentError, KeyError):
    """No registered function for a job name: the job becomes a dead letter with this error."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
