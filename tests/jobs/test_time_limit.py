"""A job whose call never returns (a model, converter or network read that hangs) is given up after its time
limit: the attempt ends with `TimeLimitExceeded` and is retried or dead-lettered like any failure, whatever
the stuck run does later does not count, and the stuck thread is replaced (a standalone worker exits with
`RESTART_EXIT_CODE` for its supervisor to start it again; the consumer inside `niaga serve` starts a spare
thread)."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs import runner
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import task
from niaga.jobs.runner import (
    RESTART_EXIT_CODE,
    ConsumerProcesses,
    dead_letter_hooks,
    enqueue,
    finish_in,
    lease_now,
    overrun_hooks,
    run_job,
    run_jobs,
)
from niaga.kit.timeutil import utcnow
from tests.jobs import poison_tasks  # noqa: F401  (the real worker imports it too)
from tests.jobs.workers import start_worker, stop_worker, worker_env
from tests.procs import wait_for

ROOT = Path(__file__).resolve().parents[2]
GATES: dict[str, threading.Event] = {}
FINISHED: list[str] = []


def _gate(key: str) -> threading.Event:
    return GATES.setdefault(key, threading.Event())


def _hang(key: str) -> None:
    # Stuck until the test opens the gate (at most 30 s, so that a failing test cannot hang the suite).
    _gate(key).wait(30)


@task("test.limit_plain", max_attempts=2, time_limit=0.3)
def limit_plain(key: str) -> None:
    _hang(key)
    with session_scope() as s:
        s.execute(sa.text("select 1"))
    FINISHED.append(key)


@task("test.limit_once", max_attempts=1, time_limit=0.3)
def limit_once(key: str) -> None:
    _hang(key)


@task("test.limit_late", max_attempts=3, time_limit=0.3, late_claim=True)
def limit_late(key: str, claim_first: bool = False) -> None:
    if claim_first:
        lease_now()
    _hang(key)
    with session_scope(immediate=True) as s:
        finish_in(s)
    FINISHED.append(key)


def _batch(items: list[dict]) -> list[BaseException | None]:
    _hang(items[0]["key"])
    FINISHED.extend(a["key"] for a in items)
    return [None] * len(items)


@task("test.limit_batch", max_attempts=3, time_limit=0.3, batch=_batch)
def limit_batch(key: str) -> None:
    raise AssertionError("run as a batch")


def _job(db, name: str, **args) -> int:
    job = enqueue(db, name, **args)
    db.commit()
    return job.id


def _row(job_id: int) -> tuple[str, int, str | None]:
    with session_scope() as s:
        j = s.get(Job, job_id)
        assert j is not None
        return j.status, j.attempts, j.last_error


def _in_thread(fn, *args) -> tuple[threading.Thread, list]:
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn(*args)), daemon=True)
    t.start()
    return t, out


@pytest.fixture
def stuck():
    seen: list[int] = []
    overrun_hooks.append(seen.append)
    try:
        yield seen
    finally:
        overrun_hooks.remove(seen.append)
        for gate in GATES.values():
            gate.set()


def test_a_stuck_job_is_given_up_retried_and_its_late_return_does_not_count(db, stuck):
    job_id = _job(db, "test.limit_plain", key="plain")
    t, out = _in_thread(run_job, job_id)
    wait_for(lambda: _row(job_id)[2] is not None, 10, "the stuck run to be given up")
    status, attempts, error = _row(job_id)
    assert status == "pending"
    assert attempts == 1 and error.startswith(
        "TimeLimitExceeded: still running after its time limit of 0.3 s"
    )
    assert stuck == [job_id]  # the process is told its thread is stuck
    assert t.is_alive()  # it still is
    _gate("plain").set()  # the hang ends after all: its outcome was settled already
    t.join(10)
    assert out == ["overrun"] and FINISHED == ["plain"]
    assert _row(job_id)[0] == "pending"  # not marked done by the late return: the retry runs it
    assert run_job(job_id, now=utcnow() + timedelta(hours=1)) == "done"  # its retry, once due
    assert _row(job_id)[:2] == ("done", 2)


def test_a_job_stuck_on_its_last_attempt_is_a_dead_letter_with_its_alert(db, stuck):
    alerts: list[DeadLetter] = []
    dead_letter_hooks.append(alerts.append)
    try:
        job_id = _job(db, "test.limit_once", key="once")
        t, out = _in_thread(run_job, job_id)
        wait_for(lambda: _row(job_id)[0] == "dead", 10, "the stuck run to be given up")
        assert [a.job_id for a in alerts] == [job_id]
        with session_scope() as s:
            dl = s.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == job_id)).one()
            assert (dl.error_class, dl.permanent, dl.attempts) == ("TimeLimitExceeded", False, 1)
        _gate("once").set()
        t.join(10)
        assert out == ["overrun"] and _row(job_id)[0] == "dead"
    finally:
        dead_letter_hooks.remove(alerts.append)


def test_a_late_claim_job_stuck_before_its_claim_stays_pending_and_its_late_work_rolls_back(db, stuck):
    job_id = _job(db, "test.limit_late", key="late")
    t, out = _in_thread(run_job, job_id)
    wait_for(lambda: stuck == [job_id], 10, "the stuck run to be given up")
    assert _row(job_id)[:2] == ("pending", 0)  # never taken: the sweeper finds it overdue and runs it again
    _gate("late").set()
    t.join(10)
    assert out == ["overrun"]
    assert FINISHED.count("late") == 0  # its done mark refused: the work rolled back
    assert _row(job_id)[0] == "pending"


def test_a_late_claim_job_stuck_after_taking_its_lease_is_given_up_like_a_plain_one(db, stuck):
    job_id = _job(db, "test.limit_late", key="late-claimed", claim_first=True)
    t, out = _in_thread(run_job, job_id)
    wait_for(lambda: stuck == [job_id], 10, "the stuck run to be given up")
    status, attempts, error = _row(job_id)
    assert (status, attempts) == ("pending", 1) and error.startswith("TimeLimitExceeded")
    _gate("late-claimed").set()
    t.join(10)
    assert out == ["overrun"] and "late-claimed" not in FINISHED


def test_a_stuck_batch_gives_up_each_of_its_jobs(db, stuck):
    ids = [_job(db, "test.limit_batch", key="batch") for _ in range(2)]
    t, out = _in_thread(run_jobs, ids)
    wait_for(lambda: sorted(stuck) == sorted(ids), 10, "the stuck batch to be given up")
    wait_for(lambda: all(_row(i)[2] for i in ids), 10, "the batch's jobs to be handed back")
    assert all(_row(i)[0] == "pending" and _row(i)[2].startswith("TimeLimitExceeded") for i in ids)
    _gate("batch").set()
    t.join(10)
    assert out == [["overrun", "overrun"]]
    assert all(_row(i)[0] == "pending" for i in ids)


def test_a_run_within_its_limit_is_not_touched(db, stuck):
    _gate("quick").set()
    job_id = _job(db, "test.limit_plain", key="quick")
    assert run_job(job_id) == "done"
    assert stuck == [] and _row(job_id)[:2] == ("done", 1)


def test_the_in_process_consumer_replaces_a_stuck_thread_up_to_its_own_count(monkeypatch):
    worker = runner.InProcessWorker(workers=1)
    started: list[str] = []

    class _Thread:
        def __init__(self, name: str) -> None:
            self.name = name

        def start(self) -> None:
            started.append(self.name)

    monkeypatch.setattr(worker.consumer, "_create_process", lambda process, name: _Thread(name))
    worker._replace_stuck_thread(1)
    worker._replace_stuck_thread(2)  # past one spare per thread: only a restart frees them
    assert started == ["Worker-spare-1"] and len(worker.consumer.worker_threads) == 2


def test_serves_consumer_is_started_again_when_it_exits(tmp_path):
    marks = tmp_path / "starts"
    code = f"open({str(marks)!r}, 'a').write('x'); raise SystemExit({RESTART_EXIT_CODE})"
    procs = ConsumerProcesses(1, None, command=[sys.executable, "-c", code])
    procs.start()
    try:
        wait_for(lambda: marks.exists() and len(marks.read_text()) >= 2, 15, "the consumer to be restarted")
    finally:
        procs.stop()


@pytest.mark.slow
def test_a_worker_with_a_stuck_job_restarts_and_the_job_ends_as_a_dead_letter(db, tmp_path):
    """Real `niaga worker` processes, started again after each exit as systemd's Restart=always does: the
    stuck job is given up after its 1 s limit, the worker exits with RESTART_EXIT_CODE, the job's second
    attempt is given up too and it becomes a dead letter, and the fresh worker serves other jobs."""
    marks = tmp_path / "marks.log"
    env = worker_env(NIAGA_JOB_SHUTDOWN_SECONDS="1")
    log = tmp_path / "worker.log"

    def start() -> subprocess.Popen:
        return start_worker(env, log)

    def state(job_id: int) -> str:
        db.rollback()
        db.expire_all()
        return db.get(Job, job_id).status

    proc = start()
    codes: list[int | None] = []
    try:
        hang = enqueue(db, "test.hang_forever", path=str(marks))
        db.commit()
        for _ in range(4):
            wait_for(lambda p=proc: p.poll() is not None or state(hang.id) == "dead", 60, "a restart")
            if state(hang.id) == "dead":
                break
            codes.append(proc.returncode)
            proc = start()
        assert state(hang.id) == "dead", log.read_text()[-3000:]
        # the worker stuck in the second attempt restarts too
        wait_for(lambda: proc.poll() is not None, 60, "the last restart")
        codes.append(proc.returncode)
        proc = start()
        ok = enqueue(db, "test.poison_ok", path=str(marks))
        db.commit()
        wait_for(lambda: state(ok.id) == "done", 60, "the healthy job to run")
    finally:
        stop_worker(proc)
    lines = marks.read_text().splitlines()
    assert [" ".join(line.split()[:3]) for line in lines if line.startswith("hang")] == [
        "hang running 1",
        "hang running 2",
    ], log.read_text()[-3000:]
    assert codes == [RESTART_EXIT_CODE, RESTART_EXIT_CODE], (codes, log.read_text()[-3000:])
    dl = db.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == hang.id)).one()
    assert dl.error_class == "TimeLimitExceeded" and dl.attempts == 2
