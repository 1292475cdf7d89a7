"""Outgoing event webhooks: per-business subscriptions, signed deliveries run as durable jobs with retries and
backoff, a delivery log with replay, and automatic disabling after repeated failure (with an alert).

Events are taken from what the domains already write, without the domains knowing about webhooks: a session
`after_flush` listener turns new inbound `Message` rows into `message.received` and new `OrderEvent` rows into
`order.created` / `order.paid` / `order.status_changed` / `print_job.ready`. The delivery rows and their jobs
join the caller's transaction, so an event is sent if and only if what caused it was committed. Other domains
may call `emit()` directly (e.g. `content.published`).

Signature (documented for receivers, e.g. n8n's Crypto node):
    X-Niaga-Timestamp: <unix seconds>
    X-Niaga-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
Receivers reject timestamps older than 5 minutes (replay) and compare signatures in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from niaga.db.savepoints import INSERTED_OUTSIDE_FLUSH, in_savepoint
from niaga.jobs.registry import PermanentError, RetryLater, task
from niaga.jobs.runner import enqueue
from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Message
from niaga.operations.notify import raise_alert
from niaga.ops.logging import get_logger
from niaga.ops.models import EVENT_TYPES, EventDelivery, EventSubscription
from niaga.orders.models import Order, OrderEvent
from niaga.settings import get_settings

log = get_logger("niaga.operations.events")

SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "niaga-webhooks/1"
MAX_ATTEMPTS = 8


# --- signing ---------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature (constant-time compare)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


# --- subscriptions ---------------------------------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    events = sorted(set(events))
    unknown = [e for e in events if e != "*" and e not in EVENT_TYPES]
    if not events or unknown:
        raise ValidationFailed(
            "Jenis event tidak dikenal." if unknown else "Pilih minimal satu event.",
            details={"events": f"tidak dikenal: {', '.join(unknown)}" if unknown else "kosong"},
        )
    return events


def _check_url(url: str) -> str:
    url = url.strip()
    parsed = httpx.URL(url) if url.startswith(("http://", "https://")) else None
    if parsed is None or not parsed.host:
        raise ValidationFailed(
            "URL webhook harus diawali http:// atau https://.", details={"url": "tidak valid"}
        )
    return url


def create_subscription(
    db: Session, *, business_id: int, url: str, events: list[str], description: str = ""
) -> tuple[EventSubscription, str]:
    """A new subscription and its signing secret (shown once)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    sub = EventSubscription(
        business_id=business_id,
        url=_check_url(url),
        events=_check_events(events),
        description=description[:200],
        secret_enc=encrypt_json({"secret": secret}),
    )
    db.add(sub)
    db.flush()
    return sub, secret


def secret_of(sub: EventSubscription) -> str:
    return str(decrypt_json(sub.secret_enc)["secret"])


def get_subscription(db: Session, *, business_id: int, subscription_id: int) -> EventSubscription:
    sub = db.get(EventSubscription, subscription_id)
    if sub is None or sub.business_id != business_id:
        raise NotFound("Langganan webhook tidak ditemukan.")
    return sub


def list_subscriptions(db: Session, *, business_id: int) -> list[EventSubscription]:
    return list(
        db.scalars(
            sa.select(EventSubscription)
            .where(EventSubscription.business_id == business_id)
            .order_by(EventSubscription.id)
        )
    )


def set_active(db: Session, sub: EventSubscription, active: bool) -> EventSubscription:
    sub.is_active = active
    if active:
        sub.consecutive_failures = 0
        sub.disabled_at = None
        sub.disabled_reason = ""
    else:
        sub.disabled_at = utcnow()
        sub.disabled_reason = sub.disabled_reason or "dinonaktifkan oleh staf"
    return sub


def list_deliveries(
    db: Session, *, business_id: int, subscription_id: int | None = None, limit: int = 100
) -> list[EventDelivery]:
    q = sa.select(EventDelivery).where(EventDelivery.business_id == business_id)
    if subscription_id is not None:
        q = q.where(EventDelivery.subscription_id == subscription_id)
    return list(db.scalars(q.order_by(EventDelivery.id.desc()).limit(limit)))


# --- emitting --------------------------------------------------------------------------------------------


def _matching(db: Session, business_id: int, event_type: str) -> list[EventSubscription]:
    with db.no_autoflush:
        subs = db.scalars(
            sa.select(EventSubscription).where(
                EventSubscription.business_id == business_id, EventSubscription.is_active.is_(True)
            )
        ).all()
    return [s for s in subs if "*" in s.events or event_type in s.events]


def _active(db: Session, business_id: int) -> list[EventSubscription]:
    with db.no_autoflush:
        return list(
            db.scalars(
                sa.select(EventSubscription).where(
                    EventSubscription.business_id == business_id, EventSubscription.is_active.is_(True)
                )
            ).all()
        )


def emit(
    db: Session,
    *,
    business_id: int,
    event_type: str,
    data: dict[str, Any],
    active: list[EventSubscription] | None = None,
) -> list[EventDelivery]:
    """Record one delivery per matching active subscription and enqueue its job, in the caller's transaction.
    `active`: the business's active subscriptions when the caller already read them."""
    if active is None:
        subs = _matching(db, business_id, event_type)
    else:
        subs = [s for s in active if "*" in s.events or event_type in s.events]
    if not subs:
        return []
    event_id = str(uuid.uuid4())
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": utcnow().isoformat(),
        "business_id": business_id,
        "data": data,
    }
    out = []
    for sub in subs:
        d = EventDelivery(
            business_id=business_id,
            subscription_id=sub.id,
            event_id=event_id,
            event_type=event_type,
            payload=body,
        )
        db.add(d)
        out.append(d)
    db.flush()
    for d in out:
        enqueue(db, "ops.deliver_event", business_id=business_id, delivery_id=d.id)
    return out


def _order_data(db: Session, ev: OrderEvent) -> dict[str, Any]:
    order = db.get(Order, ev.order_id)
    data: dict[str, Any] = {"order_id": ev.order_id, "from_status": ev.from_status, "to_status": ev.to_status}
    if order is not None:
        data.update(
            number=order.number,
            status=order.status,
            kind=order.kind,
            customer_id=order.customer_id,
            conversation_id=order.conversation_id,
            total=order.total,
            paid_amount=order.paid_amount,
        )
    return data


def _events_for(db: Session, obj: object) -> list[tuple[int, str, dict[str, Any]]]:
    if isinstance(obj, Message) and obj.direction == "in":
        return [
            (
                obj.business_id,
                "message.received",
                {
                    "message_id": obj.id,
                    "conversation_id": obj.conversation_id,
                    "channel": obj.channel,
                    "text": obj.text,
                    "media": len(obj.media or []),
                },
            )
        ]
    if isinstance(obj, OrderEvent):
        out: list[tuple[int, str, dict[str, Any]]] = []
        if obj.event in ("order.created", "order.paid"):
            out.append((obj.business_id, obj.event, _order_data(db, obj)))
        elif obj.to_status == "paid" and obj.from_status != "paid":
            out.append((obj.business_id, "order.paid", _order_data(db, obj)))
        if obj.to_status and obj.from_status and obj.to_status != obj.from_status:
            data = _order_data(db, obj)
            out.append((obj.business_id, "order.status_changed", data))
            if obj.to_status == "ready" and data.get("kind") == "print":
                out.append((obj.business_id, "print_job.ready", data))
        return out
    return []


_PENDING = "niaga_pending_events"


def _after_flush(session: Session, _ctx: object) -> None:
    # No SQL may be flushed from here; the events are collected and emitted just before the commit.
    new = [o for o in session.new if isinstance(o, Message | OrderEvent)]
    if new:
        pending = session.info.setdefault(_PENDING, [])
        with session.no_autoflush:
            for obj in new:
                pending.extend(_events_for(session, obj))


def _before_commit(session: Session) -> None:
    if in_savepoint(session):
        return  # emitted once, at the real commit (what a rolled-back savepoint collected is dropped)
    pending = session.info.pop(_PENDING, None) or []
    for obj in session.info.pop(INSERTED_OUTSIDE_FLUSH, None) or ():
        pending.extend(_events_for(session, obj))
    if pending:
        session.flush()  # rows flushed by this last flush add their events too
        pending += session.info.pop(_PENDING, [])
        active: dict[int, list[EventSubscription]] = {}  # read once per business and commit
        for business_id, event_type, data in pending:
            if business_id not in active:
                active[business_id] = _active(session, business_id)
            emit(
                session, business_id=business_id, event_type=event_type, data=data, active=active[business_id]
            )


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(INSERTED_OUTSIDE_FLUSH, None)


_installed = False


def install() -> None:
    """Listen on every session (idempotent)."""
    global _installed
    if not _installed:
        sa_event.listen(Session, "after_flush", _after_flush)
        sa_event.listen(Session, "before_commit", _before_commit)
        sa_event.listen(
            Session,
            "after_soft_rollback",
            lambda session, prev: None if prev.nested else _after_rollback(session),
        )
        _installed = True


install()  # every process that loads the job tables (web, worker, CLI) turns domain rows into events


# --- delivering ------------------------------------------------------------------------------------------


def _disable(db: Session, sub: EventSubscription, reason: str) -> None:
    sub.is_active = False
    sub.disabled_at = utcnow()
    sub.disabled_reason = reason
    log.warning("ops.webhook.disabled", subscription_id=sub.id, business_id=sub.business_id, reason=reason)
    raise_alert(
        db,
        business_id=sub.business_id,
        condition=f"webhook_disabled:{sub.id}",
        message=f"Webhook event ke {sub.url} dinonaktifkan setelah {sub.consecutive_failures} kali gagal "
        f"berturut-turut ({reason}). Periksa penerimanya lalu aktifkan lagi di dasbor.",
    )


def _request(db: Session, delivery: EventDelivery) -> tuple[str, bytes, dict[str, str]]:
    sub = db.get(EventSubscription, delivery.subscription_id)
    if sub is None:
        raise PermanentError("subscription deleted")
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Niaga-Event": delivery.event_type,
        "X-Niaga-Delivery": str(delivery.id),
        "X-Niaga-Event-Id": delivery.event_id,
        "X-Niaga-Timestamp": str(ts),
        "X-Niaga-Signature": sign(secret_of(sub), ts, body),
    }
    return sub.url, body, headers


@dataclass
class Attempt:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def _send(url: str, body: bytes, headers: dict[str, str], client: httpx.Client | None = None) -> Attempt:
    """One POST, outside any database transaction (a slow receiver must not hold a lock)."""
    timeout = get_settings().event_webhook_timeout_seconds
    started = time.monotonic()
    status: int | None
    try:
        c = client or httpx.Client(timeout=timeout, follow_redirects=False)
        try:
            r = c.post(url, content=body, headers=headers, timeout=timeout)
        finally:
            if client is None:
                c.close()
        ok = 200 <= r.status_code < 300
        status, error = r.status_code, "" if ok else f"HTTP {r.status_code}: {r.text[:300]}"
    except httpx.HTTPError as exc:
        ok, status, error = False, None, f"{type(exc).__name__}: {str(exc)[:300]}"
    return Attempt(ok, status, error, int((time.monotonic() - started) * 1000))


def _record(db: Session, delivery: EventDelivery, attempt: Attempt) -> None:
    sub = db.get(EventSubscription, delivery.subscription_id)
    delivery.attempts += 1
    delivery.last_status_code = attempt.status_code
    delivery.last_error = attempt.error
    delivery.duration_ms = attempt.duration_ms
    if attempt.ok:
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
        if sub is not None:
            sub.consecutive_failures = 0
        return
    delivery.status = "failed" if delivery.attempts >= MAX_ATTEMPTS else "pending"
    if sub is None:
        return
    sub.consecutive_failures += 1
    if sub.is_active and sub.consecutive_failures >= get_settings().event_webhook_max_failures:
        _disable(db, sub, attempt.error[:200])
    if not sub.is_active:
        delivery.status = "failed"  # no more tries; replay it after enabling the endpoint again


def deliver(db: Session, delivery: EventDelivery, *, client: httpx.Client | None = None) -> bool:
    """POST the stored body once and record the outcome in `db`. Returns True when the receiver answered 2xx."""
    attempt = _send(*_request(db, delivery), client=client)
    _record(db, delivery, attempt)
    return attempt.ok


@task("ops.deliver_event", max_attempts=MAX_ATTEMPTS, base_delay=5.0, max_delay=3600.0)
def deliver_event(delivery_id: int) -> None:
    """Read (short transaction), POST (no transaction), record (a write transaction taken up front).
    Delivery is at least once: receivers deduplicate on X-Niaga-Event-Id."""
    from niaga.db.engine import session_scope

    with session_scope() as db:
        d = db.get(EventDelivery, delivery_id)
        if d is None or d.status == "delivered":
            return
        sub = db.get(EventSubscription, d.subscription_id)
        request = _request(db, d) if sub is not None and sub.is_active else None
    if request is None:
        with session_scope(immediate=True) as db:
            d = db.get(EventDelivery, delivery_id)
            if d is not None:
                d.status = "failed"
                d.last_error = d.last_error or "langganan tidak aktif"
        return
    attempt = _send(*request)
    with session_scope(immediate=True) as db:
        d = db.get(EventDelivery, delivery_id)
        if d is None:
            return
        _record(db, d, attempt)
        sub = db.get(EventSubscription, d.subscription_id)
        retry = not attempt.ok and sub is not None and sub.is_active
    if retry:
        raise RetryLater(attempt.error)


def replay(db: Session, delivery: EventDelivery) -> EventDelivery:
    """Send a logged delivery again (same event id and body; a fresh signature and timestamp)."""
    delivery.status = "pending"
    delivery.attempts = 0
    enqueue(db, "ops.deliver_event", business_id=delivery.business_id, delivery_id=delivery.id)
    return delivery


def purge_deliveries(db: Session, *, older_than_days: int = 30) -> int:
    cutoff = utcnow() - timedelta(days=older_than_days)
    res = db.execute(sa.delete(EventDelivery).where(EventDelivery.created_at < cutoff))
    return int(getattr(res, "rowcount", 0) or 0)
