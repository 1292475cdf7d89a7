"""The turn's storing path writes rows with single statements instead of ORM flushes (`_insert_message`,
`_touch_inbound`, the customer's `last_seen_at`). What the caller holds must be exactly what a flush would
have left: persistent objects with nothing pending, equal to the rows in the database."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.customers.service import get_or_create_by_identity
from niaga.messaging import service as conversations
from niaga.messaging.models import Conversation, Message
from niaga.messaging.serialize import message_out
from tests import factories as f


def _columns(obj: object) -> dict[str, object]:
    mapper = sa.inspect(type(obj))
    return {c.key: getattr(obj, c.key) for c in mapper.column_attrs}


def test_stored_messages_and_touches_match_the_database(db) -> None:  # type: ignore[no-untyped-def]
    b = f.make_business(db)
    first = get_or_create_by_identity(db, business_id=b.id, channel="whatsapp", external_id="6281@c.us")
    conv = conversations.get_or_open(
        db, business_id=b.id, customer_id=first.id, channel="whatsapp", chat_id="6281@c.us"
    )
    db.commit()

    customer = get_or_create_by_identity(db, business_id=b.id, channel="whatsapp", external_id="6281@c.us")
    assert customer is first
    inbound = conversations.record_inbound(db, conversation=conv, text="peci hitam brp?\nkak")
    assert inbound is not None
    reply = conversations.record_outbound(db, conversation=conv, text="Rp50.000 kak", delivery_status="sent")
    for obj in (inbound, reply):
        state = sa.inspect(obj)
        assert state.persistent and not state.expired_attributes and not state.modified
    assert customer not in db.dirty  # last_seen_at already written
    assert conv.unread_count == 1 and conv.last_message_preview == "Rp50.000 kak"
    held = {
        "inbound": (_columns(inbound), message_out(inbound)),
        "reply": (_columns(reply), message_out(reply)),
        "customer": _columns(customer),
    }
    inbound.intent = "price_check"  # a later change is still tracked and written
    db.commit()

    for obj in (inbound, reply, customer, conv):
        db.refresh(obj)
    assert inbound.intent == "price_check"
    inbound.intent = None
    assert held["inbound"] == (_columns(inbound), message_out(inbound))
    assert held["reply"] == (_columns(reply), message_out(reply))
    assert held["customer"] == _columns(customer)
    assert customer.last_seen_at is not None
    assert conv.unread_count == 1 and conv.last_message_at is not None
    assert db.scalar(sa.select(sa.func.count()).select_from(Message)) == 2
    row = db.get(Conversation, conv.id)
    assert row is not None and row.last_message_preview == "Rp50.000 kak"


def test_a_message_for_a_conversation_not_yet_flushed(db) -> None:  # type: ignore[no-untyped-def]
    b = f.make_business(db)
    c = get_or_create_by_identity(db, business_id=b.id, channel="web", external_id="v-1")
    conv = Conversation(business_id=b.id, customer_id=c.id, channel="web", chat_id="v-1", memory={})
    db.add(conv)  # pending: its row is written before the message that refers to it
    msg = conversations.record_outbound(db, conversation=conv, text="Halo kak", delivery_status="sent")
    assert conv.id is not None and msg.conversation_id == conv.id
    db.commit()
    assert db.scalar(sa.select(Message.conversation_id).where(Message.id == msg.id)) == conv.id
