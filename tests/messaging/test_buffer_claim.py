"""`buffer.claim` under concurrency: two turns over the same messages (two due jobs on two workers) claim each
message once. The second claimer's UPDATE waits on the first's row locks and, once the first commits, finds
the messages no longer `received`; it must return nothing rather than the rows it saw before."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from niaga.customers.service import get_or_create_by_identity
from niaga.db.engine import new_session
from niaga.messaging import buffer
from niaga.messaging import service as conversations
from niaga.messaging.models import Message
from tests import factories as f


def _three_messages(db) -> list[int]:  # type: ignore[no-untyped-def]
    b = f.make_business(db)
    customer = get_or_create_by_identity(db, business_id=b.id, channel="whatsapp", external_id="6281@c.us")
    conv = conversations.get_or_open(
        db, business_id=b.id, customer_id=customer.id, channel="whatsapp", chat_id="6281@c.us"
    )
    ids = []
    for i, text in enumerate(("kak", "mau tanya", "peci hitam brp?")):
        msg = conversations.record_inbound(db, conversation=conv, text=text, provider_message_id=f"m{i}")
        assert msg is not None
        ids.append(msg.id)
    db.commit()
    return ids


def _pending(session, ids: list[int]) -> list[Message]:  # type: ignore[no-untyped-def]
    return list(session.scalars(sa.select(Message).where(Message.id.in_(ids)).order_by(Message.id)))


def test_two_concurrent_claimers_claim_each_message_once(db) -> None:  # type: ignore[no-untyped-def]
    ids = _three_messages(db)
    first = new_session(immediate=True)
    second = new_session(immediate=True)
    results: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    try:
        # Both turns read the same unanswered messages before either claims (the race window).
        seen_first = _pending(first, ids)
        claimed_first = buffer.claim(first, seen_first)
        assert [m.id for m in claimed_first] == ids

        def run_second() -> None:
            try:
                # On PostgreSQL this UPDATE blocks on the first transaction's row locks; on SQLite the whole
                # transaction waits for the write lock. Either way it runs after the first commits.
                seen = [Message(id=i, delivery_status="received") for i in ids]
                results["second"] = [m.id for m in buffer.claim(second, seen)]
                second.commit()
            except BaseException as exc:  # reported in the main thread
                errors.append(exc)

        t = threading.Thread(target=run_second)
        t.start()
        t.join(timeout=0.5)
        assert t.is_alive(), "the second claimer must wait for the first transaction"
        first.commit()
        t.join(timeout=30)
        assert not t.is_alive()
    finally:
        first.close()
        second.rollback()
        second.close()
    assert not errors, errors
    assert results["second"] == []
    db.expire_all()
    assert {m.delivery_status for m in _pending(db, ids)} == {"processed"}
