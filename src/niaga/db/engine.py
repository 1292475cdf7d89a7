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


def make_engine(url: str, *, pool_size: int = 10) -> sa.Engine:
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

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # Deferred by default (WAL readers never block). Sessions that read-then-write under contention
            # (counters, stock) ask for `immediate=True`: a deferred transaction that upgrades to a write after
            # another writer committed fails with SQLITE_BUSY at once instead of waiting.
            immediate = conn.get_execution_options().get("niaga_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def configure(settings: Settings | None = None) -> sa.Engine:
    """(Re)create the process-wide engine. Tests call this after changing settings."""
    global _engine, _factory, _immediate_factory
    settings = settings or get_settings()
    with _lock:
        if _engine is not None:
            _engine.dispose()
        if settings.is_sqlite:
            settings.ensure_home()
        _engine = make_engine(settings.db_url)
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
