"""Pelanggan: list with search and filters (tag, city), detail with conversations, orders and points."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.catalog.service import clean_tags
from niaga.customers import service as customers
from niaga.customers.models import Customer, Transaction
from niaga.kit.timeutil import tz
from niaga.marketing.service import customer_history
from niaga.messaging.models import Conversation
from niaga.orders.models import LoyaltyEntry, Order
from niaga.web.core import FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render
from niaga.web.forms import Form

router = APIRouter()
PAGE_SIZE = 25


@router.get("/app/pelanggan", response_class=HTMLResponse)
def customers_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    qp = request.query_params
    sort = qp.get("sort") or ""
    f = {
        "q": (qp.get("q") or "").strip(),
        "tag": (qp.get("tag") or "").strip(),
        "city": (qp.get("city") or "").strip(),
        "sort": sort if sort in ("name", "-total_spent", "-last_order_at", "-created_at") else "name",
    }
    raw_page = qp.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isdigit() else 1
    rows, total = customers.list_customers(
        db,
        business_id=ctx.business_id,
        search=f["q"] or None,
        tag=f["tag"] or None,
        city=f["city"] or None,
        sort=f["sort"],
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    cities = [
        c
        for c in db.scalars(
            sa.select(Customer.city)
            .where(Customer.business_id == ctx.business_id, Customer.city.is_not(None))
            .distinct()
            .order_by(Customer.city)
            .limit(200)
        )
        if c
    ]
    return render(
        ctx,
        request,
        "customers.html",
        active="customers",
        title=ctx.t("cust.title"),
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        f=f,
        cities=cities,
    )


@router.get("/app/pelanggan/{customer_id:int}", response_class=HTMLResponse)
def customer_page(customer_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    c = customers.get_customer(db, business_id=ctx.business_id, customer_id=customer_id)
    conversations = list(
        db.scalars(
            sa.select(Conversation)
            .where(Conversation.business_id == ctx.business_id, Conversation.customer_id == c.id)
            .order_by(Conversation.last_message_at.desc().nulls_last())
            .limit(20)
        )
    )
    orders = list(
        db.scalars(
            sa.select(Order)
            .where(Order.business_id == ctx.business_id, Order.customer_id == c.id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(50)
        )
    )
    # Purchases from the shop's books (imported transactions) sit beside the orders made here: the
    # customer's totals count both, so the history must show both.
    imported = list(
        db.scalars(
            sa.select(Transaction)
            .where(
                Transaction.business_id == ctx.business_id,
                Transaction.customer_id == c.id,
                Transaction.source != "order",
            )
            .order_by(Transaction.occurred_on.desc(), Transaction.id.desc())
            .limit(200)
        )
    )
    history: list[dict[str, Any]] = [
        {
            "kind": "order",
            "date": o.created_at.astimezone(tz(ctx.business.timezone)).date(),
            "order": o,
            "amount": o.total,
        }
        for o in orders
    ]
    history += [{"kind": "import", "date": tr.occurred_on, "tx": tr, "amount": tr.amount} for tr in imported]
    history.sort(key=lambda h: h["date"], reverse=True)
    imported_done = sum(1 for tr in imported if tr.status == "completed")
    open_orders = sum(1 for o in orders if o.status in ("draft", "awaiting_payment"))
    points = list(
        db.scalars(
            sa.select(LoyaltyEntry)
            .where(LoyaltyEntry.business_id == ctx.business_id, LoyaltyEntry.customer_id == c.id)
            .order_by(LoyaltyEntry.id.desc())
            .limit(30)
        )
    )
    rfm_history = customer_history(db, business_id=ctx.business_id, customer_id=c.id, limit=8)
    return render(
        ctx,
        request,
        "customer.html",
        active="customers",
        title=customers.display_name(c, lang=ctx.lang),
        c=c,
        conversations=conversations,
        orders=orders,
        points=points,
        errors={},
        history=history,
        imported_done=imported_done,
        open_orders=open_orders,
        rfm_history=rfm_history,
    )


@router.post("/app/pelanggan/{customer_id:int}", response_class=HTMLResponse)
def customer_update(customer_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    c = customers.get_customer(db, business_id=ctx.business_id, customer_id=customer_id)
    form = Form(form_data)
    values = {
        "name": form.text("name", required=True, max_len=200),
        "phone": form.text("phone", max_len=32) or None,
        "email": form.text("email", max_len=254) or None,
        "city": form.text("city", max_len=100) or None,
        "address": form.text("address", max_len=2000) or None,
        "notes": form.text("notes", max_len=5000),
        "tags": clean_tags(form.tags("tags")),
    }
    if form.ok:
        from niaga.kit.errors import AppError

        try:
            customers.update_customer(db, c, **values)
            flash(request, ctx.t("common.saved"))
            return redirect(f"/app/pelanggan/{c.id}", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
    flash(request, "; ".join(form.errors.values()), "error")
    return redirect(f"/app/pelanggan/{customer_id}", request)
