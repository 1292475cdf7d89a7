"""The agent's side door into orders: a draft the customer confirmed in chat becomes an order awaiting
payment; its payment link is made by job `orders.payment_link` after the order commits. The reply waits up
to `settings.chat_link_wait_seconds` for it (then it carries the link); otherwise the job sends the link as
a follow-up message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from niaga.jobs.runner import enqueue
from niaga.kit.errors import AppError
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Conversation
from niaga.ops.logging import get_logger
from niaga.orders import payments
from niaga.orders import service as orders
from niaga.orders.service import Actor
from niaga.settings import get_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.orders.chat")

_LINKS_KEY = "niaga_chat_payment_links"


def take_pending_links(db: Session) -> list[int]:
    """The orders whose payment link was enqueued by `confirm_chat_order` in this session's transaction
    (the agent's reply job waits briefly for them, see `payments.wait_for_link`)."""
    return list(db.info.pop(_LINKS_KEY, []))


def confirm_chat_order(
    db: Session, *, business: Business, conversation: Conversation | None, draft: dict[str, Any]
) -> dict[str, Any]:
    """Create the order (stock held, catalogue prices) and, when a payment gateway is set up, enqueue its
    payment link (sent to the customer once made).

    Returns {"number", "total", "order_id", "status", "payment_url", "payment_link_pending"} or
    {"number": None, "error": "..."} with a customer-facing reason (out of stock, product gone)."""
    items = [
        {"sku": line.get("sku"), "product_id": line.get("product_id"), "quantity": line.get("quantity") or 1}
        for line in draft.get("items") or []
        if line.get("sku") or line.get("product_id")
    ]
    if not items:
        return {"number": None, "total": 0, "error": "produk tidak ditemukan"}
    customer_id = conversation.customer_id if conversation is not None else None
    try:
        order = orders.create(
            db,
            business_id=business.id,
            items=items,
            actor=Actor("customer", customer_id),
            customer_id=customer_id,
            conversation_id=conversation.id if conversation else None,
            shipping=draft.get("shipping") or None,
            source="chat",
            status="awaiting_payment",
            notes=str(draft.get("notes") or ""),
        )
    except AppError as exc:
        reason = exc.message[len("Maaf, ") :] if exc.message.startswith("Maaf, ") else exc.message
        log.info("order.chat_refused", business_id=business.id, code=exc.code)
        return {"number": None, "total": 0, "error": reason, "code": exc.code}
    result: dict[str, Any] = {
        "number": order.number,
        "total": order.total,
        "order_id": order.id,
        "status": order.status,
        "payment_url": None,
        "shipping_cost": order.shipping_cost,
    }
    result["payment_link_pending"] = enqueue_payment_link(db, business=business, order=order)
    return result


def enqueue_payment_link(db: Session, *, business: Business, order: Any) -> bool:
    """When a payment gateway is set up, enqueue the order's payment link job (it runs after this
    transaction commits) and register it for the reply job's short wait; False when there is no gateway."""
    if not payments.gateway().is_enabled(db, business_id=business.id):
        return False
    # The link is a job that runs after this transaction commits: no provider call inside it. The agent's
    # reply waits for it until `reply_waits_until` and then carries it; a link made later is sent by the
    # job itself (which retries while the provider is down).
    wait = get_settings().chat_link_wait_seconds
    enqueue(
        db,
        "orders.payment_link",
        business_id=business.id,
        order_id=order.id,
        idempotency_key=f"payment-link-job:{business.id}:{order.id}",
        reply_waits_until=(utcnow() + timedelta(seconds=wait)).isoformat() if wait > 0 else None,
    )
    db.info.setdefault(_LINKS_KEY, []).append(order.id)
    return True
