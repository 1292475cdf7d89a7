"""Privacy of customers' documents: temporary files (originals, the channel's copies, previews, formatted
intermediates) are deleted `temp_retention_hours` after a job is finished, the processed PDF (the archive)
`archive_retention_days` after; a customer may ask for their files to be deleted at once. Reminders and
expiry of jobs waiting on the customer live here too: both are periodic, idempotent and claim rows with a
conditional UPDATE, so several workers are safe."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.engine import affected
from niaga.kit.timeutil import utcnow
from niaga.ops.logging import get_logger
from niaga.printshop import jobs, jobs_notify
from niaga.printshop.jobs_models import PrintJob
from niaga.tenancy.models import Business

log = get_logger("niaga.printshop.retention")
DONE_STATES = ("completed", "cancelled", "failed")


def _unlink(relpath: str | None) -> None:
    if not relpath:
        return
    try:
        jobs.absolute(relpath).unlink(missing_ok=True)
    except Exception as exc:  # a path outside files_dir or a permission problem: logged, never fatal
        log.warning("printshop.purge_failed", path=relpath, error=str(exc)[:200])


def purge_temp(job: PrintJob) -> None:
    """Originals, the channels' copies, previews and intermediates (not the processed PDF)."""
    for f in job.files or []:
        _unlink(f.get("path"))
        _unlink(f.get("origin"))
    folder = jobs.job_dir(job.business_id, job.id)
    for sub in ("in", "preview", "formatted"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    job.previews = []
    job.files_purged_at = utcnow()


def purge_archive(job: PrintJob) -> None:
    shutil.rmtree(jobs.job_dir(job.business_id, job.id), ignore_errors=True)
    job.output_path = None
    job.output_purged_at = utcnow()


def _claim(db: Session, job: PrintJob, column: str, now: datetime) -> bool:
    col = getattr(PrintJob, column)
    return bool(
        affected(
            db.execute(
                sa.update(PrintJob)
                .where(PrintJob.id == job.id, col.is_(None))
                .values({column: now})
                .execution_options(synchronize_session=False)
            )
        )
    )


def run_retention(db: Session, *, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    out = {"temp": 0, "archive": 0}
    for business in db.scalars(sa.select(Business)):
        cfg = jobs.print_settings(business)
        temp_cut = now - timedelta(hours=float(cfg["temp_retention_hours"]))
        arch_cut = now - timedelta(days=float(cfg["archive_retention_days"]))
        for job in db.scalars(
            sa.select(PrintJob).where(
                PrintJob.business_id == business.id,
                PrintJob.status.in_(DONE_STATES),
                PrintJob.finished_at.is_not(None),
                PrintJob.finished_at < temp_cut,
                PrintJob.files_purged_at.is_(None),
            )
        ):
            if _claim(db, job, "files_purged_at", now):
                purge_temp(job)
                out["temp"] += 1
        for job in db.scalars(
            sa.select(PrintJob).where(
                PrintJob.business_id == business.id,
                PrintJob.status.in_(DONE_STATES),
                PrintJob.finished_at < arch_cut,
                PrintJob.output_purged_at.is_(None),
            )
        ):
            if _claim(db, job, "output_purged_at", now):
                purge_archive(job)
                out["archive"] += 1
    db.flush()
    return out


def delete_customer_files(
    db: Session, *, business_id: int, customer_id: int, actor: jobs.Actor
) -> tuple[int, list[str]]:
    """The customer's own request: every finished job's files deleted now. Jobs still running keep theirs
    (they are needed to print) and are named. Returns (jobs purged, numbers of running jobs)."""
    n, active = 0, []
    for job in db.scalars(
        sa.select(PrintJob).where(PrintJob.business_id == business_id, PrintJob.customer_id == customer_id)
    ):
        if job.status not in DONE_STATES and job.status not in ("picked_up", "shipped"):
            active.append(job.number)
            continue
        if job.output_purged_at is not None:
            continue
        purge_temp(job)
        purge_archive(job)
        jobs.record_event(db, job, "print_job.files_deleted", actor, note="atas permintaan pelanggan")
        n += 1
    db.flush()
    return n, active


# --- reminders and expiry --------------------------------------------------------------------------------


def remind_and_expire(db: Session, *, now: datetime | None = None) -> dict[str, int]:
    from niaga.printshop import jobs_chat

    now = now or utcnow()
    out = {"reminded": 0, "expired": 0}
    for business in db.scalars(sa.select(Business)):
        cfg = jobs.print_settings(business)
        remind_cut = now - timedelta(hours=float(cfg["remind_after_hours"]))
        expire_cut = now - timedelta(hours=float(cfg["expire_after_hours"]))
        waiting = db.scalars(
            sa.select(PrintJob).where(
                PrintJob.business_id == business.id,
                PrintJob.status.in_(jobs.WAITING_STATES),
                PrintJob.waiting_since.is_not(None),
                PrintJob.waiting_since < remind_cut,
            )
        ).all()
        for job in waiting:
            assert job.waiting_since is not None
            if job.waiting_since < expire_cut and job.reminded_at is not None:
                try:
                    with db.begin_nested():
                        jobs_chat.do_cancel(
                            db, job=job, actor=jobs.Actor.system(), reason="kedaluwarsa", expired=True
                        )
                        jobs_notify.send(db, job, jobs_notify.expired_text(job))
                    out["expired"] += 1
                except Exception as exc:  # moved meanwhile (paid, answered): nothing to do
                    log.info("print_job.expire_skipped", job_id=job.id, error=str(exc)[:200])
            elif job.reminded_at is None and _claim(db, job, "reminded_at", now):
                job.reminded_at = now
                jobs.record_event(db, job, "print_job.reminded", jobs.Actor.system())
                jobs_notify.send(db, job, jobs_notify.reminder_text(job))
                out["reminded"] += 1
    db.flush()
    return out
