"""Order service: pricing, shipping, stock holds, transitions, manual payments, refunds, loyalty, stats."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from niaga.catalog.models import Product
from niaga.customers.models import Customer, Transaction
from niaga.jobs.models import Job
from niaga.kit.errors import Conflict, ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.orders import loyalty
from niaga.orders import service as orders
from niaga.orders.models import LoyaltyEntry, Order, OrderEvent
from niaga.orders.service import Actor

STAFF = Actor("user", 1)


def _stock(db, product):  # type: ignore[no-untyped-def]
    db.expire_all()
    p = db.get(Product, product.id)
    return p.stock, p.reserved


def test_lines_priced_from_catalogue_sale_price_wins(db, shop):  # type: ignore[no-untyped-def]
    order = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=[{"sku": "BK-001", "quantity": 2}, {"product_id": shop.quran.id, "quantity": 1}],
    )
    db.commit()
    lines = {i.sku: (i.unit_price, i.quantity, i.total) for i in order.items}
    assert lines == {"BK-001": (149000, 2, 298000), "QR-001": (95000, 1, 95000)}
    assert (order.subtotal, order.shipping_cost, order.total) == (393000, 0, 393000)
    assert order.status == "awaiting_payment"
    assert order.expires_at is not None and timedelta(hours=23) < order.expires_at - utcnow() <= timedelta(
        hours=24
    )
    # A later catalogue change does not touch the order.
    shop.book.sale_price = 120000
    db.commit()
    db.expire_all()
    assert db.get(Order, order.id).total == 393000


def test_shipping_weight_rounded_up_cheapest_or_chosen(db, shop):  # type: ignore[no-untyped-def]
    # 2 × 1500 g + 650 g = 3650 g → 4 kg
    items = [{"sku": "BK-001", "quantity": 2}, {"sku": "QR-001", "quantity": 1}]
    cheapest = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        items=items,
        shipping={"city": "bandung", "address": "Jl. Braga 1"},
    )
    assert cheapest.shipping["courier"] == "SiCepat" and cheapest.shipping["kg"] == 4
    assert cheapest.shipping_cost == 4 * 15000
    chosen = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        items=items,
        shipping={"city": "Bandung", "courier": "jne", "service": "yes"},
    )
    assert (chosen.shipping["courier"], chosen.shipping["service"], chosen.shipping_cost) == (
        "JNE",
        "YES",
        120000,
    )
    assert chosen.total == 393000 + 120000
    with pytest.raises(ValidationFailed) as exc:
        orders.create(
            db, business_id=shop.business.id, actor=STAFF, items=items, shipping={"city": "Ternate"}
        )
    assert "Ongkir ke Ternate" in exc.value.message


def test_free_shipping_rule_and_discount_and_points(db, shop):  # type: ignore[no-untyped-def]
    shop.business.settings = {
        "shipping": {
            "origin_city": "Yogyakarta",
            "free_shipping": {"min_subtotal": 250000, "cities": ["Bandung"]},
        }
    }
    db.commit()
    small = orders.create(
        db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001"}], shipping={"city": "Bandung"}
    )
    assert small.shipping_cost == 15000 and not small.shipping["free"]
    big = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        items=[{"sku": "BK-001", "quantity": 2}],
        shipping={"city": "Bandung"},
        discount=8000,
    )
    assert big.shipping_cost == 0 and big.shipping["free"] and big.total == 290000
    # 250 points: 200 redeemable in blocks of 100 → Rp20.000 off
    loyalty.do_adjust(db, business=shop.business, customer_id=shop.customer.id, points=250, note="bonus")
    with pytest.raises(ValidationFailed):
        orders.create(
            db,
            business_id=shop.business.id,
            actor=STAFF,
            customer_id=shop.customer.id,
            items=[{"sku": "QR-001"}],
            redeem_points=150,
        )
    with pytest.raises(ValidationFailed) as exc:
        orders.create(
            db,
            business_id=shop.business.id,
            actor=STAFF,
            customer_id=shop.customer.id,
            items=[{"sku": "QR-001"}],
            redeem_points=300,
        )
    assert exc.value.code == "insufficient_points"
    o = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=[{"sku": "QR-001"}],
        redeem_points=200,
    )
    assert (o.points_redeemed, o.points_discount, o.total) == (200, 20000, 75000)
    assert loyalty.balance(db, business_id=shop.business.id, customer_id=shop.customer.id) == 50
    orders.do_transition(db, order=o, to="cancelled", actor=STAFF)
    assert loyalty.balance(db, business_id=shop.business.id, customer_id=shop.customer.id) == 250
    db.commit()
    assert db.get(Customer, shop.customer.id).points_balance == 250


def test_stock_reserved_released_and_decremented(db, shop):  # type: ignore[no-untyped-def]
    o1 = orders.create(
        db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001", "quantity": 3}]
    )
    db.commit()
    assert _stock(db, shop.quran) == (5, 3)
    draft = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        items=[{"sku": "QR-001", "quantity": 2}],
        status="draft",
    )
    assert _stock(db, shop.quran) == (5, 3)  # drafts hold nothing
    with pytest.raises(Conflict) as exc:
        orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001", "quantity": 3}])
    assert exc.value.code == "out_of_stock"
    assert exc.value.message == "Maaf, stok Mushaf A5 tidak cukup: tersisa 2, diminta 3."
    db.commit()
    # The refused order left nothing behind (no order row, no hold).
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 2
    assert _stock(db, shop.quran) == (5, 3)
    orders.do_transition(db, order=draft, to="awaiting_payment", actor=STAFF)
    assert _stock(db, shop.quran) == (5, 5)
    orders.do_transition(db, order=draft, to="cancelled", actor=STAFF, note="batal")
    assert _stock(db, shop.quran) == (5, 3)
    orders.do_record_payment(db, order=o1, method="transfer", actor=STAFF, proof=[{"message_id": 7}])
    assert o1.status == "paid"
    assert _stock(db, shop.quran) == (2, 0)
    db.commit()
    # Stock exhausted: a clear message when nothing is left.
    orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001", "quantity": 2}])
    with pytest.raises(Conflict) as exc:
        orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001"}])
    assert exc.value.message == "Maaf, stok Mushaf A5 sedang habis."


def test_untracked_products_never_block(db, shop):  # type: ignore[no-untyped-def]
    o = orders.create(
        db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "SV-001", "quantity": 500}]
    )
    orders.do_record_payment(db, order=o, method="cash", actor=STAFF, tendered=2_500_000)
    assert o.status == "paid" and db.get(Product, shop.service.id).stock is None


def test_transitions_enforced_and_logged(db, shop):  # type: ignore[no-untyped-def]
    o = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "BK-001"}])
    with pytest.raises(Conflict) as exc:
        orders.do_transition(db, order=o, to="shipped", actor=STAFF)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(Conflict) as exc:
        orders.do_transition(db, order=o, to="paid", actor=STAFF)
    assert exc.value.code == "not_fully_paid"
    orders.do_record_payment(db, order=o, method="qris", actor=STAFF, reference="RRN123")
    for to in ("processing", "ready", "shipped", "completed"):
        orders.do_transition(db, order=o, to=to, actor=STAFF)
    with pytest.raises(Conflict):
        orders.do_transition(db, order=o, to="cancelled", actor=STAFF)
    db.commit()
    events = db.scalars(
        sa.select(OrderEvent).where(OrderEvent.order_id == o.id).order_by(OrderEvent.id)
    ).all()
    moves = [(e.from_status, e.to_status) for e in events if e.to_status]
    assert moves == [
        (None, "draft"),
        ("draft", "awaiting_payment"),
        ("awaiting_payment", "paid"),
        ("paid", "processing"),
        ("processing", "ready"),
        ("ready", "shipped"),
        ("shipped", "completed"),
    ]
    assert all(e.actor_type == "user" and e.actor_id == 1 for e in events)
    assert o.completed_at is not None


def test_stale_status_is_refused(db, shop):  # type: ignore[no-untyped-def]
    """Two processes holding the same order: the second move is refused, not applied twice."""
    from niaga.db.engine import new_session

    o = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001"}])
    db.commit()
    other = new_session()
    try:
        stale = other.get(Order, o.id)
        assert stale.status == "awaiting_payment"
        other.commit()  # expire_on_commit=False: `stale` keeps the old status
        orders.do_transition(db, order=o, to="cancelled", actor=STAFF)
        db.commit()
        with pytest.raises(Conflict) as exc:
            orders.do_transition(other, order=stale, to="expired", actor=Actor.system())
        assert exc.value.code == "status_changed"
        other.rollback()
    finally:
        other.close()
    assert _stock(db, shop.quran) == (5, 0)  # released once


def test_cash_change_partial_payments_and_refunds(db, shop):  # type: ignore[no-untyped-def]
    o = orders.create(
        db, business_id=shop.business.id, actor=STAFF, customer_id=shop.customer.id, items=[{"sku": "BK-001"}]
    )  # 149.000
    p1 = orders.do_record_payment(db, order=o, method="transfer", actor=STAFF, amount=50000)
    assert (o.status, o.paid_amount, p1.amount) == ("awaiting_payment", 50000, 50000)
    p2 = orders.do_record_payment(db, order=o, method="cash", actor=STAFF, tendered=100000)
    assert (p2.amount, p2.change) == (99000, 1000)
    assert (o.status, o.paid_amount) == ("paid", 149000)
    with pytest.raises(ValidationFailed):
        orders.do_record_payment(db, order=o, method="cash", actor=STAFF, amount=10000, tendered=5000)
    # A second payment for a paid order is recorded and flagged for refund.
    p3 = orders.do_record_payment(db, order=o, method="transfer", actor=STAFF, amount=149000)
    assert p3.flag == "refund_due" and o.flags[-1]["code"] == "double_payment"
    assert o.paid_amount == 298000
    orders.do_refund(db, order=o, method="transfer", actor=STAFF, amount=149000, note="dobel transfer")
    assert (o.status, o.paid_amount) == ("paid", 149000)
    with pytest.raises(ValidationFailed):
        orders.do_refund(db, order=o, method="transfer", actor=STAFF, amount=200000)
    orders.do_refund(db, order=o, method="cash", actor=STAFF)
    assert (o.status, o.paid_amount) == ("refunded", 0)
    # Points earned on paid were taken back by the refund.
    assert loyalty.balance(db, business_id=shop.business.id, customer_id=shop.customer.id) == 0


def test_paid_updates_customer_stats_transaction_points_and_queues_invoice(db, shop):  # type: ignore[no-untyped-def]
    o = orders.create(
        db,
        business_id=shop.business.id,
        actor=STAFF,
        customer_id=shop.customer.id,
        items=[{"sku": "BK-001", "quantity": 2}],
    )
    orders.do_record_payment(db, order=o, method="cash", actor=STAFF, tendered=300000)
    db.commit()
    c = db.get(Customer, shop.customer.id)
    assert (c.total_orders, c.total_spent, c.points_balance) == (1, 298000, 298)
    assert c.first_order_at is not None and c.last_order_at is not None
    tx = db.scalars(sa.select(Transaction).where(Transaction.order_id == o.id)).one()
    assert (tx.ref, tx.amount, tx.source) == (o.number, 298000, "order")
    earn = db.scalars(sa.select(LoyaltyEntry).where(LoyaltyEntry.order_id == o.id)).one()
    assert earn.kind == "earn" and earn.points == 298 and earn.expires_at is not None
    assert 364 <= (earn.expires_at - earn.created_at).days <= 366
    jobs = db.scalars(sa.select(Job).where(Job.name == "orders.send_invoice")).all()
    assert [j.args for j in jobs] == [{"order_id": o.id}]
    assert "Poin Anda saat ini 298 poin" in loyalty.describe(db, business=shop.business, customer_id=c.id)


def test_points_expire(db, shop):  # type: ignore[no-untyped-def]
    loyalty.do_adjust(db, business=shop.business, customer_id=shop.customer.id, points=120, note="bonus")
    db.commit()
    later = utcnow() + timedelta(days=370)
    assert loyalty.balance(db, business_id=shop.business.id, customer_id=shop.customer.id, now=later) == 0
    assert loyalty.do_expire(db, now=later) == 1
    assert loyalty.do_expire(db, now=later) == 0
    db.commit()
    kinds = [e.kind for e in db.scalars(sa.select(LoyaltyEntry).order_by(LoyaltyEntry.id))]
    assert kinds == ["adjust", "expire"]
    assert db.get(Customer, shop.customer.id).points_balance == 0


def test_expiry_job_expires_overdue_and_releases_stock(db, shop):  # type: ignore[no-untyped-def]
    from niaga.orders.tasks import expire_overdue

    o = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001", "quantity": 2}])
    fresh = orders.create(
        db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "QR-001", "quantity": 1}]
    )
    o.expires_at = utcnow() - timedelta(hours=1)
    db.commit()
    assert expire_overdue() == 1
    assert expire_overdue() == 0
    db.expire_all()
    assert db.get(Order, o.id).status == "expired"
    assert db.get(Order, fresh.id).status == "awaiting_payment"
    assert _stock(db, shop.quran) == (5, 1)


def test_orders_are_scoped_to_business(db, shop, world):  # type: ignore[no-untyped-def]
    from niaga.kit.errors import NotFound

    o = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "BK-001"}])
    db.commit()
    with pytest.raises(NotFound):
        orders.get(db, business_id=world.b.id, order_id=o.id)
    with pytest.raises(ValidationFailed):  # B cannot order A's product
        orders.create(db, business_id=world.b.id, actor=STAFF, items=[{"product_id": shop.book.id}])


def test_list_flagged(db, shop):  # type: ignore[no-untyped-def]
    a = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "BK-001"}])
    b = orders.create(db, business_id=shop.business.id, actor=STAFF, items=[{"sku": "BK-001"}])
    orders.add_flag(db, b, code="amount_mismatch", message="cek", actor=STAFF)
    db.commit()
    flagged, n = orders.list_orders(db, business_id=shop.business.id, flagged=True)
    clean, m = orders.list_orders(db, business_id=shop.business.id, flagged=False)
    assert ([o.id for o in flagged], n) == ([b.id], 1)
    assert ([o.id for o in clean], m) == ([a.id], 1)
