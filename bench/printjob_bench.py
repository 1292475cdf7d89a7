"""Print-job benchmarks (issue 14). Figures are only meaningful beside the baseline measured in the same run.

1. Chat to quote: --orders orders of 3 files (the repository's copy of the `mixed_order` fixture: a cover
   letter DOCX, an appendix PDF, a phone photo) arrive as signed WAHA webhooks, one order at a time, each
   from its own customer; measured from the moment the last file's webhook is acknowledged to the quote
   message accepted by the fake WAHA. Beside it, the document pipeline's own time for the same job (the
   `printshop.process_job` run: intake, checks, assembly, previews, quote) and the message buffer window,
   which is part of the path by design (several files and a note within the window are one order).
2. Queue board server time with --jobs print jobs in the business (most finished, as in a shop after a
   few months): GET /app/cetak (whole page) and /app/cetak/papan (the live refresh), beside GET /healthz on
   the same client as the baseline.

Usage: python bench/printjob_bench.py [--orders 20] [--jobs 5000] [--runs 20] [--buffer 1.0] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
MIXED_ORDER = ROOT / "tests" / "fixtures" / "printshop" / "mixed_order"
HMAC_KEY = "bench-hmac"
PASSWORD = "rahasia-123"


def _env() -> None:
    home = tempfile.mkdtemp(prefix="niaga-printjob-bench-")
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


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def _setup(buffer_s: float, waha: Any) -> tuple[int, str, str]:
    from niaga.db.engine import get_engine, session_scope
    from niaga.db.models import metadata
    from niaga.messaging import config as channel_config
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES
    from niaga.tenancy import service as tenancy

    metadata.create_all(get_engine())
    with session_scope() as db:
        b = tenancy.create_business(
            db,
            slug="smartcopy-bench",
            name="SmartCopy Bench",
            settings={"modules": {"print": True}, "channels": {"buffer_seconds": buffer_s}},
        )
        db.add(PrintPriceList(business_id=b.id, name="default", prices=DEFAULT_PRICES, is_active=True))
        channel_config.do_configure(
            db,
            business_id=b.id,
            kind="waha",
            config={"base_url": waha.url, "session": "default"},
            secrets={"api_key": waha.api_key, "hmac_key": HMAC_KEY},
            is_enabled=True,
        )
        email = f"op-{secrets.token_hex(3)}@bench.test"
        user = tenancy.create_user(db, email=email, password=PASSWORD)
        tenancy.add_member(db, user=user, business=b, role="operator")
        return b.id, b.slug, email


class Worker:
    """Runs due jobs continuously, as `niaga serve`'s in-process worker does."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        from niaga.jobs.runner import drain

        while not self.stop.is_set():
            try:
                drain()
            except Exception as exc:  # keep going; the bench reports what it observes
                print("worker:", exc, file=sys.stderr)
            self.stop.wait(0.02)

    def __enter__(self) -> Worker:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(10)


def chat_to_quote(client: Any, waha: Any, slug: str, bid: int, orders: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from niaga.db.engine import new_session
    from niaga.integrations.waha import fake as waha_fake
    from niaga.printshop.jobs_models import PrintJob, PrintJobEvent

    files = sorted(MIXED_ORDER.iterdir())
    mimetypes = {
        ".pdf": "application/pdf",
        ".jpg": "image/jpeg",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    e2e: list[float] = []
    pipeline: list[float] = []
    for n in range(orders):
        chat = f"62812{n:07d}@c.us"
        url = f"/webhooks/waha/{slug}"
        note = waha_fake.message_event(
            text="cetak 3 rangkap jilid hard cover biru dongker, ambil senin", chat_id=chat
        )
        assert waha_fake.post_webhook(url, note, HMAC_KEY, client=client).status_code == 200
        for path in files:
            link = waha.add_file(f"{n}-{path.name}", path.read_bytes(), mimetypes[path.suffix])
            ev = waha_fake.message_event(
                text="",
                chat_id=chat,
                media={"url": link, "mimetype": mimetypes[path.suffix], "filename": path.name},
            )
            assert waha_fake.post_webhook(url, ev, HMAC_KEY, client=client).status_code == 200
        t0 = time.perf_counter()
        deadline = t0 + 180
        while not any("Rincian biaya" in (m["body"] or "") for m in waha.sent if m["to"] == chat):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"order {n}: no quote within 180 s")
            time.sleep(0.01)
        e2e.append((time.perf_counter() - t0) * 1000)
        with new_session(readonly=True) as db:
            job_id = db.scalar(
                sa.select(PrintJob.id)
                .where(PrintJob.business_id == bid)
                .order_by(PrintJob.id.desc())
                .limit(1)
            )
            data = db.scalar(
                sa.select(PrintJobEvent.data).where(
                    PrintJobEvent.job_id == job_id, PrintJobEvent.to_status == "quoted"
                )
            )
        pipeline.append(float((data or {}).get("elapsed_ms") or 0))
    return {"e2e_ms": e2e, "pipeline_ms": pipeline}


def seed_jobs(bid: int, n: int) -> None:
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.printshop.jobs_models import PrintJob

    rnd = random.Random(14)
    now = datetime.now(UTC)
    active = (
        "received",
        "processing",
        "needs_customer",
        "quoted",
        "awaiting_payment",
        "queued",
        "printing",
        "ready",
    )
    quote = {
        "items": [{"code": "print_bw_A4", "label": "Cetak", "qty": 30, "unit_price": 300, "amount": 9000}]
    }
    rows = []
    for i in range(n):
        status = (
            rnd.choice(active) if rnd.random() < 0.04 else rnd.choice(("completed", "completed", "cancelled"))
        )
        created = now - timedelta(hours=rnd.uniform(0, 24 * 120))
        rows.append(
            {
                "business_id": bid,
                "number": f"CTK-B{i:06d}",
                "source": "whatsapp",
                "status": status,
                "note": "",
                "spec": {},
                "files": [{"name": "skripsi.pdf", "path": "x", "kind": "pdf", "pages": 30}],
                "findings": [],
                "quote": quote,
                "total": 9000,
                "pages_bw": 30,
                "pages_colour": rnd.choice((0, 0, 2)),
                "copies": rnd.choice((1, 2, 3)),
                "previews": [],
                "express": rnd.random() < 0.1,
                "pickup_text": "",
                "print_attempts": 0,
                "created_at": created,
                "updated_at": created + timedelta(hours=2),
                "ready_at": created + timedelta(hours=2) if status in ("ready", "completed") else None,
            }
        )
    with session_scope() as db:
        for i in range(0, len(rows), 2000):
            db.execute(sa.insert(PrintJob), rows[i : i + 2000])


def board_time(client: Any, email: str, runs: int) -> dict[str, list[float]]:
    import re

    page = client.get("/login?next=/app/cetak")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "next": "/app/cetak", "csrf_token": csrf}
    )
    assert r.status_code in (302, 303), r.status_code
    out: dict[str, list[float]] = {}
    for label, url in (
        ("baseline /healthz", "/healthz"),
        ("/app/cetak", "/app/cetak"),
        ("/app/cetak/papan", "/app/cetak/papan"),
    ):
        times = []
        for i in range(runs + 2):
            t0 = time.perf_counter()
            resp = client.get(url)
            dt = (time.perf_counter() - t0) * 1000
            assert resp.status_code == 200, (url, resp.status_code)
            if i >= 2:  # warm-up
                times.append(dt)
        out[label] = times
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--buffer", type=float, default=1.0, help="message buffer window (s)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    _env()
    from fastapi.testclient import TestClient

    from niaga.app import create_app
    from niaga.integrations.waha.fake import FakeWaha

    result: dict[str, Any] = {"orders": args.orders, "jobs": args.jobs, "buffer_s": args.buffer}
    with FakeWaha() as waha:
        bid, slug, email = _setup(args.buffer, waha)
        with TestClient(create_app(), follow_redirects=False) as client:
            with Worker():
                chat = chat_to_quote(client, waha, slug, bid, args.orders)
            seed_jobs(bid, args.jobs)
            board = board_time(client, email, args.runs)
    e2e, pipe = chat["e2e_ms"], chat["pipeline_ms"]
    result["chat_to_quote"] = {
        "e2e_p50_ms": round(_pct(e2e, 50)),
        "e2e_p95_ms": round(_pct(e2e, 95)),
        "pipeline_p50_ms": round(_pct(pipe, 50)),
        "pipeline_p95_ms": round(_pct(pipe, 95)),
        "e2e_minus_pipeline_p50_ms": round(_pct([a - b for a, b in zip(e2e, pipe, strict=True)], 50)),
        "buffer_window_ms": round(args.buffer * 1000),
        "first_order_ms": round(e2e[0]) if e2e else None,
    }
    base = statistics.median(board["baseline /healthz"])
    result["board"] = {
        label: {
            "p50_ms": round(_pct(v, 50), 1),
            "p95_ms": round(_pct(v, 95), 1),
            "ratio_to_baseline": round(_pct(v, 50) / base, 1),
        }
        for label, v in board.items()
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    c = result["chat_to_quote"]
    print(f"chat -> quote over {args.orders} orders of 3 files (buffer window {c['buffer_window_ms']} ms):")
    print(
        f"  last file acknowledged -> quote at fake WAHA: p50 {c['e2e_p50_ms']} ms, p95 {c['e2e_p95_ms']} ms (first order {c['first_order_ms']} ms)"
    )
    print(
        f"  document pipeline alone (same jobs):          p50 {c['pipeline_p50_ms']} ms, p95 {c['pipeline_p95_ms']} ms"
    )
    print(f"  everything else (buffer window, jobs, DB, WAHA): p50 {c['e2e_minus_pipeline_p50_ms']} ms")
    print(f"queue board with {args.jobs} print jobs ({args.runs} runs):")
    for label, v in result["board"].items():
        print(
            f"  {label:<20} p50 {v['p50_ms']:>7} ms  p95 {v['p95_ms']:>7} ms  x{v['ratio_to_baseline']} baseline"
        )


if __name__ == "__main__":
    main()
