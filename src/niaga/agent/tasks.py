"""Jobs of the agent: the buffered agent turn for inbound customer messages (job `conversations.reply`,
scheduled by `niaga.messaging.buffer`). Without a language model the turn is worked out in a read
transaction and only checked and stored in the job's write transaction (`niaga.agent.speculation`), so
consumer processes answer side by side on SQLite's single writer; with one, it is planned and phrased
outside the write transaction (`niaga.agent.service.turn`). The job is taken and marked done in that same write
transaction (a late-claim job, `niaga.jobs.runner.finish_in`): one write transaction per turn; with a
model it takes its lease before the model is asked (`runner.lease_now`)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.agent import llm, replies, speculation
from niaga.agent import service as agent
from niaga.db.engine import session_scope
from niaga.jobs import runner
from niaga.jobs.registry import task
from niaga.messaging import buffer, channels
from niaga.messaging.delivery import do_send, queue_delivery, release_delivery
from niaga.messaging.models import Conversation, Message
from niaga.ops import metrics
from niaga.ops.logging import get_logger
from niaga.orders import chat, payments
from niaga.printshop import jobs_chat as print_chat
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.messaging")


def _presence(sender: Any, action: str, **kwargs: Any) -> None:
    """Seen/typing are courtesy signals: a failure is logged and never blocks the answer."""
    if sender is None:
        return
    try:
        getattr(sender, action)(**kwargs)
    except Exception as exc:
        log.info("channel.presence_failed", action=action, error=str(exc)[:200])


@task("conversations.reply", max_attempts=5, late_claim=True)
def reply(conversation_id: int, message_id: int) -> str:
    """Answer the customer's unanswered messages in one agent turn (see `niaga.messaging.buffer`)."""
    started = time.perf_counter()
    # 1. Is it this job's turn? (a read transaction; no lock held while we talk to the provider) Without a
    #    language model, the whole offline turn too, with writes refused (`niaga.agent.speculation`: it
    #    leaves this session empty and rolled back); the write transaction below only checks and stores it,
    #    so the consumer processes of `niaga serve --job-processes N` answer side by side on SQLite.
    with session_scope() as db:
        row = db.execute(_CONVERSATION_READ, {"b_id": conversation_id}).first()
        if row is None:
            return "gone"
        conv, business, latest = row
        settings = business_settings(business)
        pending = buffer.unanswered(db, conversation_id=conv.id, business_id=conv.business_id)
        if not buffer.is_due(pending, message_id=message_id, window=buffer.window_of(settings)):
            return "deferred"
        if conv.owner != "bot":
            return "staff"  # staff answer; the inbox already shows the messages as unread
        chat_id, channel = conv.chat_id, conv.channel
        seen_ids = [m.provider_message_id for m in pending if m.provider_message_id]
        wants_model = llm.wants_model(settings)
        # Seen and typing only (delivery takes its own sender): a configuration changed in another process in
        # the last few seconds may still be used for them.
        sender = channels.sender_for_channel(
            db,
            business_id=conv.business_id,
            channel=channel,
            preferred=conv.gateway or channels.chosen_gateway(settings),
            cached=True,
        )
        spec = (
            None
            if wants_model
            else speculation.speculate(
                db, business=business, conversation=conv, pending=pending, latest_id=int(latest or 0)
            )
        )

    # 2. Read receipt and typing, as a person would (WAHA's anti-blocking advice).
    _presence(sender, "mark_seen", chat_id=chat_id, message_ids=seen_ids)
    _presence(sender, "start_typing", chat_id=chat_id)
    try:
        # 3. With a language model: plan (read, rolled back) and phrase with no transaction open, so the
        #    model's seconds never hold the database's writer (see `agent.service.turn`).
        prephrased = None
        if wants_model:
            runner.lease_now()  # the model's seconds: no other worker may start this job meanwhile
            prephrased = _phrase_outside(conversation_id, message_id)
        # 4. One short transaction: claim the messages, store the speculated turn when the conversation is
        #    as it read it (else run the turn here), store the reply, enqueue its delivery.
        with session_scope(immediate=True) as db:
            claim = (
                speculation.claim_unchanged(db, spec, conversation_id=conversation_id)
                if spec is not None and spec.standalone
                else None
            )
            if claim is not None and not claim.ids:
                return "answered"
            result: Any = None
            link_orders: list[int] = []
            wait, out_id = 0.0, 0
            if spec is not None and claim is not None and claim.complete(spec):
                # Nothing was added to the conversation since (so the turn is still this job's) and all its
                # messages were claimed: store the speculation's outcome, nothing loaded.
                result, reply_msg = speculation.store_claimed(db, spec, claim)
                metrics.agent_turn_latency.observe(time.perf_counter() - started)
                text = result.reply.strip() if reply_msg is not None else ""
                if reply_msg is not None:
                    queue_delivery(db, reply_msg)
                merged = len(claim.ids)
            else:
                conv = db.scalars(_CONVERSATION, {"b_id": conversation_id}).first()
                if conv is None or conv.owner != "bot":
                    return "staff"
                # Another worker answered the older messages of the speculation: the rest is answered here.
                claimed: list[Message] = (
                    list(db.scalars(_MESSAGES_BY_ID, {"b_ids": claim.ids})) if claim is not None else []
                )
                business = db.get(Business, conv.business_id)
                if business is None:
                    return "staff"
                if not claimed:
                    pending = buffer.unanswered(db, conversation_id=conv.id, business_id=conv.business_id)
                    window = buffer.window_seconds(business)
                    if not buffer.is_due(pending, message_id=message_id, window=window):
                        return "deferred"
                    claimed = buffer.claim(db, pending)
                    if not claimed:
                        return "answered"
                last_id = claimed[-1].id
                asked = buffer.turn_message(claimed)
                # A print shop's files and answers to a print job belong to the print-job flow.
                result = print_chat.take_turn(db, business=business, conversation=conv, messages=claimed)
                if (
                    result is None
                    and spec is not None
                    and speculation.still_valid(db, spec, conversation=conv, claimed=claimed)
                ):
                    result = speculation.apply(spec, conversation=conv, claimed=claimed)
                    asked = claimed[-1]  # `apply` stored what the agent understood on it
                    metrics.agent_turn_latency.observe(time.perf_counter() - started)
                elif result is None:
                    result = agent.turn(
                        db,
                        business=business,
                        conversation=conv,
                        message=asked,
                        prephrased=prephrased,
                        offline=wants_model,  # the model was asked above, never inside this transaction
                    )
                    # message claimed -> reply text ready, the model's phrasing included
                    metrics.agent_turn_latency.observe(time.perf_counter() - started)
                if asked is not claimed[-1]:  # a merged copy: keep what the agent understood on the message
                    claimed[-1].intent, claimed[-1].entities = asked.intent, dict(asked.entities or {})
                text = (getattr(result, "reply", None) or "").strip()
                if text and getattr(result, "intent", None) == "print_order":
                    text = print_chat.with_upload_link(db, business=business, conversation=conv, text=text)
                link_orders = chat.take_pending_links(db)
                wait = get_settings().chat_link_wait_seconds if link_orders and text else 0.0
                if text:
                    # A reply that promises a payment link is held (a little longer than the wait) while the
                    # link job, run by another worker after this commit, makes the link.
                    out = do_send(
                        db,
                        conversation=conv,
                        text=text,
                        sender_type="bot",
                        intent=getattr(result, "intent", None),
                        hold_seconds=wait + HOLD_MARGIN_SECONDS if wait else 0.0,
                        reply_to_id=last_id,
                    )
                    out_id = out.id
                merged = len(claimed)
            runner.finish_in(db)  # the job is done when this commits (the rest below may fail harmlessly)
        log.info("conversation.turn", conversation_id=conversation_id, merged=merged, replied=bool(text))
        if wait:
            _complete_with_link(out_id, order_id=link_orders[-1], wait=wait)
        _presence(sender, "stop_typing", chat_id=chat_id)
        return "replied" if text else "silent"
    finally:
        if sender is not None:
            sender.close()


# Built once (a fresh session's `get` builds its query each time; these jobs run for every message).
_CONVERSATION = sa.select(Conversation).where(Conversation.id == sa.bindparam("b_id"))
# The conversation, its business and its newest message id, read together.
_CONVERSATION_READ = (
    sa.select(Conversation, Business, speculation.LATEST_OF_CONVERSATION)
    .join(Business, Business.id == Conversation.business_id)
    .where(Conversation.id == sa.bindparam("b_id"))
)
_MESSAGES_BY_ID = (
    sa.select(Message).where(Message.id.in_(sa.bindparam("b_ids", expanding=True))).order_by(Message.id)
)


def _phrase_outside(conversation_id: int, message_id: int) -> llm.Prephrased | None:
    """The plan and phrase steps of a turn that a language model phrases, over the customer's unanswered
    messages merged (`agent.plan_and_phrase`: nothing of the plan is kept, the record step runs it again).
    None = no model to ask (the record step then runs offline)."""

    def merged(db: Session, conv: Conversation) -> Message | None:
        pending = buffer.unanswered(db, conversation_id=conv.id, business_id=conv.business_id)
        if not pending or message_id not in {m.id for m in pending}:
            return None
        return buffer.turn_message(pending)

    return agent.plan_and_phrase(conversation_id=conversation_id, message_id=message_id, message_of=merged)


# A held reply is sent by its own job this long after the wait even if this job dies meanwhile.
HOLD_MARGIN_SECONDS = 5.0


def _complete_with_link(message_id: int, *, order_id: int, wait: float) -> None:
    """Wait (no transaction open) up to `wait` seconds for the order's payment link; when it is ready and
    the link job has not told the customer yet, the held reply carries it. Then the reply is released."""
    url = payments.wait_for_link(order_id, seconds=wait)
    with session_scope(immediate=True) as db:
        msg = db.get(Message, message_id)
        if msg is None:
            return
        if (
            url
            and msg.delivery_status == "queued"
            and payments.claim_link_delivery(db, order_id=order_id, via="reply") is not None
        ):
            msg.text = replies.with_payment_link(msg.text, url)
        release_delivery(db, msg)
