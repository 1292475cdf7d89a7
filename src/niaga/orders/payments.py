"""Payment links, provider-neutral: the port through which orders ask a payment gateway for a link, send
it to the customer and reconcile pending links. The Midtrans adapter
(`niaga.integrations.midtrans.payments`) registers itself in `GATEWAYS` at start-up."""

from __future__ import annotations

import time
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.engine import new_session, session_scope
from niaga.kit.errors import Conflict
from niaga.kit.ports import Port
from niaga.orders import service as orders
from niaga.orders.models import Order, Payment
from niaga.orders.service import Actor


class PaymentGateway(Protocol):
    """What orders need from a payment gateway. Provider failures raise `kit.providers.ProviderError`."""

    def is_enabled(self, db: Session, *, business_id: int) -> bool: ...

    def do_create_link(
        self, db: Session, *, order: Order, actor: Actor, now: Any = None, timeout: float | None = None
    ) -> Payment: ...

    def do_send_link(self, db: Session, *, order: Order, payment: Payment) -> Any | None: ...

    def create_link(self, order_id: int, *, actor: Actor, timeout: float | None = None) -> int | None:
        """Make the link with no transaction open during the provider call (job `orders.payment_link`);
        the payment id, or None when the order no longer awaits payment."""
        ...

    def reconcile_all(self, *, limit: int = 200) -> dict[str, int]: ...


GATEWAYS: Port[PaymentGateway] = Port("payment gateway")
DEFAULT_GATEWAY = "midtrans"


def gateway(name: str = DEFAULT_GATEWAY) -> PaymentGateway:
    return GATEWAYS.get(name)


# Provider-neutral entry points under the names the rest of the code has always called.
def do_create_link(
    db: Session, *, order: Order, actor: Actor, now: Any = None, timeout: float | None = None
) -> Payment:
    """A payment link for what the order still owes (see the gateway for re-use and expiry rules)."""
    return gateway().do_create_link(db, order=order, actor=actor, now=now, timeout=timeout)


def do_send_link(db: Session, *, order: Order, payment: Payment) -> Any | None:
    """Send the link on the customer's channel (once per payment link)."""
    return gateway().do_send_link(db, order=order, payment=payment)


# --- the link in the chat reply or as its own message (exactly one of them) ---------------------------


def wait_for_link(order_id: int, *, seconds: float, poll: float = 0.05) -> str | None:
    """Wait up to `seconds` (no transaction held) for the order's payment link; its URL, or None."""
    deadline = time.monotonic() + seconds
    while True:
        with new_session(readonly=True) as db:
            url = db.scalar(sa.select(Order.payment_url).where(Order.id == order_id))
        if url or time.monotonic() >= deadline:
            return url or None
        time.sleep(min(poll, max(deadline - time.monotonic(), 0.0)))


def claim_link_delivery(
    db: Session, *, order_id: int, via: str, payment_id: int | None = None
) -> Payment | None:
    """Decide once who tells the customer the link: the agent's reply (`via="reply"`) or the link job's own
    message (`via="message"`). The payment row is locked (and on SQLite the write transaction serialises),
    so of two concurrent callers exactly one gets the payment; the other gets None."""
    q = sa.select(Payment).where(Payment.order_id == order_id, Payment.status == "pending")
    if payment_id is not None:
        q = q.where(Payment.id == payment_id)
    payment = db.scalars(q.order_by(Payment.id.desc()).limit(1).with_for_update()).first()
    if payment is None or not (payment.raw or {}).get("redirect_url"):
        return None
    if (payment.raw or {}).get("link_delivery"):
        return None
    payment.raw = {**(payment.raw or {}), "link_delivery": via}
    db.flush()
    return payment


def create_link_for_staff(*, business_id: int, order_id: int, actor: Actor, send: bool) -> dict[str, Any]:
    """The staff `payment-link` action: the link at once (the person asking sees it), with no database
    transaction open while the gateway is called — the order is checked in one short transaction, the
    gateway makes and records the link in its own (`create_link`), and the link is sent in a third.
    Provider failures raise `ProviderError`; an order that does not await payment raises `Conflict`."""

    def not_awaiting(number: str) -> Conflict:
        return Conflict(f"Pesanan {number} tidak sedang menunggu pembayaran.", code="not_awaiting_payment")

    with session_scope() as db:
        order = orders.get(db, business_id=business_id, order_id=order_id)
        number = order.number
        if order.status != "awaiting_payment":
            raise not_awaiting(number)
    payment_id = gateway().create_link(order_id, actor=actor)
    if payment_id is None:
        raise not_awaiting(number)
    with session_scope(immediate=True) as db:
        order = orders.get(db, business_id=business_id, order_id=order_id)
        payment = db.get(Payment, payment_id)
        assert payment is not None
        sent = None
        if send:
            sent = gateway().do_send_link(db, order=order, payment=payment) is not None
        return {
            "payment_url": payment.raw.get("redirect_url"),
            "token": payment.raw.get("token"),
            "midtrans_order_id": payment.provider_ref,
            "amount": payment.amount,
            "expires_at": payment.raw.get("expires_at"),
            "sent": sent,
        }
