"""Work queued for after a commit (`Session.info`: jobs to dispatch, live events, cache invalidations) follows
the transaction it belongs to, savepoints included.

SQLAlchemy fires `before_commit`/`after_commit` when a SAVEPOINT is released and `after_rollback`/
`after_soft_rollback` when one is rolled back, not only for the real transaction. Every listener that
acts on the real commit or rollback therefore returns early inside a savepoint (`in_savepoint`), and this
module keeps what a savepoint queued apart: `Session.info` is copied when a savepoint begins and put back when
it rolls back, so a rolled-back savepoint's jobs and events are dropped while the enclosing transaction's
stay queued for its commit (e.g. one notification of a batch fails alone, `integrations.inbox`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_SAVED = "niaga.savepoint_info"


# Objects a fast path wrote with its own INSERT (no unit-of-work flush, so `after_flush` listeners never saw
# them, e.g. `messaging.service._insert_message`): listeners that turn new rows into events read them here.
INSERTED_OUTSIDE_FLUSH = "niaga.inserted_outside_flush"


def note_inserted(session: Session, obj: object) -> None:
    """Tell the commit listeners about a row inserted without a flush (dropped if its savepoint rolls back)."""
    session.info.setdefault(INSERTED_OUTSIDE_FLUSH, []).append(obj)


def in_savepoint(session: Session) -> bool:
    """Inside a commit/rollback listener: True when it is a SAVEPOINT's, not the real transaction's."""
    return session.in_nested_transaction()


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, set):
        return set(value)
    if isinstance(value, dict):
        return dict(value)
    return value


@event.listens_for(Session, "after_transaction_create")
def _savepoint_begins(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        saved = {k: _copy(v) for k, v in session.info.items() if k != _SAVED}
        session.info.setdefault(_SAVED, {})[id(transaction)] = saved


@event.listens_for(Session, "after_rollback")
def _savepoint_rolled_back(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_SAVED, None)
        return
    transaction = session.get_nested_transaction()
    stack = session.info.get(_SAVED)
    saved = stack.pop(id(transaction), None) if stack and transaction is not None else None
    if saved is None:
        return
    for key in [k for k in session.info if k != _SAVED]:
        del session.info[key]
    session.info.update(saved)


@event.listens_for(Session, "after_transaction_end")
def _savepoint_ends(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        stack = session.info.get(_SAVED)
        if stack:
            stack.pop(id(transaction), None)
