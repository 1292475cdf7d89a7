from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from niaga.jobs import service
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import PermanentError, RetryLater, task
from niaga.jobs.runner import dead_letter_hooks, drain, enqueue, run_job
from niaga.kit.timeutil import utcnow

CALLS: dict[str, int] = {}


@task("test.flaky", max_attempts=4, base_delay=10)
def flaky(key: str, fail_times: int) -> None:
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] <= fail_times:
        raise RetryLater("temporary")


@task("test.permanent")
def permanent(key: str) -> None:
    CALLS[key] = CALLS.get(key, 0) + 1
    raise PermanentError("bad credentials")


@task("test.retry_hint", max_attempts=3)
def retry_hint(key: str) -> None:
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] == 1:
        raise RetryLater("429", retry_after=120)


def _job(db, job_id):
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    return db.get(Job, job_id)


def test_job_is_dispatched_only_when_the_transaction_commits(db):
    enqueue(db, "test.flaky", key="rolled-back", fail_times=0)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    job = enqueue(db, "test.flaky", key="committed", fail_times=0)
    db.commit()
    assert drain() == ["done"]
    assert _job(db, job.id).status == "done"


def test_temporary_failures_back_off_exponentially_then_succeed(db):
    job = enqueue(db, "test.flaky", key="k1", fail_times=2)
    db.commit()
    t0 = utcnow()
    assert drain(now=t0) == ["retry"]
    j = _job(db, job.id)
    first_delay = (j.run_at - t0).total_seconds()
    assert 8 <= first_delay <= 12  # base 10 s with ±20% jitter
    assert drain(now=t0) == []  # not due yet
    t1 = j.run_at
    assert drain(now=t1) == ["retry"]
    second_delay = (_job(db, job.id).run_at - t1).total_seconds()
    assert 16 <= second_delay <= 24  # doubled
    assert drain(now=t1 + timedelta(hours=1)) == ["done"]
    j = _job(db, job.id)
    assert (j.status, j.attempts, CALLS["k1"]) == ("done", 3, 3)


def test_retry_hint_from_provider_is_honoured(db):
    job = enqueue(db, "test.retry_hint", key="k2")
    db.commit()
    t0 = utcnow()
    drain(now=t0)
    assert (_job(db, job.id).run_at - t0).total_seconds() == pytest.approx(120, abs=1)


def test_permanent_failure_dead_letters_at_once_and_can_be_replayed(db):
    seen = []
    dead_letter_hooks.append(seen.append)
    try:
        job = enqueue(db, "test.permanent", key="k3", business_id=None)
        db.commit()
        assert drain() == ["dead"]
    finally:
        dead_letter_hooks.remove(seen.append)
    assert CALLS["k3"] == 1
    dl = db.scalars(sa.select(DeadLetter)).one()
    assert dl.permanent and dl.attempts == 1 and "bad credentials" in dl.error
    assert [d.id for d in seen] == [dl.id]
    service.do_replay(db, dl)
    db.commit()
    assert _job(db, job.id).status == "pending"
    assert drain() == ["dead"]  # still failing: a new dead letter, the old one stays resolved
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(DeadLetter)) == 2


def test_exhausted_attempts_become_a_dead_letter(db):
    job = enqueue(db, "test.flaky", key="k4", fail_times=99, max_attempts=3)
    db.commit()
    t = utcnow()
    outcomes = []
    for _ in range(5):
        outcomes += drain(now=t)
        t += timedelta(hours=2)
    assert outcomes == ["retry", "retry", "dead"]
    assert _job(db, job.id).status == "dead"
    dl = db.scalars(sa.select(DeadLetter)).one()
    assert not dl.permanent and dl.attempts == 3


def test_claim_is_exclusive(db):
    job = enqueue(db, "test.flaky", key="k5", fail_times=0)
    db.commit()
    assert run_job(job.id) == "done"
    assert run_job(job.id) == "skipped"
    assert CALLS["k5"] == 1


def test_idempotency_key_enqueues_once(db):
    a = enqueue(db, "test.flaky", key="k6", fail_times=0, idempotency_key="send:42")
    b = enqueue(db, "test.flaky", key="k6", fail_times=0, idempotency_key="send:42")
    db.commit()
    assert a.id == b.id
    assert drain() == ["done"]


def test_unknown_job_name_is_refused_at_enqueue(db):
    with pytest.raises(KeyError):
        enqueue(db, "nope.nothing")


def test_failed_jobs_api_lists_replays_and_discards(client, db, world):
    enqueue(db, "test.permanent", key="k7", business_id=world.a.id)
    enqueue(db, "test.permanent", key="k8", business_id=world.b.id)
    db.commit()
    drain()
    h = world.headers("owner")
    r = client.get("/api/v1/jobs/failed", headers=h)
    assert r.status_code == 200
    rows = r.json()["data"]
    assert len(rows) == 1 and rows[0]["name"] == "test.permanent"  # only business A's
    assert r.json()["meta"]["total"] == 1
    other_id = db.scalars(sa.select(DeadLetter.id).where(DeadLetter.business_id == world.b.id)).one()
    assert client.post(f"/api/v1/jobs/failed/{other_id}/replay", headers=h).status_code == 404
    r = client.post(f"/api/v1/jobs/failed/{rows[0]['id']}/discard", headers=h)
    assert r.json()["data"]["status"] == "discarded"
    assert client.post(f"/api/v1/jobs/failed/{rows[0]['id']}/replay", headers=h).status_code == 409
    assert client.get("/api/v1/jobs/failed", headers=world.headers("staff")).status_code == 403


def test_dispatcher_sends_a_burst_in_chunks_and_a_lone_job_alone(monkeypatch):
    import queue

    from niaga.jobs import runner

    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(runner, "dispatch_now", lambda job_id, run_at=None: calls.append(("one", job_id)))
    monkeypatch.setattr(runner, "_dispatch_chunk", lambda ids: calls.append(("many", list(ids))))
    d = runner._Dispatcher.__new__(runner._Dispatcher)  # not started: run() is driven synchronously
    d.items = queue.SimpleQueue()
    d.timers, d.local_limit = [], runner.timedelta(seconds=600)
    for i in range(10):
        d.items.put((i, None))
    d.items.put(None)
    d.run()
    assert calls == [("many", [0, 1, 2, 3, 4, 5, 6, 7]), ("many", [8, 9])]
    calls.clear()
    d.items.put((42, None))
    d.items.put(None)
    d.run()
    assert calls == [("one", 42)]


def test_a_chunk_message_runs_every_job_in_it(db):
    from niaga.jobs import runner
    from niaga.jobs.queue import get_huey

    a = enqueue(db, "test.flaky", key="c1", fail_times=0)
    b = enqueue(db, "test.flaky", key="c2", fail_times=0)
    db.commit()
    huey = get_huey()
    huey.immediate = True  # run the task inline, as a consumer would
    try:
        runner._HUEY_RUN_MANY([a.id, b.id])
    finally:
        huey.immediate = False
    assert (CALLS["c1"], CALLS["c2"]) == (1, 1)
    assert {_job(db, a.id).status, _job(db, b.id).status} == {"done"}


def test_savepoints_dispatch_and_publish_only_at_the_real_commit(db, monkeypatch):
    # SQLAlchemy fires commit/rollback events for SAVEPOINTs too: a released savepoint must not dispatch its
    # jobs before the transaction commits, and a rolled-back one drops only its own jobs and live events.
    from niaga.jobs import runner
    from niaga.messaging import events as live

    dispatched: list[int] = []
    published: list[str] = []
    monkeypatch.setattr(runner, "dispatch", lambda job_id, run_at=None: dispatched.append(job_id))
    monkeypatch.setattr(live, "publish", lambda business_id, event_type, **data: published.append(event_type))
    outer = enqueue(db, "test.flaky", key="outer", fail_times=0)
    live.publish_after_commit(db, 1, "outer.event")
    with db.begin_nested():
        kept = enqueue(db, "test.flaky", key="kept", fail_times=0)
        live.publish_after_commit(db, 1, "kept.event")
    assert dispatched == [] and published == []  # released, but nothing is committed yet
    with pytest.raises(RuntimeError), db.begin_nested():
        enqueue(db, "test.flaky", key="dropped", fail_times=0)
        live.publish_after_commit(db, 1, "dropped.event")
        raise RuntimeError("this part fails")
    assert dispatched == [] and published == []
    db.commit()
    assert sorted(dispatched) == sorted([outer.id, kept.id])
    assert published == ["outer.event", "kept.event"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 2


@task("test.finishes_in_its_transaction", max_attempts=2)
def finishes_in_its_transaction(key: str, fail_after: bool = False, roll_back: bool = False) -> None:
    from niaga.db.engine import session_scope
    from niaga.jobs.runner import finish_in

    CALLS[key] = CALLS.get(key, 0) + 1
    try:
        with session_scope(immediate=True) as s:
            # the work: a row (a job far in the future, never run by these tests)
            enqueue(s, "test.flaky", key=key, fail_times=0, delay=10**7, idempotency_key=f"marker-{key}")
            finish_in(s)
            if roll_back:
                raise RuntimeError("the work is rolled back, its done mark with it")
    except RuntimeError:
        if CALLS[key] == 1:
            raise
    if fail_after:
        raise RetryLater("after the work committed")


def _markers(db, key):
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).where(Job.idempotency_key == f"marker-{key}"))


def test_a_job_marked_done_in_its_own_transaction(db):
    # The work and the mark commit together: done, no separate mark, the outcome reported as usual.
    job = enqueue(db, "test.finishes_in_its_transaction", key="f1")
    db.commit()
    assert run_job(job.id) == "done"
    j = _job(db, job.id)
    assert (j.status, j.attempts, j.finished_at is not None, _markers(db, "f1")) == ("done", 1, True, 1)

    # Rolled back: neither the work nor the mark; the failure is retried and the retry is marked.
    job = enqueue(db, "test.finishes_in_its_transaction", key="f2", roll_back=True)
    db.commit()
    assert run_job(job.id) == "retry"
    assert (_job(db, job.id).status, _markers(db, "f2")) == ("pending", 0)
    assert drain(now=utcnow() + timedelta(hours=1)) == ["done"]
    assert (_job(db, job.id).status, _markers(db, "f2")) == ("done", 0)  # the second run swallowed it

    # A failure after the committed work still counts as a failure (the job runs again).
    job = enqueue(db, "test.finishes_in_its_transaction", key="f3", fail_after=True)
    db.commit()
    assert run_job(job.id) == "retry"
    assert _job(db, job.id).status == "pending"

    # Called outside `run_job` it does nothing.
    finishes_in_its_transaction(key="f4")
    assert _markers(db, "f4") == 1
