"""Pesanan: list with status filters, detail with lines, payments, timeline and invoice download, the
payment dialog (cash with change, transfer with proof, QRIS) and the state actions a role may take.
State changes and payments go through `niaga.orders.service`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from niaga.customers.models import Customer
from niaga.customers.service import display_names
from niaga.files import service as files
from niaga.kit.errors import AppError, NotFound
from niaga.kit.money import format_rupiah
from niaga.orders import service as orders
from niaga.orders.invoices import get_invoice, read_pdf
from niaga.orders.models import ORDER_STATES, Order
from niaga.web import order_shipping
from niaga.web.core import Ctx, FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render
from niaga.web.forms import Form
from niaga.web.i18n import method_label

router = APIRouter()
PAGE_SIZE = 25
PROOF_TYPES = files.PROOF_TYPES
MAX_PROOF_BYTES = files.MAX_PROOF_BYTES
# Transitions staff may make from the order page; refunds and reinstating an expired order need an admin.
ADMIN_ONLY = {"refunded"}
ADMIN_ONLY_FROM = {("expired", "paid")}
MANUAL_EXCLUDED = {"paid", "expired"}  # `paid` comes from recording money; `expired` from the expiry job


def allowed_actions(ctx: Ctx, order: Order) -> list[str]:
    out = []
    for to in sorted(orders.TRANSITIONS.get(order.status, ()), key=ORDER_STATES.index):
        if to in MANUAL_EXCLUDED and (order.status, to) not in ADMIN_ONLY_FROM:
            continue
        if (to in ADMIN_ONLY or (order.status, to) in ADMIN_ONLY_FROM) and not ctx.can("admin"):
            continue
        out.append(to)
    return out


@router.get("/app/pesanan", response_class=HTMLResponse)
def orders_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    qp = request.query_params
    status = qp.get("status") or ""
    if status and status not in ORDER_STATES and status != "open":
        status = ""
    q = (qp.get("q") or "").strip()
    raw_page = qp.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isdigit() else 1
    flagged = True if qp.get("flagged") == "1" else None
    rows, total = orders.list_orders(
        db,
        business_id=ctx.business_id,
        status="draft,awaiting_payment" if status == "open" else status or None,
        q=q or None,
        flagged=flagged,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    ids = {o.customer_id for o in rows if o.customer_id}
    names = display_names(db, business_id=ctx.business_id, ids=list(ids), lang=ctx.lang)
    counts = dict(
        db.execute(
            sa.select(Order.status, sa.func.count())
            .where(Order.business_id == ctx.business_id)
            .group_by(Order.status)
        ).all()
    )
    return render(
        ctx,
        request,
        "orders.html",
        active="orders",
        title=ctx.t("ord.title"),
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        status=status,
        q=q,
        names=names,
        counts=counts,
        states=ORDER_STATES,
    )


def _detail(
    ctx: Ctx,
    request: Request,
    db: Any,
    order: Order,
    *,
    pay_errors: dict[str, str] | None = None,
    pay_values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    customer = (
        db.scalars(
            sa.select(Customer).where(
                Customer.id == order.customer_id, Customer.business_id == ctx.business_id
            )
        ).first()
        if order.customer_id
        else None
    )

    outstanding = max(order.total - order.paid_amount, 0)
    return render(
        ctx,
        request,
        "order.html",
        status_code=status_code,
        active="orders",
        title=order.number,
        o=order,
        customer=customer,
        payments=orders.payments_of(db, order),
        events=orders.timeline(db, order),
        invoice=get_invoice(db, order=order),
        actions=allowed_actions(ctx, order),
        outstanding=outstanding,
        pay_errors=pay_errors or {},
        pay_values=pay_values or {"method": "cash", "amount": outstanding},
        payable=order.status in ("draft", "awaiting_payment") and outstanding > 0,
        ship=order_shipping.form_context(db, ctx.business_id, order),
    )


@router.get("/app/pesanan/{order_id:int}", response_class=HTMLResponse)
def order_page(order_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)
    return _detail(ctx, request, db, order)


def _store_proof(ctx: Ctx, db: Session, upload: UploadFile, form: Form) -> dict[str, Any] | None:
    data = upload.file.read(MAX_PROOF_BYTES + 1)
    mimetype = (upload.content_type or "").split(";")[0].strip().lower()
    if len(data) > MAX_PROOF_BYTES:
        form.errors["proof"] = "Ukuran bukti maksimal 10 MB."
        return None
    if mimetype not in PROOF_TYPES or not data:
        form.errors["proof"] = "Bukti transfer harus foto (JPG/PNG/WEBP) atau PDF."
        return None
    row = files.save(
        db,
        business_id=ctx.business_id,
        data=data,
        filename=upload.filename,
        mimetype=mimetype,
        kind="payment_proof",
    )
    return files.ref(row)


@router.post("/app/pesanan/{order_id:int}/bayar", response_class=HTMLResponse)
def order_pay(order_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)
    form = Form(form_data)
    method = form.raw("method")
    if method not in ("cash", "transfer", "qris"):
        form.errors["method"] = "Pilih metode pembayaran."
    amount = form.money("amount", required=True, label="jumlah bayar")
    if amount is not None and amount <= 0:
        form.errors["amount"] = "Jumlah bayar harus lebih dari 0."
    tendered = None
    if method == "cash":
        tendered = form.money("tendered", required=True, label="uang diterima")
        if tendered is not None and amount is not None and tendered < amount:
            form.errors["tendered"] = (
                f"Uang diterima {format_rupiah(tendered)} kurang dari jumlah bayar {format_rupiah(amount)}."
            )
    reference = form.text("reference", max_len=128) or None
    note = form.text("note", max_len=500)
    proof: list[dict[str, Any]] = []
    upload = form_data.get("proof")
    if method == "transfer":
        if isinstance(upload, UploadFile) and upload.filename:
            if form.ok:
                stored = _store_proof(ctx, db, upload, form)
                if stored:
                    proof.append(stored)
        else:
            form.errors["proof"] = "Unggah bukti transfer."
    if form.ok:
        try:
            payment = orders.do_record_payment(
                db,
                order=order,
                method=method,
                actor=orders.Actor("user", ctx.user.id),
                amount=amount,
                tendered=tendered,
                proof=proof,
                reference=reference,
                note=note,
            )
            msg = f"Pembayaran {format_rupiah(payment.amount)} ({method_label(method, ctx.lang)}) tercatat."
            if payment.change:
                msg += f" Kembalian {format_rupiah(payment.change)}."
            flash(request, msg)
            return redirect(f"/app/pesanan/{order.id}", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
            order = orders.get(db, business_id=ctx.business_id, order_id=order_id)
    return _detail(ctx, request, db, order, pay_errors=form.errors, pay_values=form.values, status_code=422)


@router.post("/app/pesanan/{order_id:int}/status", response_class=HTMLResponse)
def order_status(order_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)
    to = form_data.get("to") if isinstance(form_data.get("to"), str) else ""
    if to not in allowed_actions(ctx, order):
        if to in orders.TRANSITIONS.get(order.status, ()):
            from niaga.web.core import NoAccess

            raise NoAccess()
        flash(request, "Perubahan status ini tidak diizinkan.", "error")
        return redirect(f"/app/pesanan/{order.id}", request)
    note = (form_data.get("note") or "").strip() if isinstance(form_data.get("note"), str) else ""
    try:
        orders.do_transition(db, order=order, to=to, actor=orders.Actor("user", ctx.user.id), note=note[:500])
        flash(request, f"Status pesanan {order.number}: {to}.")
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
    return redirect(f"/app/pesanan/{order_id}", request)


@router.get("/app/pesanan/{order_id:int}/invoice")
def order_invoice(order_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)

    filename, data = read_pdf(db, order=order)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/app/pesanan/{order_id:int}/bukti/{payment_id:int}/{index:int}")
def payment_proof(order_id: int, payment_id: int, index: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    order = orders.get(db, business_id=ctx.business_id, order_id=order_id)
    from fastapi.responses import FileResponse

    payment = next((p for p in orders.payments_of(db, order) if p.id == payment_id), None)
    if payment is None or index < 0 or index >= len(payment.proof or []):
        raise NotFound()
    item = payment.proof[index] if isinstance(payment.proof[index], dict) else {}
    # By server-issued id, scoped to this business; an entry without one (a link) is not a file we serve.
    row = files.get(db, business_id=ctx.business_id, file_id=item.get("file_id"))
    return FileResponse(files.open_path(row), media_type=row.mimetype, filename=row.filename)
