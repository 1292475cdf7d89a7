"""Jobs owned by the job engine itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

from niaga.jobs.registry import task


@task("jobs.selftest", max_attempts=3)
def selftest(path: str, sleep_s: float = 0.0) -> None:
    """Proves the worker pipeline end to end (`niaga jobs selftest`): appends "start <pid>", waits, appends
    "done <pid>". Re-running after a crash appends again, so the file shows every attempt."""
    p = Path(path)
    with p.open("a") as f:
        f.write(f"start {os.getpid()}\n")
    time.sleep(sleep_s)
    with p.open("a") as f:
        f.write(f"done {os.getpid()}\n")
