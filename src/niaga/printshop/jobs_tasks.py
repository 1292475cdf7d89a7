"""Print-job jobs: processing (part 1's pipeline), reminders/expiry and retention (periodic), and the
printer's status listener that moves a job printing → ready (or back to queued with an alert)."""

from __future__ import annotations

from niaga.db.engine import session_scope
from niaga.jobs.registry import periodic, task
from niaga.ops.logging import get_logger
from niaga.printshop import jobs_actions, jobs_process, jobs_retention, printing

log = get_logger("niaga.printshop.jobs")


@task("printshop.process_job", max_attempts=3, base_delay=10.0)
def process_job(job_id: int) -> str:
    """Check, convert and assemble the job's files, then send findings, preview and quote."""
    return jobs_process.run(job_id)


@periodic("printshop.remind_and_expire", minute="*/10")
def remind_and_expire() -> dict[str, int]:
    with session_scope(immediate=True) as db:
        return jobs_retention.remind_and_expire(db)


@periodic("printshop.retention", minute="23")
def retention() -> dict[str, int]:
    with session_scope(immediate=True) as db:
        return jobs_retention.run_retention(db)


# The printer's news about a job's PrintRequest (source "print_job:<id>[:<attempt>]") moves the job.
printing.on_status("print_job")(jobs_actions.on_print_status)
