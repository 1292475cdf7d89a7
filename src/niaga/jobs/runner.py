"""Durable jobs on top of Huey.

- `enqueue()` writes a `jobs` row in the caller's transaction; after that transaction commits the id is
  handed to Huey (with an ETA for delayed work). A rollback drops both.
- `run_job()` claims the row with a conditional UPDATE and a lease, runs the registered function and marks
  the outcome. Temporary failures are retried with exponential backoff and jitter (or the provider's own
  retry hint); permanent failures and exhausted attempts become dead letters.
- `sweep()` re-dispatches due jobs that Huey lost (a queue wiped, a dispatch that failed) and running jobs
  whose lease ran out (their worker died: SIGKILL, power loss). Every worker process runs it periodically.
- A job whose last attempt took its worker down (a message or file that crashes or exhausts the worker) is
  not run again: the next claim finds its attempts used up and dead-letters it (`WorkerLost`).
"""

from __future__ import annotations

import atexit
import contextvars
import heapq
import os
import queue
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from niaga.db.engine import get_engine, per_dialect, session_scope, upsert_insert, write_connection
from niaga.db.retry import is_lock_error, lock_backoff, retry_on_lock
from niaga.db.savepoints import in_savepoint
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import PERIODIC, UnknownJob, load_all, resolve
from niaga.jobs.registry import periodic as periodic  # re-export for old imports
from niaga.kit.timeutil import utcnow
from niaga.ops import metrics
from niaga.ops.logging import get_logger
from niaga.settings import get_settings

log = get_logger("niaga.jobs")
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
_PENDING_KEY = "niaga_jobs_to_dispatch"

# Called with the DeadLetter after it is stored (e.g. alert the business's admin chat).
dead_letter_hooks: list[Callable[[DeadLetter], None]] = []


# --- enqueue --------------------------------------------------------------------------------------


def enqueue(
    db: Session,
    name: str,
    *,
    business_id: int | None = None,
    delay: float = 0,
    run_at: datetime | None = None,
    idempotency_key: str | None = None,
    max_attempts: int | None = None,
    **args: Any,
) -> Job:
    """Add a job to the caller's transaction; it is dispatched only if that transaction commits.

    With `idempotency_key`, enqueuing the same key twice returns the first job.
    """
    spec = resolve(name)
    key = idempotency_key or None
    now = utcnow()
    values = {
        "name": name,
        "args": args,
        "business_id": business_id,
        "status": "pending",
        "attempts": 0,
        "max_attempts": max_attempts or spec.max_attempts or get_settings().job_max_attempts,
        "run_at": run_at or (now + timedelta(seconds=delay)),
        "idempotency_key": key,
        "created_at": now,
        "updated_at": now,
    }
    # One statement: the job, or (only with a key: NULL keys never conflict) nothing when that key is taken,
    # and then the first job is returned.
    inserted_id = db.execute(_insert_job(db), values).scalar()
    if inserted_id is None:
        existing = db.scalars(sa.select(Job).where(Job.idempotency_key == key)).first()
        assert existing is not None
        return existing
    # The row written is exactly `values`: the session takes it as a loaded object without reading it back
    # (an ORM insert, flushed or returning the entity, cost more than the rest of the enqueue).
    job = Job(id=inserted_id, **values)
    make_transient_to_detached(job)
    db.add(job)
    db.info.setdefault(_PENDING_KEY, []).append((job.id, job.run_at))
    return job


_INSERT_JOB: dict[str, Any] = {}


def _insert_job(db: Session) -> Any:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id (Core, built once per dialect)."""
    return per_dialect(db, _INSERT_JOB, _build_insert_job)


def _build_insert_job(db: Session) -> Any:
    t: Any = Job.__table__
    return (
        upsert_insert(db, t)
        .values({k: sa.bindparam(k, type_=t.c[k].type) for k in _JOB_COLUMNS})
        .on_conflict_do_nothing(index_elements=[t.c.idempotency_key])
        .returning(t.c.id)
    )


_JOB_COLUMNS = (
    "name",
    "args",
    "business_id",
    "status",
    "attempts",
    "max_attempts",
    "run_at",
    "idempotency_key",
    "created_at",
    "updated_at",
)


def enqueue_many(db: Session, name: str, items: list[tuple[int | None, dict[str, Any]]]) -> list[int]:
    """Enqueue one job per (business_id, args) with a single multi-row INSERT (webhook bursts)."""
    if not items:
        return []
    now = utcnow()
    ids = insert_jobs(db.connection(), name, items, now=now)
    db.info.setdefault(_PENDING_KEY, []).extend((i, now) for i in ids)
    return ids


def insert_jobs(
    conn: sa.Connection, name: str, items: list[tuple[int | None, dict[str, Any]]], *, now: datetime
) -> list[int]:
    """The INSERT of `enqueue_many` on a Core connection, due at `now`; the caller dispatches the ids (with
    `dispatch`) once its transaction has committed."""
    if not items:
        return []
    spec = resolve(name)
    max_attempts = spec.max_attempts or get_settings().job_max_attempts
    rows = [
        {
            "name": name,
            "args": args,
            "business_id": bid,
            "status": "pending",
            "attempts": 0,
            "max_attempts": max_attempts,
            "run_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for bid, args in items
    ]
    # Core executemany of one statement: compiled once, not per batch size like an ORM multi-row insert.
    table: Any = Job.__table__
    stmt = _INSERT_JOBS.get("stmt")
    if stmt is None:
        stmt = _INSERT_JOBS["stmt"] = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in conn.execute(stmt, rows).scalars()]


_INSERT_JOBS: dict[str, Any] = {}


def run_sooner(db: Session, *, idempotency_key: str) -> int | None:
    """Make a pending job (found by its idempotency key) due now, in the caller's transaction; it is
    dispatched once that transaction commits. The job id, or None when no such job is pending."""
    now = utcnow()
    job_id = db.scalar(
        sa.update(Job)
        .where(Job.idempotency_key == idempotency_key, Job.status == "pending")
        .values(run_at=now, updated_at=now)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    )
    if job_id is None:
        return None
    db.info.setdefault(_PENDING_KEY, []).append((int(job_id), now))
    return int(job_id)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    if in_savepoint(session):
        return  # dispatched when the real transaction commits
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        for job_id, run_at in pending:
            dispatch(job_id, run_at)
    running = session.info.pop(_DONE_KEY, None)
    if running is not None:
        running.done = True


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if in_savepoint(session):
        return  # only the savepoint's jobs are dropped (niaga.db.savepoints)
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_DONE_KEY, None)


@dataclass
class _Running:
    """The job `run_job` is running in this context; `done` once its done mark has committed. `claimed`:
    False while a late-claim job (`registry.task(late_claim=True)`) is not yet taken (`lease_now`,
    `finish_in`)."""

    job_id: int
    worker: str
    done: bool = False
    claimed: bool = True
    lease: timedelta = timedelta(seconds=20)
    attempts: int = 0
    beat: int | None = None
    at: datetime | None = None  # the time `run_job` was given (tests, `drain`): the job is taken as of then
    # Set when the run passed its time limit and was given up (`_overran`): whatever it does after that is
    # not its job's outcome any more (its done mark and its failure are dropped, `finish_in` rolls back).
    overrun: bool = False


class TakenElsewhere(Exception):
    """A late-claim job's copy that lost: another worker took the job (or it was done) before this one could.
    Raised from `finish_in`/`lease_now` inside the job, so its transaction rolls back; `run_job` counts it as
    skipped."""


_RUNNING: contextvars.ContextVar[_Running | None] = contextvars.ContextVar("niaga_running_job", default=None)
_DONE_KEY = "niaga_job_done_in_transaction"


def finish_in(db: Session) -> None:
    """Mark the running job done in `db`'s (write) transaction, for a job whose last write transaction is its
    work: the work and the mark commit together, so a crash in between cannot run the work again, and the
    job costs one write transaction less. A late-claim job not yet taken is taken by this very mark (one
    write transaction in all); if another worker has it, `TakenElsewhere` rolls the work back. Outside
    `run_job` (a test calling the function) it does nothing; if the transaction rolls back, `run_job` marks
    the outcome as usual."""
    running = _RUNNING.get()
    if running is None:
        return
    if running.overrun or not _mark_done(db.connection(), running):
        raise TakenElsewhere(f"job {running.job_id}")
    db.info[_DONE_KEY] = running


def lease_now() -> None:
    """For a late-claim job about to do slow work (a language model's seconds): take the job and its lease
    now, as a plain job would have at its start, so that no other worker runs it meanwhile. Raises
    `TakenElsewhere` when another worker has it. Outside `run_job`, or once taken, it does nothing."""
    running = _RUNNING.get()
    if running is not None and running.overrun:
        raise TakenElsewhere(f"job {running.job_id} (given up: over its time limit)")
    if running is None or running.claimed:
        return
    if not _claim_running(running):
        raise TakenElsewhere(f"job {running.job_id}")


def _mark_done(conn: Any, running: _Running) -> bool:
    """The done mark on `conn`; a late-claim job not yet taken is taken by it. False: another worker has it."""
    if running.claimed:
        conn.execute(_DONE, [{"b_id": running.job_id, "b_worker": running.worker, "b_now": utcnow()}])
        return True
    return _take_done(conn, running)


def _take_done(conn: Any, running: _Running) -> bool:
    now = running.at or utcnow()
    taken = conn.execute(_TAKE_DONE, {"b_id": running.job_id, "b_now": now, "b_worker": running.worker})
    if taken.rowcount != 1:
        return False
    running.claimed, running.attempts = True, running.attempts + 1
    return True


def _claim_running(running: _Running) -> bool:
    """Take a late-claim job the usual way (lease, heartbeat). False: another worker has it."""
    now = running.at or utcnow()
    values = {
        "b_id": running.job_id,
        "b_now": now,
        "b_until": now + running.lease,
        "b_worker": running.worker,
    }

    def claim() -> Any:
        with write_connection() as conn:
            return conn.execute(_CLAIM_ONE, values).first()

    row = retry_on_lock(claim, attempts=50)
    if row is None:
        return False
    running.claimed, running.attempts = True, int(row[0])
    if running.at is None:
        running.beat = HEARTBEATS.add([running.job_id], running.worker, running.lease)
    return True


def dispatch(job_id: int, run_at: datetime | None = None) -> None:
    """Hand a job id to Huey from a background thread, so that a request never waits on the queue's write.

    Jobs due later are held by that thread's own timer when the delay is short (the message buffer, quick
    retries) and handed to Huey the moment they are due; only long delays go to Huey's schedule. Failures are
    logged, not raised: the sweeper re-dispatches due jobs that never reached a worker, including ids still in
    this process's hand-off queue or timer when it died.
    """
    if get_settings().jobs_dispatch != "huey":
        return
    _dispatcher().put((job_id, run_at))


def _huey_eta(run_at: datetime) -> datetime:
    # An aware datetime: Huey converts a naive one from *local* time with `time.mktime`, which drops the
    # microseconds (the task became due up to 1 s before the job's run_at, was skipped as not yet due and
    # waited for the sweeper) and on a server whose clock is not UTC shifts it by hours.
    return run_at if run_at.tzinfo is not None else run_at.replace(tzinfo=UTC)


def dispatch_now(job_id: int, run_at: datetime | None = None) -> None:
    try:
        from niaga.jobs.queue import get_huey

        get_huey()  # registers _HUEY_RUN on first use
        assert _HUEY_RUN is not None
        if run_at is not None and run_at > utcnow():
            _HUEY_RUN.schedule(args=(job_id,), eta=_huey_eta(run_at))
        else:
            _HUEY_RUN(job_id)
    except Exception as exc:  # pragma: no cover - depends on the queue backend being down
        log.warning("jobs.dispatch_failed", job_id=job_id, error=str(exc))


def _dispatch_chunk(job_ids: list[int]) -> None:
    try:
        from niaga.jobs.queue import get_huey

        get_huey()
        assert _HUEY_RUN_MANY is not None
        _HUEY_RUN_MANY(job_ids)
    except Exception as exc:  # pragma: no cover - depends on the queue backend being down
        log.warning("jobs.dispatch_failed", job_ids=job_ids, error=str(exc))


class _Dispatcher(threading.Thread):
    """Moves job ids from committed transactions to the queue, and times short delays itself.

    Due jobs that arrive together (a webhook burst) travel in one queue message of up to CHUNK ids, run one
    after another by one worker: one queue write instead of CHUNK. A lone job still travels alone at once.
    A job due within `job_local_delay_seconds` waits in this thread's heap and is enqueued as due work the
    moment its run_at passes, so its latency does not depend on Huey's once-a-second scheduler (which, on a
    busy machine, also loses time reading and re-writing its schedule table).
    """

    CHUNK = 8

    def __init__(self) -> None:
        super().__init__(name="niaga-dispatch", daemon=True)
        self.items: queue.SimpleQueue[tuple[int, datetime | None] | None] = queue.SimpleQueue()
        self.timers: list[tuple[datetime, int]] = []
        self.local_limit = timedelta(seconds=get_settings().job_local_delay_seconds)
        self.start()

    def put(self, item: tuple[int, datetime | None]) -> None:
        self.items.put(item)

    def _accept(self, item: tuple[int, datetime | None], due: list[int]) -> None:
        job_id, run_at = item
        now = utcnow()
        if run_at is None or run_at <= now:
            due.append(job_id)
        elif run_at - now <= self.local_limit:
            heapq.heappush(self.timers, (run_at, job_id))
        else:
            dispatch_now(job_id, run_at)

    def _wait(self) -> float | None:
        if not self.timers:
            return None
        return max(0.0, (self.timers[0][0] - utcnow()).total_seconds())

    def run(self) -> None:
        while True:
            due: list[int] = []
            stop = False
            try:
                item = self.items.get(timeout=self._wait())
            except queue.Empty:
                item = None
            else:
                stop = item is None
            while item is not None:
                self._accept(item, due)
                if len(due) >= self.CHUNK:
                    break
                try:
                    item = self.items.get_nowait()
                except queue.Empty:
                    item = None
                else:
                    stop = item is None
            now = utcnow()
            while self.timers and self.timers[0][0] <= now and len(due) < self.CHUNK:
                due.append(heapq.heappop(self.timers)[1])
            if len(due) == 1:
                dispatch_now(due[0])
            elif due:
                _dispatch_chunk(due)
            if stop:
                self._hand_over_timers()
                return

    def _hand_over_timers(self) -> None:
        # Leaving (process exit): Huey's schedule keeps what this thread was still timing.
        while self.timers:
            run_at, job_id = heapq.heappop(self.timers)
            dispatch_now(job_id, run_at)

    def flush(self, timeout: float = 5.0) -> None:
        """Dispatch what is queued (at exit), giving up after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                item = self.items.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                dispatch_now(*item)
        # The timer heap belongs to the thread; at exit it is still, so reading it here is safe enough, and a
        # job missed here is recovered by the sweeper.
        for run_at, job_id in list(self.timers):
            if time.monotonic() >= deadline:
                break
            dispatch_now(job_id, run_at)
        self.timers.clear()


_dispatcher_lock = threading.Lock()
_DISPATCHER: _Dispatcher | None = None


def _dispatcher() -> _Dispatcher:
    global _DISPATCHER
    with _dispatcher_lock:
        if _DISPATCHER is None or not _DISPATCHER.is_alive():
            _DISPATCHER = _Dispatcher()
            atexit.register(_DISPATCHER.flush)
        return _DISPATCHER


# --- running --------------------------------------------------------------------------------------


def _backoff(attempt: int, base: float, cap: float) -> float:
    delay = min(cap, base * (2 ** max(attempt - 1, 0)))
    return delay * random.uniform(0.8, 1.2)


def _claimable(now: Any) -> Any:
    """Due pending jobs, and running ones whose lease expired (their worker died). `now`: a time or a bind
    parameter."""
    return sa.or_(
        sa.and_(Job.status == "pending", Job.run_at <= now),
        sa.and_(Job.status == "running", Job.locked_until < now),
    )


def _claim(which: Any, *, now: Any, until: Any, worker: Any) -> Any:
    """The UPDATE that takes the claimable jobs among `which` for `worker`, leased `until` (one attempt more
    each). The values may be bind parameters (a statement built once)."""
    return (
        sa.update(Job)
        .where(which, _claimable(now))
        .values(
            status="running",
            attempts=Job.attempts + 1,
            locked_until=until,
            locked_by=worker,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def run_job(job_id: int, *, now: datetime | None = None, worker: str | None = None) -> str:
    """Claim and run one job. Returns done|retry|dead|skipped."""
    worker = worker or f"{WORKER_ID}:{threading.get_ident()}"
    now_given = now is not None
    now = now or utcnow()
    lease = timedelta(seconds=get_settings().job_lease_seconds)
    # Plain statements on plain connections (a job runs for every inbound message: the ORM's identity map,
    # autoflush and statement building cost more than the statements themselves). What the job is, read
    # first (no writer taken): a late-claim job runs without a claim of its own.
    with get_engine().connect() as conn:
        job = conn.execute(_LOOK, {"b_id": job_id, "b_now": now}).first()
    if job is None:
        return "skipped"
    name, args, attempts, max_attempts = job[0], dict(job[1] or {}), int(job[2]), int(job[3])
    try:
        spec: Any = resolve(name)
    except UnknownJob as exc:
        spec, unknown = None, exc
    if spec is not None and spec.late_claim and not _overdue(job, now):
        if not job[7]:  # `_claimable` as of `now`
            return _not_claimable(job_id, job, now, now_given)
        return _run_late(job_id, spec, args, attempts, max_attempts, now, now_given, worker, lease)
    with write_connection() as conn:
        row = conn.execute(
            _CLAIM_ONE,
            {"b_id": job_id, "b_now": now, "b_until": now + lease, "b_worker": worker},
        ).first()
    if row is None:
        return _not_claimable(job_id, job, now, now_given)
    attempts = int(row[0])
    if attempts > max_attempts:
        return _lost(job_id, name, attempts, max_attempts, spec, worker, now if now_given else None)
    started = time.perf_counter()
    running = _Running(job_id, worker, lease=lease, attempts=attempts)
    beat = (
        HEARTBEATS.add(
            [job_id],
            worker,
            lease,
            limit=_time_limit(spec),
            on_overrun=lambda: _overran([running], name, max_attempts, spec),
        )
        if not now_given
        else None
    )
    token = _RUNNING.set(running)
    try:
        if spec is None:
            raise unknown
        _call(spec.fn, args)
    except Exception as exc:
        HEARTBEATS.remove(beat)
        metrics.job_latency.labels(name).observe(time.perf_counter() - started)
        if running.overrun:
            return _after_overrun(running, name, exc)
        return _failed(job_id, name, exc, attempts, max_attempts, spec, worker, now if now_given else None)
    finally:
        _RUNNING.reset(token)
    HEARTBEATS.remove(beat)
    metrics.job_latency.labels(name).observe(time.perf_counter() - started)
    if running.overrun:
        return _after_overrun(running, name)
    if not running.done:  # else marked in the job's own last transaction (`finish_in`)
        # The work is committed: losing this mark to a lock would run it again once the lease expires.
        retry_on_lock(lambda: _mark_done_now(running), attempts=50)
    metrics.jobs_total.labels(name, "done").inc()
    log.info("jobs.done", job_id=job_id, job=name, attempt=attempts)
    return "done"


class TimeLimitExceeded(Exception):
    """A run still going after its task's time limit (`registry.task(time_limit=...)`, else the setting
    `job_time_limit_seconds`): a call that never returns. The attempt is given up and counted like a
    failure: retried (the hang may have been the network's), then a dead letter with its alert."""


# Called with the job's id (from the heartbeat thread) once a run of this process was given up for its time
# limit: the thread running it is stuck, and Python cannot stop a thread. A standalone worker restarts its
# process (`run_standalone_worker`); the consumer inside `niaga serve` starts another thread
# (`InProcessWorker`).
overrun_hooks: list[Callable[[int], None]] = []


def _time_limit(spec: Any) -> float | None:
    limit = getattr(spec, "time_limit", None)
    if limit is None:
        limit = get_settings().job_time_limit_seconds
    return float(limit) if limit and limit > 0 else None


def _overran(runs: list[_Running], name: str, max_attempts: int | None, spec: Any, maxes: Any = None) -> None:
    """Give up runs past their time limit (in the heartbeat thread): each job still held by its run is
    handed back to the queue by `_failed` (retry or dead letter), after its lease is taken from the stuck
    run so that nothing that run does later counts. A late-claim run not yet claimed leaves its job pending,
    where the sweeper finds it overdue."""
    for run in runs:
        run.overrun = True
    limit = _time_limit(spec)
    for run in runs:
        exc = TimeLimitExceeded(
            f"still running after its time limit of {limit:g} s; given up (the call it waits on never "
            "returned) and its worker's thread replaced"
        )
        log.error(
            "jobs.time_limit_exceeded", job_id=run.job_id, job=name, limit_s=limit, attempt=run.attempts
        )
        metrics.jobs_total.labels(name, "overrun").inc()
        if run.claimed:

            def take_back(run: _Running = run) -> int:
                with write_connection() as conn:
                    return int(
                        conn.execute(
                            sa.update(Job)
                            .where(Job.id == run.job_id, Job.locked_by == run.worker, Job.status == "running")
                            .values(locked_by=f"{run.worker}:overrun")
                        ).rowcount
                    )

            if retry_on_lock(take_back, attempts=50) == 1:
                most = int(maxes[run.job_id]) if maxes else int(max_attempts or 1)
                _failed(run.job_id, name, exc, run.attempts, most, spec, f"{run.worker}:overrun")
        for hook in list(overrun_hooks):
            try:
                hook(run.job_id)
            except Exception as hook_exc:
                log.warning("jobs.overrun_hook_failed", error=str(hook_exc))


def _after_overrun(running: _Running, name: str, exc: BaseException | None = None) -> str:
    """A run given up for its time limit that returned after all: its outcome was settled then."""
    log.warning(
        "jobs.overrun_returned",
        job_id=running.job_id,
        job=name,
        error=f"{type(exc).__name__}: {exc}" if exc else None,
    )
    return "overrun"


class WorkerLost(Exception):
    """A job whose last attempt ended with no outcome: the worker running it stopped (killed, out of memory,
    crashed). It is not run again: a message or file that takes a worker down would otherwise take down every
    worker in turn, for ever."""

    permanent = True


def _overdue(job: Any, now: datetime) -> bool:
    """A late-claim job that a run already started without finishing: running with its lease expired (taken
    by `lease_now`, its worker gone), or pending since well before the sweeper's threshold (a run that died
    before its done mark, or a queue that lost it). Such a run takes the job up front like a plain job, so
    that each start counts an attempt and a job that keeps killing its worker ends as a dead letter
    (`_lost`); a job run on time stays claim-free (one write transaction per turn)."""
    status, run_at = job[4], job[5]
    if status == "running":
        return True
    stale = timedelta(seconds=max(get_settings().job_sweep_stale_seconds, 0.0))
    return status == "pending" and run_at is not None and run_at <= now - stale


def _lost(
    job_id: int, name: str, attempts: int, max_attempts: int, spec: Any, worker: str, now: datetime | None
) -> str:
    """Claimed with its attempts already used up, the last of them ended with no outcome (failures end with
    a retry or a dead letter of their own): a dead letter, with its alert, instead of another run."""
    started = attempts - 1
    exc = WorkerLost(
        f"its last attempt ({started} of {max_attempts}) ended with no outcome: the worker running it "
        "stopped (killed, out of memory or crashed); it is not run again"
    )
    return _failed(job_id, name, exc, started, max_attempts, spec, worker, now)


def _run_late(
    job_id: int,
    spec: Any,
    args: dict[str, Any],
    attempts: int,
    max_attempts: int,
    now: datetime,
    now_given: bool,
    worker: str,
    lease: timedelta,
) -> str:
    """A late-claim job: run with no claim; its done mark takes it (`finish_in`), or `lease_now` before slow
    work. A copy that finds the job taken is rolled back and skipped; a failure takes the job first, so the
    attempt is counted as for any job."""
    name = spec.name
    started = time.perf_counter()
    running = _Running(
        job_id, worker, claimed=False, lease=lease, attempts=attempts, at=now if now_given else None
    )
    # Its time limit is watched from the start, claimed or not (its heartbeat starts with `lease_now`).
    watch = (
        HEARTBEATS.add(
            [job_id],
            worker,
            lease,
            beat=False,
            limit=_time_limit(spec),
            on_overrun=lambda: _overran([running], name, max_attempts, spec),
        )
        if not now_given
        else None
    )
    token = _RUNNING.set(running)
    try:
        _call(spec.fn, args)
    except TakenElsewhere:
        if running.overrun:
            return _after_overrun(running, name)
        log.info("jobs.taken_elsewhere", job_id=job_id, job=name)
        return "skipped"
    except Exception as exc:
        metrics.job_latency.labels(name).observe(time.perf_counter() - started)
        if running.overrun:
            return _after_overrun(running, name, exc)
        if not running.claimed and not _claim_running(running):
            return "skipped"  # another worker has it: its outcome stands
        return _failed(
            job_id, name, exc, running.attempts, max_attempts, spec, worker, now if now_given else None
        )
    finally:
        HEARTBEATS.remove(watch)
        HEARTBEATS.remove(running.beat)
        _RUNNING.reset(token)
    metrics.job_latency.labels(name).observe(time.perf_counter() - started)
    if running.overrun:
        return _after_overrun(running, name)
    # Ended before a last write transaction of its own (nothing to store, deferred…): marked here.
    if not running.done and not retry_on_lock(lambda: _mark_done_now(running), attempts=50):
        log.info("jobs.taken_elsewhere", job_id=job_id, job=name)
        return "skipped"
    metrics.jobs_total.labels(name, "done").inc()
    log.info("jobs.done", job_id=job_id, job=name, attempt=running.attempts)
    return "done"


def _mark_done_now(running: _Running) -> bool:
    """`_mark_done` in a write transaction of its own (a job that ended without `finish_in`)."""
    with write_connection() as conn:
        return _mark_done(conn, running)


def _not_claimable(job_id: int, job: Any, now: datetime, now_given: bool) -> str:
    if job[4] == "pending" and job[5] > now and not now_given:
        # Delivered before its time (a clock step, an early queue): put it back rather than leave it for the
        # sweeper.
        dispatch(job_id, job[5])
    return "skipped"


def _built_claim_one() -> Any:
    times = Job.__table__.c.run_at.type
    return _claim(
        Job.id == sa.bindparam("b_id"),
        now=sa.bindparam("b_now", type_=times),
        until=sa.bindparam("b_until", type_=times),
        worker=sa.bindparam("b_worker"),
    ).returning(Job.attempts)


def _built_take_done() -> Any:
    """A late-claim job taken and marked done by one statement (`finish_in`)."""
    t: Any = Job.__table__
    now = sa.bindparam("b_now", type_=t.c.run_at.type)
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"), _claimable(now))
        .values(
            status="done",
            attempts=t.c.attempts + 1,
            locked_by=sa.bindparam("b_worker"),
            locked_until=None,
            finished_at=now,
            updated_at=now,
            last_error=None,
        )
    )


def _built_done() -> Any:
    t: Any = Job.__table__
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"), t.c.locked_by == sa.bindparam("b_worker"))
        .values(
            status="done",
            finished_at=sa.bindparam("b_now", type_=t.c.finished_at.type),
            locked_until=None,
            last_error=None,
        )
    )


# Built once (bind parameters are named apart from the columns they set).
_CLAIM_ONE = _built_claim_one()
_DONE = _built_done()
_TAKE_DONE = _built_take_done()
_LOOK = sa.select(
    Job.name,
    Job.args,
    Job.attempts,
    Job.max_attempts,
    Job.status,
    Job.run_at,
    Job.locked_until,
    _claimable(sa.bindparam("b_now", type_=Job.__table__.c.run_at.type)),
).where(Job.id == sa.bindparam("b_id"))


def run_jobs(job_ids: list[int], *, now: datetime | None = None, worker: str | None = None) -> list[str]:
    """Run jobs handed over together (one queue message of a webhook burst, `drain`), one outcome per id in
    order. Consecutive jobs of a task with a batch handler (`registry.task(batch=...)`) are claimed, run and
    marked done together: e.g. a burst of payment notifications is applied in one write transaction instead
    of one each. Every other job runs alone (`run_job`)."""
    if len(job_ids) <= 1:
        return [run_job(job_id, now=now, worker=worker) for job_id in job_ids]
    with session_scope() as db:
        names: dict[int, str] = {
            int(r[0]): str(r[1]) for r in db.execute(sa.select(Job.id, Job.name).where(Job.id.in_(job_ids)))
        }
    outcomes: list[str] = []
    i = 0
    while i < len(job_ids):
        name = names.get(job_ids[i])
        try:
            spec = resolve(name) if name else None
        except UnknownJob:
            spec = None
        j = i + 1
        if spec is not None and spec.batch is not None:
            while j < len(job_ids) and names.get(job_ids[j]) == name:
                j += 1
        if j - i == 1 or spec is None:
            outcomes.append(run_job(job_ids[i], now=now, worker=worker))
        else:
            outcomes += _run_batch(spec, job_ids[i:j], now=now, worker=worker)
        i = j
    return outcomes


def _run_batch(spec: Any, job_ids: list[int], *, now: datetime | None, worker: str | None) -> list[str]:
    worker = worker or f"{WORKER_ID}:{threading.get_ident()}"
    now_given = now is not None
    at = now or utcnow()
    lease = timedelta(seconds=get_settings().job_lease_seconds)
    with session_scope() as db:
        rows = db.execute(
            _claim(Job.id.in_(job_ids), now=at, until=at + lease, worker=worker).returning(
                Job.id, Job.args, Job.attempts, Job.max_attempts
            )
        ).all()
    claimed = {int(r[0]): (dict(r[1] or {}), int(r[2]), int(r[3])) for r in rows}
    outcome: dict[int, str] = {}
    for job_id, (_args, attempts, max_attempts) in list(claimed.items()):
        if attempts > max_attempts:  # its last attempt took its worker down (`_lost`)
            del claimed[job_id]
            outcome[job_id] = _lost(
                job_id, spec.name, attempts, max_attempts, spec, worker, now if now_given else None
            )
    ids = [job_id for job_id in dict.fromkeys(job_ids) if job_id in claimed]
    if ids:
        runs = [_Running(job_id, worker, lease=lease, attempts=claimed[job_id][1]) for job_id in ids]
        maxes = {job_id: claimed[job_id][2] for job_id in ids}
        beat = (
            HEARTBEATS.add(
                ids,
                worker,
                lease,
                limit=_time_limit(spec),
                on_overrun=lambda: _overran(runs, spec.name, None, spec, maxes),
            )
            if not now_given
            else None
        )
        started = time.perf_counter()
        try:
            results: list[BaseException | None] = list(spec.batch([claimed[job_id][0] for job_id in ids]))
            if len(results) != len(ids):
                raise RuntimeError(
                    f"batch handler of {spec.name} returned {len(results)} outcomes for {len(ids)}"
                )
        except Exception as exc:
            results = [exc] * len(ids)
        finally:
            HEARTBEATS.remove(beat)
        share = (time.perf_counter() - started) / len(ids)
        for _ in ids:
            metrics.job_latency.labels(spec.name).observe(share)
        if runs[0].overrun:  # given up meanwhile: each job already has its outcome
            for run in runs:
                outcome[run.job_id] = _after_overrun(run, spec.name)
            ids, results = [], []
        done = [job_id for job_id, result in zip(ids, results, strict=True) if result is None]

        def mark_done() -> None:
            with session_scope() as db:
                db.execute(
                    sa.update(Job)
                    .where(Job.id.in_(done), Job.locked_by == worker)
                    .values(status="done", finished_at=utcnow(), locked_until=None, last_error=None)
                    .execution_options(synchronize_session=False)
                )

        if done:
            retry_on_lock(mark_done, attempts=50)
            metrics.jobs_total.labels(spec.name, "done").inc(len(done))
            log.info("jobs.done_batch", job=spec.name, jobs=len(done))
        for job_id, result in zip(ids, results, strict=True):
            if result is None:
                outcome[job_id] = "done"
                continue
            _, attempts, max_attempts = claimed[job_id]
            outcome[job_id] = _failed(
                job_id, spec.name, result, attempts, max_attempts, spec, worker, now if now_given else None
            )
    # Not claimable together (taken by another worker, early, gone): each goes its own way.
    return [
        outcome[job_id] if job_id in outcome else run_job(job_id, now=now, worker=worker)
        for job_id in job_ids
    ]


# SQLite reports a lost race for its single writer ("database is locked": another writer committed after this
# job's transaction began reading) at once. The job is run again here a few times before it goes back to the
# queue: a job is safe to run again (a worker can die at any point), and a queue round trip costs seconds.
LOCK_RETRIES_IN_PROCESS = 3


def _call(fn: Callable[..., Any], args: dict[str, Any]) -> None:
    for attempt in range(1, LOCK_RETRIES_IN_PROCESS + 1):
        try:
            fn(**args)
            return
        except Exception as exc:
            if attempt >= LOCK_RETRIES_IN_PROCESS or not is_lock_error(exc):
                raise
            log.info("jobs.lock_retry_in_process", attempt=attempt, error=str(exc)[:200])
            time.sleep(lock_backoff(attempt))


class _Heartbeats:
    """Extends the leases of this process's running jobs so that only a dead worker's jobs expire and get
    re-run. One thread for the whole process (a thread started per job cost a noticeable share of a short
    job): each running job (or batch) is beaten several times per lease, counted from its own start, by its
    own worker's id; a job that ends before its first beat costs no write at all."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child starts with no thread and no jobs

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._beats: dict[int, _Beat] = {}  # token -> what to beat and when
        self._tokens = iter(range(1, 1 << 62))
        self._thread: threading.Thread | None = None

    def add(
        self,
        job_ids: list[int],
        worker: str,
        lease: timedelta,
        *,
        beat: bool = True,
        limit: float | None = None,
        on_overrun: Callable[[], None] | None = None,
    ) -> int:
        """Beat the jobs' lease until `remove` (`beat=False`: only watch the time limit). After `limit` s
        the entry is dropped and `on_overrun` is called (in this thread)."""
        now = time.monotonic()
        # Several beats per lease: a beat lost to a busy database does not let a live worker's job expire.
        entry = _Beat(
            list(job_ids),
            worker,
            lease,
            now + _beat_interval(lease) if beat else float("inf"),
            now + limit if limit and on_overrun else float("inf"),
            on_overrun,
        )
        with self._cond:
            earliest = min((b.wake for b in self._beats.values()), default=None)
            token = next(self._tokens)
            self._beats[token] = entry
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="niaga-heartbeats", daemon=True)
                self._thread.start()
            elif earliest is None or entry.wake < earliest:
                self._cond.notify()  # the thread sleeps until a later beat: wake it to wait for this one
        return token

    def remove(self, token: int | None) -> None:
        if token is None:
            return
        with self._cond:
            self._beats.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                over = [self._beats.pop(t) for t, b in list(self._beats.items()) if b.deadline <= now]
                due = [b for b in self._beats.values() if b.due <= now]
                for b in due:
                    b.due = max(b.due + _beat_interval(b.lease), now)
                if not due and not over:
                    nxt = min((b.wake for b in self._beats.values()), default=now + 60.0)
                    self._cond.wait(max(min(nxt, now + 60.0) - now, 0.01))
                    continue
            for b in over:
                try:
                    assert b.on_overrun is not None
                    b.on_overrun()
                except Exception as exc:  # the thread must go on beating the other jobs
                    log.warning("jobs.overrun_failed", job_id=b.job_ids[0], error=str(exc))
            for b in due:
                self._beat(b.job_ids, b.worker, b.lease)

    @staticmethod
    def _beat(job_ids: list[int], worker: str, lease: timedelta) -> None:
        try:
            with session_scope() as db:
                db.execute(
                    sa.update(Job)
                    .where(Job.id.in_(job_ids), Job.locked_by == worker, Job.status == "running")
                    .values(locked_until=utcnow() + lease)
                    .execution_options(synchronize_session=False)
                )
        except Exception as exc:  # the next beat may succeed; the job itself goes on
            log.warning("jobs.heartbeat_failed", job_id=job_ids[0], error=str(exc))


@dataclass
class _Beat:
    job_ids: list[int]
    worker: str
    lease: timedelta
    due: float  # the next beat (monotonic)
    deadline: float  # the time limit (monotonic)
    on_overrun: Callable[[], None] | None

    @property
    def wake(self) -> float:
        return min(self.due, self.deadline)


def _beat_interval(lease: timedelta) -> float:
    return max(lease.total_seconds() / 5, 0.2)


HEARTBEATS = _Heartbeats()


def _failed(
    job_id: int,
    name: str,
    exc: BaseException,
    attempts: int,
    max_attempts: int,
    spec: Any,
    worker: str,
    now: datetime | None = None,
) -> str:
    permanent = bool(getattr(exc, "permanent", False))
    error = f"{type(exc).__name__}: {exc}"
    now = now or utcnow()
    if is_lock_error(exc):
        return _locked(job_id, name, error, attempts, now)
    if permanent or attempts >= max_attempts:
        with session_scope() as db:
            db.execute(
                sa.update(Job)
                .where(Job.id == job_id)
                .values(status="dead", finished_at=now, locked_until=None, last_error=error)
                .execution_options(synchronize_session=False)
            )
            job = db.get(Job, job_id)
            assert job is not None
            dl = DeadLetter(
                job_id=job_id,
                business_id=job.business_id,
                name=name,
                args=job.args,
                error=error,
                error_class=type(exc).__name__,
                permanent=permanent,
                attempts=attempts,
            )
            dl.error = (
                (error + "\n\n" + "".join(traceback.format_exception(exc))[-4000:])
                if not permanent
                else error
            )
            db.add(dl)
            db.flush()
        metrics.jobs_total.labels(name, "dead").inc()
        log.error("jobs.dead", job_id=job_id, job=name, attempt=attempts, permanent=permanent, error=error)
        for hook in list(dead_letter_hooks):
            try:
                hook(dl)
            except Exception as hook_exc:  # an alert failing must not hide the dead letter
                log.warning("jobs.dead_letter_hook_failed", error=str(hook_exc))
        return "dead"
    retry_after = getattr(exc, "retry_after", None)
    base = spec.base_delay if spec else 2.0
    cap = spec.max_delay if spec else 3600.0
    delay = float(retry_after) if retry_after else _backoff(attempts, base, cap)
    run_at = now + timedelta(seconds=delay)
    with session_scope() as db:
        db.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(status="pending", run_at=run_at, locked_until=None, last_error=error)
            .execution_options(synchronize_session=False)
        )
    metrics.jobs_total.labels(name, "retry").inc()
    log.warning("jobs.retry", job_id=job_id, job=name, attempt=attempts, delay_s=round(delay, 2), error=error)
    dispatch(job_id, run_at)
    return "retry"


def _locked(job_id: int, name: str, error: str, attempts: int, now: datetime) -> str:
    """SQLite's "database is locked" is always temporary: the job runs again shortly and the attempt is given
    back, so contention can never exhaust its attempts and turn it into a dead letter."""
    delay = _backoff(min(attempts, 5), 0.5, 10.0)
    run_at = now + timedelta(seconds=delay)

    def reschedule() -> None:
        with session_scope() as db:
            db.execute(
                sa.update(Job)
                .where(Job.id == job_id)
                .values(
                    status="pending",
                    run_at=run_at,
                    locked_until=None,
                    attempts=sa.case((Job.attempts > 0, Job.attempts - 1), else_=0),
                    last_error=error,
                )
                .execution_options(synchronize_session=False)
            )

    retry_on_lock(reschedule, attempts=50)
    metrics.jobs_total.labels(name, "retry").inc()
    log.warning("jobs.locked_retry", job_id=job_id, job=name, delay_s=round(delay, 2))
    dispatch(job_id, run_at)
    return "retry"


# --- recovery and tests ---------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, stale_after: float | None = None) -> int:
    """Re-dispatch due pending jobs not picked up for `stale_after` s and running jobs with an expired lease."""
    now = now or utcnow()
    if stale_after is None:
        stale_after = get_settings().job_sweep_stale_seconds
    with session_scope() as db:
        rows = db.execute(
            sa.select(Job.id, Job.run_at)
            .where(
                sa.or_(
                    sa.and_(Job.status == "pending", Job.run_at <= now - timedelta(seconds=stale_after)),
                    sa.and_(Job.status == "running", Job.locked_until < now),
                )
            )
            .order_by(Job.id)
            .limit(500)
        ).all()
        depth = dict(
            db.execute(
                sa.select(Job.status, sa.func.count())
                .where(Job.status.in_(("pending", "running")))
                .group_by(Job.status)
            ).all()
        )
        open_dead = db.scalar(
            sa.select(sa.func.count()).select_from(DeadLetter).where(DeadLetter.status == "dead")
        )
    for status in ("pending", "running"):
        metrics.queue_depth.labels(status).set(depth.get(status, 0))
    metrics.dead_letters.set(open_dead or 0)
    for job_id, _ in rows:
        dispatch_now(job_id)
    if rows:
        log.info("jobs.swept", count=len(rows))
    return len(rows)


def drain(*, now: datetime | None = None, max_jobs: int = 10_000, names: set[str] | None = None) -> list[str]:
    """Run every due job in this thread until none is left (tests, `niaga jobs run-due`)."""
    outcomes: list[str] = []
    for _ in range(max_jobs):
        at = now or utcnow()
        with session_scope() as db:
            q = sa.select(Job.id).where(_claimable(at))
            if names:
                q = q.where(Job.name.in_(names))
            first = db.execute(q.add_columns(Job.name).order_by(Job.run_at, Job.id).limit(1)).first()
            batch: list[int] = []
            if first is not None:
                try:
                    batched = resolve(first[1]).batch is not None
                except UnknownJob:
                    batched = False
                if batched:
                    # As the dispatcher hands a burst to a worker: due jobs of that task, together.
                    batch = list(
                        db.scalars(
                            q.where(Job.name == first[1])
                            .order_by(Job.run_at, Job.id)
                            .limit(_Dispatcher.CHUNK)
                        )
                    )
        if first is None:
            break
        if batch:
            outcomes += run_jobs(batch, now=at)
        else:
            outcomes.append(run_job(int(first[0]), now=at))
    return outcomes


# --- Huey wiring ----------------------------------------------------------------------------------

_HUEY_RUN: Any = None
_HUEY_RUN_MANY: Any = None


def register_huey_tasks(huey: Any) -> None:
    from huey import crontab

    load_all()

    global _HUEY_RUN, _HUEY_RUN_MANY

    @huey.task(name="niaga.run_jobs")
    def _run_many(job_ids: list[int]) -> list[str]:
        return run_jobs(job_ids)

    _HUEY_RUN_MANY = _run_many

    @huey.task(name="niaga.run_job")
    def _run(job_id: int) -> str:
        return run_job(job_id)

    _HUEY_RUN = _run

    for pname, (cron, fn) in PERIODIC.items():
        huey.periodic_task(crontab(**cron), name=pname)(fn)


class Sweeper(threading.Thread):
    """Recovers lost and orphaned jobs every `interval` seconds, starting at once."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="niaga-sweeper", daemon=True)
        self.interval = interval or get_settings().job_sweep_seconds
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                sweep()
            except Exception as exc:  # keep sweeping through a database hiccup
                log.warning("jobs.sweep_failed", error=str(exc))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()


class InProcessWorker:
    """Huey consumer threads + the sweeper inside `niaga serve` (one process on a small VPS)."""

    def __init__(self, workers: int | None = None) -> None:
        from niaga.jobs.queue import get_huey

        self.huey = get_huey()
        self.consumer = self.huey.create_consumer(
            workers=workers or get_settings().worker_threads,
            worker_type="thread",
            periodic=True,
            initial_delay=0.05,
            max_delay=0.5,
            check_worker_health=True,
        )
        self.sweeper = Sweeper()
        self._threads = len(self.consumer.worker_threads)
        self._spares = 0
        self._spares_lock = threading.Lock()

    def _replace_stuck_thread(self, job_id: int) -> None:
        """A job of this process was given up for its time limit: its thread is stuck for good (Python cannot
        stop it), so start another, up to as many spares as the consumer has threads; past that only a
        restart of `niaga serve` frees them."""
        with self._spares_lock:
            if self._spares >= self._threads:
                log.error("jobs.stuck_threads_exhausted", job_id=job_id, spares=self._spares)
                return
            self._spares += 1
            n = self._spares
        worker = self.consumer._create_worker()
        thread = self.consumer._create_process(worker, f"Worker-spare-{n}")
        thread.start()
        self.consumer.worker_threads.append((worker, thread))
        log.error("jobs.stuck_thread_replaced", job_id=job_id, spares=n)

    def start(self) -> None:
        import signal

        # Huey's start() installs its own signal handlers; inside `niaga serve` uvicorn owns the signals (its
        # shutdown then stops this worker from the lifespan), so put uvicorn's handlers back.
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.consumer.start()
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)
        self.sweeper.start()
        overrun_hooks.append(self._replace_stuck_thread)
        log.info("jobs.worker_started", mode="in-process")

    def stop(self) -> None:
        if self._replace_stuck_thread in overrun_hooks:
            overrun_hooks.remove(self._replace_stuck_thread)
        self.sweeper.stop()
        self.consumer.stop(graceful=True)
        log.info("jobs.worker_stopped")


def run_standalone_worker(workers: int | None = None, *, processes: int = 1, primary: bool = True) -> None:
    """`niaga worker`: a consumer in the foreground; SIGTERM/SIGINT stop it gracefully. With `processes` > 1
    this one (the primary: periodic tasks, the sweeper) starts and watches `processes - 1` secondary
    consumers (`niaga worker --secondary`) and stops them when it stops. `primary=False`: a secondary."""
    import signal

    from niaga.jobs.queue import get_huey

    huey = get_huey()
    # SIGTERM (systemd, docker stop) finishes running jobs before exiting; SIGINT twice interrupts.
    consumer = huey.create_consumer(
        workers=workers or get_settings().worker_threads,
        worker_type="thread",
        periodic=primary,
        initial_delay=0.05,
        max_delay=0.5,
        check_worker_health=True,
        graceful_signal="TERM",
        shutdown_timeout=get_settings().job_shutdown_seconds,
    )
    sweeper = Sweeper() if primary else None
    others = _Secondaries(processes - 1, workers) if primary and processes > 1 else None
    stuck = threading.Event()

    def restart(job_id: int) -> None:
        # A thread of this process is stuck in a job given up for its time limit: stop as on SIGTERM (the
        # other running jobs finish) and exit with RESTART_EXIT_CODE, so that whoever runs the worker
        # (systemd, docker, the primary consumer, `niaga serve`) starts a fresh process.
        if not stuck.is_set():
            stuck.set()
            log.error("jobs.worker_restarting", job_id=job_id, worker=WORKER_ID)
            os.kill(os.getpid(), signal.SIGTERM)

    overrun_hooks.append(restart)
    if sweeper:
        sweeper.start()
    if others:
        others.start()
    log.info(
        "jobs.worker_started",
        mode="standalone" if primary else "secondary",
        worker=WORKER_ID,
        processes=processes,
    )
    try:
        consumer.run()
    finally:
        overrun_hooks.remove(restart)
        if others:
            others.stop()
        if sweeper:
            sweeper.stop()
        log.info("jobs.worker_stopped", restart=stuck.is_set())
    if stuck.is_set():
        # A stuck thread may hold locks the interpreter's exit would wait on: leave at once.
        import logging
        import sys

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(RESTART_EXIT_CODE)


# `niaga worker` exits with this (EX_TEMPFAIL) after a job got stuck past its time limit: run it again.
RESTART_EXIT_CODE = 75


class _Secondaries(threading.Thread):
    """The primary consumer's secondary consumer processes (or, with `command`, `niaga serve`'s consumer):
    started, restarted when one exits (after a pause that grows while they keep failing), and stopped
    (SIGTERM: their running jobs finish) with it."""

    def __init__(self, count: int, threads: int | None, command: list[str] | None = None) -> None:
        super().__init__(name="niaga-secondaries", daemon=True)
        import subprocess
        import sys

        self.command = command or [sys.executable, "-m", "niaga.cli", "worker", "--secondary"]
        if threads and not command:
            self.command += ["--threads", str(threads)]
        self.count = count
        self.procs: list[subprocess.Popen[bytes]] = []
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def _spawn(self) -> Any:
        import subprocess

        return subprocess.Popen(self.command)

    def run(self) -> None:
        pause = 1.0
        with self._lock:
            if not self._stop_event.is_set():
                self.procs = [self._spawn() for _ in range(self.count)]
        while not self._stop_event.wait(pause):
            with self._lock:
                if self._stop_event.is_set():
                    return
                dead = [i for i, p in enumerate(self.procs) if p.poll() is not None]
                for i in dead:
                    log.warning("jobs.secondary_exited", pid=self.procs[i].pid, code=self.procs[i].returncode)
                    self.procs[i] = self._spawn()
            pause = min(pause * 2, 60.0) if dead else 1.0

    def stop(self) -> None:
        import subprocess

        with self._lock:
            self._stop_event.set()
            procs = list(self.procs)
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(get_settings().job_shutdown_seconds + 5)  # their own shutdown timeout, and a little
            except subprocess.TimeoutExpired:
                p.kill()


# `niaga serve`'s consumer beside its web processes is kept running the same way.
ConsumerProcesses = _Secondaries
