"""Order numbers: ORD-YYYYMMDD-NNNN per business per local day, unique under concurrent creators."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from niaga.catalog.models import Product
from niaga.db.engine import new_session
from niaga.orders import service as orders
from niaga.orders.models import Order
from niaga.orders.numbering import allocate_number
from niaga.orders.service import Actor
from tests import factories as f


def test_format_local_day_and_per_business(db, world):  # type: ignore[no-untyped-def]
    # 17:30 UTC on 16 May is already 17 May in Jakarta (UTC+7).
    late = datetime(2024, 5, 16, 17, 30, tzinfo=UTC)
    assert (
        allocate_number(db, business_id=world.a.id, timezone="Asia/Jakarta", now=late) == "ORD-20240517-0001"
    )
    assert (
        allocate_number(db, business_id=world.a.id, timezone="Asia/Jakarta", now=late) == "ORD-20240517-0002"
    )
    assert (
        allocate_number(db, business_id=world.b.id, timezone="Asia/Jakarta", now=late) == "ORD-20240517-0001"
    )
    # Makassar (UTC+8) businesses count by their own date.
    early = datetime(2024, 5, 16, 15, 30, tzinfo=UTC)
    assert (
        allocate_number(db, business_id=world.a.id, timezone="Asia/Jakarta", now=early) == "ORD-20240516-0001"
    )
    assert (
        allocate_number(db, business_id=world.a.id, timezone="Asia/Makassar", now=early)
        == "ORD-20240516-0002"
    )


def test_fifty_concurrent_creators_get_fifty_distinct_numbers(db, world):  # type: ignore[no-untyped-def]
    product = f.make_product(db, business=world.a, sku="P-1", price=10000, stock=1000)
    n = 50
    barrier = threading.Barrier(n)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create() -> None:
        session = new_session(immediate=True)  # how every order-creating caller opens its session
        try:
            barrier.wait(timeout=30)
            order = orders.create(
                session,
                business_id=world.a.id,
                items=[{"sku": "P-1", "quantity": 1}],
                actor=Actor.system("test"),
            )
            session.commit()
            with lock:
                numbers.append(order.number)
        except BaseException as exc:  # collected and asserted below
            session.rollback()
            with lock:
                errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=create) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(numbers) == n and len(set(numbers)) == n
    assert all(re.fullmatch(r"ORD-\d{8}-\d{4}", x) for x in numbers)
    assert sorted(int(x[-4:]) for x in numbers) == list(range(1, n + 1))  # no gaps either
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == n
    assert db.get(Product, product.id).reserved == n
