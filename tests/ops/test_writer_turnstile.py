"""The SQLite writer turnstile (`niaga.db.engine._Turnstile`) that the reply job's short write transactions
queue on: held from BEGIN IMMEDIATE until the transaction ends (commit or rollback), never by a deferred
transaction. PostgreSQL has none."""

from __future__ import annotations

import os

import sqlalchemy as sa

from niaga.db.engine import get_engine, new_session, session_scope
from niaga.settings import get_settings


def _lock_path() -> str | None:
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return None
    return f"{engine.url.database}.writer-lock"


def _free(path: str) -> bool:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing lets go of a lock taken here
    return True


def test_held_for_the_write_transaction_only(db) -> None:  # type: ignore[no-untyped-def]
    path = _lock_path()
    if path is None:
        assert get_engine().dialect.name == "postgresql"
        return
    with session_scope() as s:  # deferred: never queued
        s.execute(sa.text("SELECT 1"))
        assert _free(path)
    on = get_settings().sqlite_turnstile
    with session_scope(immediate=True) as s:
        s.execute(sa.text("SELECT 1"))
        assert _free(path) is not on  # switched off (a diagnostic): never held
    if not on:
        return
    assert _free(path)
    s = new_session(immediate=True)
    try:
        s.execute(sa.text("SELECT 1"))
        assert not _free(path)
    finally:
        s.rollback()
        s.close()
    assert _free(path)


def test_threads_writing_at_once_all_commit(db) -> None:  # type: ignore[no-untyped-def]
    """Writers from several threads queue (on the turnstile with SQLite) and every write lands; a writer
    that fails inside its transaction lets the next one in."""
    import threading

    from niaga.tenancy.models import Business

    business_id = db.scalar(sa.select(Business.id).order_by(Business.id).limit(1))
    if business_id is None:
        from niaga.tenancy.service import create_business

        business_id = create_business(db, slug="turnstile", name="Turnstile").id
        db.commit()
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for i in range(25):
                try:
                    with session_scope(immediate=True) as s:
                        b = s.get(Business, business_id, with_for_update=True)  # PostgreSQL: row lock
                        assert b is not None
                        b.settings = {**(b.settings or {}), f"w{w}": i + 1}
                        if i % 10 == 9:
                            raise RuntimeError("rolled back")  # its write is undone, the lock let go
                except RuntimeError:
                    pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db.rollback()
    db.expire_all()
    settings = db.get(Business, business_id).settings
    assert [settings[f"w{w}"] for w in range(4)] == [25] * 4  # the 25th write of each thread landed
    path = _lock_path()
    if path is not None and get_settings().sqlite_turnstile:
        assert _free(path)
