"""Staff set or change the delivery of an unpaid order from its page (issue 10, item 2): the total, the
timeline and a fresh Midtrans link follow; a paid order's delivery is locked."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.catalog.models import ShippingRate
from niaga.jobs.models import Job
from niaga.orders import service as orders
from niaga.orders.models import Order, OrderEvent
from tests import factories as f
from tests.web.helpers import login, post_form

STAFF = orders.Actor.system("test")


def _order(db, business):  # type: ignore[no-untyped-def]
    f.make_product(db, business=business, sku="PC-1", name="Peci Hitam", price=40000, stock=10, weight_g=300)
    for courier, service, per_kg in (("JNE", "REG", 14000), ("J&T", "EZ", 13000)):
        db.add(
            ShippingRate(
                business_id=business.id,
                origin_city="Yogyakarta",
                destination_city="Surabaya",
                courier=courier,
                service=service,
                price_per_kg=per_kg,
                etd_days="2",
            )
        )
    db.flush()
    order = orders.create(db, business_id=business.id, items=[{"sku": "PC-1", "quantity": 2}], actor=STAFF)
    db.commit()
    return order


def test_staff_set_delivery_then_pickup_and_the_total_follows(client, world, db):
    order = _order(db, world.a)
    login(client, "staff@a.test")
    page = client.get(f"/app/pesanan/{order.id}").text
    assert 'id="shipping-form"' in page and "Surabaya" in page  # known destinations offered
    r = post_form(
        client,
        f"/app/pesanan/{order.id}",
        f"/app/pesanan/{order.id}/pengiriman",
        {
            "method": "delivery",
            "city": "surabaya",
            "service": "JNE|REG",
            "address": "Jl. Mawar 5",
            "weight_kg": "2,5",
        },
    )
    assert r.status_code == 303
    db.rollback()  # a fresh snapshot: the page wrote in its own transaction
    db.expire_all()
    o = db.get(Order, order.id)
    assert (o.subtotal, o.shipping_cost, o.total) == (80000, 42000, 122000)  # 2,5 kg stated -> 3 kg x 14.000
    assert (
        o.shipping["courier"] == "JNE"
        and o.shipping["address"] == "Jl. Mawar 5"
        and o.shipping["weight_stated"]
    )
    page = client.get(f"/app/pesanan/{order.id}").text
    assert "Rp122.000" in page and "Pengiriman diatur" in page
    r = post_form(
        client, f"/app/pesanan/{order.id}", f"/app/pesanan/{order.id}/pengiriman", {"method": "pickup"}
    )
    assert r.status_code == 303, r.text[:300]
    db.rollback()  # a fresh snapshot: the page wrote in its own transaction
    db.expire_all()
    o = db.get(Order, order.id)
    assert (o.shipping, o.shipping_cost, o.total) == ({"method": "pickup"}, 0, 80000)
    events = db.scalars(
        sa.select(OrderEvent.event).where(
            OrderEvent.order_id == o.id, OrderEvent.event == "order.shipping_set"
        )
    ).all()
    assert len(events) == 2


def test_bad_shipping_input_is_refused_with_a_message_and_changes_nothing(client, world, db):
    order = _order(db, world.a)
    login(client, "staff@a.test")
    for data, message in (
        ({"method": "delivery", "city": "Atlantis"}, "belum tersedia"),
        ({"method": "delivery", "city": "Surabaya", "weight_kg": "berat"}, "angka"),
        ({"method": "delivery", "city": ""}, "kota tujuan"),
        ({"method": "terbang"}, "Pilih dikirim"),
    ):
        post_form(client, f"/app/pesanan/{order.id}", f"/app/pesanan/{order.id}/pengiriman", data)
        page = client.get(f"/app/pesanan/{order.id}").text
        assert message in page, (data, message)
    db.rollback()  # a fresh snapshot: the page wrote in its own transaction
    db.expire_all()
    assert db.get(Order, order.id).total == 80000


def test_paid_order_delivery_is_locked_and_a_changed_amount_gets_a_new_link(db, world):
    order = _order(db, world.a)
    order.payment_url = "https://app.sandbox.midtrans.com/snap/v4/redirection/old"
    db.flush()
    orders.do_set_shipping(db, order=order, actor=STAFF, city="Surabaya")  # cheapest: J&T 13.000
    db.commit()
    assert (order.shipping_cost, order.total, order.payment_url) == (13000, 93000, None)
    assert (
        db.scalars(sa.select(Job).where(Job.name == "orders.payment_link")).one().args["order_id"] == order.id
    )
    orders.do_record_payment(db, order=order, method="cash", actor=STAFF, amount=93000, tendered=100000)
    db.commit()
    import pytest

    from niaga.kit.errors import Conflict

    with pytest.raises(Conflict):
        orders.do_set_shipping(db, order=order, actor=STAFF, city=None)
