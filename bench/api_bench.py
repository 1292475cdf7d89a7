"""API read throughput: `GET /api/v1/products?search=` with 100k products, beside a bare FastAPI endpoint.

Usage: python bench/api_bench.py [--products 100000] [--requests 2000] [--concurrency 8]
PostgreSQL: set NIAGA_BENCH_DATABASE_URL=postgresql+psycopg://user@127.0.0.1:5432/dbname (an empty database).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, run_load, start_bare_server, start_process, wait_http

WORDS = [
    "quran",
    "tajwid",
    "buku",
    "anak",
    "doa",
    "sajadah",
    "peci",
    "mukena",
    "batik",
    "kemeja",
    "tulis",
    "cap",
    "kawung",
    "parang",
    "sirah",
    "fiqih",
    "tafsir",
    "iqro",
    "umroh",
    "haji",
    "saku",
    "hardcover",
    "premium",
]


def seed(env: dict[str, str], n: int) -> str:
    """Create a business, an owner and n products with direct bulk inserts; returns an API key."""
    os.environ.update(env)
    from niaga.db.engine import configure, session_scope
    from niaga.db.migrate import upgrade
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    configure()
    upgrade()
    import sqlalchemy as sa

    from niaga.catalog.models import Product
    from niaga.tenancy import service
    from niaga.tenancy.models import Business

    rnd = random.Random(7)
    with session_scope() as db:
        b = db.scalars(sa.select(Business).where(Business.slug == "bench")).first()
        if b is None:
            b = service.create_business(db, slug="bench", name="Bench")
        _, key = service.create_api_key(db, business_id=b.id, name="bench", role="staff")
        have = (
            db.scalar(sa.select(sa.func.count()).select_from(Product).where(Product.business_id == b.id)) or 0
        )
        bid = b.id
    from niaga.kit.timeutil import utcnow

    now = utcnow()
    batch = []
    with session_scope() as db:
        for i in range(have, n):
            words = rnd.sample(WORDS, 3)
            batch.append(
                {
                    "business_id": bid,
                    "sku": f"B-{i:06d}",
                    "name": " ".join(w.title() for w in words),
                    "description": f"Produk {' '.join(words)} nomor {i}",
                    "category": words[0].title(),
                    "price": rnd.randrange(10, 2000) * 1000,
                    "stock": rnd.randrange(0, 100),
                    "tags": words[:2],
                    "attributes": {},
                    "is_active": True,
                    "reserved": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                db.execute(sa.insert(Product), batch)
                batch = []
        if batch:
            db.execute(sa.insert(Product), batch)
    return key


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    a = ap.parse_args()
    home = tempfile.mkdtemp(prefix="niaga-bench-")
    env = {
        "NIAGA_HOME": home,
        "NIAGA_SECRET_KEY": "bench-" + "x" * 32,
        "NIAGA_LOG_LEVEL": "WARNING",
        "NIAGA_ENV": "development",
    }
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):
        env["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    backend = "postgresql" if "NIAGA_DATABASE_URL" in env else "sqlite"
    print(f"seeding {a.products} products ({backend}) ...", flush=True)
    key = seed(env, a.products)
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
        headers = {"Authorization": f"Bearer {key}"}
        rnd = random.Random(1)
        kw = dict(concurrency=a.concurrency, total=a.requests)
        baseline = run_load("bare FastAPI GET /ping", lambda c, i: c.get("/ping"), base_url=bare_url, **kw)
        results = [
            run_load(
                "GET /api/v1/products?search=<word>",
                lambda c, i: c.get("/api/v1/products", params={"search": rnd.choice(WORDS), "limit": 20}),
                base_url=base,
                headers=headers,
                **kw,
            ),
            run_load(
                "GET /api/v1/products?search=<2 words>",
                lambda c, i: c.get(
                    "/api/v1/products", params={"search": " ".join(rnd.sample(WORDS, 2)), "limit": 20}
                ),
                base_url=base,
                headers=headers,
                **kw,
            ),
            run_load(
                "GET /api/v1/products?page=N (no search)",
                lambda c, i: c.get("/api/v1/products", params={"page": 1 + i % 50, "limit": 20}),
                base_url=base,
                headers=headers,
                **kw,
            ),
        ]
        print(f"\nAPI read throughput, {a.products} products, {backend}, concurrency {a.concurrency}")
        print(baseline.row())
        for r in results:
            print(r.row(baseline))
    finally:
        niaga.terminate()
        bare.terminate()
        niaga.wait(10)
        bare.wait(10)


if __name__ == "__main__":
    main()
