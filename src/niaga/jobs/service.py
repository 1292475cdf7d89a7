"""Failed jobs as staff see them: list, replay, discard."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.engine import affected
from niaga.jobs import runner
from niaga.jobs.models import DeadLetter, Job
from niaga.kit.errors import Conflict, NotFound
from niaga.kit.timeutil import utcnow


def list_dead_letters(
    db: Session, *, business_id: int | None, status: str | None = "dead", offset: int = 0, limit: int = 50
) -> tuple[list[DeadLetter], int]:
    q = sa.select(DeadLetter)
    if business_id is not None:
        q = q.where(DeadLetter.business_id == business_id)
    if status:
        q = q.where(DeadLetter.status == status)
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    rows = db.scalars(q.order_by(DeadLetter.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def get_dead_letter(db: Session, *, business_id: int | None, dead_letter_id: int) -> DeadLetter:
    q = sa.select(DeadLetter).where(DeadLetter.id == dead_letter_id)
    if business_id is not None:
        q = q.where(DeadLetter.business_id == business_id)
    dl = db.scalars(q).first()
    if dl is None:
        raise NotFound("Job gagal tidak ditemukan.")
    return dl


def do_replay(db: Session, dl: DeadLetter, *, user_id: int | None = None) -> Job:
    """Put the original job back in the queue with fresh attempts. Only an unresolved letter can be replayed."""
    if dl.status != "dead":
        raise Conflict("Job ini sudah diproses ulang atau dibuang.", code="already_resolved")
    now = utcnow()
    # A conditional UPDATE: two staff clicking "replay" at once re-queue the job once.
    updated = affected(
        db.execute(
            sa.update(Job)
            .where(Job.id == dl.job_id, Job.status == "dead")
            .values(status="pending", attempts=0, run_at=now, locked_until=None, finished_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    if not updated:
        raise Conflict("Job ini sudah diproses ulang atau dibuang.", code="already_resolved")
    job = db.get(Job, dl.job_id)
    assert job is not None
    db.refresh(job)
    dl.status = "replayed"
    dl.resolved_at = utcnow()
    dl.resolved_by_user_id = user_id
    db.flush()
    db.info.setdefault(runner._PENDING_KEY, []).append((job.id, job.run_at))
    return job


def do_discard(db: Session, dl: DeadLetter, *, user_id: int | None = None) -> DeadLetter:
    if dl.status != "dead":
        raise Conflict("Job ini sudah diproses ulang atau dibuang.", code="already_resolved")
    dl.status = "discarded"
    dl.resolved_at = utcnow()
    dl.resolved_by_user_id = user_id
    job = db.get(Job, dl.job_id)
    if job is not None:
        job.status = "cancelled"
    db.flush()
    return dl
