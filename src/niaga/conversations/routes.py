"""Inbox API: read conversations and messages, take a conversation over from the bot, reply as staff,
hand it back. Another business's conversation id is a 404."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query

from niaga.conversations import service
from niaga.conversations.schemas import StaffReplyIn, TakeoverIn
from niaga.db.session import SessionDep
from niaga.jobs.registry import REGISTRY
from niaga.kit.envelope import Page, ok, page_params
from niaga.tenancy.auth import StaffDep

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])

SEND_JOB = "channels.send_message"


@router.get("")
def list_conversations(principal: StaffDep, db: SessionDep, page: Page = Depends(page_params),
                       owner: str | None = Query(None, pattern="^(bot|staff)$"),
                       status: str | None = Query(None, pattern="^(open|closed)$"),
                       customer_id: int | None = None) -> dict:
    rows, total = service.list_conversations(db, business_id=principal.business_id, owner=owner, status=status,
                                             customer_id=customer_id, offset=page.offset, limit=page.limit)
    return ok([service.conversation_out(c) for c in rows], page.meta(total))


@router.get("/{conversation_id}")
def get_conversation(conversation_id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(service.conversation_out(service.get(db, business_id=principal.business_id,
                                                   conversation_id=conversation_id)))


@router.get("/{conversation_id}/messages")
def list_messages(conversation_id: int, principal: StaffDep, db: SessionDep,
                  limit: int = Query(50, ge=1, le=500), before_id: int | None = None) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    return ok([service.message_out(m) for m in service.list_messages(db, conversation=conv, limit=limit,
                                                                       before_id=before_id)])


@router.post("/{conversation_id}/takeover")
def takeover(conversation_id: int, principal: StaffDep, db: SessionDep,
             body: TakeoverIn | None = Body(None)) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    service.do_takeover(db, conversation=conv, user_id=principal.user_id, reason=(body.reason if body else "staff"))
    return ok(service.conversation_out(conv))


@router.post("/{conversation_id}/handback")
def handback(conversation_id: int, principal: StaffDep, db: SessionDep) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    service.do_handback(db, conversation=conv, user_id=principal.user_id)
    return ok(service.conversation_out(conv))


@router.post("/{conversation_id}/messages", status_code=201)
def staff_reply(conversation_id: int, body: StaffReplyIn, principal: StaffDep, db: SessionDep) -> dict:
    """Store a staff reply and, when a channel sender is installed, queue it for sending. Replying does not
    take the conversation over by itself; use /takeover to silence the bot."""
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    if SEND_JOB not in REGISTRY:
        from niaga.jobs.registry import load_all

        load_all()
    can_send = SEND_JOB in REGISTRY
    msg = service.record_outbound(db, conversation=conv, text=body.text.strip(), sender_type="staff",
                                  sender_user_id=principal.user_id,
                                  delivery_status="queued" if can_send else "sent",
                                  meta={} if can_send else {"note": "no channel sender installed"})
    job_id = None
    if can_send:
        from niaga.jobs.runner import enqueue

        job_id = enqueue(db, SEND_JOB, business_id=principal.business_id, message_id=msg.id,
                         idempotency_key=f"send-message-{msg.id}").id
    return ok({"message": service.message_out(msg), "job_id": job_id})
