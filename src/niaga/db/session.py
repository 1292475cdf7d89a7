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


SessionDep = Annotated[Session, Depends(get_db)]
