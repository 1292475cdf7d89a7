"""Midtrans notification benchmark (run manually, from the repository root):

    .venv/bin/python bench/midtrans_bench.py [--orders 100] [--profile out.txt]

N orders with Midtrans payment links (against the loopback fake Midtrans), then for each a signed `settlement`
notification through `POST /webhooks/midtrans/{slug}` (store-then-ack, measured as ingest/s), then every job
they cause is processed in this process (inbox → status API confirmation → paid → invoice PDF → loyalty),
measured as notifications processed per second. SQLite under a temporary NIAGA_HOME unless
NIAGA_BENCH_DATABASE_URL is set. `--profile` writes cProfile stats of the processing phase, `--sql-log`
its SQL. Besides the wall-clock rate it reports the process's CPU seconds (the fake Midtrans included) and
SQL statements per notification, which other load on a shared machine does not change.

Results (2 shared cores, load average 9-12 from other agents, `--orders 100`, SQLite, main and this branch
alternating in one session):
| run | jobs | notifications/s (wall) | CPU s | notifications per CPU s | SQL per notification |
|---|---|---|---|---|---|
| main | 200 | 5.3 | 7.15 | 14.0 | 56.0 |
| branch | 100 | 5.4 | 6.37 | 15.7 | 38.1 |
| main | 200 | 4.8 | 7.31 | 13.7 | 56.0 |
| branch | 100 | 5.9 | 6.27 | 15.9 | 38.1 |
PostgreSQL, branch (load 12): 3.8/s wall, 14.3 per CPU second, 32.1 SQL per notification.
One job per notification now (status API confirmation with no transaction open, then apply: `inbox.TwoPhase`)
instead of two, and 38 statements instead of 56; but CPU per notification fell only ~12% (~63 ms): most of
it is SQLAlchemy building and executing the ~30 statements of the paid bookkeeping (order transition, stock,
customer stats, RFM transaction and purchase stats, loyalty, three order events, invoice job, outgoing
event subscriptions). The goal of 100/s is not reached: on this machine it needs ~10 ms of CPU per
notification, i.e. a bulk (many notifications per statement) rewrite of that bookkeeping across orders,
customers and loyalty.

Later session (inbox batches: `drain` hands due `inbox.process` jobs over in groups of the dispatcher's CHUNK as
the queue does; a group's status API calls run side by side and the notifications are applied in one write
transaction, a savepoint each; idempotent enqueue and the RFM transaction in one statement each; no "fetch"
round trip in the loyalty refresh). SQLite, `--orders 200`, load about 1, the commit before (98c696f) and
after alternating: before 39.0 and 45.1 notifications/s (39.4 and 45.7 per CPU s, 38.0 SQL each); after 57.3
and 39.4/s (56.3 and 39.0 per CPU s, 25.8 SQL each); six more runs of "after" with 1 or 8 prepare threads:
32.7-52.2/s. Runs of the same code differ by up to 30% on this machine. About 20 ms of CPU per notification
is still SQLAlchemy running the paid bookkeeping (order transition, stock, customer stats, RFM transaction,
loyalty, three order events, invoice job): the goal of 100/s is not reached.

Session 6 (2026-12-01). Profiling showed that building the statements (clause construction, coercion and
cache keys) cost more than running them: the paid bookkeeping's statements are now built once with bind
parameters (guarded status move, customer stats, RFM transaction and purchase stats, loyalty entry, refresh
and earn check, paid sum, inbox marks, the notification lookups), a job is inserted with one Core statement
and attached to the session without being read back, and stock lines read three columns instead of loading
products. The status API is now served by a separate process (`--inprocess-status` for the old setup): its
CPU was counted in this process's figures. SQLite, `--orders 300`, quiet machine (load 0.8-1.3), six runs
in a row on the final tree: 83.0, 133.8, 122.1, 100.7, 114.8, 122.8 notifications/s (median 118); per CPU
second 101.6-135.5 (the 83.0 run waited: 2.59 CPU s in 3.61 s); the applying thread 6.0-8.0 ms of CPU per
notification (16-21 ms before this session's changes, same machine); 25.8 SQL statements each. PostgreSQL
(its server on the same 2 cores): 48.5/s, 69.8 per CPU second. `--threads 4` (threads racing `drain`, which
is not how Huey hands jobs to its threads: they claim the same batches and skip them) is slower on a quiet
machine, 85-88/s.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _serve_status(transactions: dict, server_key: str, urls: object, stop: object) -> None:
    """The status API in a process of its own (Midtrans is another machine: its work must not share this
    process's CPU and GIL with the processing measured here)."""
    from niaga.integrations.midtrans.fake import FakeMidtrans

    fake = FakeMidtrans(server_key)
    fake.transactions = transactions
    fake.start()
    urls.put(fake.base_url)  # type: ignore[attr-defined]
    stop.wait()  # type: ignore[attr-defined]
    fake.stop()


def _drain_threads(drain: Any, threads: int) -> list[str]:
    """The notification jobs drained by `threads` threads side by side. They race for the same due batches (a
    batch's claim is one conditional UPDATE, so no job runs twice; the losers skip it), which Huey's own
    threads do not: its dispatcher hands each batch to one thread."""
    names = {"inbox.process", "midtrans.confirm_payment"}
    if threads <= 1:
        return list(drain(names=names))
    import threading

    out: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        done = drain(names=names)
        with lock:
            out.extend(done)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=100)
    ap.add_argument("--profile", default="")
    ap.add_argument("--sql-log", default="", help="write the SQL of the processing phase to this file")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads running `drain` side by side (they race for the same due batches; Huey hands each batch "
        "to one of its threads instead)",
    )
    ap.add_argument(
        "--inprocess-status",
        action="store_true",
        help="serve the fake status API from a thread of this process (as earlier runs did; its CPU is then "
        "counted in the processing figures)",
    )
    args = ap.parse_args()
    os.environ.update(
        {
            "NIAGA_HOME": tempfile.mkdtemp(prefix="niaga-mt-bench-"),
            "NIAGA_SECRET_KEY": secrets.token_urlsafe(24),
            "NIAGA_ENV": "development",
            "NIAGA_LOG_LEVEL": "ERROR",
            "NIAGA_JOBS_DISPATCH": "manual",
        }
    )
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):
        os.environ["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    from fastapi.testclient import TestClient
    from tests import factories as f

    from niaga.app import create_app
    from niaga.db import engine
    from niaga.db.models import metadata
    from niaga.integrations.midtrans import payments
    from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY, FakeMidtrans
    from niaga.jobs.runner import drain
    from niaga.orders import service as orders
    from niaga.orders.service import Actor
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    engine.configure()
    metadata.create_all(engine.get_engine())
    fake = FakeMidtrans().start()
    status_server: Any = None

    def configure(db: Any, business_id: int, base_url: str) -> None:
        payments.do_configure(
            db,
            business_id=business_id,
            server_key=SERVER_KEY,
            client_key=CLIENT_KEY,
            mode="sandbox",
            base_url=base_url,
        )

    staff = Actor("user", None)
    try:
        with engine.session_scope() as db:
            b = f.make_business(db, slug="toko", name="Toko")
            f.make_product(db, business=b, sku="SV-1", name="Jasa", price=50000, stock=None)
            configure(db, b.id, fake.base_url)
            numbers = []
            for i in range(args.orders):
                c = f.make_customer(db, business=b, name=f"Pelanggan {i}", phone=f"62811{i:07d}")
                order = orders.create(
                    db, business_id=b.id, actor=staff, customer_id=c.id, items=[{"sku": "SV-1"}]
                )
                numbers.append(order.number)
            db.flush()
            slug = b.slug
        with engine.session_scope() as db:
            for number in numbers:
                order = orders.get_by_number(db, business_id=b.id, number=number)
                assert order is not None
                payments.do_create_link(db, order=order, actor=staff)
        for number in numbers:
            fake.choose_method(number, "bank_transfer")
        bodies = [fake.notification(n, "settlement") for n in numbers]
        drain()  # whatever setting up left
        if not args.inprocess_status:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")
            urls, stop_status = ctx.Queue(), ctx.Event()
            status_server = ctx.Process(
                target=_serve_status, args=(fake.transactions, SERVER_KEY, urls, stop_status), daemon=True
            )
            status_server.start()
            with engine.session_scope() as db:
                configure(db, b.id, urls.get(timeout=60))
        with TestClient(create_app()) as client:
            t0 = time.perf_counter()
            for body in bodies:
                r = client.post(f"/webhooks/midtrans/{slug}", json=body)
                assert r.status_code == 200, r.text
            ingest = time.perf_counter() - t0
            prof = cProfile.Profile() if args.profile else None
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            import sqlalchemy as sa

            statements: list[str] = []

            def log_sql(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
                statements.append(" ".join(statement.split())[:300] if args.sql_log else "")

            sa.event.listen(engine.get_engine(), "before_cursor_execute", log_sql)
            cpu0, thread0 = time.process_time(), time.thread_time()
            # The notification itself: inbox job -> status API confirmation -> order paid, loyalty, stats.
            outcomes = _drain_threads(drain, args.threads)
            if prof:
                prof.disable()
                prof.dump_stats(args.profile)
            processing = time.perf_counter() - t0
            processing_cpu = time.process_time() - cpu0
            main_cpu = time.thread_time() - thread0
            sa.event.remove(engine.get_engine(), "before_cursor_execute", log_sql)
            if args.sql_log:
                Path(args.sql_log).write_text("\n".join(statements) + "\n")
            # What being paid sets off afterwards (invoice PDF and its delivery): measured apart.
            t0 = time.perf_counter()
            after = drain()
            downstream = time.perf_counter() - t0
        import sqlalchemy as sa

        from niaga.orders.models import Order

        with engine.session_scope() as db:
            paid = db.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.status == "paid"))
        print(
            json.dumps(
                {
                    "backend": engine.get_engine().dialect.name,
                    "threads": args.threads,
                    "notifications": len(bodies),
                    "ingest_per_s_sequential": round(len(bodies) / ingest, 1),
                    "jobs_run": len(outcomes),
                    # what each job did ("skipped": another thread had claimed it first)
                    "outcomes": dict(Counter(outcomes)),
                    "downstream_jobs_run": len(after),
                    "downstream_s": round(downstream, 2),
                    "orders_paid": paid,
                    "processing_s": round(processing, 2),
                    "notifications_processed_per_s": round(len(bodies) / processing, 1),
                    # CPU seconds of this process (the fake Midtrans included): less sensitive than the
                    # wall clock to other work on a shared machine
                    "processing_cpu_s": round(processing_cpu, 2),
                    "notifications_per_cpu_s": round(len(bodies) / processing_cpu, 1),
                    # CPU of the thread that applies them (the write transactions; the status API calls
                    # run in the prepare threads)
                    "apply_thread_cpu_ms_per_notification": (
                        round(main_cpu * 1000 / len(bodies), 2) if args.threads <= 1 else None
                    ),
                    "sql_per_notification": round(len(statements) / len(bodies), 1),
                },
                indent=2,
            )
        )
    finally:
        fake.stop()
        if status_server is not None:
            stop_status.set()
            status_server.join(10)


if __name__ == "__main__":
    main()
