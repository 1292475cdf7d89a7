"""Dashboard server time with a large shop: 100k messages, 20k orders (manual benchmark).

    .venv/bin/python -m bench.dashboard_bench [--messages 100000] [--orders 20000] [--runs 30]

Uses SQLite in a temporary NIAGA_HOME, or PostgreSQL when NIAGA_BENCH_DATABASE_URL is set (the database
must be empty or disposable: the schema is created and filled). Requests go through the ASGI app in
process (no network), so the figures are server time: routing, queries and template rendering.
Prints p50/p95/max per page and the overview's aggregate computation on its own.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any


def _env() -> str:
    home = tempfile.mkdtemp(prefix="niaga-dash-bench-")
    os.environ.update(
        {
            "NIAGA_ENV": "test",
            "NIAGA_HOME": home,
            "NIAGA_SECRET_KEY": "bench-" + secrets.token_hex(16),
            "NIAGA_JOBS_DISPATCH": "manual",
            "NIAGA_LOG_LEVEL": "ERROR",
            "NIAGA_LOG_JSON": "false",
        }
    )
    url = os.environ.get("NIAGA_BENCH_DATABASE_URL")
    if url:
        os.environ["NIAGA_DATABASE_URL"] = url
    return url or "sqlite"


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Any:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def generate(
    n_messages: int, n_orders: int, n_customers: int = 3000, n_conversations: int = 6000
) -> dict[str, int]:
    import sqlalchemy as sa

    from niaga.customers.models import Customer
    from niaga.db.engine import get_engine, session_scope
    from niaga.db.models import metadata
    from niaga.messaging.models import Conversation, Message
    from niaga.orders.models import ORDER_STATES, Order
    from niaga.tenancy import service as tenancy

    metadata.create_all(get_engine())
    rnd = random.Random(42)
    now = datetime.now(UTC)
    with session_scope() as db:
        business = tenancy.create_business(db, slug=f"bench-{secrets.token_hex(3)}", name="Toko Bench")
        user = tenancy.create_user(
            db, email=f"owner-{secrets.token_hex(3)}@bench.test", password="rahasia-123"
        )
        tenancy.add_member(db, user=user, business=business, role="owner")
        bid, uid = business.id, user.id
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Customer.__table__),
            [
                {
                    "business_id": bid,
                    "name": f"Pelanggan {i}",
                    "phone": f"62812{i:08d}",
                    "city": rnd.choice(["Bandung", "Jakarta", "Yogyakarta", "Surabaya"]),
                    "language": "id",
                    "tags": [],
                    "preferences": {},
                    "notes": "",
                    "total_orders": 0,
                    "total_spent": 0,
                    "points_balance": 0,
                    "is_blocked": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n_customers)
            ],
        )
        cust_ids = [r[0] for r in conn.execute(sa.select(Customer.id).where(Customer.business_id == bid))]
        convs = []
        for i in range(n_conversations):
            last = now - timedelta(minutes=rnd.randint(0, 90 * 24 * 60))
            convs.append(
                {
                    "business_id": bid,
                    "customer_id": rnd.choice(cust_ids),
                    "channel": "whatsapp",
                    "chat_id": f"62812{i:08d}@c.us",
                    "owner": rnd.choice(["bot"] * 9 + ["staff"]),
                    "status": rnd.choice(["open", "open", "closed"]),
                    "unread_count": rnd.randint(0, 3),
                    "last_message_at": last,
                    "last_message_preview": "Kak, stok peci ukuran 7 ada?",
                    "memory": {},
                    "summary": "",
                    "created_at": last,
                    "updated_at": last,
                }
            )
        conn.execute(sa.insert(Conversation.__table__), convs)
        conv_ids = [
            r[0] for r in conn.execute(sa.select(Conversation.id).where(Conversation.business_id == bid))
        ]
        msgs = []
        for _ in range(n_messages):
            inbound = rnd.random() < 0.5
            msgs.append(
                {
                    "business_id": bid,
                    "conversation_id": rnd.choice(conv_ids),
                    "channel": "whatsapp",
                    "direction": "in" if inbound else "out",
                    "sender_type": "customer" if inbound else rnd.choice(["bot"] * 4 + ["staff"]),
                    "text": "Halo kak, brp harga sajadah turki? ongkir ke bdg?",
                    "media": [],
                    "intent": "price_check",
                    "entities": {},
                    "delivery_status": "sent",
                    "tokens": 0,
                    "meta": {},
                    "created_at": now - timedelta(seconds=rnd.randint(0, 90 * 86400)),
                }
            )
        for chunk in _chunks(msgs):
            conn.execute(sa.insert(Message.__table__), chunk)
        orders = []
        for i in range(n_orders):
            created = now - timedelta(seconds=rnd.randint(0, 365 * 86400))
            total = rnd.randint(2, 200) * 5000
            status = rnd.choice(
                ["completed"] * 5 + ["paid", "awaiting_payment", "cancelled", "expired", "shipped"]
            )
            orders.append(
                {
                    "business_id": bid,
                    "number": f"ORD-B-{i:06d}",
                    "customer_id": rnd.choice(cust_ids),
                    "kind": "retail",
                    "source": "chat",
                    "status": status,
                    "subtotal": total,
                    "shipping_cost": 0,
                    "discount": 0,
                    "points_redeemed": 0,
                    "points_discount": 0,
                    "total": total,
                    "paid_amount": total if status not in ORDER_STATES[:2] else 0,
                    "shipping": {},
                    "print_spec": {},
                    "notes": "",
                    "flags": [],
                    "created_at": created,
                    "updated_at": created,
                }
            )
        for chunk in _chunks(orders):
            conn.execute(sa.insert(Order.__table__), chunk)
    return {"business_id": bid, "user_id": uid, "conversation_id": conv_ids[0]}


def measure(ids: dict[str, int], runs: int) -> None:
    from fastapi.testclient import TestClient

    from niaga.app import create_app
    from niaga.db.engine import new_session
    from niaga.tenancy.models import Business
    from niaga.web import core, stats

    cookie = core._serializer().dumps(
        {"uid": ids["user_id"], "csrf": "bench", "lang": "id", "iat": time.time()}
    )
    # The baseline: the same client, app and session cookie on a page that reads almost nothing (the login
    # form), so each page's figure can be read as a multiple of the framework's own cost in this run.
    pages = {
        "baseline /login (no data)": "/login",
        "overview /app": "/app",
        "inbox /app/inbox": "/app/inbox",
        "conversation /app/inbox/{id}": f"/app/inbox/{ids['conversation_id']}",
        "orders /app/pesanan": "/app/pesanan",
    }
    baseline: float | None = None
    with TestClient(create_app(), follow_redirects=False) as client:
        client.cookies.set(core.SESSION_COOKIE, cookie)
        for label, url in pages.items():
            assert client.get(url).status_code in (200, 303), (
                url
            )  # warm-up (templates compiled, caches filled)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code in (200, 303)
            baseline = baseline or statistics.median(times)
            _report(label, times, baseline)
    db = new_session(readonly=True)
    try:
        business = db.get(Business, ids["business_id"])
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            stats.compute(db, business)
            times.append((time.perf_counter() - t0) * 1000)
        _report("overview aggregates only", times)
    finally:
        db.close()


def _report(label: str, times: list[float], baseline: float | None = None) -> None:
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    ratio = f"   p50 = {statistics.median(times) / baseline:5.1f}× baseline" if baseline else ""
    print(
        f"{label:34s} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {times[-1]:7.1f} ms{ratio}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    backend = _env()
    t0 = time.perf_counter()
    ids = generate(args.messages, args.orders)
    # Planner statistics, as a live database has them (autovacuum's analyze, or SQLite's ANALYZE).
    from niaga.db.engine import get_engine

    with get_engine().begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(
        f"database: {backend.split('@')[-1]}; generated {args.messages} messages, {args.orders} orders "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    measure(ids, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
