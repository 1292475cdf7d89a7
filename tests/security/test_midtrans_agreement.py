"""Issue 11, item 5: a signed `pending` notification re-sent as `settlement` (the signature covers only
order_id + status_code + gross_amount) must not mark the order paid. The notification's fields must agree
(refused 400, nothing stored), and a paying notification is confirmed through Midtrans's status API before
the order is marked paid."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.webhook import agreement_problem
from niaga.integrations.models import InboundEvent
from niaga.orders import service as orders
from niaga.orders.models import Order
from niaga.orders.service import Actor
from tests.orders.conftest import drain, fake_midtrans, shop  # noqa: F401  (fixtures)

STAFF = Actor("user", 1)


def _order_with_link(db, shop):  # type: ignore[no-untyped-def]  # noqa: F811
    order = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=[{"sku": "BK-001", "quantity": 2}],
    )
    payments.do_create_link(db, order=order, actor=STAFF)
    db.commit()
    return order


def _post(client, shop, body):  # type: ignore[no-untyped-def]  # noqa: F811
    return client.post(f"/webhooks/midtrans/{shop.business.slug}", json=body)


def _order(db, order):  # type: ignore[no-untyped-def]
    db.commit()
    db.expire_all()
    return db.get(Order, order.id)


def _events(db) -> int:  # type: ignore[no-untyped-def]
    db.commit()
    return db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) or 0


def test_pending_resent_as_settlement_is_refused(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    order = _order_with_link(db, shop)
    fake_midtrans.choose_method(order.number)
    pending = fake_midtrans.notification(order.number, "pending")
    assert _post(client, shop, pending).status_code == 200
    drain()
    before = _events(db)
    forged = {**pending, "transaction_status": "settlement", "settlement_time": "2024-05-17 10:05:00"}
    r = _post(client, shop, forged)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "inconsistent_notification"
    assert "status_code" in r.json()["error"]["message"]
    drain()
    assert _events(db) == before  # nothing stored
    o = _order(db, order)
    assert (o.status, o.paid_amount) == ("awaiting_payment", 0)


def test_fields_must_agree() -> None:
    ok = {"transaction_status": "settlement", "status_code": "200", "fraud_status": "accept"}
    assert agreement_problem(ok) is None
    assert agreement_problem({**ok, "status_code": "201"})
    assert agreement_problem({**ok, "fraud_status": "challenge"})
    assert agreement_problem({**ok, "fraud_status": "maybe"})
    assert agreement_problem({**ok, "transaction_status": ""})
    assert agreement_problem({"transaction_status": "pending", "status_code": "200"})
    assert agreement_problem({"transaction_status": "pending", "status_code": "201"}) is None
    assert agreement_problem(
        {"transaction_status": "capture", "status_code": "201", "fraud_status": "accept"}
    )
    assert (
        agreement_problem(
            {"transaction_status": "capture", "status_code": "201", "fraud_status": "challenge"}
        )
        is None
    )
    assert agreement_problem({"transaction_status": "expire", "status_code": "407"}) is None


def test_settlement_the_status_api_denies_does_not_pay(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    order = _order_with_link(db, shop)
    fake_midtrans.choose_method(order.number)
    # A correctly signed settlement (e.g. replayed from another system with the same key) while Midtrans
    # itself still says the transaction is pending.
    settlement = fake_midtrans.notification(order.number, "settlement")
    fake_midtrans.set_status(order.number, "pending")
    assert _post(client, shop, settlement).status_code == 200
    drain()
    o = _order(db, order)
    assert (o.status, o.paid_amount) == ("awaiting_payment", 0)
    assert [fl["code"] for fl in o.flags] == ["payment_unconfirmed"]
    assert any(
        r["method"] == "GET" and r["path"] == f"/v2/{order.number}/status" for r in fake_midtrans.requests
    )


def test_settlement_of_an_unknown_transaction_does_not_pay(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    order = _order_with_link(db, shop)
    settlement = fake_midtrans.notification(order.number, "settlement")
    fake_midtrans.transactions[order.number].status = None  # Midtrans: 404, no payment method chosen
    assert _post(client, shop, settlement).status_code == 200
    drain()
    o = _order(db, order)
    assert (o.status, o.paid_amount) == ("awaiting_payment", 0)
    assert [fl["code"] for fl in o.flags] == ["payment_unconfirmed"]


def test_confirmed_settlement_pays(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    order = _order_with_link(db, shop)
    fake_midtrans.choose_method(order.number)
    assert _post(client, shop, fake_midtrans.notification(order.number, "settlement")).status_code == 200
    drain()
    o = _order(db, order)
    assert (o.status, o.paid_amount) == ("paid", o.total)
    assert not o.flags
    statuses = [r for r in fake_midtrans.requests if r["method"] == "GET" and r["path"].endswith("/status")]
    assert len(statuses) == 1
