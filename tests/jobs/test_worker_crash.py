"""A job whose worker is SIGKILLed mid-run completes after a restart (real `niaga worker` processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.jobs.runner import enqueue
from tests.jobs.workers import start_worker, worker_env
from tests.procs import wait_for

pytestmark = pytest.mark.slow


def _start_worker(log: Path) -> subprocess.Popen:
    return start_worker(
        worker_env(NIAGA_JOB_LEASE_SECONDS="3", NIAGA_JOB_SWEEP_SECONDS="0.5", NIAGA_WORKER_THREADS="2"), log
    )


def test_job_survives_sigkill_of_its_worker(db, tmp_path):
    marker = tmp_path / "selftest.log"
    job = enqueue(db, "jobs.selftest", path=str(marker), sleep_s=4.0)
    db.commit()
    log = tmp_path / "worker.log"
    first = _start_worker(log)
    try:
        wait_for(lambda: marker.exists() and "start" in marker.read_text(), 30, "the first attempt to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert "done" not in marker.read_text()
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    assert db.get(Job, job.id).status == "running"  # orphaned: its worker is gone

    second = _start_worker(log)
    try:

        def finished() -> bool:
            db.rollback()
            db.expire_all()  # fresh snapshot and objects
            return db.get(Job, job.id).status == "done"

        wait_for(finished, 45, "the job to complete on the restarted worker")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
    lines = marker.read_text().split()
    assert lines.count("start") == 2 and lines.count("done") == 1, (
        marker.read_text(),
        log.read_text()[-2000:],
    )
    assert db.scalar(sa.select(Job.attempts).where(Job.id == job.id)) == 2


def test_worker_stops_gracefully_on_sigterm(tmp_path):
    log = tmp_path / "worker.log"
    proc = _start_worker(log)
    time.sleep(2.0)
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(20) == 0, log.read_text()[-2000:]
