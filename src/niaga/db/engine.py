"""Engine and session factory, created once per process from settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from niaga.settings import Settings, get_settings

_lock = threading.Lock()
_engine: sa.Engine | None = None
_factory: sessionmaker[Session] | None = None
_read_factory: sessionmaker[Session] | None = None


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
            # Write transactions take the lock up front: a deferred transaction that reads and then
            # writes can fail with SQLITE_BUSY without waiting. Read-only sessions stay deferred.
            readonly = conn.get_execution_options().get("niaga_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def configure(settings: Settings | None = None) -> sa.Engine:
    """(Re)create the process-wide engine. Tests call this after changing settings."""
    global _engine, _factory, _read_factory
    settings = settings or get_settings()
    with _lock:
        if _engine is not None:
            _engine.dispose()
        if settings.is_sqlite:
            settings.ensure_home()
        _engine = make_engine(settings.db_url)
        _factory = sessionmaker(_engine, expire_on_commit=False)
        _read_factory = sessionmaker(_engine.execution_options(niaga_readonly=True), expire_on_commit=False)
    return _engine


def get_engine() -> sa.Engine:
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def session_factory() -> sessionmaker[Session]:
    if _factory is None:
        configure()
    assert _factory is not None
    return _factory


def new_session(*, readonly: bool = False) -> Session:
    """A new session; `readonly=True` avoids taking SQLite's write lock (ignored elsewhere)."""
    if _factory is None or _read_factory is None:
        configure()
    assert _factory is not None and _read_factory is not None
    return (_read_factory if readonly else _factory)()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work for jobs and CLI commands: commit on success, roll back on error."""
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose() -> None:
    global _engine, _factory, _read_factory
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _factory = None
        _read_factory = None
