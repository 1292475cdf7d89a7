"""Inbox: conversations list with live updates (SSE), a conversation's thread, staff reply, take over /
hand back, and the customer panel."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from niaga.catalog.service import clean_tags
from niaga.customers.models import Customer, CustomerIdentity
from niaga.db.engine import new_session
from niaga.files import service as files
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.messaging import events
from niaga.messaging import service as conversations
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.orders.models import Order
from niaga.web.core import Ctx, FormDep, LoginRequired, WebDb, form_str, load_ctx, post_ctx, redirect, render

log = get_logger("niaga.web.inbox")
router = APIRouter()
LIST_LIMIT = 60
THREAD_LIMIT = 200
KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 2.0


# --- queries ------------------------------------------------------------------------------------------


def _inbox_rows(
    db: Session, *, business_id: int, owner: str | None = None, unread: bool = False, q: str | None = None
) -> list[tuple[Conversation, Customer]]:
    """The dashboard's filters over `messaging.service.list_conversations` (the one list)."""
    rows, _ = conversations.list_conversations(
        db,
        business_id=business_id,
        owner=owner if owner in ("bot", "staff") else None,
        unread=True if unread else None,
        search=q,
        limit=LIST_LIMIT,
        count=False,
    )
    return rows


def get_conversation(db: Session, *, business_id: int, conversation_id: int) -> Conversation:
    conv = db.scalars(
        sa.select(Conversation).where(
            Conversation.id == conversation_id, Conversation.business_id == business_id
        )
    ).first()
    if conv is None:
        raise NotFound("Percakapan tidak ditemukan.", code="conversation_not_found")
    return conv


def thread(db: Session, conv: Conversation, limit: int = THREAD_LIMIT) -> list[Message]:
    # `conv` was loaded scoped to the business; filtering on the conversation alone lets the planner use
    # the (conversation_id, id) index instead of the business_id one.
    rows = list(
        db.scalars(
            sa.select(Message)
            .where(Message.conversation_id == conv.id)
            .order_by(Message.id.desc())
            .limit(limit)
        )
    )
    rows.reverse()
    return rows


# --- actions (conversations.service / integrations.service) ------------------------------------------


def do_take_over(db: Session, ctx: Ctx, conv: Conversation) -> None:
    conversations.do_takeover(db, conversation=conv, user_id=ctx.user.id, reason="staff")


def do_hand_back(db: Session, ctx: Ctx, conv: Conversation) -> None:
    conversations.do_handback(db, conversation=conv, user_id=ctx.user.id)


def do_staff_reply(db: Session, ctx: Ctx, conv: Conversation, text: str) -> Message:
    """Record the staff message and queue its delivery on the customer's channel (job channels.send_message).
    A staff reply means staff is handling the chat now, so the bot is silenced first."""
    if conv.owner != "staff":
        do_take_over(db, ctx, conv)
    return do_send(db, conversation=conv, text=text, sender_type="staff", sender_user_id=ctx.user.id)


def do_mark_read(db: Session, conv: Conversation) -> None:
    if conv.unread_count:
        from niaga.messaging import service as conversations

        conversations.do_mark_read(db, conversation=conv)


# --- pages --------------------------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, Any]:
    qp = request.query_params
    return {
        "owner": qp.get("owner") or "",
        "unread": qp.get("unread") == "1",
        "q": (qp.get("q") or "").strip(),
    }


def _list_src(f: dict[str, Any], current: int | None) -> str:
    from urllib.parse import urlencode

    params = {
        k: v
        for k, v in {
            "owner": f["owner"],
            "unread": "1" if f["unread"] else "",
            "q": f["q"],
            "current": current or "",
        }.items()
        if v
    }
    return "/app/inbox/list" + ("?" + urlencode(params) if params else "")


@router.get("/app/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    f = _filters(request)
    rows = _inbox_rows(db, business_id=ctx.business_id, owner=f["owner"], unread=f["unread"], q=f["q"])
    return render(
        ctx,
        request,
        "inbox.html",
        active="inbox",
        title=ctx.t("nav.inbox"),
        rows=rows,
        f=f,
        conv=None,
        list_src=_list_src(f, None),
        current_id=None,
    )


@router.get("/app/inbox/list", response_class=HTMLResponse)
def inbox_list(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    f = _filters(request)
    rows = _inbox_rows(db, business_id=ctx.business_id, owner=f["owner"], unread=f["unread"], q=f["q"])
    current = request.query_params.get("current")
    return render(
        ctx,
        request,
        "_conv_list.html",
        rows=rows,
        current_id=int(current) if current and current.isdigit() else None,
    )


def _customer_panel(db: Session, ctx: Ctx, conv: Conversation) -> dict[str, Any]:
    customer = db.scalars(
        sa.select(Customer).where(Customer.id == conv.customer_id, Customer.business_id == ctx.business_id)
    ).first()
    orders: list[Order] = []
    identities: list[CustomerIdentity] = []
    if customer is not None:
        orders = list(
            db.scalars(
                sa.select(Order)
                .where(Order.business_id == ctx.business_id, Order.customer_id == customer.id)
                .order_by(Order.created_at.desc(), Order.id.desc())
                .limit(5)
            )
        )
        identities = list(customer.identities)
    return {"customer": customer, "orders": orders, "identities": identities}


@router.get("/app/inbox/{conversation_id}", response_class=HTMLResponse)
def conversation_page(conversation_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    f = _filters(request)
    rows = _inbox_rows(db, business_id=ctx.business_id, owner=f["owner"], unread=f["unread"], q=f["q"])
    return render(
        ctx,
        request,
        "inbox.html",
        active="inbox",
        title=ctx.t("nav.inbox"),
        rows=rows,
        f=f,
        conv=conv,
        messages=thread(db, conv),
        list_src=_list_src(f, conv.id),
        current_id=conv.id,
        **_customer_panel(db, ctx, conv),
    )


@router.get("/app/inbox/{conversation_id}/thread", response_class=HTMLResponse)
def conversation_thread(conversation_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    return render(ctx, request, "_thread.html", conv=conv, messages=thread(db, conv))


@router.post("/app/inbox/{conversation_id}/read")
def conversation_read(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    do_mark_read(db, conv)
    return Response(status_code=204)


@router.post("/app/inbox/{conversation_id}/reply", response_class=HTMLResponse)
def conversation_reply(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    text = form_str(form, "text")
    error = ""
    if not text:
        error = "Balasan tidak boleh kosong." if ctx.lang == "id" else "The reply cannot be empty."
    elif len(text) > 4000:
        error = (
            "Balasan terlalu panjang (maks. 4000 karakter)."
            if ctx.lang == "id"
            else "Reply too long (max 4000)."
        )
    if not error:
        try:
            do_staff_reply(db, ctx, conv, text)
        except ValidationFailed as exc:
            error = exc.message
    if request.headers.get("hx-request"):
        db.flush()
        response = render(
            ctx, request, "_thread.html", conv=conv, messages=thread(db, conv), reply_error=error
        )
        if not error:
            response.headers["HX-Trigger"] = "reply-sent"
        return response
    if error:
        from niaga.web.core import flash

        flash(request, error, "error")
    return redirect(f"/app/inbox/{conv.id}", request)


@router.post("/app/inbox/{conversation_id}/ambil-alih")
def conversation_take_over(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    if conv.owner != "staff":
        do_take_over(db, ctx, conv)
    return redirect(f"/app/inbox/{conv.id}", request)


@router.post("/app/inbox/{conversation_id}/kembalikan")
def conversation_hand_back(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    if conv.owner != "bot":
        do_hand_back(db, ctx, conv)
    return redirect(f"/app/inbox/{conv.id}", request)


@router.post("/app/inbox/{conversation_id}/catatan")
def conversation_notes(conversation_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form)
    conv = get_conversation(db, business_id=ctx.business_id, conversation_id=conversation_id)
    customer = db.scalars(
        sa.select(Customer).where(Customer.id == conv.customer_id, Customer.business_id == ctx.business_id)
    ).first()
    if customer is not None:
        from niaga.customers.service import update_customer

        update_customer(
            db,
            customer,
            notes=form_str(form, "notes")[:5000],
            tags=clean_tags(form_str(form, "tags").split(",")),
        )
        from niaga.web.core import flash

        flash(request, ctx.t("common.saved"))
    return redirect(f"/app/inbox/{conv.id}", request)


@router.get("/app/inbox/{conversation_id}/lampiran/{message_id}/{index}")
def attachment(conversation_id: int, message_id: int, index: int, request: Request, db: WebDb) -> Response:
    """A stored attachment (only files under NIAGA_HOME/files, only this business's messages)."""
    ctx = load_ctx(request, db, "staff")
    msg = db.scalars(
        sa.select(Message).where(
            Message.id == message_id,
            Message.business_id == ctx.business_id,
            Message.conversation_id == conversation_id,
        )
    ).first()
    if msg is None or index < 0 or index >= len(msg.media or []):
        raise NotFound()
    item = msg.media[index] if isinstance(msg.media[index], dict) else {}
    if item.get("url") and not item.get("path"):
        return redirect(str(item["url"]))
    path = files.owned_path(ctx.business_id, str(item.get("path") or ""))  # only this business's folders
    if path is None:
        raise NotFound()
    return FileResponse(
        path,
        media_type=item.get("mimetype") or "application/octet-stream",
        filename=item.get("filename") or path.name,
    )


# --- live updates -----------------------------------------------------------------------------------------


def _latest_marker(business_id: int) -> str:
    """A cheap fingerprint of the inbox (indexed max + the newest update) for processes that do not
    share the in-process event bus (a separate worker without the Redis bridge)."""
    db = new_session(readonly=True)
    try:
        row = db.execute(
            sa.select(sa.func.max(Conversation.last_message_at), sa.func.max(Conversation.updated_at)).where(
                Conversation.business_id == business_id
            )
        ).one()
        return f"{row[0]}|{row[1]}"
    finally:
        db.close()


def _sse_principal(request: Request) -> int:
    db = new_session(readonly=True)
    try:
        ctx = load_ctx(request, db, "staff")
        return ctx.business_id
    finally:
        db.close()


@router.get("/app/events")
async def live_events(request: Request) -> Response:
    """Server-sent events for the open dashboard page: every conversation/message/order event of the
    business is relayed as `event: inbox`. A keep-alive comment goes out every 15 s."""
    try:
        business_id = await asyncio.to_thread(_sse_principal, request)
    except LoginRequired:
        return Response(status_code=401)

    async def stream() -> AsyncIterator[bytes]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=500)

        async def pump() -> None:
            async for event in events.subscribe(business_id):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(event)

        task = asyncio.create_task(pump())
        marker = await asyncio.to_thread(_latest_marker, business_id)
        waited = 0.0
        try:
            yield b"retry: 2000\n: connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        break
                    waited += POLL_SECONDS
                    current = await asyncio.to_thread(_latest_marker, business_id)
                    if current != marker:
                        marker = current
                        yield b'event: inbox\ndata: {"type": "inbox.changed"}\n\n'
                        waited = 0.0
                    elif waited >= KEEPALIVE_SECONDS:
                        yield b": keep-alive\n\n"
                        waited = 0.0
                    continue
                data = {
                    k: v for k, v in event.items() if k in ("type", "conversation_id", "order_id", "status")
                }
                yield f"event: inbox\ndata: {json.dumps(data, default=str)}\n\n".encode()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
