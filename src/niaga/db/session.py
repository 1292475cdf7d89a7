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


def get_db(request: Request) -> Iterator[Session]:
    yield from _unit_of_work(new_session(readonly=request.method in ("GET", "HEAD")))


def get_write_db() -> Iterator[Session]:
    """A request transaction that takes SQLite's write lock up front, for endpoints that read-modify-write
    under contention (order numbers, stock holds, payments). Other backends ignore the flag."""
    yield from _unit_of_work(new_session(immediate=True))


# scope="function": commit before the response is sent, so a client that got 200 reads its own write and a
# failed commit is an error response, not a silent loss after a success.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_db, scope="function")]
