"""Agent API: one turn for integrations (n8n and others) and the AI usage report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from niaga.agent.models import AiUsage
from niaga.agent.schemas import TurnIn
from niaga.agent.service import turn
from niaga.customers.service import get_or_create_by_identity
from niaga.db.session import SessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import ValidationFailed
from niaga.kit.timeutil import local_today
from niaga.messaging import service as conversations
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.service import get_business

router = APIRouter(prefix="/api/v1", tags=["agent"])


@router.post("/agent/turn")
def agent_turn(body: TurnIn, principal: AdminDep, db: SessionDep) -> dict:
    """Run the agent on one message from `sender` on `channel` (the conversation continues per sender).
    The reply is stored as sent: the integration delivers it. `reply` is "" while staff own the chat."""
    business = get_business(db, principal.business_id)
    customer = get_or_create_by_identity(
        db, business_id=business.id, channel=body.channel, external_id=body.sender, name=body.name
    )
    conv = conversations.get_or_open(
        db, business_id=business.id, customer_id=customer.id, channel=body.channel, chat_id=body.sender
    )
    msg = conversations.record_inbound(
        db, conversation=conv, text=body.text, provider_message_id=body.provider_message_id
    )
    if msg is None:
        return ok(
            {
                "duplicate": True,
                "conversation_id": conv.id,
                "intent": None,
                "entities": {},
                "reply": "",
                "handoff": conv.owner == "staff",
            }
        )
    t = turn(db, business=business, conversation=conv, message=msg)
    if t.reply:
        conversations.record_outbound(
            db,
            conversation=conv,
            text=t.reply,
            intent=t.intent,
            delivery_status="sent",
            tokens=t.tokens,
            meta={"via": "api", "provider": t.provider},
        )
    return ok({"conversation_id": conv.id, "duplicate": False, **t.public()})


@router.get("/ai/usage")
def ai_usage(
    principal: StaffDep,
    db: SessionDep,
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
) -> dict:
    """Tokens, requests, failures and cost per day/provider/model (default: the last 30 days)."""
    business = get_business(db, principal.business_id)
    to = date_to or local_today(business.timezone)
    frm = date_from or (to - timedelta(days=29))
    if frm > to:
        raise ValidationFailed(details={"from": "Tanggal awal harus sebelum tanggal akhir."})
    rows = db.scalars(
        sa.select(AiUsage)
        .where(AiUsage.business_id == principal.business_id, AiUsage.day >= frm, AiUsage.day <= to)
        .order_by(AiUsage.day, AiUsage.provider)
    ).all()
    items: list[dict[str, Any]] = [
        {
            "day": r.day.isoformat(),
            "provider": r.provider,
            "model": r.model,
            "requests": r.requests,
            "failures": r.failures,
            "prompt_tokens": r.prompt_tokens,
            "completion_tokens": r.completion_tokens,
            "cost_usd": round(r.cost_micro_usd / 1_000_000, 6),
        }
        for r in rows
    ]
    totals = {
        k: sum(i[k] for i in items) for k in ("requests", "failures", "prompt_tokens", "completion_tokens")
    }
    totals["cost_usd"] = round(sum(r.cost_micro_usd for r in rows) / 1_000_000, 6)
    return ok({"from": frm.isoformat(), "to": to.isoformat(), "items": items, "totals": totals})
