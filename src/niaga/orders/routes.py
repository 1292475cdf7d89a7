"""Orders REST API (`/api/v1/orders`, `/api/v1/payments/midtrans`). Staff and above; refunds and payment
configuration need admin. Another business's order is a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from niaga.db.session import SessionDep, WriteSessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.kit.errors import AppError, Forbidden
from niaga.kit.providers import ProviderError
from niaga.orders import invoices, payments
from niaga.orders import service as orders
from niaga.orders.schemas import (
    EventOut,
    ItemOut,
    OrderCreate,
    OrderDetail,
    OrderOut,
    PaymentIn,
    PaymentLinkIn,
    PaymentOut,
    TransitionIn,
)
from niaga.orders.service import Actor
from niaga.tenancy.auth import StaffDep, StaffOutsideTxDep

router = APIRouter(prefix="/api/v1", tags=["orders"])


def _detail(db: Any, order: Any) -> dict[str, Any]:
    inv = invoices.get_invoice(db, order=order)
    data = OrderDetail(
        **OrderOut.model_validate(order).model_dump(),
        items=[ItemOut.model_validate(i) for i in order.items],
        payments=[PaymentOut.model_validate(p) for p in orders.payments_of(db, order)],
        timeline=[EventOut.model_validate(e) for e in orders.timeline(db, order)],
        invoice={
            "number": inv.number,
            "sent_at": inv.sent_at,
            "sent_via": inv.sent_via,
            "url": f"/api/v1/orders/{order.id}/invoice.pdf",
        }
        if inv
        else None,
    )
    return data.model_dump(mode="json")


@router.get("/orders")
def list_orders(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    status: str | None = Query(None, description="comma-separated states"),
    customer_id: int | None = None,
    q: str | None = Query(None, max_length=40),
) -> dict:
    rows, total = orders.list_orders(
        db,
        business_id=principal.business_id,
        status=status,
        customer_id=customer_id,
        q=q,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([OrderOut.model_validate(o).model_dump(mode="json") for o in rows], page.meta(total))


@router.post("/orders", status_code=201)
def create_order(body: OrderCreate, principal: StaffDep, db: WriteSessionDep) -> dict:
    order = orders.create(
        db,
        business_id=principal.business_id,
        items=[i.model_dump() for i in body.items],
        actor=Actor.of(principal),
        customer_id=body.customer_id,
        shipping=body.shipping.model_dump() if body.shipping else None,
        discount=body.discount,
        redeem_points=body.redeem_points,
        notes=body.notes,
        source="dashboard" if principal.kind == "user" else "api",
        status=body.status,
    )
    return ok(_detail(db, order))


@router.get("/orders/{order_id}")
def get_order(order_id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(_detail(db, orders.get(db, business_id=principal.business_id, order_id=order_id)))


@router.post("/orders/{order_id}/transition")
def transition(order_id: int, body: TransitionIn, principal: StaffDep, db: WriteSessionDep) -> dict:
    order = orders.get(db, business_id=principal.business_id, order_id=order_id)
    if body.to == "refunded" and not principal.has_role("admin"):
        raise Forbidden("Refund hanya bisa dilakukan admin atau pemilik.")
    orders.do_transition(db, order=order, to=body.to, actor=Actor.of(principal), note=body.note)
    return ok(_detail(db, order))


@router.post("/orders/{order_id}/payments", status_code=201)
def record_payment(order_id: int, body: PaymentIn, principal: StaffDep, db: WriteSessionDep) -> dict:
    order = orders.get(db, business_id=principal.business_id, order_id=order_id)
    actor = Actor.of(principal)
    if body.kind == "refund":
        if not principal.has_role("admin"):
            raise Forbidden("Refund hanya bisa dicatat admin atau pemilik.")
        payment = orders.do_refund(
            db,
            order=order,
            method=body.method,
            actor=actor,
            amount=body.amount,
            reference=body.reference,
            note=body.note,
        )
    else:
        payment = orders.do_record_payment(
            db,
            order=order,
            method=body.method,
            actor=actor,
            amount=body.amount,
            tendered=body.tendered,
            proof=orders.proof_from_refs(
                db,
                business_id=principal.business_id,
                refs=[p.model_dump(exclude_none=True) for p in body.proof],
            ),
            reference=body.reference,
            note=body.note,
        )
    return ok(
        {"payment": PaymentOut.model_validate(payment).model_dump(mode="json"), "order": _detail(db, order)}
    )


@router.post("/orders/{order_id}/payment-link")
def payment_link(order_id: int, principal: StaffOutsideTxDep, body: PaymentLinkIn | None = None) -> dict:
    """Make (or re-use, while valid for what is owed) the order's payment link and, unless `send` is false,
    send it on the customer's chat. Answers 200 with the link. Midtrans is called outside any database
    transaction (no request transaction is held: the order is checked, the link recorded and sent in short
    transactions of their own); 502 `midtrans_error` when Midtrans is unreachable or refuses."""
    try:
        data = payments.create_link_for_staff(
            business_id=principal.business_id,
            order_id=order_id,
            actor=Actor.of(principal),
            send=body is None or body.send,
        )
    except ProviderError as exc:
        raise AppError(
            "Midtrans sedang tidak bisa dihubungi atau menolak permintaan; coba lagi sebentar lagi.",
            code="midtrans_error",
            status=502,
            details={"provider_status": exc.status},
        ) from exc
    return ok(data)


@router.get("/orders/{order_id}/invoice.pdf")
def invoice_pdf(order_id: int, principal: StaffDep, db: SessionDep) -> Response:
    order = orders.get(db, business_id=principal.business_id, order_id=order_id)
    filename, data = invoices.read_pdf(db, order=order)
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
