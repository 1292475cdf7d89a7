"""One agent turn: understand the customer's message, call tools over live data, reply.

Caller contract (channels inbound job, `niaga chat`, `POST /api/v1/agent/turn`):

    msg = conversations.service.record_inbound(db, conversation=conv, text=...)   # None → duplicate, stop
    t = agent.service.turn(db, business=b, conversation=conv, message=msg)
    if t.reply:
        conversations.service.record_outbound(db, conversation=conv, text=t.reply, intent=t.intent, ...)
        ... enqueue the channel send ...
    # t.reply == "" means: say nothing. That happens while staff own the conversation (t.handoff is True,
    # t.silent is True); staff were already notified when the handoff happened.

`turn()` never sends and never stores the reply; it updates `conversation.memory`/`summary`, the inbound
message's intent/entities, and may hand the conversation to staff (owner="staff", event published after
commit). It never raises for bad input: an unexpected error gives a polite fallback reply.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.agent import llm, messages, nlu, planner, replies
from niaga.agent.memory import ConversationMemory
from niaga.agent.responder import Voice
from niaga.agent.tools import ToolContext, known_cities, run_tool
from niaga.catalog import search as catalog_search
from niaga.customers.models import Customer
from niaga.db.engine import new_session
from niaga.kit.timeutil import local_now
from niaga.knowledge import search as knowledge_search
from niaga.messaging import service as conversations
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.publishing import broadcast
from niaga.tenancy.models import Business

log = get_logger("niaga.agent")

HISTORY = 10
SUMMARY_LINES = 30

# Injectable clock (tests pin the time of day / opening hours).
now_fn: Callable[[str], datetime] = local_now


@dataclass
class Turn:
    intent: str
    entities: dict[str, Any]
    reply: str
    handoff: bool = False
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    language: str = "id"
    provider: str = "offline"
    silent: bool = False
    guard_override: bool = False
    ms: float = 0.0
    # Set by a plan-only turn (`plan_only=True`) when a language model should phrase the reply.
    phrase_request: llm.PhraseRequest | None = None

    def public(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "entities": self.entities,
            "reply": self.reply,
            "handoff": self.handoff,
            "language": self.language,
            "tokens": self.tokens,
            "provider": self.provider,
            "tool_calls": [{"name": c["name"], "args": c["args"]} for c in self.tool_calls],
        }


def _voice(business: Business, settings: dict[str, Any], lang: str, seed: int, first: bool) -> Voice:
    agent = settings.get("agent", {})
    return Voice(
        lang=lang,
        business_name=business.name,
        persona=agent.get("persona_name") or "",
        greeting=agent.get("greeting") or "",
        address=agent.get("address_customer_as") or "kak",
        now=now_fn(business.timezone),
        hours=settings.get("hours") or {},
        rng=random.Random(seed),
        first_turn=first,
    )


@dataclass(frozen=True)
class HistoryItem:
    """What a turn reads of an earlier message (the conversation's history, oldest first)."""

    id: int
    direction: str
    sender_type: str
    text: str | None
    intent: str | None


def recent_messages(db: Session, conversation: Conversation, limit: int = HISTORY) -> list[HistoryItem]:
    """The latest `limit` messages, oldest first: one select of the columns a turn reads, no ORM objects
    (pending changes are flushed first, as for any ORM select)."""
    db.flush()  # a Core statement does not autoflush
    rows = db.execute(
        _HISTORY, {"business_id": conversation.business_id, "conversation_id": conversation.id, "n": limit}
    ).all()
    return [HistoryItem(*row) for row in reversed(rows)]


_MESSAGES: Any = Message.__table__
# Built once (a Core statement over the table: no ORM compile step or cache-key work per turn).
_HISTORY = (
    sa.select(
        _MESSAGES.c.id, _MESSAGES.c.direction, _MESSAGES.c.sender_type, _MESSAGES.c.text, _MESSAGES.c.intent
    )
    .where(
        _MESSAGES.c.business_id == sa.bindparam("business_id"),
        _MESSAGES.c.conversation_id == sa.bindparam("conversation_id"),
    )
    .order_by(_MESSAGES.c.id.desc())
    .limit(sa.bindparam("n"))
)


def _ingest_staff_messages(ctx: ToolContext, history: list[HistoryItem], memory: ConversationMemory) -> None:
    """Staff replies enter memory: products they mention become the products in focus."""
    seen = int(memory.get("seen_staff_id") or 0)
    for m in history:
        if m.sender_type == "staff" and m.id > seen and m.text:
            hits = catalog_search.search_products(
                ctx.db,
                business_id=ctx.business_id,
                query=m.text,
                limit=3,
                extra_stopwords=planner.NON_PRODUCT_WORDS,
            )
            good = [h for h in hits if len(h.matched) >= 2 and h.score >= 0.6 * hits[0].score]
            if good:
                memory["focus"] = [h.product_id for h in good[:1]]
                memory["focus_skus"] = [h.sku for h in good[:1]]
                memory["last_intent"] = memory.get("last_intent") or "product_query"
            memory["seen_staff_id"] = m.id


def tool_runner(*, business_id: int, conversation_id: int) -> llm.ToolRunner:
    """Model tool calls during the phrase step: each one reads in its own short session (rolled back: the
    model's tools only read), so no transaction stays open while the model thinks."""

    def run(name: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        db = new_session()
        try:
            business = db.get(Business, business_id)
            if business is None:
                return {"error": "business gone"}, []
            ctx = ToolContext(db=db, business=business, conversation=db.get(Conversation, conversation_id))
            result = run_tool(ctx, name, args)
            return result, list(ctx.calls)
        finally:
            db.rollback()
            db.close()

    return run


def recall_earlier(db: Session, conversation: Conversation, *, limit: int = 3) -> list[dict[str, Any]]:
    """What this customer talked about in their other conversations (other channels, earlier threads):
    products in focus, last intent and the running summary — used to resolve a follow-up that has no
    context here, and given to a language model as background."""
    rows = db.scalars(
        sa.select(Conversation)
        .where(
            Conversation.business_id == conversation.business_id,
            Conversation.customer_id == conversation.customer_id,
            Conversation.id != conversation.id,
        )
        .order_by(Conversation.last_message_at.desc().nulls_last())
        .limit(limit)
    ).all()
    return [
        {
            "conversation_id": c.id,
            "channel": c.channel,
            "focus": (c.memory or {}).get("focus") or [],
            "last_intent": (c.memory or {}).get("last_intent"),
            "summary": (c.summary or "")[-600:],
        }
        for c in rows
    ]


def _summarize(conversation: Conversation, plan: planner.Plan, text: str) -> None:
    """A compact running summary (one line per turn, bounded) for long conversations and model context."""
    bits: list[str] = [plan.intent]
    if plan.res.products:
        bits.append(", ".join(p.name for p in plan.res.products[:2]))
    if plan.city:
        bits.append(plan.city)
    if plan.quantity:
        bits.append(f"qty {plan.quantity}")
    line = "- " + " | ".join(bits) + f": {text.strip()[:80]}"
    lines = [ln for ln in (conversation.summary or "").splitlines() if ln.strip()]
    lines.append(line)
    conversation.summary = "\n".join(lines[-SUMMARY_LINES:])


def turn(
    db: Session,
    *,
    business: Business,
    conversation: Conversation,
    message: Message,
    plan_only: bool = False,
    prephrased: llm.Prephrased | None = None,
    offline: bool = False,
) -> Turn:
    """One turn. By default a configured language model is asked inside the caller's transaction. The
    reply job splits it so that no transaction is held while the model answers:

    1. plan (`plan_only=True`, in a transaction the caller rolls back): the offline turn, and
       `Turn.phrase_request` when a model should phrase it;
    2. phrase: `llm.generate(request, ...)` with no transaction open;
    3. record (`prephrased=` the result, in a short write transaction): the turn again, which keeps the
       model's text only when the offline reply it phrased is still the one this transaction computes and
       the guard passes on this transaction's facts. `offline=True` (the record step when the phrase step
       gave nothing) never asks a model inside the transaction.

    `plan_and_phrase` runs steps 1 and 2 for the callers that hold no channel buffer (the API, `niaga chat`).
    """
    started = time.perf_counter()
    try:
        t = _turn(
            db,
            business=business,
            conversation=conversation,
            message=message,
            plan_only=plan_only,
            prephrased=prephrased,
            offline=offline,
        )
    except Exception as exc:  # the customer never sees an exception
        log.error(
            "agent.turn_failed",
            business_id=business.id,
            conversation_id=conversation.id,
            error=f"{type(exc).__name__}: {exc}",
            exc_info=exc,
        )
        lang = "en" if (conversation.memory or {}).get("lang") == "en" else "id"
        t = Turn(intent="other", entities={}, language=lang, reply=messages.wordings("turn.failed", lang)[0])
    t.ms = round((time.perf_counter() - started) * 1000, 2)
    return t


def _turn(
    db: Session,
    *,
    business: Business,
    conversation: Conversation,
    message: Message,
    plan_only: bool,
    prephrased: llm.Prephrased | None,
    offline: bool = False,
) -> Turn:
    memory = ConversationMemory.from_dict(conversation.memory)
    ctx = ToolContext(db=db, business=business, conversation=conversation, media=list(message.media or []))
    settings = ctx.settings
    text = message.text or ""
    # A broadcast stop request ("STOP", "berhenti", "unsubscribe") is kept on the customer forever and
    # confirmed (silently recorded when staff own the conversation).
    # (The customer row, with its identities, is loaded only for a stop request.)
    customer = db.get(Customer, conversation.customer_id) if broadcast.is_opt_out_text(text) else None
    stop_reply = broadcast.check_inbound(db, customer=customer, text=text) if customer is not None else None
    if stop_reply is not None:
        message.intent = "opt_out"
        silent = conversation.owner == "staff"
        return Turn(intent="opt_out", entities={}, reply="" if silent else stop_reply, silent=silent)
    cities = known_cities(ctx)
    a = nlu.analyze(
        text, default_language=memory.get("lang") or settings.get("language") or "id", known_cities=cities
    )
    history = recent_messages(db, conversation)
    _ingest_staff_messages(ctx, history, memory)
    if not memory.get("focus") and "followup" in a.signals:
        for other in recall_earlier(db, conversation):
            if other["focus"]:
                memory["focus"] = other["focus"]
                memory.setdefault("last_intent", other["last_intent"])
                break
    kb_hit = False
    if not (a.signals & {"empty", "handoff"}):
        hits = knowledge_search.search_knowledge(db, business_id=business.id, query=a.norm, limit=1)
        kb_hit = bool(hits and hits[0].score >= planner.KNOWLEDGE_HIT_SCORE and hits[0].matched)
    plan = planner.build_plan(ctx, a, memory, cities, kb_hit)
    lang = a.language
    memory["lang"] = lang
    turns = int(memory.get("turns") or 0)

    if conversation.owner == "staff":
        # Staff answer now: record what the customer wants, say nothing.
        message.intent, message.entities = plan.intent, plan.entities
        memory["turns"] = turns + 1
        conversation.memory = memory.to_dict()
        _summarize(conversation, plan, text)
        return Turn(
            intent=plan.intent, entities=plan.entities, reply="", handoff=True, silent=True, language=lang
        )

    voice = _voice(business, settings, lang, seed=(conversation.id or 0) * 1000 + turns, first=turns == 0)
    out = replies.compose(ctx, voice, plan, memory)

    # Two unanswered turns in a row → a human takes over.
    threshold = int(settings.get("agent", {}).get("handoff_after_unanswered") or 2)
    unanswered = 0 if out.answered else int(memory.get("unanswered") or 0) + 1
    if not out.handoff and threshold > 0 and unanswered >= threshold:
        out = replies.Outcome(
            replies.handoff_notice(voice, "unanswered"), handoff=True, handoff_reason="unanswered"
        )
        ctx.record("handoff", {"reason": "unanswered"}, {"handoff": True, "reason": "unanswered"})
    reply = out.text
    if (
        voice.first_turn
        and plan.intent not in ("greeting", "human_handoff", "complaint", "thanks")
        and not out.handoff
    ):
        reply = replies.salutation(voice, plan) + " 🙏\n" + reply

    tokens = 0
    provider = "offline"
    guard_override = False
    phrase_request: llm.PhraseRequest | None = None
    if (
        not out.handoff
        and plan.intent not in ("human_handoff",)
        and "empty" not in a.signals
        and not (offline and prephrased is None)
    ):
        earlier = recall_earlier(db, conversation) if turns == 0 else []
        if prephrased is not None:
            phrased = llm.accept(
                db, business=business, done=prephrased, ctx=ctx, offline_reply=reply, message=text
            )
        elif plan_only:
            phrase_request = llm.prepare(
                db,
                business=business,
                settings=settings,
                ctx=ctx,
                history=history,
                message=text,
                offline_reply=reply,
                language=lang,
                earlier=earlier,
            )
            phrased = None
        else:
            phrased = llm.phrase(
                db,
                business=business,
                settings=settings,
                ctx=ctx,
                history=history,
                message=text,
                offline_reply=reply,
                plan=plan,
                language=lang,
                memory=memory.to_dict(),
                earlier=earlier,
            )
        if phrased is not None:
            tokens, provider, guard_override = phrased.tokens, phrased.provider, phrased.guard_override
            reply = phrased.text or reply
            if phrased.handoff and not out.handoff:
                out = replies.Outcome(
                    replies.handoff_notice(voice, "request"), handoff=True, handoff_reason="model"
                )
                reply = out.text
    if plan_only:  # the caller rolls this transaction back; only the request matters
        return Turn(
            intent=plan.intent,
            entities=plan.entities,
            reply=reply,
            language=lang,
            phrase_request=phrase_request,
        )

    for k, v in out.memory.items():
        if v is None:
            memory.pop(k, None)
        else:
            memory[k] = v
    if plan.city:
        memory["city"] = plan.city
    memory["last_intent"] = plan.intent
    memory["unanswered"] = 0 if out.handoff else unanswered
    memory["turns"] = turns + 1
    message.intent, message.entities = plan.intent, plan.entities
    if out.handoff:
        memory["handoff_notified"] = True
        conversation.memory = memory.to_dict()
        conversations.do_takeover(db, conversation=conversation, reason=out.handoff_reason or "handoff")
    else:
        conversation.memory = memory.to_dict()
    _summarize(conversation, plan, text)
    # No flush here: the memory, summary and intent are written with the reply's flush (or the commit's).
    log.info(
        "agent.turn",
        business_id=business.id,
        conversation_id=conversation.id,
        intent=plan.intent,
        handoff=out.handoff,
        provider=provider,
        tools=[c["name"] for c in ctx.calls],
    )
    return Turn(
        intent=plan.intent,
        entities=plan.entities,
        reply=reply,
        handoff=out.handoff,
        tool_calls=ctx.calls,
        tokens=tokens,
        language=lang,
        provider=provider,
        guard_override=guard_override,
        phrase_request=phrase_request,
    )


def record_reply(db: Session, *, conversation: Conversation, t: Turn, meta: dict[str, Any]) -> None:
    """Store a turn's reply as sent (the API and `niaga chat` give it to their caller themselves)."""
    if t.reply:
        conversations.record_outbound(
            db,
            conversation=conversation,
            text=t.reply,
            intent=t.intent,
            delivery_status="sent",
            tokens=t.tokens,
            meta=meta,
        )


def plan_and_phrase(
    *,
    conversation_id: int,
    message_id: int,
    message_of: Callable[[Session, Conversation], Message | None] | None = None,
) -> llm.Prephrased | None:
    """Steps 1 and 2 of a split turn for a committed inbound message: plan in a read transaction that is
    rolled back, then ask the model with no transaction open. None = nothing to phrase (no model wanted,
    budget spent, staff own the conversation, or the plan failed); the record step then runs offline
    (`turn(..., prephrased=result, offline=result is None)`). `message_of` picks the message the turn
    answers (the channel job: the customer's unanswered messages merged); by default message `message_id`."""
    try:
        db = new_session()
        try:
            conv = db.get(Conversation, conversation_id)
            business = db.get(Business, conv.business_id) if conv is not None else None
            if conv is None or business is None or conv.owner != "bot":
                return None
            message = message_of(db, conv) if message_of is not None else db.get(Message, message_id)
            if message is None:
                return None
            planned = turn(db, business=business, conversation=conv, message=message, plan_only=True)
            request = planned.phrase_request
        finally:
            db.rollback()
            db.close()
        if request is None:
            return None
        return llm.generate(
            request, tool_runner(business_id=request.business_id, conversation_id=conversation_id)
        )
    except Exception as exc:  # the customer still gets the offline reply from the record step
        log.error(
            "agent.phrase_failed", conversation_id=conversation_id, error=f"{type(exc).__name__}: {exc}"
        )
        return None
