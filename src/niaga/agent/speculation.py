"""The optimistic two-phase agent turn of the reply job (`niaga.agent.tasks.reply`).

SQLite has one writer. A turn run inside the reply job's write transaction holds that writer for the whole
turn (search, planning, phrasing), so worker processes of `niaga serve` answer one turn at a time however
many cores there are. The offline turn only *reads* the database and then changes two things of its own:
the conversation's memory/summary and what was understood of the customer's message (intent, entities).
So the reply job runs it in two phases:

1. speculate (`speculate`, no writer lock): the full offline turn over the customer's unanswered messages
   in the job's read transaction, with every write refused (`ReadOnlyGuard`). Its outcome is kept as plain
   data (`Speculation`) together with a fingerprint of what it depended on in this conversation: the ids
   of the unanswered messages, the conversation's newest message, its owner, memory and summary as read.
   The transaction is then rolled back. A turn that wants to write anything else (an order or payment
   link, a handoff, an opt-out, a print job, a job or event queued) is *void*: the record step runs the
   turn inside its write transaction, exactly as before.
2. record (in the job's short write transaction): `claim_unchanged` reads the fingerprint again with one
   statement and, when it is unchanged, claims the messages by id; with all of them claimed,
   `store_claimed` stores the outcome (the message's intent/entities, the reply, the conversation's memory
   and summary) by plain INSERT/UPDATE statements, nothing loaded. Otherwise the conversation is loaded and
   the turn runs again in the lock (`still_valid` + `apply` when only the claim differed).

Facts from outside the conversation (catalogue, prices, settings) are those of the speculation's snapshot,
a few milliseconds older than the record step: as if the turn had run then, which is what the customer
could not tell apart.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from niaga.agent import service as agent
from niaga.messaging import buffer
from niaga.messaging import service as conversations
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.printshop import jobs_chat as print_chat
from niaga.tenancy.models import Business

log = get_logger("niaga.agent")

# Statements that only read. Anything else (INSERT/UPDATE/DELETE, SAVEPOINT, DDL) is refused.
_READS = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)

# What the turn may change in the speculative session: all of it is captured and re-applied by the record
# step. Any other pending change makes the speculation void.
_CONVERSATION_FIELDS = frozenset({"memory", "summary"})
_MESSAGE_FIELDS = frozenset({"intent", "entities"})


# `session.info` keys that only memoise reads for the session's lifetime (nothing happens at commit). Any
# other key the turn fills (jobs, events, payment links, rows noted for the commit listeners) voids it.
READ_MEMOS = frozenset({"niaga.catalog.index"})


class WriteRefused(RuntimeError):
    """A statement that would write, run where only reads are allowed."""


class ReadOnlyGuard:
    """Refuses every statement but reads on one session's connection while active; `attempted` tells
    whether any write was tried (the agent's turn catches every exception, so the flag is what counts)."""

    def __init__(self, db: Session) -> None:
        self.conn = db.connection()  # begins the (deferred) transaction: BEGIN is not guarded
        self.attempted: list[str] = []

    def _check(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> Any:
        writes = context is not None and (context.isinsert or context.isupdate or context.isdelete)
        if (
            writes
            or not _READS.match(statement)
            or (statement.lstrip()[:4].upper() == "WITH" and _WRITES.search(statement))
        ):
            self.attempted.append(statement.strip()[:80])
            raise WriteRefused(statement.strip()[:80])
        return statement, params

    def __enter__(self) -> ReadOnlyGuard:
        event.listen(self.conn, "before_cursor_execute", self._check, retval=True)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.conn, "before_cursor_execute", self._check)


@dataclass
class Speculation:
    """A turn's outcome as plain data, and what it was computed from."""

    # fingerprint
    pending_ids: list[int]
    latest_id: int
    owner: str
    memory_before: dict[str, Any]
    summary_before: str | None
    # outcome
    reply: str
    intent: str
    entities: dict[str, Any]
    memory: dict[str, Any]
    summary: str
    language: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    ms: float = 0.0
    # Whether the record step may store it without the business (no print shop: nothing but the agent
    # could take these messages, and no print-job upload link is added to the reply).
    standalone: bool = True

    def turn(self) -> agent.Turn:
        return agent.Turn(
            intent=self.intent,
            entities=dict(self.entities),
            reply=self.reply,
            tool_calls=list(self.tool_calls),
            language=self.language,
            ms=self.ms,
        )


_MESSAGES: Any = Message.__table__
# Built once (a Core statement: no ORM compile or cache-key work in the write transaction).
_LATEST = sa.select(sa.func.max(_MESSAGES.c.id)).where(
    _MESSAGES.c.business_id == sa.bindparam("business_id"),
    _MESSAGES.c.conversation_id == sa.bindparam("conversation_id"),
)


def latest_message_id(db: Session, conversation: Conversation) -> int:
    """The id of the conversation's newest message (any direction or sender)."""
    row = (
        db.connection()
        .execute(_LATEST, {"business_id": conversation.business_id, "conversation_id": conversation.id})
        .scalar()
    )
    return int(row or 0)


def _info_snapshot(db: Session) -> dict[str, Any]:
    return {k: copy.copy(v) for k, v in db.info.items()}


def _queued_something(db: Session, before: dict[str, Any]) -> bool:
    """Jobs, events, payment links or rows noted for the commit listeners since `before`."""
    changed = [
        k for k, v in db.info.items() if v and k not in READ_MEMOS and (k not in before or v != before[k])
    ]
    if changed:
        log.info("agent.speculation_queued", keys=changed)
    return bool(changed)


def _only_own_changes(db: Session, conversation: Conversation, pending_ids: set[int]) -> bool:
    if db.new or db.deleted:
        return False
    for obj in db.dirty:
        if obj is conversation:
            allowed = _CONVERSATION_FIELDS
        elif isinstance(obj, Message) and obj.id in pending_ids:
            allowed = _MESSAGE_FIELDS
        else:
            return False
        # The attributes set since the object was loaded (a JSON value changed in place is not seen by
        # the ORM at all: it would not be written either).
        if set(sa.inspect(obj).committed_state) - allowed:
            return False
    return True


def speculate(
    db: Session,
    *,
    business: Business,
    conversation: Conversation,
    pending: list[Message],
    latest_id: int | None = None,
) -> Speculation | None:
    """Run the offline turn over `pending` (the conversation's unanswered messages, due and owned by the
    bot) in `db`'s read transaction, with writes refused. Returns the outcome, or None when the turn must
    run inside the write transaction instead (void). Either way `db` is left empty and rolled back
    (`_discard`): nothing the speculation did can be flushed or published by the caller's commit."""
    if not pending or conversation.owner != "bot":
        return None
    pending_ids = [m.id for m in pending]
    memory_before = copy.deepcopy(conversation.memory or {})
    summary_before = conversation.summary
    owner = conversation.owner
    before = _info_snapshot(db)
    started = time.perf_counter()
    try:
        with ReadOnlyGuard(db) as guard:
            latest = latest_message_id(db, conversation) if latest_id is None else latest_id
            if (
                print_chat.take_turn(db, business=business, conversation=conversation, messages=pending)
                is not None
            ):
                return None  # the print-job flow answers (and writes)
            asked = buffer.turn_message(pending)
            # `_turn`, not `turn`: an exception must void the speculation, not become the fallback reply.
            t = agent._turn(
                db,
                business=business,
                conversation=conversation,
                message=asked,
                plan_only=False,
                prephrased=None,
                offline=True,
            )
        if guard.attempted:
            log.info("agent.speculation_void", reason="write", statement=guard.attempted[0])
            return None
        reason = (
            "handoff"
            if t.handoff or t.silent or conversation.owner != owner
            else "opt_out"
            if t.intent == "opt_out"
            else "queued"
            if _queued_something(db, before)
            else "changes"
            if not _only_own_changes(db, conversation, set(pending_ids))
            else ""
        )
        if reason:
            log.info("agent.speculation_void", reason=reason)
            return None
        return Speculation(
            pending_ids=pending_ids,
            latest_id=latest,
            owner=owner,
            memory_before=memory_before,
            summary_before=summary_before,
            reply=t.reply,
            intent=t.intent,
            entities=copy.deepcopy(asked.entities or {}),
            memory=copy.deepcopy(conversation.memory or {}),
            summary=conversation.summary or "",
            language=t.language,
            tool_calls=[{"name": c.get("name"), "args": c.get("args")} for c in t.tool_calls],
            ms=round((time.perf_counter() - started) * 1000, 2),
            standalone=not print_chat.enabled(business) and t.intent != "print_order",
        )
    except Exception as exc:  # any failure: the record step runs the turn as before
        log.info("agent.speculation_void", reason=f"{type(exc).__name__}: {str(exc)[:120]}")
        return None
    finally:
        _discard(db, before)


def _discard(db: Session, info_before: dict[str, Any]) -> None:
    """Forget everything the speculation did in `db`: its objects leave the session unexpired (what the
    caller read before stays readable, as after `close`) with their pending changes, whatever it queued
    in `session.info` is dropped, and the transaction is rolled back."""
    db.expunge_all()
    for k in list(db.info):
        if k not in info_before:
            del db.info[k]
    db.info.update(info_before)
    db.rollback()


def unchanged(db: Session, spec: Speculation, *, conversation: Conversation) -> bool:
    """Record step, inside the write transaction: the conversation is as the speculation read it (owner,
    memory, summary, and no message added since; which messages are still unanswered is the claim's
    business)."""
    return (
        _as_read(spec, conversation.owner, conversation.memory, conversation.summary)
        and latest_message_id(db, conversation) == spec.latest_id
    )


def _as_read(spec: Speculation, owner: str, memory: dict[str, Any] | None, summary: str | None) -> bool:
    """The conversation's owner, memory and summary are those the speculation read."""
    return owner == spec.owner and (memory or {}) == spec.memory_before and summary == spec.summary_before


def still_valid(
    db: Session, spec: Speculation, *, conversation: Conversation, claimed: list[Message]
) -> bool:
    """`unchanged`, and the messages claimed are those the speculation answered."""
    return [m.id for m in claimed] == spec.pending_ids and unchanged(db, spec, conversation=conversation)


def apply(spec: Speculation, *, conversation: Conversation, claimed: list[Message]) -> agent.Turn:
    """What the turn would have changed in the write transaction, from the speculation's outcome."""
    conversation.memory = copy.deepcopy(spec.memory)
    conversation.summary = spec.summary
    claimed[-1].intent, claimed[-1].entities = spec.intent, copy.deepcopy(spec.entities)
    return spec.turn()


_SET_UNDERSTOOD = (
    _MESSAGES.update()
    .where(_MESSAGES.c.id == sa.bindparam("mid"))
    .values(intent=sa.bindparam("intent"), entities=sa.bindparam("entities"))
)


_CONVERSATIONS: Any = Conversation.__table__
# The id of a conversation's newest message, as a column of a statement that reads the conversation.
LATEST_OF_CONVERSATION = (
    sa.select(sa.func.max(_MESSAGES.c.id))
    .where(
        _MESSAGES.c.business_id == _CONVERSATIONS.c.business_id,
        _MESSAGES.c.conversation_id == _CONVERSATIONS.c.id,
    )
    .scalar_subquery()
    .label("latest")
)
_FINGERPRINT = sa.select(
    _CONVERSATIONS.c.owner,
    _CONVERSATIONS.c.memory,
    _CONVERSATIONS.c.summary,
    _CONVERSATIONS.c.business_id,
    _CONVERSATIONS.c.channel,
    LATEST_OF_CONVERSATION,
).where(_CONVERSATIONS.c.id == sa.bindparam("cid"))


@dataclass(frozen=True)
class Claim:
    """The record step's claim of an unchanged conversation's messages (`claim_unchanged`)."""

    conversation: conversations.ConversationKey
    ids: list[int]  # the unanswered messages this transaction claimed, in order (a subset of pending_ids)

    def complete(self, spec: Speculation) -> bool:
        return self.ids == spec.pending_ids


def claim_unchanged(db: Session, spec: Speculation, *, conversation_id: int) -> Claim | None:
    """Record step, inside the write transaction, without loading the conversation: when it is as the
    speculation read it (`unchanged`, read by one statement), claim its messages by id. None: it changed,
    or is gone: the caller loads it and decides (staff may own it now)."""
    row = db.connection().execute(_FINGERPRINT, {"cid": conversation_id}).first()
    if (
        row is None
        or not _as_read(spec, row.owner, row.memory, row.summary)
        or int(row.latest or 0) != spec.latest_id
    ):
        return None
    key = conversations.ConversationKey(conversation_id, int(row.business_id), str(row.channel))
    return Claim(key, buffer.claim_ids(db, spec.pending_ids))


def store_claimed(db: Session, spec: Speculation, claim: Claim) -> tuple[agent.Turn, Message | None]:
    """The outcome of a speculation whose messages `claim` took all of, stored with nothing loaded: what was
    understood of the last message (one UPDATE), the reply and the conversation's memory and summary (one
    INSERT, one UPDATE; `conversations.record_reply`). Returns the turn and the reply message (None: silent);
    its delivery is the caller's."""
    last = claim.ids[-1]
    db.connection().execute(
        _SET_UNDERSTOOD, {"mid": last, "intent": spec.intent, "entities": copy.deepcopy(spec.entities)}
    )
    text = (spec.reply or "").strip()
    memory = copy.deepcopy(spec.memory)
    if not text:
        conversations.set_memory(db, conversation=claim.conversation, memory=memory, summary=spec.summary)
        return spec.turn(), None
    msg = conversations.record_reply(
        db,
        conversation=claim.conversation,
        text=text,
        intent=spec.intent,
        reply_to_id=last,
        memory=memory,
        summary=spec.summary,
    )
    return spec.turn(), msg
