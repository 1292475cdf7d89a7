"""Request-scoped session: one request = one transaction, committed or rolled back here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from niaga.db.engine import new_session


def _unit_of_work(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_read(request: Request) -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


def get_db(request: Request) -> Iterator[Session]:
    """The request's transaction. A write request (POST, PUT, PATCH, DELETE) takes SQLite's write lock when
    it begins (BEGIN IMMEDIATE, waiting up to the busy timeout): a deferred transaction that read before
    another writer committed fails at its first write without waiting ("database is locked"). A lock error
    that still happens is answered 503 to the retry middleware, which replays the whole request."""
    yield from _unit_of_work(new_session(immediate=not is_read(request)))


def get_write_db(request: Request, shared: Session = Depends(get_db, scope="function")) -> Iterator[Session]:
    """A transaction that takes SQLite's write lock up front even on a GET. On a write request it is the same
    session as `get_db` (one unit of work: a second connection would wait on the first for the lock)."""
    if not is_read(request):
        yield shared
        return
    yield from _unit_of_work(new_session(immediate=True))


# scope="function": commit before the response is sent, so a client that got 200 reads its own write and a
# failed commit is an error response, not a silent loss after a success.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_db, scope="function")]
