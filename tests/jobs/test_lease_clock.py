"""Crash recovery follows the injected clock: a job whose worker died (its lease not extended any more) is
reclaimed once the clock passes the lease, with no sleeping."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.jobs.runner import drain, enqueue, sweep
from niaga.kit.timeutil import utcnow
from niaga.settings import get_settings


def test_dead_workers_job_is_reclaimed_when_the_clock_passes_its_lease(db, clock, tmp_path):
    marker = tmp_path / "selftest.log"
    job = enqueue(db, "jobs.selftest", path=str(marker), sleep_s=0)
    db.commit()
    lease = get_settings().job_lease_seconds
    # A worker claimed it and died: running, lease until now + lease, nobody beating.
    db.execute(
        sa.update(Job)
        .where(Job.id == job.id)
        .values(
            status="running",
            attempts=1,
            locked_by="dead-worker",
            locked_until=utcnow() + timedelta(seconds=lease),
        )
    )
    db.commit()
    assert drain() == []  # still leased: nobody may take it
    assert sweep(stale_after=0) == 0
    clock.advance(lease + 1)
    assert sweep(stale_after=0) == 1  # the expired lease is seen by the sweeper...
    assert drain() == ["done"]  # ...and the job runs again
    db.expire_all()
    row = db.get(Job, job.id)
    assert (row.status, row.attempts) == ("done", 2)
    assert [w for w in marker.read_text().split() if not w.isdigit()] == ["start", "done"]
