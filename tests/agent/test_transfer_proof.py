""" "Sudah transfer" with a photo: the proof is attached to the customer's order awaiting payment, the order is
flagged for staff, the admin chat is alerted — and the order is NOT marked paid."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.customers.service import get_or_create_by_identity
from niaga.files.models import StoredFile
from niaga.jobs.models import Job
from niaga.messaging import service as conversations
from niaga.orders import service as orders
from niaga.orders.models import Order, Payment
from niaga.settings import get_settings


def _order_for(db, business, sender):  # type: ignore[no-untyped-def]
    customer = get_or_create_by_identity(db, business_id=business.id, channel="whatsapp", external_id=sender)
    order = orders.create(
        db,
        business_id=business.id,
        items=[{"sku": "RQ-PECI-001", "quantity": 2}],
        actor=orders.Actor("system"),
        customer_id=customer.id,
    )
    db.commit()
    assert order.status == "awaiting_payment"  # created for payment straight away
    return customer, order


def test_transfer_proof_photo_is_attached_and_flagged(rizquna, db):  # type: ignore[no-untyped-def]
    from niaga.agent.service import turn

    customer, order = _order_for(db, rizquna, "62811777001")
    conv = conversations.get_or_open(
        db, business_id=rizquna.id, customer_id=customer.id, channel="whatsapp", chat_id="62811777001"
    )
    photo = {"path": f"{rizquna.id}/inbound/bukti.jpg", "mimetype": "image/jpeg", "filename": "bukti.jpg"}
    (get_settings().files_dir / photo["path"]).parent.mkdir(parents=True, exist_ok=True)
    (get_settings().files_dir / photo["path"]).write_bytes(
        b"\xff\xd8" + b"\0" * 1232
    )  # downloaded by the adapter
    msg = conversations.record_inbound(db, conversation=conv, text="sudah transfer ya kak", media=[photo])
    t = turn(db, business=rizquna, conversation=conv, message=msg)
    db.commit()
    assert t.intent == "payment"
    assert order.number in t.reply and "Rp80.000" in t.reply
    db.rollback()
    db.expire_all()
    stored = db.get(Order, order.id)
    assert stored.status == "awaiting_payment" and stored.paid_amount == 0
    assert [f["code"] for f in stored.flags] == ["transfer_proof"]
    (payment,) = db.scalars(sa.select(Payment).where(Payment.order_id == order.id)).all()
    assert (payment.method, payment.status) == ("transfer", "pending")
    # kept by server-issued file id (issue 11, item 1), never by the path
    (proof,) = payment.proof
    assert proof["filename"] == "bukti.jpg" and proof["size"] == 1234 and "path" not in proof
    assert db.get(StoredFile, proof["file_id"]).business_id == rizquna.id
    assert db.scalar(sa.select(sa.func.count()).select_from(Job).where(Job.name == "channels.alert")) == 1


def test_transfer_claim_without_an_open_order_attaches_nothing(rizquna, chat, db):  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62811777002", "saya sudah transfer tapi status belum berubah")
    assert t.intent == "payment" and "bukti transfer" in t.reply
    assert db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_the_same_proof_twice_attaches_and_alerts_once(rizquna, db):  # type: ignore[no-untyped-def]
    """The tool that changes an order and enqueues an alert carries an idempotency key: a retried turn (or
    the same photo sent again) adds no second pending payment and no second alert."""
    from niaga.agent.service import turn

    customer, order = _order_for(db, rizquna, "62811777003")
    conv = conversations.get_or_open(
        db, business_id=rizquna.id, customer_id=customer.id, channel="whatsapp", chat_id="62811777003"
    )
    photo = {"path": f"{rizquna.id}/inbound/bukti2.jpg", "mimetype": "image/jpeg", "filename": "bukti2.jpg"}
    (get_settings().files_dir / photo["path"]).parent.mkdir(parents=True, exist_ok=True)
    (get_settings().files_dir / photo["path"]).write_bytes(b"\xff\xd8" + b"\0" * 100)
    for text in ("sudah transfer ya kak", "sudah transfer kak, ini buktinya"):
        msg = conversations.record_inbound(db, conversation=conv, text=text, media=[photo])
        t = turn(db, business=rizquna, conversation=conv, message=msg)
        db.commit()
    assert "sudah kami terima sebelumnya" in t.reply
    assert len(db.scalars(sa.select(Payment).where(Payment.order_id == order.id)).all()) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(Job).where(Job.name == "channels.alert")) == 1
