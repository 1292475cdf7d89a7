"""Orders benchmarks (manual; `python bench/orders_bench.py [--orders 500] [--concurrency 8] [--creators 50]`).

1. Midtrans notifications: signed `settlement` POSTs to `/webhooks/midtrans/{slug}` (verify + store + ack) beside
   a bare FastAPI POST, then the same notifications again (duplicates), then the inbox jobs processed in this
   process (order → paid, stock, points, stats): notifications processed per second. Verifies every order
   is paid exactly once.
2. Order-number allocation: `--creators` threads (separate sessions) creating orders at once; checks there are
   no duplicate numbers and reports orders per second.

PostgreSQL: set NIAGA_BENCH_DATABASE_URL to an empty database's URL.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, run_load, start_bare_server, start_process, wait_http
from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY, FakeMidtrans


def seed(env: dict[str, str], n_orders: int, midtrans_url: str) -> tuple[str, list[str]]:
    os.environ.update(env)
    from niaga.db.engine import configure, session_scope
    from niaga.db.migrate import upgrade
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    from niaga.ops.logging import configure_logging

    configure_logging("WARNING", False)
    configure()
    upgrade()
    from niaga.catalog.models import Product
    from niaga.customers.models import Customer
    from niaga.orders import payments
    from niaga.orders import service as orders
    from niaga.tenancy import service

    with session_scope() as db:
        b = service.create_business(db, slug="bench-orders", name="Bench Orders")
        db.add(
            Product(
                business_id=b.id,
                sku="BK-1",
                name="Buku Bench",
                price=175000,
                sale_price=149000,
                stock=10_000_000,
                weight_g=500,
            )
        )
        db.add(Product(business_id=b.id, sku="BK-2", name="Buku Kedua", price=50000, stock=None))
        c = Customer(business_id=b.id, name="Pelanggan Bench", phone="6281100000000")
        db.add(c)
        db.flush()
        payments.do_configure(
            db, business_id=b.id, server_key=SERVER_KEY, client_key=CLIENT_KEY, base_url=midtrans_url
        )
        bid, cid = b.id, c.id
    numbers = []
    for _ in range(n_orders):
        with session_scope(immediate=True) as db:
            o = orders.create(
                db,
                business_id=bid,
                customer_id=cid,
                actor=orders.Actor.system("bench"),
                items=[{"sku": "BK-1", "quantity": 1}, {"sku": "BK-2", "quantity": 1}],
            )
            payments.do_create_link(db, order=o, actor=orders.Actor.system("bench"))
            numbers.append(o.number)
    return "bench-orders", numbers


def bench_numbers(business_slug: str, creators: int, per_creator: int) -> None:
    from niaga.db.engine import new_session
    from niaga.orders import service as orders
    from niaga.tenancy.service import get_business_by_slug

    with new_session() as db:
        bid = get_business_by_slug(db, business_slug).id
    barrier = threading.Barrier(creators)
    got: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def creator() -> None:
        barrier.wait()
        for _ in range(per_creator):
            s = new_session(immediate=True)
            try:
                o = orders.create(
                    s,
                    business_id=bid,
                    actor=orders.Actor.system("bench"),
                    items=[{"sku": "BK-2", "quantity": 1}],
                )
                s.commit()
                with lock:
                    got.append(o.number)
            except Exception as exc:
                s.rollback()
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:120])
            finally:
                s.close()

    threads = [threading.Thread(target=creator) for _ in range(creators)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    dup = len(got) - len(set(got))
    print(
        f"order numbers: {creators} concurrent creators × {per_creator}: {len(got)} orders in {dt:.2f} s "
        f"= {len(got) / dt:.1f} orders/s; duplicates {dup}; errors {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--creators", type=int, default=50)
    ap.add_argument("--per-creator", type=int, default=4)
    a = ap.parse_args()
    home = tempfile.mkdtemp(prefix="niaga-bench-orders-")
    env = {
        "NIAGA_HOME": home,
        "NIAGA_SECRET_KEY": "bench-" + "x" * 32,
        "NIAGA_LOG_LEVEL": "WARNING",
        "NIAGA_ENV": "development",
        "NIAGA_JOBS_DISPATCH": "manual",
    }
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):
        env["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    backend = "postgresql" if "NIAGA_DATABASE_URL" in env else "sqlite"
    with FakeMidtrans() as fake:
        print(f"seeding {a.orders} orders with payment links ({backend}) ...", flush=True)
        slug, numbers = seed(env, a.orders, fake.base_url)
        bodies = [fake.notification(n, "settlement") for n in numbers]
        port = free_port()
        niaga = start_process(
            [sys.executable, "-m", "niaga.cli", "serve", "--port", str(port), "--no-worker"],
            env=env,
            log=Path(home) / "server.log",
        )
        bare, bare_url = start_bare_server()
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + "/healthz")
            kw = dict(concurrency=a.concurrency, total=len(bodies))
            baseline = run_load(
                "bare FastAPI POST /ping",
                lambda c, i: c.post("/ping", json=bodies[i]),
                base_url=bare_url,
                **kw,
            )
            first = run_load(
                "POST /webhooks/midtrans (verify+store+ack)",
                lambda c, i: c.post(f"/webhooks/midtrans/{slug}", json=bodies[i]),
                base_url=base,
                **kw,
            )
            again = run_load(
                "  same notifications again (duplicates)",
                lambda c, i: c.post(f"/webhooks/midtrans/{slug}", json=bodies[i]),
                base_url=base,
                **kw,
            )
            print(f"\nMidtrans notifications, {len(bodies)} orders, {backend}, concurrency {a.concurrency}")
            print(baseline.row())
            print(first.row(baseline))
            print(again.row(baseline))
        finally:
            niaga.terminate()
            bare.terminate()
            niaga.wait(10)
            bare.wait(10)

        import sqlalchemy as sa

        from niaga.db.engine import new_session
        from niaga.jobs.registry import load_all
        from niaga.jobs.runner import drain
        from niaga.orders.models import Order

        load_all()
        t0 = time.perf_counter()
        outcomes = drain(names={"inbox.process"})
        dt = time.perf_counter() - t0
        with new_session() as db:
            paid = db.scalar(
                sa.select(sa.func.count())
                .select_from(Order)
                .where(Order.status == "paid", Order.paid_amount == Order.total)
            )
            over = db.scalar(
                sa.select(sa.func.count()).select_from(Order).where(Order.paid_amount > Order.total)
            )
        print(
            f"processing: {len(outcomes)} inbox jobs in {dt:.2f} s = {len(outcomes) / dt:.1f} notifications/s "
            f"(order paid + stock + points + stats + invoice job); paid orders {paid}/{len(numbers)}, "
            f"over-paid {over}, failed jobs {sum(o != 'done' for o in outcomes)}"
        )
        bench_numbers(slug, a.creators, a.per_creator)


if __name__ == "__main__":
    main()
