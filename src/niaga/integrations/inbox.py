"""The webhook inbox: verify → store the raw event once per (provider, external id) → ack → process in a job.

A duplicate delivery hits the unique constraint and is acknowledged without a second job. Handlers are
registered per provider and mark the event handled; a failure keeps the error on the event and the job
retries; `niaga events replay` re-queues events that ended failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.integrations.models import InboundEvent
from niaga.jobs.registry import task
from niaga.jobs.runner import enqueue
from niaga.kit.text import strip_nul
from niaga.kit.timeutil import utcnow
from niaga.ops import metrics
from niaga.ops.logging import get_logger

log = get_logger("niaga.inbox")

# provider -> handler(db, event). The handler does the work in the given session; it must be idempotent.
HANDLERS: dict[str, Callable[[Session, InboundEvent], None]] = {}

KEEP_HEADERS = ("user-agent", "x-webhook-request-id", "x-webhook-timestamp", "content-type")


def handler(provider: str) -> Callable[[Callable[[Session, InboundEvent], None]], Callable[[Session, InboundEvent], None]]:
    def deco(fn: Callable[[Session, InboundEvent], None]) -> Callable[[Session, InboundEvent], None]:
        HANDLERS[provider] = fn
        return fn

    return deco


def store_event(db: Session, *, provider: str, external_id: str, payload: dict[str, Any],
                business_id: int | None = None, event_type: str | None = None,
                headers: dict[str, str] | None = None, process: bool = True) -> InboundEvent | None:
    """Insert the raw event; returns it when new, None when it is a duplicate. Enqueues processing."""
    values = dict(provider=provider, external_id=strip_nul(external_id)[:200], business_id=business_id,
                  event_type=strip_nul(event_type), payload=strip_nul(payload), headers={k: v for k, v in (headers or {}).items() if k.lower() in KEEP_HEADERS},
                  received_at=utcnow(), attempts=0)
    dialect = db.get_bind().dialect.name
    ins = pg_insert(InboundEvent) if dialect == "postgresql" else sqlite_insert(InboundEvent)
    stmt = ins.values(**values).on_conflict_do_nothing(index_elements=["provider", "external_id"])
    result = db.execute(stmt.returning(InboundEvent.id))
    new_id = result.scalar()
    if new_id is None:
        metrics.webhooks_total.labels(provider, "duplicate").inc()
        log.info("inbox.duplicate", provider=provider, external_id=external_id)
        return None
    metrics.webhooks_total.labels(provider, "stored").inc()
    if process:
        enqueue(db, "inbox.process", business_id=business_id, event_id=new_id)
    return db.get(InboundEvent, new_id)


@task("inbox.process", max_attempts=6)
def process_event(event_id: int) -> None:
    with session_scope() as db:
        event = db.get(InboundEvent, event_id)
        if event is None or event.handled_at is not None:
            return
        fn = HANDLERS.get(event.provider)
        event.attempts += 1
        if fn is None:
            # Nothing understands this provider (yet): acknowledged and kept, not an error.
            event.handled_at = utcnow()
            event.error = "no handler"
            log.warning("inbox.no_handler", provider=event.provider, event_id=event_id)
            return
    try:
        with session_scope() as db:
            event = db.get(InboundEvent, event_id)
            assert event is not None
            fn(db, event)
            event.handled_at = utcnow()
            event.error = None
    except Exception as exc:
        with session_scope() as db:
            db.execute(sa.update(InboundEvent).where(InboundEvent.id == event_id)
                       .values(error=f"{type(exc).__name__}: {exc}"[:4000]))
        raise


def replay_failed(db: Session, *, provider: str | None = None, limit: int = 1000) -> int:
    """Re-queue events that are not handled and carry an error (`niaga events replay`)."""
    q = sa.select(InboundEvent).where(InboundEvent.handled_at.is_(None), InboundEvent.error.is_not(None))
    if provider:
        q = q.where(InboundEvent.provider == provider)
    events = list(db.scalars(q.order_by(InboundEvent.id).limit(limit)))
    for ev in events:
        ev.error = None
        enqueue(db, "inbox.process", business_id=ev.business_id, event_id=ev.id)
    return len(events)
