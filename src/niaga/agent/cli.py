"""`niaga chat --business SLUG [--jsonl]`: talk to a business's agent from a terminal or a script.

--jsonl (the contract of tools/agent_eval.py): one JSON object per input line
`{"sender": "...", "text": "...", "channel": "whatsapp"}` → exactly one JSON line out, flushed:
`{"intent": ..., "entities": {...}, "reply": "...", "handoff": bool}`. The same sender continues the
same conversation; each line is its own transaction (as a real inbound message would be).
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import TYPE_CHECKING, Any

import typer

from niaga.kit.errors import AppError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from niaga.messaging.models import Conversation, Message
    from niaga.tenancy.models import Business

# Each `niaga chat` run is its own chat session: the customer (found by sender) persists across runs and
# their earlier conversations are recalled, but a new run does not continue an old run's conversation
# (which may be owned by staff or hold a stale draft order).
SESSION = uuid.uuid4().hex[:8]


def run_line(
    business_slug: str,
    sender: str,
    text: str,
    channel: str = "cli",
    name: str | None = None,
    session: str | None = None,
) -> dict[str, Any]:
    from niaga.agent import llm
    from niaga.agent.service import plan_and_phrase
    from niaga.customers.service import get_or_create_by_identity
    from niaga.db.engine import session_scope
    from niaga.messaging import service as conversations
    from niaga.messaging.models import Conversation, Message
    from niaga.tenancy.defaults import business_settings
    from niaga.tenancy.models import Business
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, business_slug)
        customer = get_or_create_by_identity(
            db,
            business_id=business.id,
            channel=channel,
            external_id=sender,
            name=name,
            phone=sender if channel == "whatsapp" and sender.isdigit() else None,
        )
        conv = conversations.get_or_open(
            db,
            business_id=business.id,
            customer_id=customer.id,
            channel=channel,
            chat_id=f"{sender}#{session or SESSION}",
        )
        msg = conversations.record_inbound(db, conversation=conv, text=text)
        assert msg is not None
        if conv.owner != "bot" or not llm.wants_model(business_settings(business)):
            return _record(db, business, conv, msg, None, offline=False)  # offline: one transaction
        ids = (business.id, conv.id, msg.id)
    # With a hosted model the turn is split as the channel reply job splits it (see `agent.service.turn`):
    # the inbound message is committed above, planned and phrased here with no transaction open, then
    # recorded in a short write.
    prephrased = plan_and_phrase(conversation_id=ids[1], message_id=ids[2])
    with session_scope() as db:
        b, c, m = db.get(Business, ids[0]), db.get(Conversation, ids[1]), db.get(Message, ids[2])
        assert b is not None and c is not None and m is not None
        return _record(db, b, c, m, prephrased, offline=True)


def _record(
    db: Session, business: Business, conv: Conversation, msg: Message, prephrased: Any, *, offline: bool
) -> dict[str, Any]:
    from niaga.agent.service import record_reply, turn

    t = turn(db, business=business, conversation=conv, message=msg, prephrased=prephrased, offline=offline)
    record_reply(db, conversation=conv, t=t, meta={"via": "cli"})
    return {"intent": t.intent, "entities": t.entities, "reply": t.reply, "handoff": t.handoff}


def chat(
    business: str = typer.Option(..., "--business", help="Business slug, e.g. rizquna."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Read JSON lines on stdin, write one JSON line each."),
) -> None:
    """Chat with a business's agent."""
    import logging

    from niaga.ops.logging import configure_logging
    from niaga.settings import get_settings

    s = get_settings()
    if jsonl:
        # Scripts read stdout line by line: only warnings, and on stderr.
        configure_logging("WARNING", s.log_json)
        logging.getLogger().setLevel(logging.WARNING)
    else:
        # A person is reading the terminal: log lines go to a file instead of between the chat lines.
        log_dir = s.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        configure_logging(s.log_level, s.log_json, stream=(log_dir / "chat.log").open("a", encoding="utf-8"))
    if jsonl:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                out = run_line(
                    business,
                    str(data.get("sender") or "anon"),
                    str(data.get("text") or ""),
                    channel=str(data.get("channel") or "cli")[:20],
                    name=data.get("name"),
                )
            except AppError as exc:
                out = {"intent": "other", "entities": {}, "reply": "", "handoff": False, "error": exc.message}
            except Exception as exc:  # one bad line must not stop the stream
                out = {
                    "intent": "other",
                    "entities": {},
                    "reply": "",
                    "handoff": False,
                    "error": f"{type(exc).__name__}: {exc}",
                }
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    import getpass

    sender = f"cli-{getpass.getuser()}"
    typer.echo(f"Chat dengan agen '{business}'. Ketik pesan; Ctrl-D untuk keluar.")
    while True:
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        try:
            out = run_line(business, sender, text, channel="cli")
        except AppError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2)
        typer.echo(
            f"[{out['intent']} {json.dumps(out['entities'], ensure_ascii=False)}"
            f"{' handoff' if out['handoff'] else ''}]"
        )
        typer.echo(out["reply"] or "(bot diam: percakapan ditangani staf)")
