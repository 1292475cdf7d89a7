"""The print request job: send a PDF to its printer and follow it (niaga.printshop.printing)."""

from __future__ import annotations

from niaga.jobs.registry import task
from niaga.printshop import printing

__all__ = ["advance_job"]


# The chain reschedules itself (new job, new idempotency key) and handles printer trouble itself, so the
# runner's own retries only cover crashes and database locks.
@task("printing.advance", max_attempts=20, base_delay=5.0, max_delay=300.0)
def advance_job(request_id: int, step: int) -> str:
    return printing.advance(request_id, step)
