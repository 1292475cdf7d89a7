"""The agent's side door into orders: a draft the customer confirmed in chat becomes an order awaiting
payment with a Midtrans link in the same reply."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from niaga.jobs.runner import enqueue
from niaga.kit.errors import AppError
from niaga.kit.providers import ProviderError
from niaga.messaging.models import Conversation
from niaga.ops.logging import get_logger
from niaga.orders import payments
from niaga.orders import service as orders
from niaga.orders.service import Actor
from niaga.tenancy.models import Business

log = get_logger("niaga.orders.chat")

# Keep the customer's wait short: Midtrans slower than this gets the link by a follow-up message.
CHAT_LINK_TIMEOUT_S = 8.0


def confirm_chat_order(db: Session, *, business: Business, conversation: Conversation | None,
                       draft: dict[str, Any]) -> dict[str, Any]:
    """Create the order (stock held, catalogue prices) and, when Midtrans is set up, its payment link.

    Returns {"number", "total", "order_id", "status", "payment_url"} or {"number": None, "error": "..."} with
    a customer-facing reason (out of stock, product gone)."""
    items = [{"sku": line.get("sku"), "product_id": line.get("product_id"), "quantity": line.get("quantity") or 1}
             for line in draft.get("items") or [] if line.get("sku") or line.get("product_id")]
    if not items:
        return {"number": None, "total": 0, "error": "produk tidak ditemukan"}
    customer_id = conversation.customer_id if conversation is not None else None
    try:
        order = orders.create(db, business_id=business.id, items=items, actor=Actor("customer", customer_id),
                              customer_id=customer_id, conversation_id=conversation.id if conversation else None,
                              shipping=draft.get("shipping") or None, source="chat", status="awaiting_payment",
                              notes=str(draft.get("notes") or ""))
    except AppError as exc:
        reason = exc.message[len("Maaf, "):] if exc.message.startswith("Maaf, ") else exc.message
        log.info("order.chat_refused", business_id=business.id, code=exc.code)
        return {"number": None, "total": 0, "error": reason, "code": exc.code}
    result: dict[str, Any] = {"number": order.number, "total": order.total, "order_id": order.id,
                              "status": order.status, "payment_url": None}
    gateway = payments.gateway()
    if not gateway.is_enabled(db, business_id=business.id):
        return result
    try:
        with db.begin_nested():
            payment = gateway.do_create_link(db, order=order, actor=Actor.system("chat"),
                                              timeout=CHAT_LINK_TIMEOUT_S)
        result["payment_url"] = payment.raw["redirect_url"]
    except (ProviderError, AppError) as exc:
        # The order stands; the link follows as a message once Midtrans answers (retried job).
        log.warning("order.chat_link_deferred", business_id=business.id, order_id=order.id, error=str(exc))
        enqueue(db, "orders.payment_link", business_id=business.id, order_id=order.id, delay=30,
                idempotency_key=f"payment-link-job:{business.id}:{order.id}")
    return result


