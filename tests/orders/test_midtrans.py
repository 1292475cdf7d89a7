"""Midtrans: client against the fake, payment links, signed notifications through the webhook inbox,
idempotency, ordering, bad input, reconciliation with the status API."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from niaga.catalog.models import Product
from niaga.customers.models import Customer
from niaga.integrations.base import ProviderError
from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.client import MidtransClient, basic_auth, signature, verify_signature
from niaga.integrations.midtrans.fake import SERVER_KEY
from niaga.integrations.models import InboundEvent
from niaga.orders import invoices
from niaga.orders import service as orders
from niaga.orders.models import Invoice, LoyaltyEntry, Order, Payment
from niaga.orders.service import Actor
from tests.orders.conftest import drain

STAFF = Actor("user", 1)


# --- client & signature ------------------------------------------------------------------------------


def test_doc_vectors() -> None:
    assert basic_auth("SB-Mid-server-abc123cde456") == "Basic U0ItTWlkLXNlcnZlci1hYmMxMjNjZGU0NTY6"
    assert signature("1111", "200", "100000.00", "askvnoibnosifnboseofinbofinfgbiufglnbfg") == (
        "edc076b21793ebe3e17926350f5b8ae67d902fe657b3d0aa31b932d5c127e2375d308a2bc94f3265ac2d80a1f181a79b997ac1"
        "78a236fcff35af263fc4d4c231"
    )
    body = {
        "order_id": "Postman-1578568851",
        "status_code": "200",
        "gross_amount": "10000.00",
        "signature_key": "946f4f05492a9c9384cd0eb5088c8bea49f8ba5f6a6fa5933a7815297695495bc3ad9f1fdc32a54d9ffd5838"
        "6026ea524cd3e25b8e145cb7586900e06e0f3a9d",
    }
    assert verify_signature(body, "SB-Mid-server-TEST")
    # gross_amount is used exactly as received: "10000" is a different string, so the signature fails.
    assert not verify_signature({**body, "gross_amount": "10000"}, "SB-Mid-server-TEST")
    assert not verify_signature({**body, "signature_key": None}, "SB-Mid-server-TEST")
    assert not verify_signature(body, "SB-Mid-server-OTHER")


def test_client_auth_sum_check_and_status_404(fake_midtrans) -> None:  # type: ignore[no-untyped-def]
    client = MidtransClient(SERVER_KEY, base_url=fake_midtrans.base_url)
    with pytest.raises(ProviderError) as exc:
        client.create_transaction(
            {
                "transaction_details": {"order_id": "X-1", "gross_amount": 10},
                "item_details": [{"id": "a", "price": 3, "quantity": 2, "name": "A"}],
            }
        )
    assert exc.value.status == 400 and exc.value.permanent
    ok = client.create_transaction(
        {
            "transaction_details": {"order_id": "X-1", "gross_amount": 6},
            "item_details": [{"id": "a", "price": 3, "quantity": 2, "name": "A"}],
        }
    )
    assert ok["redirect_url"].endswith(ok["token"])
    with pytest.raises(ProviderError) as exc:
        client.create_transaction({"transaction_details": {"order_id": "X-1", "gross_amount": 6}})
    assert exc.value.status == 406 and exc.value.permanent
    assert client.get_status("X-1") is None  # no payment method chosen yet
    fake_midtrans.choose_method("X-1")
    assert client.get_status("X-1")["transaction_status"] == "pending"
    with pytest.raises(ProviderError) as exc:
        MidtransClient("SB-Mid-server-WRONG", base_url=fake_midtrans.base_url).get_status("X-1")
    assert exc.value.status == 401 and exc.value.permanent
    fake_midtrans.fail_next.append(503)
    with pytest.raises(ProviderError) as exc:
        client.create_transaction({"transaction_details": {"order_id": "X-2", "gross_amount": 6}})
    assert not exc.value.permanent


# --- helpers -------------------------------------------------------------------------------------------


def _order_with_link(db, shop, **kw):  # type: ignore[no-untyped-def]
    order = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=kw.pop("items", [{"sku": "BK-001", "quantity": 2}]),
        **kw,
    )
    payment = payments.do_create_link(db, order=order, actor=STAFF)
    db.commit()
    return order, payment


def _notify(client, shop, body, *, expect=200):  # type: ignore[no-untyped-def]
    resp = client.post(f"/webhooks/midtrans/{shop.business.slug}", json=body)
    assert resp.status_code == expect, resp.text
    drain()
    return resp


def _state(db, order, product):  # type: ignore[no-untyped-def]
    db.commit()  # end the snapshot (jobs ran in other sessions) and reload
    db.expire_all()
    o = db.get(Order, order.id)
    p = db.get(Product, product.id)
    return o.status, o.paid_amount, p.stock, p.reserved


# --- payment links ----------------------------------------------------------------------------------------


def test_link_payload_sums_shipping_discount_and_customer(db, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, payment = _order_with_link(
        db,
        shop,
        shipping={"city": "Bandung", "courier": "JNE", "service": "REG", "address": "Jl. Braga 1"},
        discount=10000,
    )
    body = fake_midtrans.creates()[0]["body"]
    assert body["transaction_details"] == {"order_id": order.number, "gross_amount": order.total}
    assert order.total == 298000 + 3 * 16000 - 10000
    ids = [(i["id"], i["price"], i["quantity"]) for i in body["item_details"]]
    assert ids == [("BK-001", 149000, 2), ("SHIPPING", 48000, 1), ("DISCOUNT", -10000, 1)]
    assert body["customer_details"]["first_name"] == "Budi"
    assert body["customer_details"]["phone"] == "+6281111111111"
    assert body["expiry"]["unit"] == "hour" and body["expiry"]["duration"] == 24
    assert body["expiry"]["start_time"].endswith("+0700")
    assert order.payment_url == payment.raw["redirect_url"]
    # Asking again while the link is valid returns the same link: no second Midtrans transaction.
    again = payments.do_create_link(db, order=order, actor=STAFF)
    assert again.id == payment.id and len(fake_midtrans.creates()) == 1
    # After a partial payment at the counter a new link is made for the balance, with a new Midtrans id.
    orders.do_record_payment(db, order=order, method="cash", actor=STAFF, amount=100000)
    balance = payments.do_create_link(db, order=order, actor=STAFF)
    assert balance.provider_ref == f"{order.number}-2" and balance.amount == order.total - 100000
    assert fake_midtrans.creates()[1]["body"]["item_details"][0]["id"] == "BALANCE"


def test_link_refused_without_config_or_when_paid(db, shop, world):  # type: ignore[no-untyped-def]
    from niaga.kit.errors import BadRequest, Conflict
    from tests import factories as f

    f.make_product(db, business=world.b, sku="B-1", price=1000)
    other = orders.create(db, business_id=world.b.id, actor=STAFF, items=[{"sku": "B-1"}])
    with pytest.raises(BadRequest) as exc:
        payments.do_create_link(db, order=other, actor=STAFF)
    assert exc.value.code == "midtrans_not_configured"
    paid = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "SV-001"}])
    orders.do_record_payment(db, order=paid, method="cash", actor=STAFF, tendered=5000)
    with pytest.raises(Conflict):
        payments.do_create_link(db, order=paid, actor=STAFF)


# --- notifications --------------------------------------------------------------------------------------


def test_settlement_pays_once_and_duplicates_change_nothing(
    db,
    client,
    shop,
    fake_midtrans,  # type: ignore[no-untyped-def]
    tmp_path,
):
    order, _ = _order_with_link(db, shop)
    assert _state(db, order, shop.book) == ("awaiting_payment", 0, 30, 2)
    fake_midtrans.choose_method(order.number, "bank_transfer")
    _notify(client, shop, fake_midtrans.notification(order.number, "pending"))
    assert _state(db, order, shop.book) == ("awaiting_payment", 0, 30, 2)
    settlement = fake_midtrans.notification(order.number, "settlement")
    resp = _notify(client, shop, settlement)
    assert resp.json()["data"]["duplicate"] is False
    assert _state(db, order, shop.book) == ("paid", 298000, 28, 0)
    inv = db.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).one()
    text = "".join(p.extract_text() for p in PdfReader(invoices._abs(inv.path)).pages)
    for needle in (
        "INVOICE",
        inv.number,
        order.number,
        "Toko A",
        "Jl. Parangtritis No. 10",
        "Budi Santoso",
        "Seri Kisah Teladan (5 Jilid)",
        "Rp149.000",
        "Rp298.000",
        "LUNAS",
        "Virtual Account",
    ):
        assert needle in text, needle
    c = db.get(Customer, shop.customer.id)
    assert (c.points_balance, c.total_orders, c.total_spent) == (298, 1, 298000)
    # The same notification again (Midtrans retries) and a late `pending`: nothing changes.
    resp = _notify(client, shop, settlement)
    assert resp.json()["data"]["duplicate"] is True
    _notify(client, shop, fake_midtrans.notification(order.number, "pending", transaction_id="other-id"))
    assert _state(db, order, shop.book) == ("paid", 298000, 28, 0)
    db.commit()
    db.expire_all()
    c = db.get(Customer, shop.customer.id)
    assert (c.points_balance, c.total_orders, c.total_spent) == (298, 1, 298000)
    assert db.scalar(sa.select(sa.func.count()).select_from(LoyaltyEntry)) == 1
    assert not db.get(Order, order.id).flags


def test_bad_signature_changes_nothing(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, _ = _order_with_link(db, shop)
    forged = fake_midtrans.notification(order.number, "settlement", server_key="SB-Mid-server-ATTACKER")
    _notify(client, shop, forged, expect=401)
    reformatted = fake_midtrans.notification(order.number, "settlement")
    reformatted["gross_amount"] = "298000"  # signed as "298000.00"
    _notify(client, shop, reformatted, expect=401)
    _notify(client, shop, {"order_id": order.number}, expect=401)
    client.post(f"/webhooks/midtrans/{shop.business.slug}", content=b"not json")
    assert client.post("/webhooks/midtrans/no-such-shop", json=forged).status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 0
    assert _state(db, order, shop.book) == ("awaiting_payment", 0, 30, 2)


def test_expire_releases_stock_and_late_settlement_is_flagged(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, _ = _order_with_link(db, shop)
    _notify(client, shop, fake_midtrans.notification(order.number, "expire"))
    assert _state(db, order, shop.book) == ("expired", 0, 30, 0)
    # settlement after expire: money is recorded, the order is NOT silently paid, staff are told.
    _notify(client, shop, fake_midtrans.notification(order.number, "settlement"))
    assert _state(db, order, shop.book) == ("expired", 298000, 30, 0)
    o = db.get(Order, order.id)
    assert [fl["code"] for fl in o.flags] == ["late_settlement"]
    # Staff decide to honour it: the stock is still there, so the order can be reinstated as paid.
    orders.do_transition(db, order=o, to="paid", actor=STAFF, note="stok masih ada")
    db.commit()
    assert _state(db, order, shop.book) == ("paid", 298000, 28, 0)


def test_amount_mismatch_is_flagged_not_paid(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, _ = _order_with_link(db, shop)
    _notify(client, shop, fake_midtrans.notification(order.number, "settlement", gross_amount="1000.00"))
    status, paid, _, reserved = _state(db, order, shop.book)
    assert (status, paid, reserved) == ("awaiting_payment", 0, 2)
    o = db.get(Order, order.id)
    assert o.flags[0]["code"] == "amount_mismatch" and "Rp298.000" in o.flags[0]["message"]


def test_double_payment_recorded_and_flagged(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, _ = _order_with_link(db, shop)
    # Paid at the counter first, then the customer also pays the link.
    orders.do_record_payment(db, order=db.get(Order, order.id), method="cash", actor=STAFF, tendered=300000)
    db.commit()
    _notify(client, shop, fake_midtrans.notification(order.number, "settlement"))
    status, paid, stock, _ = _state(db, order, shop.book)
    assert (status, paid, stock) == ("paid", 596000, 28)
    o = db.get(Order, order.id)
    assert [fl["code"] for fl in o.flags] == ["double_payment"]
    mp = db.scalars(sa.select(Payment).where(Payment.provider == "midtrans")).one()
    assert mp.flag == "refund_due"


def test_unknown_order_acknowledged_and_logged(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    body = fake_midtrans.notification("ORD-20200101-9999", "settlement", gross_amount="5000.00")
    _notify(client, shop, body)
    ev = db.scalars(sa.select(InboundEvent)).one()
    assert ev.handled_at is not None and ev.error is None
    assert db.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_capture_challenge_then_accept_and_refund(db, client, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    order, _ = _order_with_link(db, shop)
    _notify(client, shop, fake_midtrans.notification(order.number, "capture", fraud_status="challenge"))
    assert _state(db, order, shop.book)[0] == "awaiting_payment"
    assert db.get(Order, order.id).flags[0]["code"] == "payment_challenge"
    _notify(client, shop, fake_midtrans.notification(order.number, "capture", fraud_status="accept"))
    assert _state(db, order, shop.book)[:2] == ("paid", 298000)
    _notify(client, shop, fake_midtrans.notification(order.number, "settlement"))
    _notify(
        client, shop, fake_midtrans.notification(order.number, "partial_refund", refund_amount="100000.00")
    )
    assert _state(db, order, shop.book)[:2] == ("paid", 198000)
    _notify(client, shop, fake_midtrans.notification(order.number, "refund", refund_amount="298000.00"))
    assert _state(db, order, shop.book)[:2] == ("refunded", 0)
    assert db.get(Customer, shop.customer.id).points_balance == 0


def test_reconciliation_uses_status_api(db, shop, fake_midtrans):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from niaga.kit.timeutil import utcnow

    order, payment = _order_with_link(db, shop)
    payment.created_at = utcnow() - timedelta(minutes=10)
    db.commit()
    # The customer has not picked a method: the status API answers 404 and nothing changes.
    assert payments.reconcile_all() == {"no_transaction_yet": 1}
    fake_midtrans.choose_method(order.number, "qris")
    assert payments.reconcile_all() == {"pending": 1}
    fake_midtrans.set_status(order.number, "settlement")  # the notification got lost
    assert payments.reconcile_all() == {"paid": 1}
    assert _state(db, order, shop.book) == ("paid", 298000, 28, 0)
    assert payments.reconcile_all() == {}


def test_config_encrypted_and_never_echoed(db, shop):  # type: ignore[no-untyped-def]
    from niaga.integrations.models import ProviderConfig

    row = db.scalars(sa.select(ProviderConfig).where(ProviderConfig.kind == "midtrans")).one()
    assert SERVER_KEY not in (row.secrets or "") and SERVER_KEY not in str(row.config)
    info = payments.public_config(db, business_id=shop.business.id)
    assert info["has_server_key"] and SERVER_KEY not in str(info)
    assert info["notification_url"].endswith(f"/webhooks/midtrans/{shop.business.slug}")
    from niaga.kit.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        payments.do_configure(
            db, business_id=shop.business.id, server_key=SERVER_KEY, client_key=None, mode="production"
        )


def test_invoice_download_renders_pdf(db, shop):  # type: ignore[no-untyped-def]
    order = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=[{"sku": "QR-001"}],
        shipping={"city": "Bandung"},
    )
    from niaga.kit.errors import NotFound

    with pytest.raises(NotFound):
        invoices.read_pdf(db, order=order)
    orders.do_record_payment(db, order=order, method="cash", actor=STAFF, tendered=200000)
    name, data = invoices.read_pdf(db, order=order)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert (
        name.startswith("INV-") and "LUNAS" in text and "Tunai" in text and "Ongkos kirim SiCepat REG" in text
    )
    assert "diterima Rp200.000, kembali Rp90.000" in text  # total 95.000 + ongkir 15.000


# --- a burst: notifications applied together --------------------------------------------------------------


def test_a_burst_is_applied_together_and_one_failure_stays_alone(  # type: ignore[no-untyped-def]
    db, client, shop, fake_midtrans, monkeypatch
):
    from niaga.jobs.models import Job
    from niaga.jobs.runner import drain as run_due
    from niaga.operations import events as outgoing
    from niaga.ops.models import EventDelivery

    outgoing.create_subscription(
        db, business_id=shop.business.id, url="https://n8n.toko-a.test/hook", events=["order.paid"]
    )
    db.commit()
    made = [_order_with_link(db, shop, items=[{"sku": "SV-001"}])[0] for _ in range(4)]
    for order in made:
        fake_midtrans.choose_method(order.number, "bank_transfer")
    failing = made[2]
    real = orders.record_event

    def record_event(db_, order, event, *a, **kw):  # type: ignore[no-untyped-def]
        # Fails after the order was moved to paid (its invoice job, subscriber events and dashboard event
        # already queued): all of that must go with its rollback.
        if order.id == failing.id and event == "payment.midtrans":
            raise RuntimeError("disk full")
        return real(db_, order, event, *a, **kw)

    monkeypatch.setattr(orders, "record_event", record_event)
    from niaga.messaging import events as live

    published: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        live, "publish", lambda business_id, event_type, **data: published.append((event_type, data))
    )
    for order in made:
        resp = client.post(
            f"/webhooks/midtrans/{shop.business.slug}",
            json=fake_midtrans.notification(order.number, "settlement"),
        )
        assert resp.status_code == 200
    statements: list[str] = []

    def count(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(statement)

    from niaga.db import engine

    def committed(conn):  # type: ignore[no-untyped-def]
        statements.append("<commit>")

    sa.event.listen(engine.get_engine(), "before_cursor_execute", count)
    sa.event.listen(engine.get_engine(), "commit", committed)
    try:
        outcomes = run_due(names={"inbox.process"})
    finally:
        sa.event.remove(engine.get_engine(), "before_cursor_execute", count)
        sa.event.remove(engine.get_engine(), "commit", committed)
    # The four inbox jobs were one batch: three done, the failing one goes back to the queue; the three
    # orders were marked paid in one transaction.
    assert sorted(outcomes) == ["done", "done", "done", "retry"]
    transactions = " ".join(statements).split("<commit>")
    assert sum(1 for t in transactions if "UPDATE orders SET status" in t) == 1
    db.commit()
    db.expire_all()
    status = {o.number: db.get(Order, o.id).status for o in made}
    assert [status[o.number] for o in made] == ["paid", "paid", "awaiting_payment", "paid"]
    events = db.scalars(sa.select(InboundEvent).order_by(InboundEvent.id)).all()
    assert [e.handled_at is not None for e in events] == [True, True, False, True]
    assert "disk full" in (events[2].error or "")
    # What the failing one queued was rolled back with it: no invoice job, no order.paid for subscribers;
    # the others' are there.
    invoice_jobs = db.scalars(sa.select(Job.args).where(Job.name == "orders.send_invoice")).all()
    assert sorted(a["order_id"] for a in invoice_jobs) == sorted(o.id for o in made if o is not failing)
    paid = db.scalars(sa.select(EventDelivery).where(EventDelivery.event_type == "order.paid")).all()
    assert sorted(d.payload["data"]["order_id"] for d in paid) == sorted(
        o.id for o in made if o is not failing
    )
    paid_live = [d["order_id"] for t, d in published if t == "order.status" and d["status"] == "paid"]
    assert sorted(paid_live) == sorted(o.id for o in made if o is not failing)
    # Once the cause is gone the retried job pays it.
    monkeypatch.setattr(orders, "record_event", real)
    from datetime import timedelta

    from niaga.kit.timeutil import utcnow

    run_due(names={"inbox.process"}, now=utcnow() + timedelta(hours=1))
    db.commit()
    db.expire_all()
    assert db.get(Order, failing.id).status == "paid"
