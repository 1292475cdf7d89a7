"""Replaceable hooks between the agent and the orders domain.

`on_order_confirmed` turns a confirmed chat draft into an Order. The orders domain may replace it
(`hooks.on_order_confirmed = my_function`) with one that reserves stock, prices shipping and creates a
payment link; the agent only needs back a dict with `number` and `total` (optionally `payment_url`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog.models import Product
from niaga.messaging.models import Conversation
from niaga.ops.logging import get_logger
from niaga.orders.models import Order, OrderEvent, OrderItem
from niaga.tenancy.models import Business

log = get_logger("niaga.agent")


def create_draft_order(db: Session, *, business: Business, conversation: Conversation | None,
                       draft: dict[str, Any]) -> dict[str, Any]:
    """Default: a draft Order with items priced from the catalogue now (not from the chat draft)."""
    from niaga.orders.numbering import allocate_number

    items = []
    for line in draft.get("items") or []:
        p = db.scalars(sa.select(Product).where(Product.business_id == business.id, Product.sku == line["sku"],
                                                Product.is_active.is_(True))).first()
        if p is None:
            continue
        qty = max(int(line.get("quantity") or 1), 1)
        items.append((p, qty))
    if not items:
        return {"number": None, "total": 0, "error": "produk tidak ditemukan"}
    order = Order(business_id=business.id, number=allocate_number(db, business_id=business.id,
                                                                   timezone=business.timezone),
                  customer_id=conversation.customer_id if conversation else None,
                  conversation_id=conversation.id if conversation else None, kind="retail", source="chat",
                  status="draft")
    subtotal = 0
    for p, qty in items:
        total = p.effective_price * qty
        subtotal += total
        order.items.append(OrderItem(business_id=business.id, product_id=p.id, sku=p.sku, name=p.name,
                                     quantity=qty, unit_price=p.effective_price, total=total, weight_g=p.weight_g))
    order.subtotal = subtotal
    order.total = subtotal
    db.add(order)
    db.flush()
    db.add(OrderEvent(business_id=business.id, order_id=order.id, from_status=None, to_status="draft",
                      event="order.created", actor_type="customer",
                      actor_id=conversation.customer_id if conversation else None, note="dibuat dari chat"))
    db.flush()
    log.info("agent.order_created", business_id=business.id, order=order.number, total=order.total)
    return {"number": order.number, "total": order.total, "order_id": order.id, "payment_url": None}


def confirm_with_orders(db: Session, *, business: Business, conversation: Conversation | None,
                        draft: dict[str, Any]) -> dict[str, Any]:
    """The orders domain's confirmation: an order awaiting payment (stock held, shipping priced when the
    draft names a city) and a Midtrans payment link for the same reply when the business has Midtrans."""
    from niaga.orders.chat import confirm_chat_order

    return confirm_chat_order(db, business=business, conversation=conversation, draft=draft)


on_order_confirmed: Callable[..., dict[str, Any]] = confirm_with_orders
