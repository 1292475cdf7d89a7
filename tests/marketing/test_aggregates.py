"""The maintained purchase aggregates equal a full rebuild after any mix of writes: imports (including
back-dated rows), paid orders, full and partial refunds, cancellations and order refunds; and an RFM run
from the aggregates equals the reference computed from the raw transactions, also for a past as-of date."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from niaga.customers.models import Customer, Transaction
from niaga.kit.errors import AppError, ValidationFailed
from niaga.kit.timeutil import local_today
from niaga.marketing import aggregates, service
from niaga.orders import service as orders
from tests import factories as f
from tests.marketing.helpers import load, random_transactions, reference, transactions_csv


def _raw(db, business_id):
    rows = db.execute(
        sa.select(Customer.customer_ref, Transaction.occurred_on, Transaction.amount, Transaction.status)
        .join(Customer, Customer.id == Transaction.customer_id)
        .where(Transaction.business_id == business_id)
    ).all()
    return [{"customer_ref": r, "date": d, "amount": a, "status": s} for r, d, a, s in rows]


def _check(db, business_id):
    have = aggregates.snapshot_of(db, business_id=business_id)
    want = aggregates.computed_from_transactions(db, business_id=business_id)
    assert have == want


@pytest.mark.parametrize("seed", range(4))
def test_incremental_equals_rebuilt_after_random_writes(db, seed):
    from niaga.catalog.importer import import_file

    rng = random.Random(seed)
    biz = f.make_business(db)
    other = f.make_business(db)
    refs = [f"C{i:03d}" for i in range(30)]
    today = local_today(biz.timezone)
    load(db, biz, refs, random_transactions(rng, refs, 150, start=today - timedelta(days=700), end=today))
    load(
        db,
        other,
        refs[:5],
        random_transactions(rng, refs[:5], 20, start=today - timedelta(days=90), end=today),
    )
    product = f.make_product(db, business=biz, price=85_000, stock=None)
    ids = {
        c.customer_ref: c.id for c in db.scalars(sa.select(Customer).where(Customer.business_id == biz.id))
    }
    paid: list[int] = []
    ops = ["import", "backdated", "refund", "partial", "too_large", "cancel", "order", "order_refund"]
    for step in range(14):
        op = rng.choice(ops)
        if op in ("import", "backdated"):
            start = today - timedelta(days=2000 if op == "backdated" else 30)
            end = today - timedelta(days=900) if op == "backdated" else today
            rows = random_transactions(
                rng, refs, rng.randint(1, 25), start=start, end=end, prefix=f"S{step}-"
            )
            import_file(
                db, kind="transactions", business_id=biz.id, data=transactions_csv(rows), filename="t.csv"
            )
        elif op in ("refund", "partial", "too_large", "cancel"):
            tx = db.scalars(
                sa.select(Transaction)
                .where(
                    Transaction.business_id == biz.id,
                    Transaction.status == "completed",
                    Transaction.source == "import",
                )
                .order_by(Transaction.id)
                .offset(rng.randint(0, 50))
                .limit(1)
            ).first()
            if tx is None:
                continue
            if op == "cancel":
                aggregates.do_change_transaction(
                    db, business_id=biz.id, transaction_id=tx.id, action="cancel"
                )
            elif op == "refund":
                aggregates.do_change_transaction(
                    db, business_id=biz.id, transaction_id=tx.id, action="refund"
                )
            elif op == "partial" and tx.amount > 1:
                aggregates.do_change_transaction(
                    db, business_id=biz.id, transaction_id=tx.id, action="refund", amount=tx.amount // 3
                )
            elif op == "too_large":
                before = tx.amount
                with pytest.raises(ValidationFailed) as exc:
                    aggregates.do_change_transaction(
                        db, business_id=biz.id, transaction_id=tx.id, action="refund", amount=tx.amount + 1
                    )
                assert exc.value.code == "refund_too_large" and "melebihi" in exc.value.message
                assert tx.amount == before and tx.status == "completed"
        elif op == "order":
            o = orders.create(
                db,
                business_id=biz.id,
                actor=orders.Actor.system(),
                items=[{"product_id": product.id, "quantity": rng.randint(1, 3)}],
                customer_id=ids[rng.choice(refs)],
            )
            orders.do_record_payment(
                db, order=o, method="cash", actor=orders.Actor.system(), tendered=o.total
            )
            paid.append(o.id)
        elif op == "order_refund" and paid:
            o = orders.get(db, business_id=biz.id, order_id=paid.pop(0))
            part = rng.choice([None, o.paid_amount // 2])
            orders.do_refund(db, order=o, method="cash", actor=orders.Actor.system(), amount=part)
        db.commit()
        _check(db, biz.id)
        _check(db, other.id)
    incremental = aggregates.snapshot_of(db, business_id=biz.id)
    aggregates.rebuild(db, business_id=biz.id)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == incremental
    # From empty (the plain INSERT … SELECT path): this business's rows gone while the other's stay, then
    # the whole table empty (its secondary index dropped for the insert and built again after it).
    from niaga.customers.models import CustomerPurchaseStats as Stats

    incremental_other = aggregates.snapshot_of(db, business_id=other.id)
    db.execute(sa.delete(Stats).where(Stats.business_id == biz.id))
    assert aggregates.rebuild(db, business_id=biz.id) == len(incremental)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == incremental
    assert aggregates.snapshot_of(db, business_id=other.id) == incremental_other
    db.execute(sa.delete(Stats))
    assert aggregates.rebuild(db) == len(incremental) + len(incremental_other)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == incremental
    assert aggregates.snapshot_of(db, business_id=other.id) == incremental_other
    assert "ix_customer_purchase_stats_business_figures" in {
        ix["name"] for ix in sa.inspect(db.connection()).get_indexes("customer_purchase_stats")
    }
    # An RFM run from the aggregates equals the reference from the raw rows, today and for a past date.
    raw = _raw(db, biz.id)
    for as_of, method in ((today, "quantile"), (today - timedelta(days=400), "quantile"), (today, "bins")):
        got = service.compute(db, business=biz, as_of=as_of, method=method).as_dict()
        want = reference(raw, as_of, method)
        assert {
            c["customer_ref"]: {
                k: c[k] for k in ("recency_days", "frequency", "monetary", "r", "f", "m", "segment")
            }
            for c in got["customers"]
        } == want
        assert got["customers_scored"] == len(want)
        assert got["customers_without_purchases"] == len(refs) - len(want)


def test_paid_order_and_refund_update_aggregates(db):
    biz = f.make_business(db)
    c = f.make_customer(db, business=biz)
    p = f.make_product(db, business=biz, price=100_000, stock=None)
    o = orders.create(
        db,
        business_id=biz.id,
        actor=orders.Actor.system(),
        items=[{"product_id": p.id, "quantity": 2}],
        customer_id=c.id,
    )
    orders.do_record_payment(db, order=o, method="cash", actor=orders.Actor.system(), tendered=o.total)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == {c.id: (local_today(biz.timezone), 1, 200_000)}
    orders.do_refund(db, order=o, method="cash", actor=orders.Actor.system(), amount=50_000)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id)[c.id][1:] == (1, 150_000)
    with pytest.raises(AppError) as exc:  # a refund larger than what was paid
        orders.do_refund(db, order=o, method="cash", actor=orders.Actor.system(), amount=10_000_000)
    assert exc.value.code == "refund_too_large"
    db.rollback()
    orders.do_refund(db, order=o, method="cash", actor=orders.Actor.system())
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == {}
    result = service.compute(db, business=biz)
    assert result.as_dict()["customers_scored"] == 0 and result.customers_without_purchases == 1


def test_deleting_a_customer_drops_their_aggregate(db):
    biz = f.make_business(db)
    load(
        db,
        biz,
        ["A1", "A2"],
        [
            {
                "ref": "T1",
                "customer_ref": "A1",
                "date": date(2025, 1, 2),
                "amount": 10_000,
                "status": "completed",
            },
            {
                "ref": "T2",
                "customer_ref": "A2",
                "date": date(2025, 1, 3),
                "amount": 20_000,
                "status": "completed",
            },
        ],
    )
    from niaga.customers import service as customers

    c = customers.get_by_ref(db, business_id=biz.id, customer_ref="A1")
    customers.delete_customer(db, c)
    db.commit()
    assert len(aggregates.snapshot_of(db, business_id=biz.id)) == 1
    _check(db, biz.id)


def test_deleting_a_customer_removes_their_snapshot_rows(db):
    from niaga.customers import service as customers
    from niaga.marketing import rfm_store

    biz = f.make_business(db)
    load(
        db,
        biz,
        ["A1", "A2"],
        [
            {
                "ref": str(i),
                "customer_ref": f"A{1 + i % 2}",
                "date": date(2025, 1, 2),
                "amount": 10_000,
                "status": "completed",
            }
            for i in range(4)
        ],
    )
    sids = [service.do_run(db, business=biz).snapshot_id for _ in range(2)]
    db.commit()
    c = customers.get_by_ref(db, business_id=biz.id, customer_ref="A1")
    cid = c.id
    assert service.customer_history(db, business_id=biz.id, customer_id=cid)
    customers.delete_customer(db, c)
    db.commit()
    for sid in sids:
        left = rfm_store.read(db, business_id=biz.id, snapshot_id=sid).customer_id.tolist()
        assert cid not in left and len(left) == 1
    assert service.customer_history(db, business_id=biz.id, customer_id=cid) == []


def test_deleting_a_snapshot_or_its_business_removes_its_rows(db):
    """A snapshot's blocks go with it (foreign key with ON DELETE CASCADE), and so do a business's."""
    from niaga.marketing import rfm_store
    from niaga.marketing.models import RfmSnapshot, RfmSnapshotBlock

    biz, other = f.make_business(db), f.make_business(db)
    for b in (biz, other):
        load(
            db,
            b,
            ["A1", "A2"],
            [
                {
                    "ref": str(i),
                    "customer_ref": f"A{1 + i % 2}",
                    "date": date(2025, 1, 2),
                    "amount": 10_000,
                    "status": "completed",
                }
                for i in range(4)
            ],
        )
    first = service.do_run(db, business=biz).snapshot_id
    second = service.do_run(db, business=biz).snapshot_id
    kept = service.do_run(db, business=other).snapshot_id
    db.commit()

    def rows(sid):  # type: ignore[no-untyped-def]
        bid = db.scalar(sa.select(RfmSnapshotBlock.business_id).where(RfmSnapshotBlock.snapshot_id == sid))
        return 0 if bid is None else len(rfm_store.read(db, business_id=bid, snapshot_id=sid))

    assert rows(first) == rows(second) == rows(kept) == 2
    db.execute(sa.delete(RfmSnapshot).where(RfmSnapshot.id == first))
    db.commit()
    assert (rows(first), rows(second), rows(kept)) == (0, 2, 2)
    db.execute(sa.text("DELETE FROM businesses WHERE id = :b"), {"b": biz.id})
    db.commit()
    assert (rows(second), rows(kept)) == (0, 2)


def test_rebuild_writes_only_what_differs_and_keeps_other_businesses(db):
    """A rebuild repairs changed, missing and stale rows of its business (a stale row: a customer without
    completed purchases) and leaves other businesses' rows as they are, also when they are wrong."""
    from niaga.customers.models import CustomerPurchaseStats as Stats

    rng = random.Random(7)
    biz, other = f.make_business(db), f.make_business(db)
    today = local_today(biz.timezone)
    refs = [f"R{i:02d}" for i in range(12)]
    load(
        db,
        biz,
        refs[:10],
        random_transactions(rng, refs[:10], 60, start=today - timedelta(days=300), end=today),
    )
    load(
        db,
        other,
        refs[:4],
        random_transactions(rng, refs[:4], 10, start=today - timedelta(days=30), end=today),
    )
    idle = f.make_customer(db, business=biz, customer_ref="TANPA")
    want = aggregates.computed_from_transactions(db, business_id=biz.id)
    want_other = aggregates.computed_from_transactions(db, business_id=other.id)
    some, gone = sorted(want)[:2]
    db.execute(sa.update(Stats).where(Stats.customer_id == some).values(frequency=999, monetary=1))
    db.execute(sa.delete(Stats).where(Stats.customer_id == gone))
    db.add(Stats(customer_id=idle.id, business_id=biz.id, last_on=today, frequency=3, monetary=30_000))
    damaged_other = sorted(want_other)[0]
    db.execute(sa.update(Stats).where(Stats.customer_id == damaged_other).values(frequency=777))
    db.flush()

    assert aggregates.rebuild(db, business_id=biz.id) == len(want)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=biz.id) == want
    assert aggregates.snapshot_of(db, business_id=other.id)[damaged_other][1] == 777
    # Nothing differs any more: a second rebuild changes nothing; the rebuild of all businesses repairs
    # the other one too.
    assert aggregates.rebuild(db, business_id=biz.id) == len(want)
    assert aggregates.snapshot_of(db, business_id=biz.id) == want
    assert aggregates.rebuild(db) == len(want) + len(want_other)
    db.commit()
    assert aggregates.snapshot_of(db, business_id=other.id) == want_other
