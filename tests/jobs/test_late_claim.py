"""Late-claim jobs (`registry.task(late_claim=True)`): run with no claim of their own, taken by their done mark
in their one write transaction (`runner.finish_in`), or by `runner.lease_now` before slow work."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import PermanentError, RetryLater, task
from niaga.jobs.runner import drain, enqueue, finish_in, lease_now, run_job
from niaga.kit.timeutil import utcnow

CALLS: dict[str, int] = {}
SEEN: dict[str, list[tuple[str, int | None, str | None]]] = {}


def _status(job_id: int) -> tuple[str, int | None, str | None]:
    with session_scope() as s:
        j = s.get(Job, job_id)
        assert j is not None
        return j.status, j.attempts, j.locked_by


def _markers(key: str) -> int:
    with session_scope() as s:
        return int(s.scalar(sa.select(sa.func.count()).where(Job.idempotency_key == f"late-{key}")) or 0)


@task("test.late", max_attempts=2, late_claim=True)
def late(
    key: str, job_id: int = 0, fail: str = "", store: bool = True, race: bool = False, slow: bool = False
) -> None:
    CALLS[key] = CALLS.get(key, 0) + 1
    first = CALLS[key] == 1
    # While it runs, nobody has taken it: still pending, no attempt counted.
    SEEN.setdefault(key, []).append(_status(job_id))
    if race and first:
        # Another consumer is handed the same job meanwhile and finishes it first.
        t = threading.Thread(target=lambda: SEEN.setdefault(key + ":other", []).append(run_job(job_id)))  # type: ignore[func-returns-value]
        t.start()
        t.join()
    if slow:
        lease_now()
        SEEN[key].append(_status(job_id))
    if fail == "retry" and first:
        raise RetryLater("temporary")
    if fail == "permanent":
        raise PermanentError("bad input")
    if store:
        with session_scope(immediate=True) as s:
            # the work: a row (a job far in the future, never run by these tests)
            enqueue(s, "test.late", key=key + ":marker", delay=10**7, idempotency_key=f"late-{key}")
            finish_in(s)


def _late(db, key: str, **kw) -> int:
    job = enqueue(db, "test.late", key=key, **kw)
    db.commit()
    job.args = {**job.args, "job_id": job.id}
    db.commit()
    return job.id


def test_a_late_claim_job_is_taken_by_its_done_mark(db):
    job_id = _late(db, "a")
    assert run_job(job_id) == "done"
    assert SEEN["a"] == [("pending", 0, None)]  # it ran untaken
    status, attempts, worker = _status(job_id)
    assert (status, attempts, worker is not None, _markers("a")) == ("done", 1, True, 1)
    assert run_job(job_id) == "skipped"  # a second copy handed over later does not run it
    assert CALLS["a"] == 1


def test_of_two_copies_run_at_once_one_commits_and_the_other_is_rolled_back(db):
    job_id = _late(db, "b", race=True)
    assert run_job(job_id) == "skipped"  # the first copy lost: its work rolled back
    assert SEEN["b:other"] == ["done"]
    assert CALLS["b"] == 2  # both ran their reads
    assert (_status(job_id)[:2], _markers("b")) == (("done", 1), 1)  # one attempt, the work stored once


def test_a_late_claim_job_ending_without_a_write_is_marked_done(db):
    job_id = _late(db, "c", store=False)
    assert run_job(job_id) == "done"
    assert (_status(job_id)[:2], _markers("c")) == (("done", 1), 0)


def test_a_failing_late_claim_job_counts_its_attempt_and_is_retried(db):
    job_id = _late(db, "d", fail="retry")
    assert run_job(job_id) == "retry"
    with session_scope() as s:
        j = s.get(Job, job_id)
        assert j is not None
        assert (j.status, j.attempts, "temporary" in (j.last_error or "")) == ("pending", 1, True)
    assert drain(now=utcnow() + timedelta(hours=1)) == ["done"]
    assert (_status(job_id)[:2], _markers("d")) == (("done", 2), 1)

    job_id = _late(db, "e", fail="permanent")
    assert run_job(job_id) == "dead"
    with session_scope() as s:
        dl = s.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == job_id)).one()
        assert (dl.attempts, dl.permanent, _status(job_id)[:2]) == (1, True, ("dead", 1))


def test_lease_now_takes_the_job_before_slow_work(db):
    job_id = _late(db, "f", slow=True)
    assert run_job(job_id) == "done"
    first, after_lease = SEEN["f"]
    assert first == ("pending", 0, None)
    assert after_lease[:2] == ("running", 1) and after_lease[2] is not None  # taken, leased, one attempt
    assert (_status(job_id)[:2], _markers("f")) == (("done", 1), 1)


def test_a_late_claim_job_not_yet_due_is_not_run(db):
    job = enqueue(db, "test.late", key="g", delay=3600)
    db.commit()
    assert run_job(job.id) == "skipped"
    assert "g" not in CALLS and _status(job.id)[:2] == ("pending", 0)
