"""RFM benchmark: `rfm run` (read the maintained aggregates, score, segment, store the snapshot) and the full
aggregate rebuild, beside DuckDB computing the same figures and quintile scores from the raw transactions
table, in the same run on the same generated data. Results are checked equal before timing counts.

    python bench/rfm_bench.py [--transactions 200000] [--customers 20000] [--db sqlite,postgresql]
                              [--pg-url postgresql+psycopg://user@127.0.0.1:5432/postgres] [--repeat 3]

Ratios < 1.0 mean niaga is faster than DuckDB. DuckDB is only in the `test` extra. The rows are generated as
numpy columns (10M in 5-25 s) and loaded with the transactions' indexes dropped and built after (SQLite: one
executemany transaction; PostgreSQL: COPY of a CSV that DuckDB writes from the same table), untimed. Each
round times the rebuild into an emptied aggregates table ("from empty"), the rebuild over maintained
aggregates, the run and DuckDB, interleaved; best of the rounds. Then a segment page and the movements are
timed with the snapshot cache emptied before each call, and from the cache. NIAGA_BENCH_TMP sets the folder
of the SQLite file and the CSVs.

10M transactions / 1M customers (2026-11-30, shared 2-core machine, other agents' tests beside it), best of 2,
three runs (runs 1-2 before the page selection change, which touches no timed column):
                   run/duck  rebuild/duck  from empty/duck   (seconds: run, rebuild, from empty, DuckDB)
  SQLite     run 1   0.31        1.35           1.34          1.431  6.256  6.210  4.628   load 2.8
             run 2   0.31        1.51           2.28          0.975  4.687  7.071  3.099   load 4.1-4.4
             run 3   0.29        1.30           1.31          1.639  7.314  7.392  5.641   load 3.1
  PostgreSQL run 1   0.37        1.60           1.88          1.219  5.229  6.157  3.271   load 3.4-3.8
             run 2   0.31        1.86           1.74          1.159  7.026  6.586  3.780   load 3.3-3.8
             run 3   0.30        1.87           2.04          1.366  8.536  9.286  4.562   load 4.1-4.2
(run 3 after segment pages select their candidates with np.partition and the segment index is computed once
per cached snapshot: segment page uncached -> cached SQLite 80 -> 8.8 ms, PostgreSQL 205 -> 10.8 ms; movements
204 -> 35 ms and 502 -> 35 ms.)
same results yes; Python peak during a run 83-87 MB; process max RSS 2.3 GB (the generated columns, DuckDB's
table); whole bench 8.3-8.5 min (SQLite load 179-249 s, PostgreSQL 102-138 s). Runs 1-2, segment page
(champions by monetary, first 20) uncached -> cached: SQLite 101-110 -> 20-26 ms, PostgreSQL 221-319 -> 28-29 ms; movements 253-305 ->
35-47 ms and 652-658 -> 44-52 ms. An earlier 10M SQLite run (load 4.4-5.5), before the load was checkpointed
and before the stale-row delete went in customer order: run 0.44, rebuild 2.25, from empty 0.93; its first
round took 47 s for the rebuild (the commit checkpointed the whole load out of the WAL).

1M/100k, best of 3, load 3.2-3.7: SQLite run 0.25, rebuild 1.56, from empty 1.74; PostgreSQL 0.42 / 1.56 /
2.16; segment page uncached -> cached 11.4 -> 5.0 ms (SQLite), 26.6 -> 8.7 ms (PostgreSQL); movements 20.5 ->
7.1 ms, 47.6 -> 9.2 ms. The from-empty rebuild before the plain INSERT … SELECT path, same bench (load 1.9-2.2):
SQLite 2.74, PostgreSQL 2.86, after it 2.11 and 1.61 (300k/30k: PostgreSQL 4.10 before).

Snapshots stored by column (2026-11-30, migration 0015_rfm_snapshot: a snapshot is a few blocks of 4096
customers instead of one row each; the aggregates read as whole columns; scores by cut values), 300k/30k, best
of 5, shared 2-core machine at load 7-9 (other agents' test suites): SQLite run/duck 0.40 (0.132s vs 0.329s),
rebuild/duck 2.56, from empty 4.98; PostgreSQL run/duck 0.33 (0.140s vs 0.419s), rebuild/duck 1.26, from empty
3.51; same results yes; Python peak during a run 2.6 MB. Before it, same machine and session (load 8-9):
SQLite run/duck 0.81-0.99, PostgreSQL 1.48-1.64. A second 300k run (load 6-9): SQLite 0.37 / rebuild 2.25,
PostgreSQL 0.45 / 1.34.
1M/100k, best of 3, load 8-14: SQLite run 0.167s, rebuild 2.171s, DuckDB 0.917s (run/duck 0.18, rebuild/duck
2.37, from empty 4.53); PostgreSQL run 0.308s, rebuild 1.972s, DuckDB 0.826s (0.37 / 2.39, from empty 4.67);
same results yes; Python peak during a run 8.4-8.7 MB; process max RSS 638 MB (mostly the generated rows);
19 min wall for the whole bench (per-row Python generation). 10M/1M not run in that session: at that rate generating and loading alone would take hours on
this shared machine and the generated rows ~6 GB of memory.

Previous 1M/100k run (2026-11-30, shared 2-core machine at load 5-15, best of 3): SQLite run 1.110s, rebuild
3.303s, DuckDB 0.647s (1.72 / 5.11); PostgreSQL run 1.020s, rebuild 3.448s, DuckDB 0.527s (1.93 / 6.54);
process max RSS 644 MB (mostly the generated rows), Python peak during a run 15-22 MB. 10M/1M not run.

Rebuild as a merge (2026-11-30, 300k/30k, shared 2-core machine at load 2.5-3, two runs of this version around
one of the previous aggregates.py, same bench): PostgreSQL rebuild/duck 1.41 and 1.67 (previous 6.17), from
empty 2.98 and 5.51 (previous 5.80); SQLite rebuild/duck 2.62 and 2.86 (previous 2.28: its aggregation scan is
the cost, unchanged), from empty 5.58 and 4.60 (previous 4.18); rfm run/duck unchanged by this work
(SQLite 0.95-1.86, PostgreSQL 1.73-2.47: noise of the machine; writing the snapshot rows is ~70% of a run).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

AS_OF = date(2026, 11, 1)
DUCK_SQL = """
WITH agg AS (
  SELECT customer_id, max(occurred_on) AS last_on, count(*) AS f, sum(amount) AS m
  FROM tx WHERE business_id = 1 AND status = 'completed' AND occurred_on <= DATE '{as_of}' GROUP BY customer_id),
fig AS (SELECT customer_id, date_diff('day', last_on, DATE '{as_of}') AS rec, f, m FROM agg),
sc AS (SELECT customer_id, rec, f, m,
  1 + (5 * (rank() OVER (ORDER BY rec DESC) - 1)) // count(*) OVER () AS r,
  1 + (5 * (rank() OVER (ORDER BY f ASC) - 1)) // count(*) OVER () AS fs,
  1 + (5 * (rank() OVER (ORDER BY m ASC) - 1)) // count(*) OVER () AS ms FROM fig)
SELECT customer_id, rec, f, m, r, fs, ms,
  CASE WHEN r <= 2 THEN (CASE WHEN fs <= 2 THEN 'lost' WHEN fs <= 4 THEN 'at_risk' ELSE 'cant_lose_them' END)
       WHEN r = 3 THEN (CASE WHEN fs <= 2 THEN 'about_to_sleep' WHEN fs = 3 THEN 'need_attention' ELSE 'loyal_customers' END)
       WHEN r = 4 THEN (CASE WHEN fs = 1 THEN 'promising' WHEN fs <= 3 THEN 'potential_loyalists' ELSE 'loyal_customers' END)
       ELSE (CASE WHEN fs = 1 THEN 'new_customers' WHEN fs <= 3 THEN 'potential_loyalists' ELSE 'champions' END) END
FROM sc
"""


STATUSES = ("completed", "cancelled", "refunded")
START = AS_OF - timedelta(days=3 * 365)


def generate(n_tx: int, n_cust: int, seed: int = 1) -> dict[str, Any]:
    """Columns of the generated transactions as numpy arrays (ids 1..n_tx, business 1): skewed purchase
    counts (a long tail of one-off buyers), dates over 3 years, 93% completed. Vectorised: 10M rows in
    seconds (the per-row Python generator took most of the old 1M bench's 19 minutes)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w = 1.0 / (1 + np.arange(n_cust) % 97)
    customer = rng.choice(n_cust, size=n_tx, p=w / w.sum()).astype(np.int64) + 1
    day = rng.integers(0, 3 * 365 + 1, size=n_tx, dtype=np.int64)
    amount = rng.integers(20, 5000, size=n_tx, dtype=np.int64) * 1000
    status = np.where(rng.random(n_tx) < 0.93, 0, rng.integers(1, 3, size=n_tx)).astype(np.int64)
    return {
        "id": np.arange(1, n_tx + 1, dtype=np.int64),
        "customer_id": customer,
        "day": day,
        "amount": amount,
        "status": status,
    }


# The generated columns as the transactions table (DuckDB reads the numpy dict `gen` directly).
DUCK_TX = f"""
SELECT id, 1::BIGINT AS business_id, 'T' || lpad(id::VARCHAR, 9, '0') AS ref, customer_id,
       DATE '{START.isoformat()}' + day::INTEGER AS occurred_on, amount,
       CASE status WHEN 0 THEN 'completed' WHEN 1 THEN 'cancelled' ELSE 'refunded' END AS status
FROM gen
"""


def setup_env(kind: str, pg_url: str | None, workdir: Path) -> str:
    os.environ["NIAGA_HOME"] = str(workdir / "home")
    os.environ["NIAGA_LOG_LEVEL"] = "WARNING"
    os.environ.pop("NIAGA_DATABASE_URL", None)
    if kind == "postgresql":
        import sqlalchemy as sa

        name = "niaga_rfm_bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        os.environ["NIAGA_DATABASE_URL"] = (
            sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        )
        return name
    return ""


def load(gen: dict[str, Any], n_cust: int, csv_dir: Path) -> None:
    """Schema from the models, one business, customers and transactions inserted in bulk (untimed); the
    transactions' indexes are dropped for the load and built after it (as a bulk import would)."""
    import sqlalchemy as sa

    import niaga.db.models  # noqa: F401
    from niaga.db import engine as dbe
    from niaga.db.models import metadata
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    dbe.configure()
    eng = dbe.get_engine()
    t0 = time.perf_counter()
    metadata.create_all(eng)
    print(f"  schema {time.perf_counter() - t0:.1f}s", flush=True)
    tx = metadata.tables["transactions"]
    pg = eng.dialect.name == "postgresql"
    idx = list(tx.indexes)
    uniques = [c for c in tx.constraints if isinstance(c, sa.UniqueConstraint)]
    with eng.begin() as c:
        for ix in idx:
            c.execute(sa.schema.DropIndex(ix))
        if pg:
            for u in uniques:
                c.exec_driver_sql(f"ALTER TABLE transactions DROP CONSTRAINT {u.name}")
    raw = eng.raw_connection()
    try:
        cur = raw.cursor()
        if pg:
            # Generated rows are consistent by construction: skip the per-row foreign-key triggers.
            cur.execute("SET session_replication_role = replica")
            cur.execute(
                "INSERT INTO businesses (id, slug, name, timezone, profile, settings, is_active, created_at, "
                "updated_at) VALUES (1, 'bench', 'Bench', 'Asia/Jakarta', '{}', '{}', true, now(), now())"
            )
            for table, cols, path in (
                (
                    "customers",
                    "id, business_id, customer_ref, name, language, tags, preferences, notes, total_orders, "
                    "total_spent, points_balance, is_blocked, created_at, updated_at",
                    csv_dir / "customers.csv",
                ),
                (
                    "transactions",
                    "id, business_id, ref, customer_id, occurred_on, amount, status, products, source, "
                    "created_at",
                    csv_dir / "tx.csv",
                ),
            ):
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as cp, path.open("rb") as fh:
                    while chunk := fh.read(1 << 22):
                        cp.write(chunk)
        else:
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")
            cur.execute("BEGIN")  # the engine's connections run in autocommit mode (SQLAlchemy emits BEGIN)
            cur.execute(
                "INSERT INTO businesses (id, slug, name, timezone, profile, settings, is_active, created_at, "
                "updated_at) VALUES (1, 'bench', 'Bench', 'Asia/Jakarta', '{}', '{}', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
            cur.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO customers (id, business_id, customer_ref, name, language, tags, preferences, "
                "notes, total_orders, total_spent, points_balance, is_blocked, created_at, updated_at) "
                "SELECT i, 1, printf('C%07d', i), 'Pelanggan ' || i, 'id', '[]', '{}', '', 0, 0, 0, 0, "
                "'2026-01-01', '2026-01-01' FROM n",
                (n_cust,),
            )
            days = [(START + timedelta(days=d)).isoformat() for d in range(3 * 365 + 1)]
            step = 500_000
            for lo in range(0, len(gen["id"]), step):
                part = {k: v[lo : lo + step].tolist() for k, v in gen.items()}
                cur.executemany(
                    "INSERT INTO transactions (id, business_id, ref, customer_id, occurred_on, amount, status, "
                    "products, source, created_at) VALUES (?, 1, printf('T%09d', ?), ?, ?, ?, ?, '[]', "
                    "'import', '2026-01-01')",
                    zip(
                        part["id"],
                        part["id"],
                        part["customer_id"],
                        [days[d] for d in part["day"]],
                        part["amount"],
                        [STATUSES[s] for s in part["status"]],
                        strict=True,
                    ),
                )
        raw.commit()
        cur.execute("SET session_replication_role = DEFAULT" if pg else "PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    print(f"  rows {time.perf_counter() - t0:.1f}s", flush=True)
    with eng.begin() as c:
        if pg:
            for u in uniques:
                cols = ", ".join(col.name for col in u.columns)
                c.exec_driver_sql(f"ALTER TABLE transactions ADD CONSTRAINT {u.name} UNIQUE ({cols})")
        for ix in idx:
            c.execute(sa.schema.CreateIndex(ix))
    if pg:  # what autovacuum does on a live server (index-only scans need it)
        with eng.execution_options(isolation_level="AUTOCOMMIT").connect() as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    else:  # the load's pages out of the WAL into the database file, as a live shop's were long ago (else the
        # first timed commit pays a checkpoint of the whole load: 47 s instead of 7 s at 10M)
        raw = eng.raw_connection()
        try:
            print(
                "  checkpoint", raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall(), flush=True
            )
        finally:
            raw.close()
    print(f"  indexes {time.perf_counter() - t0:.1f}s", flush=True)


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out  # best of N: the shared machine adds noise, never speed


def niaga_run() -> int:
    """What is timed: the run as the weekly job does it (score + segments + snapshot stored, committed)."""
    from niaga.db.engine import session_scope
    from niaga.marketing import service
    from niaga.tenancy.models import Business

    with session_scope() as db:
        result = service.do_run(db, business=db.get(Business, 1), as_of=AS_OF, method="quantile")
        return int(result.snapshot_id or 0)


def stored_rows(snapshot_id: int) -> dict:  # type: ignore[type-arg]
    """Untimed: the stored snapshot's rows, to check them equal to DuckDB's."""
    from niaga.db.engine import session_scope
    from niaga.marketing import rfm_store

    with session_scope() as db:
        return {
            x.customer_id: (x.recency_days, x.frequency, x.monetary, x.r, x.f, x.m, x.segment)
            for x in rfm_store.read(db, business_id=1, snapshot_id=snapshot_id).rows()
        }


def niaga_rebuild() -> int:
    from niaga.db.engine import session_scope
    from niaga.marketing import aggregates

    with session_scope() as db:
        return aggregates.rebuild(db, business_id=1)


def pages(sid: int, repeat: int) -> dict[str, float]:
    """A segment page (champions by monetary, first 20) and the movements between the last two snapshots,
    read with the per-process snapshot cache emptied before every call (every block fetched and unpacked, as
    before the cache) and then from the cache; best of N each."""
    from niaga.db.engine import session_scope
    from niaga.marketing import rfm_store, service

    def page() -> None:
        with session_scope() as db:
            snap = service.get_snapshot(db, business_id=1, snapshot_id=sid)
            service.segment_rows(db, snapshot=snap, segment="champions", sort="-monetary", limit=20)

    def moves() -> None:
        with session_scope() as db:
            before = service.get_snapshot(db, business_id=1, snapshot_id=sid - 1)
            after = service.get_snapshot(db, business_id=1, snapshot_id=sid)
            service.movements(db, business_id=1, before=before, after=after)

    out: dict[str, float] = {}
    for name, fn in (("page", page), ("moves", moves)):
        cold = float("inf")
        for _ in range(repeat):
            rfm_store.clear_cache()
            cold = min(cold, timed(fn, 1)[0])
        out[f"{name}_cold_s"] = cold
        out[f"{name}_cached_s"] = timed(fn, max(repeat, 3))[0]
    return out


def clear_aggregates() -> None:
    """Untimed: empty the aggregates table (the state before a first rebuild)."""
    from niaga.db.engine import session_scope

    with session_scope() as db:
        pg = db.get_bind().dialect.name == "postgresql"
        db.execute(
            sa_text("TRUNCATE customer_purchase_stats" if pg else "DELETE FROM customer_purchase_stats")
        )


def sa_text(sql: str) -> Any:
    import sqlalchemy as sa

    return sa.text(sql)


def py_peak(fn) -> float:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def bench_one(
    kind: str, gen: dict[str, Any], n_cust: int, pg_url: str | None, repeat: int, con: Any, csv_dir: Path
) -> dict:
    with tempfile.TemporaryDirectory(dir=os.environ.get("NIAGA_BENCH_TMP")) as tmp:
        dbname = setup_env(kind, pg_url, Path(tmp))
        try:
            t0 = time.perf_counter()
            load(gen, n_cust, csv_dir)
            load_s = time.perf_counter() - t0
            print(f"{kind}: loaded in {load_s:.1f}s", flush=True)
            # Each round: the rebuild into an empty aggregates table (the first rebuild of a shop: every row
            # inserted), the rebuild over maintained aggregates (what `niaga rfm rebuild` does on a live
            # shop: only differing rows written), the run, and DuckDB, interleaved so that the machine's
            # load drifts over all of them alike; best of the rounds.
            sql = DUCK_SQL.format(as_of=AS_OF.isoformat())
            empty_s, rebuild_s, run_s, duck_s = (float("inf"),) * 4
            for i in range(repeat):
                clear_aggregates()
                t, n = timed(niaga_rebuild, 1)
                empty_s = min(empty_s, t)
                t, n = timed(niaga_rebuild, 1)
                rebuild_s = min(rebuild_s, t)
                t, sid = timed(niaga_run, 1)
                run_s = min(run_s, t)
                t, theirs = timed(lambda: con.execute(sql).fetchall(), 1)
                duck_s = min(duck_s, t)
                print(
                    f"{kind} round {i + 1}: empty {empty_s:.3f}s rebuild {rebuild_s:.3f}s run {run_s:.3f}s "
                    f"duckdb {duck_s:.3f}s load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            ours = stored_rows(sid)
            page = pages(sid, repeat)
            peak = py_peak(niaga_run)
            rebuild_peak = py_peak(niaga_rebuild)
            duck = {
                r[0]: (int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), r[7]) for r in theirs
            }
            same = duck == ours
        finally:
            from niaga.db import engine as dbe

            dbe.dispose()
            if dbname:
                import sqlalchemy as sa

                admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
                admin.dispose()
    return {
        "db": kind,
        "customers_scored": len(ours),
        "aggregates": n,
        "load_s": load_s,
        "rfm_run_s": run_s,
        "rebuild_s": rebuild_s,
        "rebuild_empty_s": empty_s,
        "duckdb_s": duck_s,
        "same_results": same,
        "py_peak_mb": peak,
        "rebuild_peak_mb": rebuild_peak,
        **page,
    }


def main() -> int:
    import duckdb

    ap = argparse.ArgumentParser()
    ap.add_argument("--transactions", type=int, default=200_000)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("NIAGA_BENCH_PG_URL"))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    t0 = time.perf_counter()
    gen = generate(a.transactions, a.customers)
    print(
        f"generated {a.transactions:,} transactions for {a.customers:,} customers in "
        f"{time.perf_counter() - t0:.1f}s; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    kinds = [k.strip() for k in a.db.split(",") if k.strip()]
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE TABLE tx AS {DUCK_TX}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("NIAGA_BENCH_TMP")) as tmp:
        csv_dir = Path(tmp)
        if "postgresql" in kinds:  # CSV for PostgreSQL's COPY, written by DuckDB from the same table
            con.execute(
                f"COPY (SELECT id, business_id, ref, customer_id, occurred_on, amount, status, '[]', 'import', "
                f"'2026-01-01' FROM tx) TO '{csv_dir / 'tx.csv'}' (FORMAT csv, HEADER false)"
            )
            con.execute(
                f"COPY (SELECT i, 1, 'C' || lpad(i::VARCHAR, 7, '0'), 'Pelanggan ' || i, 'id', '[]', '{{}}', '', "
                f"0, 0, 0, false, '2026-01-01', '2026-01-01' FROM range(1, {a.customers + 1}) r(i)) "
                f"TO '{csv_dir / 'customers.csv'}' (FORMAT csv, HEADER false)"
            )
        results = []
        for kind in kinds:
            if kind == "postgresql" and not a.pg_url:
                print("postgresql: skipped (no --pg-url / NIAGA_BENCH_PG_URL)")
                continue
            results.append(bench_one(kind, gen, a.customers, a.pg_url, a.repeat, con, csv_dir))
    con.close()
    print(
        f"\n{'db':<11}{'scored':>10}{'rfm run':>10}{'rebuild':>10}{'duckdb':>10}{'run/duck':>10}"
        f"{'rebuild/duck':>14}{'from empty':>12}{'empty/duck':>12}{'same':>6}{'run peak':>10}{'rebuild peak':>14}"
    )
    for r in results:
        print(
            f"{r['db']:<11}{r['customers_scored']:>10,}{r['rfm_run_s']:>9.3f}s{r['rebuild_s']:>9.3f}s"
            f"{r['duckdb_s']:>9.3f}s{r['rfm_run_s'] / r['duckdb_s']:>10.2f}{r['rebuild_s'] / r['duckdb_s']:>14.2f}"
            f"{r['rebuild_empty_s']:>11.3f}s{r['rebuild_empty_s'] / r['duckdb_s']:>12.2f}"
            f"{'yes' if r['same_results'] else 'NO':>6}{r['py_peak_mb']:>8.1f}MB{r['rebuild_peak_mb']:>12.1f}MB"
        )
    for r in results:
        print(
            f"{r['db']}: segment page {r['page_cold_s'] * 1000:.1f} ms uncached, {r['page_cached_s'] * 1000:.1f} ms "
            f"cached; movements {r['moves_cold_s'] * 1000:.1f} ms uncached, {r['moves_cached_s'] * 1000:.1f} ms cached"
        )
    print(
        f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
        f"best of {a.repeat}; sizes {a.transactions:,} transactions / {a.customers:,} customers; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if all(r["same_results"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
