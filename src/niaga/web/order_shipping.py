"""Pesanan → Pengiriman: staff set or change how an unpaid order reaches the customer (delivery with city,
courier/service, address and an optional stated weight, or pick-up at the shop). Prices come from the
business's shipping rates through `niaga.orders.service.do_set_shipping`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.catalog.models import ShippingRate
from niaga.kit.errors import AppError
from niaga.kit.money import format_rupiah
from niaga.orders import service as orders
from niaga.orders.models import Order
from niaga.web.core import FormDep, WebDb, flash, post_ctx, redirect

router = APIRouter()


def form_context(db: Any, business_id: int, order: Order) -> dict[str, Any]:
    """What the shipping card needs: whether it can change, the known destinations and courier services."""
    rates = db.execute(
        sa.select(ShippingRate.destination_city, ShippingRate.courier, ShippingRate.service).where(
            ShippingRate.business_id == business_id
        )
    ).all()
    cities = sorted({r[0] for r in rates}, key=str.lower)
    services = sorted({f"{r[1]}|{r[2]}" for r in rates}, key=str.lower)
    editable = order.status in orders.SHIPPING_EDITABLE and not order.paid_amount
    weight = sum((i.weight_g or 0) * i.quantity for i in order.items)
    return {"editable": editable, "cities": cities, "services": services, "items_weight_g": weight}


def _weight_g(raw: str) -> int | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        kg = Decimal(raw)
    except InvalidOperation:
        raise ValueError("Berat harus angka dalam kg, mis. 1,5.") from None
    if kg <= 0 or kg > 1000:
        raise ValueError("Berat harus antara 0 dan 1000 kg.")
    return int(kg * 1000)


@router.post("/app/pesanan/{order_id:int}/pengiriman", response_class=HTMLResponse)
def order_shipping(order_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)

    def field(name: str) -> str:
        v = form_data.get(name)
        return v.strip() if isinstance(v, str) else ""

    method = field("method")
    try:
        if method == "pickup":
            orders.do_set_shipping(db, order=order, actor=orders.Actor("user", ctx.user.id), city=None)
        elif method == "delivery":
            city = field("city")
            if not city:
                raise ValueError("Isi kota tujuan.")
            courier, _, service = field("service").partition("|")
            orders.do_set_shipping(
                db,
                order=order,
                actor=orders.Actor("user", ctx.user.id),
                city=city,
                courier=courier or None,
                service=service or None,
                address=field("address")[:500],
                weight_g=_weight_g(field("weight_kg")),
            )
        else:
            raise ValueError("Pilih dikirim atau diambil di toko.")
    except ValueError as exc:
        flash(request, str(exc), "error")
        return redirect(f"/app/pesanan/{order_id}", request)
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
        return redirect(f"/app/pesanan/{order_id}", request)
    if method == "pickup":
        flash(request, f"Pesanan {order.number}: diambil di toko. Total {format_rupiah(order.total)}.")
    else:
        flash(
            request,
            f"Ongkir {order.shipping.get('courier')} {order.shipping.get('service')} ke "
            f"{order.shipping.get('city')}: {format_rupiah(order.shipping_cost)}. Total "
            f"{format_rupiah(order.total)}.",
        )
    return redirect(f"/app/pesanan/{order_id}", request)
