"""Request-scoped session: one request = one transaction, committed or rolled back here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from niaga.db.engine import new_session


def get_db(request: Request) -> Iterator[Session]:
    session = new_session(readonly=request.method in ("GET", "HEAD"))
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a client that got 200 reads its own write and a
# failed commit is an error response, not a silent loss after a success.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
