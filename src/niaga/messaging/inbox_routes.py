"""Staff inbox API: the conversation list (filters, search, pages), read markers, and the live event stream
for the dashboard. Replying, takeover and handback live in `niaga.messaging.routes`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from niaga.customers.models import Customer
from niaga.db.engine import new_session
from niaga.db.session import SessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.kit.errors import Forbidden, NotFound
from niaga.messaging.events import publish_after_commit, sse_stream
from niaga.messaging.models import Conversation
from niaga.messaging.serialize import conversation_out as base_out
from niaga.messaging.service import list_conversations
from niaga.tenancy.auth import StaffDep, authenticate

router = APIRouter(tags=["inbox"])


def conversation_out(conv: Conversation, customer: Customer | None) -> dict[str, Any]:
    """The conversation as `niaga.messaging.serialize.conversation_out` shows it, plus its customer."""
    return {
        **base_out(conv),
        "customer": {"id": customer.id, "name": customer.name, "phone": customer.phone} if customer else None,
    }


@router.get("/api/v1/conversations", name="inbox_list_conversations")
def get_conversations(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    channel: str | None = Query(None, pattern="^(whatsapp|telegram|web|api|cli|email)$"),
    owner: str | None = Query(None, pattern="^(bot|staff)$"),
    status: str | None = Query(None, pattern="^(open|closed|unreachable)$"),
    unread: bool | None = Query(None),
    search: str | None = Query(None, max_length=100),
    customer_id: int | None = None,
) -> dict:
    rows, total = list_conversations(
        db,
        business_id=principal.business_id,
        channel=channel,
        owner=owner,
        unread=unread,
        status=status,
        search=search,
        customer_id=customer_id,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([conversation_out(c, cu) for c, cu in rows], page.meta(total or 0))


@router.post("/api/v1/conversations/{conversation_id}/read")
def mark_read(conversation_id: int, principal: StaffDep, db: SessionDep) -> dict:
    conv = db.scalars(
        sa.select(Conversation).where(
            Conversation.id == conversation_id, Conversation.business_id == principal.business_id
        )
    ).first()
    if conv is None:
        raise NotFound("Percakapan tidak ditemukan.", code="conversation_not_found")
    if conv.unread_count:
        conv.unread_count = 0
        db.flush()
        publish_after_commit(
            db,
            conv.business_id,
            "conversation.updated",
            conversation_id=conv.id,
            unread_count=0,
            owner=conv.owner,
        )
    customer = db.get(Customer, conv.customer_id)
    return ok(conversation_out(conv, customer))


@router.get("/api/v1/events")
async def events(request: Request) -> StreamingResponse:
    """Live dashboard events (SSE): `message.created`, `message.updated`, `conversation.updated`, … with a
    comment line every 15 s. Authenticated by bearer token or the dashboard cookie; the database session
    is closed before streaming starts."""

    def auth() -> int:
        with new_session(readonly=True) as db:
            principal = authenticate(request, db)
            if not principal.has_role("staff"):
                raise Forbidden()
            return principal.business_id

    business_id = await run_in_threadpool(auth)
    return StreamingResponse(
        sse_stream(business_id, is_disconnected=request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
