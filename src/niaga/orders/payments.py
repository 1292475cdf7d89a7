"""Payment links, provider-neutral: the port through which orders ask a payment gateway for a link, send
it to the customer and reconcile pending links. The Midtrans adapter
(`niaga.integrations.midtrans.payments`) registers itself in `GATEWAYS` at start-up."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from niaga.kit.ports import Port
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
