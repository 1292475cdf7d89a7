"""`niaga worker --processes N`: the primary consumer starts N-1 secondary consumer processes that take jobs
from the same queue; every job runs once (the leases of long jobs are kept by each process's heartbeat
thread); a secondary that dies is started again; SIGTERM to the primary stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.jobs.runner import enqueue
from tests.procs import alive, children, wait_for

pytestmark = pytest.mark.slow


def _start(log: Path, processes: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        NIAGA_JOBS_DISPATCH="huey",
        NIAGA_JOB_LEASE_SECONDS="2",  # shorter than the jobs: only the heartbeat keeps them leased
        NIAGA_JOB_SWEEP_SECONDS="0.5",
        NIAGA_JOB_SWEEP_STALE_SECONDS="0",
        NIAGA_WORKER_THREADS="1",  # one job at a time per process: the jobs must spread over processes
    )
    return subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "worker", "--processes", str(processes)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_two_consumer_processes_share_the_queue_and_stop_together(db, tmp_path):
    markers = [tmp_path / f"job-{i}.log" for i in range(4)]
    ids = [enqueue(db, "jobs.selftest", path=str(m), sleep_s=3.0).id for m in markers]
    db.commit()
    log = tmp_path / "worker.log"
    primary = _start(log, 2)
    try:

        def all_done() -> bool:
            db.rollback()
            done = db.scalar(sa.select(sa.func.count()).where(Job.id.in_(ids), Job.status == "done"))
            return done == len(ids)

        wait_for(all_done, 60, "the four jobs to be done")
        secondaries = children(primary.pid)
        assert len(secondaries) == 1, (secondaries, log.read_text()[-2000:])
        pids = set()
        for m in markers:
            lines = m.read_text().split("\n")
            starts = [ln for ln in lines if ln.startswith("start")]
            # Each job ran once although it outlived its lease (2 s) and a sweeper looked every 0.5 s.
            assert len(starts) == 1, (m.read_text(), log.read_text()[-2000:])
            pids.add(int(starts[0].split()[1]))
        assert pids == {primary.pid, *secondaries}, (pids, primary.pid, secondaries)

        # A secondary that dies is replaced.
        (dead,) = secondaries
        os.kill(dead, signal.SIGKILL)
        wait_for(lambda: (children(primary.pid) - {dead}) != set(), 20, "a new secondary")
        (replacement,) = children(primary.pid) - {dead}
        more = tmp_path / "after.log"
        for _ in range(2):
            enqueue(db, "jobs.selftest", path=str(more), sleep_s=1.5)
        db.commit()
        wait_for(lambda: more.exists() and more.read_text().count("done") == 2, 30, "jobs after the restart")
    finally:
        os.kill(primary.pid, signal.SIGTERM)
        try:
            code = primary.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(primary.pid, signal.SIGKILL)
            raise
    assert code == 0, log.read_text()[-2000:]
    wait_for(lambda: not alive(replacement), 10, "the secondary to stop with the primary")
