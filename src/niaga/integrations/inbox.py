"""The webhook inbox: verify → store the raw event once per (provider, external id) → ack → process in a job.

A duplicate delivery hits the unique constraint and is acknowledged without a second job. Handlers are
listed per provider in one table (`niaga.integrations.registry.WEBHOOK_HANDLERS`) and mark the event handled;
a failure keeps the error on the event and the job retries; `niaga events replay` re-queues events that ended
failed. An event of a provider that has a webhook endpoint (`WEBHOOK_PROVIDERS`) but no handler is a wiring
mistake: a dead letter with that error, never silently "handled". A payload of a provider nobody declares is
acknowledged and logged (what we do not understand is not an error).
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from niaga.db.engine import get_engine, session_scope
from niaga.db.retry import is_lock_error, write_unit
from niaga.integrations.models import InboundEvent
from niaga.jobs.registry import PermanentError
from niaga.jobs.runner import dispatch, enqueue, insert_jobs
from niaga.kit.text import strip_nul
from niaga.kit.timeutil import utcnow
from niaga.ops import metrics
from niaga.ops.logging import get_logger

log = get_logger("niaga.inbox")


@dataclass(frozen=True)
class TwoPhase:
    """A handler whose work needs a provider call first (Midtrans confirms a payment through its status API):
    `prepare(business_id, payload)` runs with no transaction open, then `apply(db, business_id, payload,
    prepared)` in the transaction that marks the event handled. One job does both; a temporary failure of `prepare` retries the job."""

    prepare: Callable[[int | None, dict[str, Any]], Any]
    apply: Callable[[Session, int | None, dict[str, Any], Any], None]  # db, business id, payload, prepared

    def __call__(self, db: Session, event: InboundEvent) -> None:
        """As a plain handler (a direct call): both steps, the provider call inside the caller's session."""
        payload = dict(event.payload)
        self.apply(db, event.business_id, payload, self.prepare(event.business_id, payload))


# provider -> handler(db, event), installed from niaga.integrations.registry.WEBHOOK_HANDLERS at start-up.
# The handler does the work in the given session; it must be idempotent.
Handler = Callable[[Session, InboundEvent], None] | TwoPhase
HANDLERS: dict[str, Handler] = {}
# Providers whose webhook endpoints store events (installed from the registry): each must have a handler.
EXPECTED: set[str] = set()

KEEP_HEADERS = ("user-agent", "x-webhook-request-id", "x-webhook-timestamp", "content-type")


def handler(provider: str) -> Callable[[Handler], Handler]:
    """Add a handler to the table outside the registry (tests, extensions)."""

    def deco(fn: Handler) -> Handler:
        HANDLERS[provider] = fn
        return fn

    return deco


def store_event(
    db: Session,
    *,
    provider: str,
    external_id: str,
    payload: dict[str, Any],
    business_id: int | None = None,
    event_type: str | None = None,
    headers: dict[str, str] | None = None,
    process: bool = True,
    raw: bytes | None = None,
) -> InboundEvent | None:
    """Insert the raw event; returns it when new, None when it is a duplicate. Enqueues processing."""
    new_id = insert_events(
        db,
        [
            dict(
                provider=provider,
                external_id=external_id,
                payload=payload,
                raw=raw,
                business_id=business_id,
                event_type=event_type,
                headers=headers,
            )
        ],
    )[0]
    if new_id is None:
        return None
    if process:
        enqueue(db, "inbox.process", business_id=business_id, event_id=new_id)
    return db.get(InboundEvent, new_id)


def insert_event(
    db: Session,
    *,
    provider: str,
    external_id: str,
    payload: dict[str, Any],
    business_id: int | None = None,
    event_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> int | None:
    """The insert alone: the new event's id, or None for a duplicate (unique provider + external id)."""
    return insert_events(
        db,
        [
            dict(
                provider=provider,
                external_id=external_id,
                payload=payload,
                business_id=business_id,
                event_type=event_type,
                headers=headers,
            )
        ],
    )[0]


_STATEMENTS: dict[str, Any] = {}


def _insert_statement(dialect: str) -> Any:
    """One INSERT … ON CONFLICT DO NOTHING … RETURNING per dialect, built once (its compiled form is cached
    and executed for many rows at once). The payload travels as JSON text: the raw body as received."""
    stmt = _STATEMENTS.get(dialect)
    if stmt is None:
        table: Any = InboundEvent.__table__
        text = sa.bindparam("payload_text", type_=sa.Text())
        if dialect == "postgresql":
            ins: Any = pg_insert(table)
            payload: Any = sa.cast(text, JSONB)
        else:
            ins = sqlite_insert(table)
            payload = text
        stmt = (
            ins.values(
                provider=sa.bindparam("provider"),
                external_id=sa.bindparam("external_id"),
                business_id=sa.bindparam("business_id"),
                event_type=sa.bindparam("event_type"),
                payload=payload,
                headers=sa.bindparam("headers", type_=table.c.headers.type),
                received_at=sa.bindparam("received_at", type_=table.c.received_at.type),
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=["provider", "external_id"])
            .returning(table.c.id, table.c.provider, table.c.external_id)
        )
        _STATEMENTS[dialect] = stmt
    return stmt


def payload_text(payload: Any, raw: bytes | None = None) -> str:
    """The JSON text to store: the raw body itself when it is what was parsed and PostgreSQL can hold it
    (no escaped NUL), else the parsed payload re-serialised without NULs."""
    if raw is not None and b"\\u0000" not in raw:
        try:
            return raw.decode()
        except UnicodeDecodeError:
            pass
    return json.dumps(strip_nul(payload), ensure_ascii=False, separators=(",", ":"))


def insert_events(db: Session, events: list[dict[str, Any]]) -> list[int | None]:
    """Insert many raw events with one INSERT … ON CONFLICT DO NOTHING; for each, its new id or None when it
    is a duplicate (already stored, or earlier in the same list)."""
    return insert_event_rows(db.connection(), events, now=utcnow())


def insert_event_rows(conn: sa.Connection, events: list[dict[str, Any]], *, now: Any) -> list[int | None]:
    """`insert_events` on a Core connection (the group committer's own, held across batches)."""
    rows: list[dict[str, Any]] = []
    first_at: dict[tuple[str, str], int] = {}
    for i, e in enumerate(events):
        key = (e["provider"], strip_nul(e["external_id"])[:200])
        first_at.setdefault(key, i)
        rows.append(
            dict(
                provider=key[0],
                external_id=key[1],
                business_id=e.get("business_id"),
                event_type=strip_nul(e.get("event_type")),
                payload_text=payload_text(e["payload"], e.get("raw")),
                headers={k: v for k, v in (e.get("headers") or {}).items() if k.lower() in KEEP_HEADERS},
                received_at=now,
            )
        )
    unique = [rows[i] for i in sorted(set(first_at.values()))]
    stmt = _insert_statement(conn.dialect.name)
    inserted = {(p, x): int(i) for i, p, x in conn.execute(stmt, unique).all()}
    out: list[int | None] = []
    for i, row in enumerate(rows):
        key = (row["provider"], row["external_id"])
        new_id = inserted.get(key) if first_at[key] == i else None
        if new_id is None:
            metrics.webhooks_total.labels(row["provider"], "duplicate").inc()
            log.info("inbox.duplicate", provider=row["provider"], external_id=row["external_id"])
        else:
            metrics.webhooks_total.labels(row["provider"], "stored").inc()
        out.append(new_id)
    return out


class GroupCommitter(threading.Thread):
    """Stores webhook events for many concurrent requests in one transaction ("group commit").

    Each request still waits until its event is committed before it is acknowledged (store-then-ack holds),
    but a burst of deliveries shares one commit and one writer instead of queueing on the database lock one
    by one. One writer thread per process; on a batch failure every event is retried on its own, so one bad
    event cannot fail the others. The waiting requests are asyncio futures of their event loop, settled
    together with one hop into that loop per batch (not one thread-safe wake-up per request).
    """

    MAX_BATCH = 200
    IDLE_SECONDS = 2.0

    def __init__(self) -> None:
        super().__init__(name="niaga-inbox-writer", daemon=True)
        self.items: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self.start()

    def submit(self, values: dict[str, Any]) -> asyncio.Future[bool]:
        """Queue one event; the future (of the running loop) gets True when it was new, False for a
        duplicate, once its transaction committed."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bool] = loop.create_future()
        self.items.put((values, fut, loop))
        return fut

    def run(self) -> None:
        conn: sa.Connection | None = None
        while True:
            try:
                first = self.items.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                if conn is not None:  # a quiet spell: the connection goes back to the pool
                    conn.close()
                    conn = None
                first = self.items.get()
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self.items.get_nowait())
                except queue.Empty:
                    break
            outcomes: list[bool | BaseException]
            try:
                conn = self._connection(conn)
                now = utcnow()
                # A Core connection of its own, held across batches: no session, no pool check-out/reset per
                # batch. BEGIN IMMEDIATE on SQLite (the engine's begin hook): the write lock is taken at once.
                with conn.begin():
                    ids = insert_event_rows(conn, [item[0] for item in batch], now=now)
                    job_ids = insert_jobs(
                        conn,
                        "inbox.process",
                        [
                            (item[0].get("business_id"), {"event_id": i})
                            for item, i in zip(batch, ids, strict=True)
                            if i is not None
                        ],
                        now=now,
                    )
                outcomes = [i is not None for i in ids]
                for job_id in job_ids:
                    dispatch(job_id, now)
            except Exception:
                if conn is not None:
                    conn.invalidate()
                    conn.close()
                    conn = None
                outcomes = [self._store_alone(item[0]) for item in batch]
            self._settle(batch, outcomes)

    @staticmethod
    def _store_alone(values: dict[str, Any]) -> bool | BaseException:
        try:
            with session_scope(immediate=True) as db:
                return store_event(db, **values) is not None
        except Exception as exc:
            return exc

    @staticmethod
    def _settle(batch: list[_Item], outcomes: list[bool | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], bool | BaseException]]] = {}
        for (_, fut, loop), outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((fut, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_set_results, settled)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass

    @staticmethod
    def _connection(conn: sa.Connection | None) -> sa.Connection:
        """The writer's connection, opened again when the process's engine was replaced (tests, restore)."""
        engine = get_engine()
        if conn is not None and not conn.closed and not conn.invalidated and conn.engine is engine:
            return conn
        if conn is not None:
            conn.close()
        return engine.connect().execution_options(niaga_immediate=True)


_Item = tuple[dict[str, Any], "asyncio.Future[bool]", asyncio.AbstractEventLoop]


def _set_results(settled: list[tuple[asyncio.Future[bool], bool | BaseException]]) -> None:
    for fut, outcome in settled:
        if fut.done():  # the request went away (client disconnect, cancelled task)
            continue
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)


_committer: GroupCommitter | None = None
_committer_lock = threading.Lock()


async def store_event_async(**values: Any) -> bool:
    """`store_event` for async webhook endpoints, through the process's group committer. True when new."""
    global _committer
    committer = _committer
    if committer is None or not committer.is_alive():
        with _committer_lock:
            if _committer is None or not _committer.is_alive():
                _committer = GroupCommitter()
            committer = _committer
    return await committer.submit(values)


def _claim(event_ids: list[int]) -> dict[int, tuple[str, int | None, dict[str, Any]]]:
    """Count an attempt on each unhandled event and read it, in one statement: id -> (provider, business,
    payload). An event handled meanwhile is left out."""
    table: Any = InboundEvent.__table__
    with session_scope() as db:
        rows = db.execute(
            sa.update(table)
            .where(table.c.id.in_(event_ids), table.c.handled_at.is_(None))
            .values(attempts=table.c.attempts + 1)
            .returning(table.c.id, table.c.provider, table.c.business_id, table.c.payload)
        ).all()
    return {int(r[0]): (str(r[1]), r[2], dict(r[3] or {})) for r in rows}


def process_event(event_id: int) -> None:
    """Body of job `inbox.process` (registered in niaga.integrations.tasks)."""
    claimed = _claim([event_id])
    if event_id in claimed:
        _handle(event_id, *claimed[event_id])


def _handler_for(event_id: int, provider: str) -> Handler | TwoPhase | None:
    """The provider's handler; None when the event was settled without one (marked, or a dead letter raised)."""
    fn = HANDLERS.get(provider)
    if fn is not None:
        return fn
    with session_scope() as db:
        if provider not in EXPECTED:
            # Nothing understands this provider: acknowledged and kept, not an error.
            _mark(db, event_id, handled_at=utcnow(), error="no handler")
            log.warning("inbox.no_handler", provider=provider, event_id=event_id)
            return None
        _mark(db, event_id, error=f"no inbox handler for provider {provider!r}")
        log.error("inbox.missing_handler", provider=provider, event_id=event_id)
    # A provider without a handler is a wiring mistake: a dead letter (visible, replayable), kept unhandled.
    raise PermanentError(
        f"no inbox handler for provider {provider!r} (niaga.integrations.registry.WEBHOOK_HANDLERS)"
    )


def _handle(event_id: int, provider: str, business_id: int | None, payload: dict[str, Any]) -> None:
    fn = _handler_for(event_id, provider)
    if fn is None:
        return
    try:
        if isinstance(fn, TwoPhase):
            prepared = fn.prepare(business_id, payload)  # no transaction open
            # Read-modify-write of the provider's books: SQLite's write lock is taken at BEGIN. The event is
            # marked handled first, guarded (another worker may have applied it meanwhile); a failure of
            # `apply` rolls the mark back with everything else.
            with session_scope(immediate=True) as db:
                if _mark(db, event_id, handled_at=utcnow(), error=None, unhandled_only=True):
                    fn.apply(db, business_id, payload, prepared)
            return
        handler = fn

        def handle(db: Session) -> None:
            event = db.get(InboundEvent, event_id)
            assert event is not None
            handler(db, event)
            event.handled_at = utcnow()
            event.error = None

        # Replayed in this process when SQLite's writer was taken meanwhile (a lost race is not a failure).
        write_unit(handle)
    except Exception as exc:
        _record_error(event_id, exc)
        raise


def _record_error(event_id: int, exc: BaseException) -> None:
    with session_scope(immediate=True) as db:
        _mark(db, event_id, error=f"{type(exc).__name__}: {exc}"[:4000])


# Provider calls of a batch's `prepare` steps run side by side (with a real provider they are network waits).
PREPARE_THREADS = 8
_prepare_pool: ThreadPoolExecutor | None = None
_prepare_pool_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _prepare_pool
    with _prepare_pool_lock:
        if _prepare_pool is None:
            _prepare_pool = ThreadPoolExecutor(PREPARE_THREADS, thread_name_prefix="niaga-inbox-prepare")
        return _prepare_pool


def process_events(items: list[dict[str, Any]]) -> list[BaseException | None]:
    """Batch body of job `inbox.process` (`jobs.runner.run_jobs`): one outcome per job, in order. Events of
    two-phase providers (Midtrans) that come together are confirmed side by side and applied in ONE write
    transaction, each in a savepoint of its own: a failing event rolls back alone and fails its job, the
    others commit. Every other event runs as it would alone, in order."""
    event_ids = [int(a["event_id"]) for a in items]
    claimed = _claim(event_ids)
    out: list[BaseException | None] = [None] * len(event_ids)
    group: list[tuple[int, int, TwoPhase, int | None, dict[str, Any]]] = []
    for k, event_id in enumerate(event_ids):
        if event_id not in claimed:
            continue  # handled meanwhile (or by an earlier job of this batch)
        provider, business_id, payload = claimed.pop(event_id)
        fn = HANDLERS.get(provider)
        if isinstance(fn, TwoPhase):
            group.append((k, event_id, fn, business_id, payload))
            continue
        _apply_group(group, out)
        group = []
        try:
            _handle(event_id, provider, business_id, payload)
        except Exception as exc:
            out[k] = exc
    _apply_group(group, out)
    return out


def _apply_group(
    group: list[tuple[int, int, TwoPhase, int | None, dict[str, Any]]], out: list[BaseException | None]
) -> None:
    if not group:
        return

    def prepare(item: tuple[int, int, TwoPhase, int | None, dict[str, Any]]) -> tuple[bool, Any]:
        _, _, fn, business_id, payload = item
        try:
            return True, fn.prepare(business_id, payload)  # no transaction open
        except Exception as exc:
            return False, exc

    results = list(_pool().map(prepare, group)) if len(group) > 1 else [prepare(group[0])]
    ready = []
    for item, (ok, value) in zip(group, results, strict=True):
        if ok:
            ready.append((item, value))
        else:
            out[item[0]] = value
            _record_error(item[1], value)
    failed: dict[int, BaseException] = {}

    def apply_all(db: Session) -> None:
        failed.clear()
        for (k, event_id, fn, business_id, payload), prepared in ready:
            try:
                with db.begin_nested():
                    if _mark(db, event_id, handled_at=utcnow(), error=None, unhandled_only=True):
                        fn.apply(db, business_id, payload, prepared)
            except Exception as exc:
                if is_lock_error(exc):
                    raise  # the whole unit runs again
                # Its savepoint is rolled back; what it queued for after the commit (jobs to dispatch,
                # events to publish) goes with it, the others' stays (niaga.db.savepoints).
                failed[k] = exc
                log.warning(
                    "inbox.batch_item_failed", event_id=event_id, error=f"{type(exc).__name__}: {exc}"
                )

    try:
        # Read-modify-write of the provider's books: the writer is taken at BEGIN (as `_handle`).
        write_unit(apply_all, immediate=True)
    except Exception as exc:
        for (k, event_id, _, _, _), _ in ready:
            out[k] = exc
            _record_error(event_id, exc)
        return
    for (k, event_id, _, _, _), _ in ready:
        if k in failed:
            out[k] = failed[k]
            _record_error(event_id, failed[k])


def _mark(db: Session, event_id: int, *, unhandled_only: bool = False, **values: Any) -> bool:
    key = (unhandled_only, tuple(values))
    stmt = _MARKS.get(key)
    if stmt is None:  # built once per shape (building it per event cost more than running it)
        table: Any = InboundEvent.__table__
        stmt = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values({k: sa.bindparam("v_" + k, type_=table.c[k].type) for k in values})
        )
        if unhandled_only:
            stmt = stmt.where(table.c.handled_at.is_(None))
        _MARKS[key] = stmt
    params = {"b_id": event_id, **{"v_" + k: v for k, v in values.items()}}
    return bool(getattr(db.execute(stmt, params), "rowcount", 0))


_MARKS: dict[tuple[bool, tuple[str, ...]], Any] = {}


def replay_failed(db: Session, *, provider: str | None = None, limit: int = 1000) -> int:
    """Re-queue events that are not handled and carry an error (`niaga events replay`)."""
    q = sa.select(InboundEvent).where(InboundEvent.handled_at.is_(None), InboundEvent.error.is_not(None))
    if provider:
        q = q.where(InboundEvent.provider == provider)
    events = list(db.scalars(q.order_by(InboundEvent.id).limit(limit)))
    for ev in events:
        ev.error = None
        enqueue(db, "inbox.process", business_id=ev.business_id, event_id=ev.id)
    return len(events)
