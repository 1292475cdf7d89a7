"""Engine and session factory, created once per process from settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from niaga.db import savepoints as savepoints  # installs the savepoint-aware Session.info listeners
from niaga.settings import Settings, get_settings

_lock = threading.Lock()
_engine: sa.Engine | None = None
_factory: sessionmaker[Session] | None = None
_immediate_factory: sessionmaker[Session] | None = None


def make_engine(url: str, *, pool_size: int = 10, turnstile: bool = True) -> sa.Engine:
    """The engine for `url`. SQLite: WAL, foreign keys, and (`turnstile`) its writers queued in
    `_Turnstile` rather than in SQLite's busy handler."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets readers run beside the writer; busy_timeout makes writers queue instead of failing.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # Let SQLAlchemy emit BEGIN so that BEGIN IMMEDIATE can be used for write transactions.
            dbapi_conn.isolation_level = None

        queue = _Turnstile.for_url(url) if turnstile else None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # Deferred by default (WAL readers never block). Sessions that read-then-write under contention
            # (counters, stock) ask for `immediate=True`: a deferred transaction that upgrades to a write after
            # another writer committed fails with SQLITE_BUSY at once instead of waiting.
            immediate = conn.get_execution_options().get("niaga_immediate", False)
            if immediate and queue is not None:
                queue.enter(conn)
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                except BaseException:
                    queue.leave(conn, "")
                    raise
                return
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        if queue is not None:

            @event.listens_for(engine, "commit")
            def _sqlite_commit(conn):  # type: ignore[no-untyped-def]
                queue.leave(conn, "commit")

            @event.listens_for(engine, "rollback")
            def _sqlite_rollback(conn):  # type: ignore[no-untyped-def]
                queue.leave(conn, "rollback")

            @event.listens_for(engine, "close")
            def _sqlite_close(_dbapi_conn, record):  # type: ignore[no-untyped-def]
                queue.forget(record.info)

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


class _Turnstile:
    """SQLite's writers queue here, across threads and processes, instead of in SQLite's busy handler.

    A writer that finds the database locked sleeps 1, 2, 5, 10, 15… ms between tries in SQLite's busy
    handler, however soon the lock is free: with short write transactions from several worker processes
    most of the wait is sleep. `BEGIN IMMEDIATE` (sessions with `immediate=True`) first takes a lock of
    its process's threads (a blocking wait) and then an exclusive `flock` on a file beside the database (one
    descriptor per connection, polled every 0.1–0.5 ms), so the next writer starts within half a
    millisecond of the previous one's commit; both are let go right after the transaction's
    COMMIT/ROLLBACK. A thread
    that already holds it (through another connection) goes straight to SQLite, and a wait longer than
    `MAX_WAIT_S` gives up and leaves the queueing to SQLite, so nothing can wait on it for ever.
    Deferred transactions that write are not queued here (SQLite orders them as before). Settings:
    `sqlite_turnstile` (NIAGA_SQLITE_TURNSTILE=0 turns it off)."""

    MAX_WAIT_S = 2.0
    _FD = "niaga_turnstile_fd"
    _HELD = "niaga_turnstile_held"

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        # The threads of one process queue on this first (a blocking wait, no polling), so only one
        # thread per process polls the file lock.
        self.threads = threading.Lock()

    @classmethod
    def for_url(cls, url: str) -> _Turnstile | None:
        try:
            import fcntl  # noqa: F401  (POSIX only)
        except ImportError:
            return None
        database = sa.engine.make_url(url).database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(database + ".writer-lock")

    def enter(self, conn: sa.Connection) -> None:
        import fcntl
        import os
        import time

        if getattr(self.local, "held", 0):
            return  # this thread already holds it: SQLite's own queueing (as without a turnstile)
        deadline = time.monotonic() + self.MAX_WAIT_S
        if not self.threads.acquire(timeout=self.MAX_WAIT_S):
            return  # give up: SQLite's busy handler queues this writer
        try:
            info = conn.connection.info
            fd = info.get(self._FD)
            if fd is None:
                fd = info[self._FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            pause = 0.0001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        self.threads.release()
                        return  # give up: SQLite's busy handler queues this writer
                    time.sleep(pause)
                    pause = min(pause * 2, 0.0005)
        except BaseException:
            self.threads.release()
            raise
        info[self._HELD] = True
        self.local.held = 1

    def forget(self, info: dict[str, Any]) -> None:
        """The connection is closed: its descriptor too (which lets go of the lock if still held)."""
        import os

        fd = info.pop(self._FD, None)
        if info.pop(self._HELD, False):
            self.local.held = 0
            self.threads.release()
        if fd is not None:
            os.close(fd)

    def leave(self, conn: sa.Connection, how: str) -> None:
        import fcntl

        info = conn.connection.info
        if not info.get(self._HELD):
            return
        try:
            # End the transaction first, so that the next writer finds SQLite's lock free (SQLAlchemy's own
            # COMMIT/ROLLBACK after this finds no transaction open and does nothing).
            dbapi = conn.connection.dbapi_connection
            if dbapi is not None and how == "commit":
                dbapi.commit()
            elif dbapi is not None and how == "rollback":
                dbapi.rollback()
        finally:
            info[self._HELD] = False
            self.local.held = 0
            try:
                fcntl.flock(info[self._FD], fcntl.LOCK_UN)
            finally:
                self.threads.release()


def configure(settings: Settings | None = None) -> sa.Engine:
    """(Re)create the process-wide engine. Tests call this after changing settings."""
    global _engine, _factory, _immediate_factory
    settings = settings or get_settings()
    with _lock:
        if _engine is not None:
            _engine.dispose()
        if settings.is_sqlite:
            settings.ensure_home()
        _engine = make_engine(settings.db_url, turnstile=settings.sqlite_turnstile)
        _factory = sessionmaker(_engine, expire_on_commit=False)
        _immediate_factory = sessionmaker(
            _engine.execution_options(niaga_immediate=True), expire_on_commit=False
        )
    return _engine


def get_engine() -> sa.Engine:
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def new_session(*, immediate: bool = False, readonly: bool = False) -> Session:
    """A new session. `immediate=True` takes SQLite's write lock when the transaction begins (use it for
    read-modify-write under contention); other backends ignore it. `readonly` is accepted for clarity."""
    if _factory is None or _immediate_factory is None:
        configure()
    assert _factory is not None and _immediate_factory is not None
    return (_immediate_factory if immediate and not readonly else _factory)()


@contextmanager
def session_scope(*, immediate: bool = False) -> Iterator[Session]:
    """A unit of work for jobs and CLI commands: commit on success, roll back on error."""
    session = new_session(immediate=immediate)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_connection() -> Iterator[sa.Connection]:
    """A plain connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on success, for hot
    paths that run a few prebuilt Core statements and need no ORM session."""
    engine = get_engine()
    global _immediate_engine
    bind = _immediate_engine
    if bind is None or bind.engine is not engine:
        bind = _immediate_engine = engine.execution_options(niaga_immediate=True)
    with bind.begin() as conn:
        yield conn


_immediate_engine: Any = None


def dispose() -> None:
    global _engine, _factory, _immediate_factory
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _factory = None
        _immediate_factory = None


def upsert_insert(db: Session | sa.Connection, target: Any) -> Any:
    """`INSERT` of the session's database dialect, with `on_conflict_do_nothing/update` (SQLite, PostgreSQL)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    bind = db.get_bind() if isinstance(db, Session) else db
    return (pg_insert if bind.dialect.name == "postgresql" else sqlite_insert)(target)


def per_dialect(db: Session | sa.Connection, cache: dict[str, Any], build: Callable[[Any], Any]) -> Any:
    """A statement that depends on the database's dialect (an upsert), built by `build(db)` once per dialect
    and kept in `cache` (building and cache-keying a statement on every call can cost more than running it)."""
    name = (db.get_bind() if isinstance(db, Session) else db).dialect.name
    stmt = cache.get(name)
    if stmt is None:
        stmt = cache[name] = build(db)
    return stmt


def affected(result: object) -> int:
    """Rows matched by an UPDATE/DELETE (`Session.execute` is typed as returning a plain Result)."""
    return int(getattr(result, "rowcount", 0) or 0)
