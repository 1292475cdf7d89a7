"""Inbox → the customer's name, edited in place beside the conversation (web visitors and new WhatsApp numbers
arrive without one)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from niaga.customers import service as customers
from niaga.customers.models import Customer
from niaga.web.core import FormDep, WebDb, flash, form_str, post_ctx, redirect
from niaga.web.inbox import get_conversation

router = APIRouter()


@router.post("/app/inbox/{conversation_id:int}/nama")
def rename_customer(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    customer = db.scalars(
        sa.select(Customer).where(Customer.id == conv.customer_id, Customer.business_id == ctx.business_id)
    ).first()
    name = " ".join(form_str(form, "name").split())
    if customer is None:
        flash(request, ctx.t("common.none"), "error")
    elif not name:
        flash(request, "Nama tidak boleh kosong.", "error")
    elif len(name) > 200:
        flash(request, "Nama maksimal 200 karakter.", "error")
    else:
        customers.update_customer(db, customer, name=name)
        flash(request, ctx.t("cust.name_saved"))
    return redirect(f"/app/inbox/{conv.id}", request)
