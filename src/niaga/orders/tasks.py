"""Order jobs: invoices, payment links that could not be made in the request, and periodic upkeep."""

from __future__ import annotations

from datetime import datetime

from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, RetryLater, periodic, task
from niaga.jobs.runner import enqueue
from niaga.kit.errors import AppError
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import utcnow
from niaga.ops.logging import get_logger
from niaga.orders import invoices, loyalty, payments
from niaga.orders import service as orders
from niaga.orders.models import Order

log = get_logger("niaga.orders.tasks")

__all__ = [
    "expire_overdue",
    "expire_points",
    "payment_link",
    "reconcile_payments",
    "send_invoice",
    "send_payment_link",
]


@task("orders.send_invoice", max_attempts=8)
def send_invoice(order_id: int) -> str:
    return invoices.do_send(order_id)


@task("orders.payment_link", max_attempts=8, base_delay=30.0)
def payment_link(order_id: int, send: bool = True, reply_waits_until: str | None = None) -> str:
    """Make the order's payment link after the order committed (a chat confirmation enqueues this) and send
    it to the customer. The provider is called with no database transaction open. While the agent's reply
    may still be waiting for the link (`reply_waits_until`), the reply carries it: sending is left to job
    `orders.send_payment_link` at that time, which sends only when the reply did not."""
    gateway = payments.gateway()
    try:
        payment_id = gateway.create_link(order_id, actor=orders.Actor.system("orders.payment_link"))
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    except AppError as exc:
        raise PermanentError(exc.message) from exc
    if payment_id is None:
        return "skipped"
    if not send:
        return "created"
    waits_until = datetime.fromisoformat(reply_waits_until) if reply_waits_until else None
    if waits_until is not None and utcnow() < waits_until:
        with session_scope(immediate=True) as db:
            enqueue(
                db,
                "orders.send_payment_link",
                run_at=waits_until,
                idempotency_key=f"send-payment-link:{payment_id}",
                order_id=order_id,
                payment_id=payment_id,
            )
        return "left_to_reply"
    return send_payment_link(order_id, payment_id)


@task("orders.send_payment_link", max_attempts=8, base_delay=30.0)
def send_payment_link(order_id: int, payment_id: int) -> str:
    """Send the link as its own message unless the agent's reply (or an earlier run) already told it."""
    with session_scope(immediate=True) as db:
        order = db.get(Order, order_id)
        if order is None:
            return "skipped"
        payment = payments.claim_link_delivery(db, order_id=order_id, payment_id=payment_id, via="message")
        if payment is None:
            return "already_told"
        payments.gateway().do_send_link(db, order=order, payment=payment)
    return "sent"


@periodic("orders.reconcile_payments", minute="*/10")
def reconcile_payments() -> dict[str, int]:
    """Ask Midtrans about links still pending (a lost notification must not leave a paid order unpaid)."""
    return payments.gateway().reconcile_all()


@periodic("orders.expire_overdue", minute="*/5")
def expire_overdue() -> int:
    """Expire unpaid orders past their payment deadline; each is claimed with a conditional UPDATE."""
    with session_scope() as db:
        due = orders.due_for_expiry(db)
    n = 0
    for business_id, order_id in due:
        try:
            with session_scope(immediate=True) as db:
                n += orders.do_expire(db, business_id=business_id, order_id=order_id)
        except Exception as exc:  # one bad order must not stop the rest
            log.warning("order.expire_failed", order_id=order_id, error=str(exc))
    if n:
        log.info("order.expired_overdue", count=n)
    return n


@periodic("orders.expire_points", minute="17", hour="2")
def expire_points() -> int:
    with session_scope(immediate=True) as db:
        return loyalty.do_expire(db)
