"""Agent API: one turn for integrations (n8n and others), the AI usage report and the embeddings endpoint
used by hybrid retrieval (admins)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from niaga.agent import llm
from niaga.agent.models import AiUsage
from niaga.agent.schemas import EmbeddingsIn, TurnIn
from niaga.agent.service import plan_and_phrase, record_reply, turn
from niaga.catalog import embedding_tasks
from niaga.customers.service import get_or_create_by_identity
from niaga.db.session import SessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import ValidationFailed
from niaga.kit.timeutil import local_today
from niaga.knowledge import embeddings
from niaga.knowledge.models import Embedding
from niaga.messaging import service as conversations
from niaga.tenancy import providers
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.service import audit, get_business

router = APIRouter(prefix="/api/v1", tags=["agent"])


@router.post("/agent/turn")
def agent_turn(body: TurnIn, principal: AdminDep, db: SessionDep) -> dict:
    """Run the agent on one message from `sender` on `channel` (the conversation continues per sender).
    The reply is stored as sent: the integration delivers it. `reply` is "" while staff own the chat.

    With a hosted language model the turn is split as the channel reply job splits it: the inbound message
    is committed, the turn is planned (read) and phrased with no transaction open, and recorded in a short
    write — the model's seconds never hold the database's writer. Offline, it is one transaction."""
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
    prephrased: llm.Prephrased | None = None
    split = conv.owner == "bot" and llm.wants_model(business_settings(business))
    if split:
        conv_id, msg_id = conv.id, msg.id
        db.commit()  # the inbound message is kept (as a webhook stores it); no transaction is open below
        prephrased = plan_and_phrase(conversation_id=conv_id, message_id=msg_id)
        db.expire_all()  # record: this short transaction reads the conversation as it is now
    t = turn(db, business=business, conversation=conv, message=msg, prephrased=prephrased, offline=split)
    record_reply(db, conversation=conv, t=t, meta={"via": "api", "provider": t.provider})
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


def embeddings_out(db: Any, business_id: int) -> dict[str, Any]:
    row = providers.get_row(db, business_id=business_id, kind=embeddings.PROVIDER_KIND)
    conf = dict(row.config or {}) if row is not None else {}
    counts = dict(
        db.execute(
            sa.select(Embedding.kind, sa.func.count(Embedding.id))
            .where(Embedding.business_id == business_id)
            .group_by(Embedding.kind)
        ).all()
    )
    return {
        "configured": row is not None,
        "is_enabled": bool(row and row.is_enabled),
        "base_url": conf.get("base_url"),
        "model": conf.get("model"),
        "timeout": conf.get("timeout"),
        "min_similarity": conf.get("min_similarity") or embeddings.DEFAULT_MIN_SIMILARITY,
        "has_api_key": bool(row and providers.secrets_of(row).get("api_key")),
        "vectors": {"product": int(counts.get("product", 0)), "knowledge": int(counts.get("knowledge", 0))},
    }


@router.get("/ai/embeddings")
def get_embeddings(principal: AdminDep, db: SessionDep) -> dict:
    """The embeddings endpoint (never its key) and how many rows have vectors."""
    return ok(embeddings_out(db, principal.business_id))


@router.put("/ai/embeddings")
def put_embeddings(body: EmbeddingsIn, principal: AdminDep, db: SessionDep) -> dict:
    """Set the OpenAI-compatible `/embeddings` endpoint; products and knowledge are embedded by a job."""
    base_url = body.base_url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", base_url):
        raise ValidationFailed(
            details={"base_url": "Harus alamat http:// atau https://, mis. http://127.0.0.1:11434/v1."}
        )
    model = body.model.strip()
    if not model:
        raise ValidationFailed(details={"model": "Model wajib diisi, mis. nomic-embed-text."})
    row = providers.get_row(db, business_id=principal.business_id, kind=embeddings.PROVIDER_KIND)
    stored = providers.secrets_of(row) if row is not None else {}
    if body.api_key:
        stored["api_key"] = body.api_key
    config: dict[str, Any] = {"base_url": base_url, "model": model}
    if body.timeout is not None:
        config["timeout"] = body.timeout
    if body.min_similarity is not None:
        config["min_similarity"] = body.min_similarity
    row = providers.save(
        db,
        business_id=principal.business_id,
        kind=embeddings.PROVIDER_KIND,
        config=config,
        secrets=stored,
        is_enabled=body.is_enabled,
    )
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="ai.embeddings.configure",
        entity_type="provider_config",
        entity_id=row.id,
        data={"model": model, "is_enabled": body.is_enabled, "api_key_changed": bool(body.api_key)},
    )
    if body.is_enabled:
        embedding_tasks.request_sync(db, business_id=principal.business_id)
    return ok(embeddings_out(db, principal.business_id))
