"""Inbox API: read conversations and messages, take a conversation over from the bot, reply as staff,
hand it back. Another business's conversation id is a 404."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query

from niaga.db.session import SessionDep
from niaga.kit.envelope import ok
from niaga.messaging import service
from niaga.messaging.delivery import queue_delivery
from niaga.messaging.schemas import StaffReplyIn, TakeoverIn
from niaga.messaging.serialize import conversation_out, message_out
from niaga.tenancy.auth import StaffDep

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


@router.get("/{conversation_id}")
def get_conversation(conversation_id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(
        conversation_out(service.get(db, business_id=principal.business_id, conversation_id=conversation_id))
    )


@router.get("/{conversation_id}/messages")
def list_messages(
    conversation_id: int,
    principal: StaffDep,
    db: SessionDep,
    limit: int = Query(50, ge=1, le=500),
    before_id: int | None = None,
) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    return ok(
        [
            message_out(m)
            for m in service.list_messages(db, conversation=conv, limit=limit, before_id=before_id)
        ]
    )


@router.post("/{conversation_id}/takeover")
def takeover(
    conversation_id: int, principal: StaffDep, db: SessionDep, body: TakeoverIn | None = Body(None)
) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    service.do_takeover(
        db, conversation=conv, user_id=principal.user_id, reason=(body.reason if body else "staff")
    )
    return ok(conversation_out(conv))


@router.post("/{conversation_id}/handback")
def handback(conversation_id: int, principal: StaffDep, db: SessionDep) -> dict:
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    service.do_handback(db, conversation=conv, user_id=principal.user_id)
    return ok(conversation_out(conv))


@router.post("/{conversation_id}/messages", status_code=201)
def staff_reply(conversation_id: int, body: StaffReplyIn, principal: StaffDep, db: SessionDep) -> dict:
    """Store a staff reply and, when a channel sender is installed, queue it for sending. Replying does not
    take the conversation over by itself; use /takeover to silence the bot."""
    conv = service.get(db, business_id=principal.business_id, conversation_id=conversation_id)
    # The same path bots and other domains use: record the message, then one durable delivery job per message.
    msg = service.record_outbound(
        db,
        conversation=conv,
        text=body.text.strip(),
        sender_type="staff",
        sender_user_id=principal.user_id,
        delivery_status="queued",
    )
    job_id = queue_delivery(db, msg).id
    return ok({"message": message_out(msg), "job_id": job_id})
