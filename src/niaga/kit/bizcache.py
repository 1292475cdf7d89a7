"""Per-business values read on every agent turn (the cities a business ships to, an index's freshness key),
cached in the process and shared by its threads.

Freshness: a value is reloaded when this process flushes a row of one of the cache's models for that
business (at once: the session that wrote reads past the cache until it commits or rolls back, and the
value is dropped again after either), and at most `ttl` seconds after it was loaded otherwise, which is how
other processes' writes (a job worker, another `serve` worker) are seen. A business inserted through the
ORM starts with nothing cached (ids restart when a test database is emptied).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")

_caches: list[BusinessCache[Any]] = []


class BusinessCache(Generic[T]):
    def __init__(self, name: str, models: tuple[type, ...], *, ttl: float = 1.0) -> None:
        self.name = name
        self.models = models
        self.ttl = ttl
        self._values: dict[int, tuple[float, T]] = {}
        self._lock = threading.Lock()
        self._dirty_key = f"niaga.bizcache.{name}"
        _caches.append(self)

    def get(self, db: Session, business_id: int, load: Callable[[Session], T]) -> T:
        if business_id in db.info.get(self._dirty_key, ()):
            return load(db)  # this session changed the rows: its own view, never cached
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(business_id)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = load(db)
        with self._lock:
            self._values[business_id] = (now, value)
        return value

    def invalidate(self, business_id: int | None = None) -> None:
        with self._lock:
            if business_id is None:
                self._values.clear()
            else:
                self._values.pop(business_id, None)

    def _flushed(self, session: Session, changed: list[Any], new_businesses: set[int]) -> None:
        touched = {getattr(o, "business_id", None) for o in changed if isinstance(o, self.models)}
        touched.discard(None)
        touched |= new_businesses
        if touched:
            session.info.setdefault(self._dirty_key, set()).update(touched)
            for business_id in touched:
                self.invalidate(business_id)  # type: ignore[arg-type]

    def _ended(self, session: Session) -> None:
        for business_id in session.info.pop(self._dirty_key, ()):
            self.invalidate(business_id)


def invalidate_all() -> None:
    for cache in _caches:
        cache.invalidate()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if not changed:
        return
    # A new business (ids restart when a test database is emptied) has nothing cached yet.
    new_businesses = {o.id for o in session.new if getattr(o, "__tablename__", "") == "businesses"}
    for cache in _caches:
        cache._flushed(session, changed, new_businesses)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: wait for the real commit
        return
    for cache in _caches:
        cache._ended(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.nested:
        return
    for cache in _caches:
        cache._ended(session)
