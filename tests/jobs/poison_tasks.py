"""Tasks for `test_poison.py`'s real worker processes (imported by the worker the test starts): a late-claim
job that takes its worker down, as a message that crashes or exhausts the process would, and a healthy job
to show the worker still serves others."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.models import Job
from niaga.jobs.registry import task


@task("test.poison_kill", max_attempts=2, late_claim=True)
def poison_kill(path: str) -> None:
    with session_scope() as s:
        status, attempts = s.execute(
            sa.select(Job.status, Job.attempts).where(Job.name == "test.poison_kill")
        ).one()
    with Path(path).open("a") as f:
        f.write(f"start {status} {attempts}\n")
    os.kill(os.getpid(), signal.SIGKILL)


@task("test.poison_ok")
def poison_ok(path: str) -> None:
    with Path(path).open("a") as f:
        f.write(f"ok {os.getpid()}\n")


@task("test.hang_forever", max_attempts=2, time_limit=1.0)
def hang_forever(path: str) -> None:
    """A call that never returns (a model or converter that hangs): its worker gives it up after 1 s."""
    with session_scope() as s:
        status, attempts = s.execute(
            sa.select(Job.status, Job.attempts).where(Job.name == "test.hang_forever")
        ).one()
    with Path(path).open("a") as f:
        f.write(f"hang {status} {attempts} {os.getpid()}\n")
    import time

    time.sleep(3600)
