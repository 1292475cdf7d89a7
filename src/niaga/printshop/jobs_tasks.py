"""Print-job jobs: processing (part 1's pipeline), reminders/expiry and retention (periodic), and the
printer's status listener that moves a job printing → ready (or back to queued with an alert)."""

from __future__ import annotations

from niaga.db.engine import session_scope
from niaga.jobs.models import DeadLetter
from niaga.jobs.registry import periodic, task
from niaga.jobs.runner import dead_letter_hooks
from niaga.ops.logging import get_logger
from niaga.printshop import jobs, jobs_actions, jobs_process, jobs_retention, printing
from niaga.printshop.jobs_models import PrintJob

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


def on_dead_letter(dl: DeadLetter) -> None:
    """Processing that gave up (a document that crashes the converter every time): the job is `failed`
    with the reason on the board, where staff can process it again or ask the customer for another file."""
    if dl.name != "printshop.process_job" or dl.business_id is None:
        return
    with session_scope(immediate=True) as db:
        job = db.get(PrintJob, int(dl.args.get("job_id") or 0))
        if job is None or job.business_id != dl.business_id or job.status != "processing":
            return
        reason = (dl.error.splitlines()[0] if dl.error else dl.error_class)[:200]
        job.alert = f"Pemrosesan berkas gagal: {reason}"[:300]
        jobs.do_transition(db, job=job, to="failed", actor=jobs.Actor.system(), note=reason)
    log.warning("print_job.processing_failed", business_id=dl.business_id, job_id=dl.args.get("job_id"))


if on_dead_letter not in dead_letter_hooks:
    dead_letter_hooks.append(on_dead_letter)
