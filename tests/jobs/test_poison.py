"""A job whose run takes its worker down (killed, out of memory, crashed) is not run again and again: each
start after the first counts an attempt, and once they are used up it becomes a dead letter (`WorkerLost`)
instead of taking down worker after worker. A late-claim job run on time stays claim-free."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import task
from niaga.jobs.runner import dead_letter_hooks, enqueue, finish_in, run_job, run_jobs
from niaga.kit.timeutil import utcnow
from tests.jobs import poison_tasks  # noqa: F401  (the real workers import it too)
from tests.jobs.workers import start_worker, stop_worker, worker_env
from tests.procs import wait_for

ROOT = Path(__file__).resolve().parents[2]
RAN: dict[str, list[tuple[str, int]]] = {}


def _state(job_id: int) -> tuple[str, int]:
    with session_scope() as s:
        j = s.get(Job, job_id)
        assert j is not None
        return j.status, j.attempts


@task("test.poison_plain", max_attempts=3)
def plain(key: str, job_id: int = 0) -> None:
    RAN.setdefault(key, []).append(_state(job_id))


@task("test.poison_late", max_attempts=3, late_claim=True)
def late(key: str, job_id: int = 0) -> None:
    RAN.setdefault(key, []).append(_state(job_id))
    with session_scope(immediate=True) as s:
        finish_in(s)


BATCHED: list[str] = []


def _batch(items: list[dict]) -> list[BaseException | None]:
    BATCHED.extend(a["key"] for a in items)
    return [None] * len(items)


@task("test.poison_batch", max_attempts=3, batch=_batch)
def batched(key: str, job_id: int = 0) -> None:
    raise AssertionError("run as a batch")


def _job(db, name: str, key: str) -> int:
    job = enqueue(db, name, key=key)
    db.commit()
    job.args = {**job.args, "job_id": job.id}
    db.commit()
    return job.id


def _orphan(job_id: int, *, attempts: int) -> None:
    """As a worker leaves a job it was running when it died: taken, its lease run out."""
    with session_scope() as s:
        s.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(
                status="running",
                attempts=attempts,
                locked_by="gone:1:1",
                locked_until=utcnow() - timedelta(seconds=1),
            )
        )


def _dead_letter(job_id: int) -> DeadLetter:
    with session_scope() as s:
        dl = s.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == job_id)).one()
        s.expunge(dl)
        return dl


@pytest.mark.parametrize("name", ["test.poison_plain", "test.poison_late"])
def test_a_job_whose_last_attempt_took_its_worker_down_is_a_dead_letter_not_another_run(db, name):
    alerts: list[DeadLetter] = []
    dead_letter_hooks.append(alerts.append)
    try:
        key = f"lost-{name}"
        job_id = _job(db, name, key)
        _orphan(job_id, attempts=2)  # two of three attempts started; the worker died in the second
        assert run_job(job_id) == "done"  # an attempt is left: it runs, taken up front
        assert RAN[key] == [("running", 3)]

        key = f"gone-{name}"
        job_id = _job(db, name, key)
        _orphan(job_id, attempts=3)  # its last attempt ended with its worker
        assert run_job(job_id) == "dead"
        assert key not in RAN  # not run again
        assert _state(job_id)[0] == "dead"
        dl = _dead_letter(job_id)
        assert (dl.error_class, dl.permanent, dl.attempts) == ("WorkerLost", True, 3)
        assert "no outcome" in dl.error and "3 of 3" in dl.error
        assert [a.job_id for a in alerts] == [job_id]  # staff are alerted as for any dead letter
        assert run_job(job_id) == "skipped"
    finally:
        dead_letter_hooks.remove(alerts.append)


def test_a_late_claim_job_run_on_time_stays_claim_free_and_an_overdue_one_is_taken_first(db):
    job_id = _job(db, "test.poison_late", "on-time")
    assert run_job(job_id) == "done"
    assert RAN["on-time"] == [("pending", 0)]  # no write before its one transaction

    # Pending since long before the sweeper's threshold: a run started and died before its done mark (or the
    # queue lost it). This run takes it first, so that its start counts an attempt.
    job_id = _job(db, "test.poison_late", "overdue")
    with session_scope() as s:
        s.execute(sa.update(Job).where(Job.id == job_id).values(run_at=utcnow() - timedelta(minutes=5)))
    assert run_job(job_id) == "done"
    assert RAN["overdue"] == [("running", 1)]
    assert _state(job_id) == ("done", 1)


def test_a_batch_claim_dead_letters_the_lost_job_and_runs_the_others(db):
    ids = [_job(db, "test.poison_batch", f"batch-{i}") for i in range(3)]
    _orphan(ids[1], attempts=3)
    assert run_jobs(ids) == ["done", "dead", "done"]
    assert BATCHED == ["batch-0", "batch-2"]
    assert _dead_letter(ids[1]).error_class == "WorkerLost"


@pytest.mark.slow
def test_a_job_that_kills_its_worker_ends_as_a_dead_letter_and_the_worker_serves_others(db, tmp_path):
    """Real `niaga worker` processes, restarted after each death as a service manager does (systemd's
    Restart=always): the poison job's starts are counted, it becomes a dead letter, and the worker then runs
    a healthy job. (This test's process does not hand jobs to the worker's queue: the worker's sweeper finds
    them, so every run here is an overdue one, taken up front.)"""
    marks = tmp_path / "marks.log"
    env = worker_env()
    log = tmp_path / "worker.log"
    starts = 0

    def start() -> subprocess.Popen:
        return start_worker(env, log)

    def done(job_id: int) -> bool:
        db.rollback()
        db.expire_all()
        return db.get(Job, job_id).status == "done"

    def status() -> str:
        db.rollback()
        db.expire_all()
        return db.get(Job, poison.id).status

    proc = start()
    try:
        first = enqueue(db, "test.poison_ok", path=str(marks))
        db.commit()
        wait_for(lambda: done(first.id), 60, "the worker to start")
        poison = enqueue(db, "test.poison_kill", path=str(marks))
        db.commit()
        for _ in range(8):  # each run of the poison job kills the worker: restart it, as a service would
            wait_for(
                lambda p=proc: p.poll() is not None or status() == "dead", 60, "the worker to die or give up"
            )
            if status() == "dead":
                break
            starts += 1
            proc = start()
        assert status() == "dead", log.read_text()[-3000:]
        ok = enqueue(db, "test.poison_ok", path=str(marks))
        db.commit()
        wait_for(lambda: done(ok.id), 60, "the healthy job to run")
    finally:
        stop_worker(proc)
    lines = marks.read_text().splitlines()
    # each start counted (taken, one attempt more), two deaths, then the dead letter instead of a third run
    assert [line for line in lines if line.startswith("start")] == ["start running 1", "start running 2"], (
        lines,
        log.read_text()[-3000:],
    )
    assert starts == 2 and sum(line.startswith("ok") for line in lines) == 2
    dl = db.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == poison.id)).one()
    assert dl.error_class == "WorkerLost" and dl.attempts == 2
