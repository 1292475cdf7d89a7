"""Agent benchmark (run by hand: `python bench/agent_bench.py [--sizes 10000,100000] [--workers 4]
[--serve-procs 2,3] [--serve-only]`).

Offline turn latency p50/p95 and turns/s — with the demo catalogue (Rizquna, 47 products) and with generated
catalogues (10k products by default) — plus retrieval quality: recall@5 of product search on a generated
query set (words of the product name, shuffled, with slang and one-letter typos).

Each turn runs like a real inbound message: its own write transaction (BEGIN IMMEDIATE on SQLite, as the
reply job and `serve`'s write requests take it), the customer and conversation looked up, the inbound
message stored, the agent turn, the reply stored.

Figures are only meaningful as ratios against a baseline measured in the same run (bench/common.py): the
baseline is the *bare turn* — the same transaction, lookups and both messages stored, with a fixed reply
instead of the agent. "vs bare" is the agent's turns/s as a share of it; "vs demo" compares a big catalogue
with the 47-product one (1.0 means the catalogue size costs nothing). With --workers N the generated
catalogue's turns also run from N threads at once, and with --procs N from N worker processes (each its
own engine and index, read from the stored search documents); the bare turn is measured the same way
beside it. Note: these are whole turns (inbound stored, agent, reply stored) in one transaction each.

The *serve path* (table "serve path"; `--serve-only` measures it alone) is how `niaga serve` answers: the
webhook's ingest stores each message and schedules its `conversations.reply` job; a consumer runs the job
through `niaga.jobs.runner.run_job` (the offline turn worked out in a read transaction and stored in one
short write transaction, where the job's done mark also takes the job: a late claim). It runs from 1 consumer thread, from
`--serve-threads` threads of one process (serve's default consumer) and from `--serve-procs` consumer
processes (`niaga serve --job-processes N`), in rounds of 50 conversations (one new message each, ingested
by the bench process before the round; the ingest's CPU is shown apart and not counted in turns/s). Its
baseline is the same reply job with a fixed reply in place of the agent. The first two rounds of every run
are not counted (a new consumer compiles its statements and patterns on its first jobs).

PostgreSQL: set NIAGA_BENCH_DATABASE_URL=postgresql+psycopg://user@127.0.0.1:5432/dbname (an empty database);
SQLite in a temporary NIAGA_HOME otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "halo kak",
    "brp harga quran tajwid?",
    "ongkir 2 quran madinah ke bandung",
    "stok iqro masih ada?",
    "jam buka toko?",
    "pesan 3 buku doa harian",
    "print skripsi 120 halaman 2 rangkap jilid hardcover berapa?",
    "ada sajadah?",
    "yang travel ongkir ke medan?",
    "cara bayar gimana?",
    "status pesanan ORD-20260101-0001",
    "jual laptop?",
    "makasih kak",
]

NOUNS = [
    "Buku",
    "Kaos",
    "Tas",
    "Sepatu",
    "Mug",
    "Gelas",
    "Piring",
    "Sendok",
    "Jaket",
    "Topi",
    "Kemeja",
    "Celana",
    "Sarung",
    "Mukena",
    "Sajadah",
    "Tasbih",
    "Jilbab",
    "Kerudung",
    "Dompet",
    "Botol",
    "Lampu",
    "Kipas",
    "Bantal",
    "Selimut",
    "Handuk",
    "Payung",
    "Jam",
    "Kacamata",
    "Gantungan",
    "Stiker",
    "Poster",
    "Pulpen",
    "Pensil",
]
ADJ = [
    "Premium",
    "Klasik",
    "Modern",
    "Mini",
    "Jumbo",
    "Lipat",
    "Anak",
    "Dewasa",
    "Pria",
    "Wanita",
    "Travel",
    "Polos",
    "Motif",
    "Bordir",
    "Rajut",
    "Kulit",
    "Kanvas",
    "Katun",
    "Sutra",
    "Bambu",
    "Kayu",
    "Keramik",
    "Stainless",
    "Organik",
    "Vintage",
    "Sporty",
    "Casual",
    "Formal",
    "Syari",
    "Eksklusif",
]
COLORS = [
    "Hitam",
    "Putih",
    "Merah",
    "Biru",
    "Hijau",
    "Kuning",
    "Coklat",
    "Abu",
    "Navy",
    "Maroon",
    "Pink",
    "Ungu",
]
PLACES = ["Jogja", "Bandung", "Solo", "Bali", "Lombok", "Garut", "Pekalongan", "Cirebon", "Madura", "Toraja"]


def setup_home() -> None:
    home = tempfile.mkdtemp(prefix="niaga-agent-bench-")
    os.environ.update(
        {
            "NIAGA_HOME": home,
            "NIAGA_ENV": "test",
            "NIAGA_SECRET_KEY": "bench-" + "x" * 32,
            "NIAGA_JOBS_DISPATCH": "manual",
            "NIAGA_LOG_LEVEL": "ERROR",
            "NIAGA_LOG_JSON": "false",
        }
    )
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):  # PostgreSQL: an empty database
        os.environ["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    from niaga.db import engine
    from niaga.db.models import metadata
    from niaga.ops.logging import configure_logging
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    configure_logging("ERROR", False)
    engine.configure()
    metadata.create_all(engine.get_engine())


def load_demo() -> int:
    from tests.agent import demo_data

    from niaga.db.engine import session_scope

    demo = ROOT / "src" / "niaga" / "demo"
    if (demo / "rizquna_products.csv").exists():
        demo_data.CATALOG = demo
    with session_scope() as db:
        return demo_data.load_rizquna(db).id


def generate_products(n: int, seed: int = 7, store_docs: bool = True) -> int:
    from datetime import timedelta

    from niaga.catalog.models import Product, ShippingRate
    from niaga.db.engine import session_scope
    from niaga.kit.timeutil import utcnow
    from niaga.tenancy import service as tenancy

    rng = random.Random(seed)
    imported = utcnow() - timedelta(days=1)  # the catalogue was imported earlier, as in a running shop
    with session_scope() as db:
        b = tenancy.create_business(
            db,
            slug=f"gen-{n}",
            name=f"Toko Generated {n}",
            settings={"shipping": {"origin_city": "Yogyakarta"}},
        )
        rows = []
        for i in range(n):
            noun, adj, color = rng.choice(NOUNS), rng.choice(ADJ), rng.choice(COLORS)
            name = f"{noun} {adj} {color} {rng.choice(PLACES)} {i}"
            price = rng.randrange(5, 500) * 1000
            rows.append(
                {
                    "business_id": b.id,
                    "sku": f"GEN-{i:06d}",
                    "name": name,
                    "category": noun,
                    "description": f"{noun} {adj.lower()} warna {color.lower()} buatan {rng.choice(PLACES)}.",
                    "price": price,
                    "sale_price": price - 1000 if rng.random() < 0.1 else None,
                    "stock": rng.randrange(0, 100),
                    "weight_g": rng.randrange(50, 3000),
                    "tags": [adj.lower(), color.lower()],
                    "attributes": {},
                    "reserved": 0,
                    "is_active": True,
                    "created_at": imported,
                    "updated_at": imported,
                }
            )
        db.bulk_insert_mappings(Product, rows)
        if store_docs:
            from niaga.catalog.search import store_docs as store

            store(db, business_id=b.id)  # a bulk load bypasses the ORM's write-through of documents
        for city, price in (("Bandung", 15000), ("Jakarta", 16000), ("Medan", 36000)):
            db.add(
                ShippingRate(
                    business_id=b.id,
                    origin_city="Yogyakarta",
                    destination_city=city,
                    courier="JNE",
                    service="REG",
                    price_per_kg=price,
                )
            )
        return b.id


def run_turns(
    business_id: int, texts: list[str], n: int, sender_prefix: str = "bench"
) -> tuple[list[float], float]:
    """Returns per-turn agent latencies (ms) and the wall time of the whole run (s)."""
    from niaga.agent.service import turn
    from niaga.customers.service import get_or_create_by_identity
    from niaga.db.engine import session_scope
    from niaga.messaging import service as conversations
    from niaga.tenancy.models import Business

    lat = []
    started = time.perf_counter()
    for i in range(n):
        text = texts[i % len(texts)]
        for _attempt in range(20):  # other worker processes: a busy database is retried like a webhook
            try:
                with session_scope(immediate=True) as db:
                    b = db.get(Business, business_id)
                    sender = f"{sender_prefix}-{i // len(texts)}"
                    c = get_or_create_by_identity(
                        db, business_id=b.id, channel="whatsapp", external_id=sender
                    )
                    conv = conversations.get_or_open(
                        db, business_id=b.id, customer_id=c.id, channel="whatsapp", chat_id=sender
                    )
                    msg = conversations.record_inbound(db, conversation=conv, text=text)
                    t = turn(db, business=b, conversation=conv, message=msg)
                    if t.reply:
                        conversations.record_outbound(
                            db, conversation=conv, text=t.reply, delivery_status="sent"
                        )
                lat.append(t.ms)
                break
            except Exception as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.005)
    return lat, time.perf_counter() - started


def run_bare_turns(business_id: int, texts: list[str], n: int, sender_prefix: str = "bare") -> float:
    """The baseline: the turn's transaction without the agent (fixed reply). Returns the wall time (s)."""
    from niaga.customers.service import get_or_create_by_identity
    from niaga.db.engine import session_scope
    from niaga.messaging import service as conversations
    from niaga.tenancy.models import Business

    started = time.perf_counter()
    for i in range(n):
        text = texts[i % len(texts)]
        for _attempt in range(20):  # other worker processes: a busy database is retried like a webhook
            try:
                with session_scope(immediate=True) as db:
                    b = db.get(Business, business_id)
                    sender = f"{sender_prefix}-{i // len(texts)}"
                    c = get_or_create_by_identity(
                        db, business_id=b.id, channel="whatsapp", external_id=sender
                    )
                    conv = conversations.get_or_open(
                        db, business_id=b.id, customer_id=c.id, channel="whatsapp", chat_id=sender
                    )
                    conversations.record_inbound(db, conversation=conv, text=text)
                    conversations.record_outbound(
                        db, conversation=conv, text="Baik kak 🙏", delivery_status="sent"
                    )
                break
            except Exception as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.005)
    return time.perf_counter() - started


def run_turns_threaded(business_id: int, texts: list[str], n: int, workers: int) -> tuple[list[float], float]:
    """`n` turns from `workers` threads (each its own conversations); latencies and wall time."""
    import threading

    lat: list[float] = []
    lock = threading.Lock()
    per = max(n // workers, 1)

    def work(w: int) -> None:
        from niaga.agent.service import turn
        from niaga.customers.service import get_or_create_by_identity
        from niaga.db.engine import session_scope
        from niaga.messaging import service as conversations
        from niaga.tenancy.models import Business

        for i in range(per):
            text = texts[i % len(texts)]
            for _attempt in range(5):  # SQLite's single writer: a busy database is retried like a webhook
                try:
                    with session_scope(immediate=True) as db:
                        b = db.get(Business, business_id)
                        sender = f"thr-{w}-{i // len(texts)}"
                        c = get_or_create_by_identity(
                            db, business_id=b.id, channel="whatsapp", external_id=sender
                        )
                        conv = conversations.get_or_open(
                            db, business_id=b.id, customer_id=c.id, channel="whatsapp", chat_id=sender
                        )
                        msg = conversations.record_inbound(db, conversation=conv, text=text)
                        t = turn(db, business=b, conversation=conv, message=msg)
                        if t.reply:
                            conversations.record_outbound(
                                db, conversation=conv, text=t.reply, delivery_status="sent"
                            )
                    with lock:
                        lat.append(t.ms)
                    break
                except Exception as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return lat, time.perf_counter() - started


def _proc_worker(
    business_id: int, texts: list[str], n: int, w: int, barrier: Any, out: Any, bare: bool = False
) -> None:
    """One `serve` worker process: its own engine and index (read from the stored documents), then `n`
    turns once every worker is ready."""
    from niaga.db import engine
    from niaga.ops.logging import configure_logging

    configure_logging("ERROR", False)
    engine.configure()
    t0 = time.perf_counter()
    run_turns(business_id, texts[:1], 1, sender_prefix=f"proc-{w}-warm")  # imports, index build
    ready = time.perf_counter() - t0
    barrier.wait()
    if bare:
        run_bare_turns(business_id, texts, n, sender_prefix=f"bareproc-{w}")
        out.put(([], ready))
        return
    lat, _wall = run_turns(business_id, texts, n, sender_prefix=f"proc-{w}")
    out.put((lat, ready))


def run_turns_procs(
    business_id: int, texts: list[str], n: int, procs: int, bare: bool = False
) -> tuple[list[float], float, float]:
    """`n` turns from `procs` worker processes at once (each with its own engine and index): latencies,
    wall time of the turns and the slowest worker's start (its index read from the stored documents)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(procs + 1)
    out = ctx.Queue()
    per = max(n // procs, 1)
    ps = [
        ctx.Process(target=_proc_worker, args=(business_id, texts, per, w, barrier, out, bare))
        for w in range(procs)
    ]
    for p in ps:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [out.get() for _ in ps]
    wall = time.perf_counter() - started
    for p in ps:
        p.join()
    lat = [x for r in results for x in r[0]]
    return lat, wall, max(r[1] for r in results)


# --- the serve path: reply jobs as `niaga serve` runs them -----------------------------------------------

SERVE_CONVERSATIONS = 50  # conversations answered per round (each gets one message per round)
WARM_ROUNDS = 2  # rounds not counted: a new consumer's first jobs compile its statements and patterns


def no_buffer(business_id: int) -> None:
    """channels.buffer_seconds = 0: a message's reply job is due at once (as when its buffer window passed)."""
    from niaga.db.engine import session_scope
    from niaga.tenancy.models import Business

    with session_scope() as db:
        b = db.get(Business, business_id)
        assert b is not None
        settings = dict(b.settings or {})
        settings["channels"] = {**(settings.get("channels") or {}), "buffer_seconds": 0}
        b.settings = settings


def ingest_round(
    business_id: int, texts: list[str], prefix: str, k: int, rnd: int
) -> tuple[list[int], float]:
    """One message into each of `k` conversations, as the WhatsApp webhook's ingest stores it (customer,
    conversation, message, its reply job scheduled), one write transaction each. Returns the reply jobs' ids
    and this thread's CPU seconds."""
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.jobs.models import Job
    from niaga.messaging.inbound import Inbound, do_receive
    from niaga.tenancy.models import Business

    c0 = time.thread_time()
    keys = []
    for i in range(k):
        with session_scope(immediate=True) as db:
            b = db.get(Business, business_id)
            assert b is not None
            msg = do_receive(
                db,
                business=b,
                inbound=Inbound(
                    channel="whatsapp", chat_id=f"{prefix}-{i}", text=texts[(i + rnd) % len(texts)]
                ),
            )
            assert msg is not None
            keys.append(f"reply:{msg.id}")
    cpu = time.thread_time() - c0
    with session_scope() as db:
        ids = list(db.scalars(sa.select(Job.id).where(Job.idempotency_key.in_(keys)).order_by(Job.id)))
    return ids, cpu


def _fixed_turn(*_a: Any, **_k: Any) -> Any:
    """The bare reply job's stand-in for the agent: a fixed reply."""
    from types import SimpleNamespace

    return SimpleNamespace(reply="Baik kak, kami cek dulu ya 🙏", intent="other", ms=0.0)


def _no_speculation(*_a: Any, **_k: Any) -> None:
    return None


def _make_bare() -> Any:
    """The reply job without the agent (a fixed reply, no speculation); returns the undo."""
    from niaga.agent import speculation
    from niaga.agent import tasks as agent_tasks

    real = agent_tasks.agent.turn, speculation.speculate
    agent_tasks.agent.turn = _fixed_turn  # type: ignore[assignment]
    speculation.speculate = _no_speculation  # type: ignore[assignment]

    def undo() -> None:
        agent_tasks.agent.turn, speculation.speculate = real  # type: ignore[assignment]

    return undo


def _serve_consumer(jobs: Any, done: Any, bare: bool) -> None:
    """A consumer thread: runs the reply jobs handed to it (`niaga.jobs.runner.run_job`, as Huey's worker
    threads do), reporting (outcome, job ms, thread CPU ms, ms since it was handed over) for each; None ends
    it."""
    from niaga.jobs.runner import run_job

    while True:
        item = jobs.get()
        if item is None:
            return
        job_id, handed_at = item
        t0, c0 = time.perf_counter(), time.thread_time()
        outcome = run_job(job_id)
        cpu = (time.thread_time() - c0) * 1000
        # monotonic: one clock for all processes of the machine (Linux CLOCK_MONOTONIC)
        done.put((outcome, (time.perf_counter() - t0) * 1000, cpu, (time.monotonic() - handed_at) * 1000))


def _serve_process(jobs: Any, done: Any, ready: Any, bare: bool, threads: int, warm_id: int) -> None:
    """A consumer process (`niaga worker --secondary`): its own engine and search index, `threads` consumer
    threads."""
    import threading

    from niaga.db import engine
    from niaga.ops.logging import configure_logging

    configure_logging("ERROR", False)
    engine.configure()
    if bare:
        _make_bare()
    run_turns(warm_id, ["halo"], 1, sender_prefix=f"warm-{os.getpid()}")  # imports, this process's index
    ready.put(os.getpid())
    ts = [threading.Thread(target=_serve_consumer, args=(jobs, done, bare)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run_serve(
    business_id: int,
    texts: list[str],
    turns: int,
    *,
    threads: int = 1,
    procs: int = 0,
    bare: bool = False,
    rate: float = 0.0,
) -> dict[str, Any]:
    """`turns` reply jobs, answered in rounds of `SERVE_CONVERSATIONS` conversations (each round: one new
    message into each, ingested by this process, then their reply jobs run), by `threads` consumer threads
    of this process or, with `procs`, by `procs` consumer processes of `threads` threads each. Wall time
    and CPU count the reply jobs only; the ingest's CPU is reported beside. `rate`: the jobs of a round are
    handed over at this many per second (an offered load) instead of all at once (saturation)."""
    import multiprocessing as mp
    import queue as queue_mod
    import threading

    k = SERVE_CONVERSATIONS
    rounds = max(turns // k, 1) + WARM_ROUNDS
    prefix = f"serve-{'bare' if bare else 'agent'}-{threads}t{procs}p-{time.monotonic_ns()}"
    workers: list[Any] = []
    undo = None
    if procs:
        ctx = mp.get_context("spawn")
        jobs: Any = ctx.Queue()
        done: Any = ctx.Queue()
        ready = ctx.Queue()
        workers = [
            ctx.Process(target=_serve_process, args=(jobs, done, ready, bare, threads, business_id))
            for _ in range(procs)
        ]
        for w in workers:
            w.start()
        pids = [ready.get() for _ in workers]
        consumers = threads * procs
    else:
        jobs, done = queue_mod.Queue(), queue_mod.Queue()
        undo = _make_bare() if bare else None
        workers = [threading.Thread(target=_serve_consumer, args=(jobs, done, bare)) for _ in range(threads)]
        for w in workers:
            w.start()
        pids = []
        consumers = threads
    lat: list[float] = []
    e2e: list[float] = []
    cpu_ms: list[float] = []
    outcomes: dict[str, int] = {}
    wall = ingest_cpu = 0.0
    c0 = _cpu_of(pids)
    try:
        for rnd in range(rounds):
            ids, icpu = ingest_round(business_id, texts, prefix, k, rnd)
            ingest_cpu += icpu
            started = time.perf_counter()
            for i, job_id in enumerate(ids):
                if rate:
                    time.sleep(max(0.0, started + i / rate - time.perf_counter()))
                jobs.put((job_id, time.monotonic()))
            results = [done.get() for _ in ids]
            if rnd < WARM_ROUNDS:  # each consumer's first jobs compile statements and patterns
                c0 = _cpu_of(pids)
                continue
            for outcome, ms, cpu, since in results:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                lat.append(ms)
                cpu_ms.append(cpu)
                e2e.append(since)
            wall += time.perf_counter() - started
    finally:
        for _ in range(consumers):
            jobs.put(None)
        for w in workers:
            w.join()
        if undo is not None:
            undo()
    n = len(lat)
    return {
        "lat": lat,
        "e2e": e2e,
        "rate": rate,
        "tps": n / wall,
        "cpu_ms": sum(cpu_ms) / max(n, 1),
        "proc_cpu_ms": (_cpu_of(pids) - c0) * 1000 / max(n, 1) if pids else None,
        "ingest_cpu_ms": ingest_cpu * 1000 / max(n, 1),
        "outcomes": outcomes,
        "load": os.getloadavg()[0],
    }


def _cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure_serve(
    business_id: int,
    n: int,
    texts: list[str],
    turns: int,
    threads: int,
    procs: list[int],
    rate: float = 0.0,
) -> list[dict[str, Any]]:
    """The serve path at catalogue size `n`: one consumer thread; `threads` threads of one process (how
    `niaga serve` runs its consumer by default); `procs` processes (`niaga serve --job-processes N`). Each
    beside the bare reply job measured the same way just before it. With `rate`, the processes also answer
    an offered load of `rate` messages per second (latency below saturation)."""
    no_buffer(business_id)
    run_serve(business_id, texts, SERVE_CONVERSATIONS)  # warm-up
    modes = [("1 thread", 1, 0)]
    if threads > 1:
        modes.append((f"{threads} threads, 1 process", threads, 0))
    for p in procs:
        if p > 1:
            modes.append((f"{p} processes", 1, p))
    out = []
    for label, th, pr in modes:
        bare = run_serve(business_id, texts, turns, threads=th, procs=pr, bare=True)
        agent = run_serve(business_id, texts, turns, threads=th, procs=pr)
        out.append({**agent, "n": n, "mode": label, "bare_tps": bare["tps"], "bare_cpu_ms": bare["cpu_ms"]})
    for p in procs:
        if p > 1 and rate:
            paced = run_serve(business_id, texts, turns, procs=p, rate=rate)
            out.append({**paced, "n": n, "mode": f"{p} processes, {rate:.0f}/s offered", "bare_tps": None})
    return out


def print_serve(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    print()
    print(
        "serve path: reply jobs (`conversations.reply`) run by `niaga.jobs.runner.run_job` as the consumer runs"
    )
    print(
        "them: agent turn (read only), then one write: messages claimed, reply stored, its delivery enqueued, the"
    )
    print("job taken and marked done.")
    print("Messages are ingested as the webhook stores them, before each round (its CPU is shown apart).")
    print(
        f"{'catalogue, consumers':<48} {'p50':>8} {'p95':>8} {'turns/s':>8} {'vs bare':>8} {'CPU/turn':>9} "
        f"{'bare CPU':>9} {'ingest':>8} {'load':>5} {'e2e p95':>8}"
    )
    for r in rows:
        label = "generated ({:,}), {}".format(r["n"], r["mode"])
        paced = r["bare_tps"] is None
        vs_bare = f"{'-':>8}" if paced else f"{r['tps'] / r['bare_tps']:8.1%}"
        bare_cpu = f"{'-':>9}" if paced else f"{r['bare_cpu_ms']:7.2f}ms"
        e2e = f"{pct(r['e2e'], 95):6.1f}ms" if paced else f"{'-':>8}"
        print(
            f"{label:<48} {pct(r['lat'], 50):6.1f}ms {pct(r['lat'], 95):6.1f}ms {r['tps']:8.1f} "
            f"{vs_bare} {r['cpu_ms']:7.2f}ms {bare_cpu} {r['ingest_cpu_ms']:6.2f}ms {r['load']:5.2f} {e2e}"
        )
    print(
        "(bare: the same reply job with a fixed reply in place of the agent; CPU/turn: the consumer thread's;"
    )
    print(
        " ingest: CPU per message of the webhook's store step, not part of turns/s; p50/p95: the job's own time"
    )
    print(
        " (waits for SQLite's writer included); 'offered': the round's jobs handed over at that rate instead of"
    )
    print(" all at once, e2e p95 = handed over -> done, the wait for a free consumer included)")


def index_build_s(business_id: int) -> tuple[float, float]:
    """Seconds to build the index in a process that has none: from the stored documents, and analysing
    every product's text (the documents deleted in a transaction that is rolled back)."""
    from niaga.catalog import search
    from niaga.catalog.models import ProductSearchDoc
    from niaga.db.engine import new_session

    out = []
    for stored in (True, False):
        db = new_session()
        try:
            if not stored:
                db.execute(
                    ProductSearchDoc.__table__.delete().where(ProductSearchDoc.business_id == business_id)
                )
            search.invalidate(business_id)
            t0 = time.perf_counter()
            search.get_index(db, business_id=business_id)
            out.append(time.perf_counter() - t0)
        finally:
            db.rollback()
            db.close()
    search.invalidate(business_id)
    return out[0], out[1]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _name_words(name: str) -> list[str]:
    return [w for w in name.split() if not w.isdigit() and w.lower() not in ("(per", "&")]


def recall_at_5(business_id: int, n_queries: int = 300, seed: int = 11) -> dict[str, float]:
    """recall@5 of product search on two query sets, clean and with one typo (a swap of two letters):

    - `any`: 2–4 random words of the product's name (the measure of earlier runs). In a generated catalogue
      many products share such words ("kaos hitam" fits hundreds), so a miss is often no error;
    - `id`: words of the name added until they pick out the product (no other product's name has them
      all), as a customer naming what they want would; products whose name is shared are left out.
    Also the mean search time (ms)."""
    import sqlalchemy as sa

    from niaga.catalog.models import Product
    from niaga.catalog.search import search_products
    from niaga.db.engine import session_scope

    rng = random.Random(seed)
    with session_scope() as db:
        rows = db.execute(sa.select(Product.id, Product.name).where(Product.business_id == business_id)).all()
        by_word: dict[str, set[int]] = {}
        for pid, name in rows:
            for w in _name_words(name):
                by_word.setdefault(w.lower(), set()).add(pid)
        sample = rng.sample(rows, min(n_queries, len(rows)))
        hits = {"any": 0, "any_typo": 0, "id": 0, "id_typo": 0}
        n_id = 0
        times = []

        def found(q: str, pid: int) -> bool:
            t0 = time.perf_counter()
            res = search_products(db, business_id=business_id, query=q, limit=5)
            times.append((time.perf_counter() - t0) * 1000)
            return any(h.product_id == pid for h in res)

        def typo(words: list[str]) -> list[str]:
            out = words[:]
            j = rng.randrange(len(out))
            out[j] = _typo(out[j], rng)
            return out

        for pid, name in sample:
            words = [w.lower() for w in _name_words(name)]
            k = min(len(words), rng.choice((2, 3, 4)))
            picked = rng.sample(words, k)
            hits["any"] += found("harga " + " ".join(picked) + " brp kak", pid)
            hits["any_typo"] += found("ada " + " ".join(typo(picked)) + "?", pid)
            order = rng.sample(words, len(words))
            chosen: list[str] = []
            for w in order:
                chosen.append(w)
                fits = set.intersection(*(by_word[c] for c in chosen))
                if len(chosen) >= 2 and fits == {pid}:
                    break
            else:
                continue  # another product has the same name words
            n_id += 1
            hits["id"] += found("harga " + " ".join(chosen) + " brp kak", pid)
            hits["id_typo"] += found("ada " + " ".join(typo(chosen)) + "?", pid)
        n = len(sample)
        return {
            "any": hits["any"] / n,
            "any_typo": hits["any_typo"] / n,
            "id": hits["id"] / max(n_id, 1),
            "id_typo": hits["id_typo"] / max(n_id, 1),
            "id_n": n_id,
            "search_ms": statistics.mean(times),
        }


def index_update_ms(business_id: int) -> tuple[float, float]:
    """Time for the index to follow a price change and a rename of one product (the next search after
    each commit), in ms."""
    import sqlalchemy as sa

    from niaga.catalog.models import Product
    from niaga.catalog.search import search_products
    from niaga.db.engine import session_scope

    out = []
    for change in ("price", "name"):
        with session_scope() as db:
            p = db.scalars(
                sa.select(Product).where(Product.business_id == business_id).order_by(Product.id).limit(1)
            ).one()
            if change == "price":
                p.price += 1000
            else:
                p.name = p.name + " Edisi Baru"
        with session_scope() as db:
            t0 = time.perf_counter()
            search_products(db, business_id=business_id, query="edisi baru", limit=5)
            out.append((time.perf_counter() - t0) * 1000)
    return out[0], out[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


# Issue 15's goals (2 cores, quiet machine) and the figures it recorded before this work, shown beside this
# run's. Absolute figures depend on the machine; the ratios against the bare turn of the same run do not.
GOALS = {
    "turns_s_10k": 200.0,
    "p95_ms_10k": 10.0,
    "p95_ms_100k": 100.0,
    "recall_typo_10k": 0.90,
}
RECORDED = "issue 15 (quiet machine): demo 222 turns/s; 10k 61 turns/s, p50 13.8 ms, p95 15.6 ms, recall@5 76.7%; 100k p95 523 ms, recall@5 52.7%"
DEMO_P50_MS = 50.0  # was an assertion in the test suite (tests/agent/test_turns.py); timing belongs here


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--big", action="store_true", help="also 100k generated products (same as --sizes 10000,100000)"
    )
    ap.add_argument("--sizes", default="10000", help="generated catalogue sizes, comma-separated")
    ap.add_argument("--turns", type=int, default=300)
    ap.add_argument("--workers", type=int, default=0, help="also run the generated turns from N threads")
    ap.add_argument("--queries", type=int, default=300, help="recall@5 queries per generated catalogue")
    ap.add_argument(
        "--procs", type=int, default=0, help="also run the generated turns from N worker processes"
    )
    ap.add_argument(
        "--serve-threads",
        type=int,
        default=4,
        help="serve path: consumer threads of one process (serve's default)",
    )
    ap.add_argument(
        "--serve-procs",
        default="2,3",
        help="serve path: consumer process counts to measure, comma-separated (serve --job-processes N)",
    )
    ap.add_argument("--serve-turns", type=int, default=500, help="serve path: reply jobs per run")
    ap.add_argument(
        "--serve-rate",
        type=float,
        default=200.0,
        help="serve path: also an offered load of this many messages/s on the processes (0: off)",
    )
    ap.add_argument("--serve-only", action="store_true", help="only the serve path (quick re-measure)")
    args = ap.parse_args()
    setup_home()
    if args.serve_only:
        serve_only(args)
        return
    demo_id = load_demo()
    run_turns(demo_id, QUERIES, len(QUERIES))  # warm-up: index build, imports
    cpu: dict[str, float] = {}  # CPU ms per turn of this process (the single-threaded runs)
    c0 = time.process_time()
    bare_wall = run_bare_turns(demo_id, QUERIES, args.turns)
    cpu["bare turn (demo)"] = (time.process_time() - c0) * 1000 / args.turns
    bare_tps = args.turns / bare_wall
    rows = []
    c0 = time.process_time()
    lat, wall = run_turns(demo_id, QUERIES, args.turns)
    cpu["demo (47 products)"] = (time.process_time() - c0) * 1000 / args.turns
    rows.append(("demo (47 products)", 0.0, lat, wall, args.turns, recall_at_5(demo_id, 47), None))
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.big and 100_000 not in sizes:
        sizes.append(100_000)
    gen_queries = GEN_QUERIES
    threaded = []
    serve: list[dict[str, Any]] = []
    builds: list[tuple[int, float, float]] = []
    procs: list[tuple[int, list[float], float, float, float, float]] = []
    for n in sizes:
        bid = generate_products(n)
        t0 = time.perf_counter()
        run_turns(bid, gen_queries[:1], 1)  # builds the index
        build = time.perf_counter() - t0
        turns = min(args.turns, 200)
        c0 = time.process_time()
        run_bare_turns(bid, gen_queries, turns, sender_prefix="bare-gen")
        cpu[f"bare turn ({n:,})"] = (time.process_time() - c0) * 1000 / turns
        c0 = time.process_time()
        lat, wall = run_turns(bid, gen_queries, turns)
        cpu[f"generated ({n:,} products)"] = (time.process_time() - c0) * 1000 / turns
        rec = recall_at_5(bid, args.queries)
        rows.append((f"generated ({n:,} products)", build, lat, wall, turns, rec, index_update_ms(bid)))
        if args.workers > 1:
            tl, tw = run_turns_threaded(bid, gen_queries, turns, args.workers)
            threaded.append((n, f"generated ({n:,}), {args.workers} threads", tl, tw))
        builds.append((n, *index_build_s(bid)))
        if args.procs > 1:
            _bl, bare_w, _ = run_turns_procs(bid, gen_queries, turns, args.procs, bare=True)
            pl, pw, ready = run_turns_procs(bid, gen_queries, turns, args.procs)
            procs.append((n, pl, pw, len(pl) / pw, (turns // args.procs * args.procs) / bare_w, ready))
        if n <= 10_000:
            serve += measure_serve(
                bid,
                n,
                gen_queries,
                args.serve_turns,
                args.serve_threads,
                _counts(args.serve_procs),
                args.serve_rate,
            )
    demo_tps = rows[0][4] / rows[0][3]
    print(f"baseline: bare turn (same transaction, fixed reply) {bare_tps:.1f} turns/s")
    print(
        f"{'catalogue':<34} {'build':>7} {'p50':>8} {'p95':>8} {'turns/s':>8} {'vs bare':>8} {'vs demo':>8} "
        f"{'r@5 any':>8} {'+typo':>6} {'r@5 id':>7} {'+typo':>6} {'search':>7} {'update':>13}"
    )
    for name, build, lat, wall, n, rec, upd in rows:
        tps = n / wall
        update = f"{upd[0]:5.1f}/{upd[1]:5.1f}ms" if upd else ""
        print(
            f"{name:<34} {build:6.2f}s {pct(lat, 50):6.1f}ms {pct(lat, 95):6.1f}ms {tps:8.1f} "
            f"{tps / bare_tps:8.1%} {tps / demo_tps:8.1%} {rec['any']:8.1%} {rec['any_typo']:6.1%} "
            f"{rec['id']:7.1%} {rec['id_typo']:6.1%} {rec['search_ms']:5.1f}ms {update:>13}"
        )
    print(
        "CPU per turn (this process, one thread): "
        + ", ".join(f"{k} {v:.2f} ms" for k, v in cpu.items())
        + f"; load average {os.getloadavg()[0]:.2f}"
    )
    for _n, name, lat, wall in threaded:
        tps = len(lat) / wall
        print(
            f"{name:<34} {'':>7} {pct(lat, 50):6.1f}ms {pct(lat, 95):6.1f}ms {tps:8.1f} "
            f"{tps / bare_tps:8.1%} {tps / demo_tps:8.1%}"
        )
    for n, pl, _pw, tps, bare_p, ready in procs:
        print(
            f"{f'generated ({n:,}), {args.procs} processes':<34} {'':>7} {pct(pl, 50):6.1f}ms {pct(pl, 95):6.1f}ms "
            f"{tps:8.1f} {tps / bare_p:8.1%}  (bare turn in {args.procs} processes: {bare_p:.1f} turns/s; "
            f"slowest worker ready in {ready:.2f}s)"
        )
    print_serve(serve)
    for n, from_docs, from_text in builds:
        print(
            f"index build at {n:,} products in a new process: {from_docs:.2f}s from the stored documents, "
            f"{from_text:.2f}s analysing the text ({from_docs / from_text:.0%})"
        )
    print("turns/s includes storing both messages (one transaction per turn, SQLite); 'update': the first")
    print("search after a price change / a rename of one product (the index follows in place, no rebuild).")
    print(
        "r@5 id: queries that name the product (see recall_at_5); r@5 any: random name words, often ambiguous."
    )
    print()
    print("goals (issue 15) beside this run:")
    print("  recorded before: " + RECORDED)
    demo_p50 = pct(rows[0][2], 50)
    print(
        f"  demo turn p50 {demo_p50:.1f} ms (goal < {DEMO_P50_MS:.0f} ms) -> {'met' if demo_p50 < DEMO_P50_MS else 'NOT met'}"
    )
    for name, _build, lat, _wall, _n, rec, _upd in rows[1:]:
        size = int(name.split("(")[1].split()[0].replace(",", ""))
        p95 = pct(lat, 95)
        goal_p95 = GOALS["p95_ms_10k"] if size <= 10_000 else GOALS["p95_ms_100k"]
        print(
            f"  {size:,}: p95 {p95:.1f} ms (goal <= {goal_p95:.0f} ms) -> {'met' if p95 <= goal_p95 else 'NOT met'}"
        )
        if size == 10_000:
            r = rec["id_typo"]
            print(
                f"  10,000: recall@5 with a typo {r:.1%} on naming queries, {rec['any_typo']:.1%} on random words "
                f"(goal >= {GOALS['recall_typo_10k']:.0%}) -> {'met' if r >= GOALS['recall_typo_10k'] else 'NOT met'}"
            )
    for n, _pl, _pw, tps, bare_p, _ready in procs:
        if n == 10_000:
            print(
                f"  10,000 in {args.procs} processes: {tps:.1f} turns/s (goal >= {GOALS['turns_s_10k']:.0f}; the "
                f"bare turn alone makes {bare_p:.1f} here) -> {'met' if tps >= GOALS['turns_s_10k'] else 'NOT met'}"
            )
    serve_goal_lines(serve)
    for n, _name, lat, wall in threaded:
        if n == 10_000:
            tps = len(lat) / wall
            print(
                f"  10,000 threaded: {tps:.1f} turns/s (goal >= {GOALS['turns_s_10k']:.0f}; the bare turn alone "
                f"makes {bare_tps:.1f} here) -> {'met' if tps >= GOALS['turns_s_10k'] else 'NOT met'}"
            )


def serve_goal_lines(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        if r["n"] != 10_000:
            continue
        tps, p95 = r["tps"], pct(r["lat"], 95)
        if r["bare_tps"] is None:  # an offered load: the latency at that rate
            e2e = pct(r["e2e"], 95)
            print(
                f"  10,000 serve path, {r['mode']}: answered {tps:.1f}/s; job p95 {p95:.1f} ms, handed over -> "
                f"done p95 {e2e:.1f} ms (goal <= {GOALS['p95_ms_10k']:.0f}) -> "
                f"{'met' if e2e <= GOALS['p95_ms_10k'] else 'NOT met'}"
            )
            continue
        print(
            f"  10,000 serve path, {r['mode']}: {tps:.1f} turns/s (goal >= {GOALS['turns_s_10k']:.0f}) -> "
            f"{'met' if tps >= GOALS['turns_s_10k'] else 'NOT met'}; job p95 {p95:.1f} ms (goal <= "
            f"{GOALS['p95_ms_10k']:.0f}) -> {'met' if p95 <= GOALS['p95_ms_10k'] else 'NOT met'}"
        )


GEN_QUERIES = [
    "harga kaos premium hitam",
    "ada tas kulit coklat?",
    "stok mug keramik putih",
    "ongkir 2 sepatu sporty ke bandung",
    "pesan 3 topi rajut navy",
    "jam buka?",
    "halo",
]


def _counts(text: str) -> list[int]:
    return [int(x) for x in str(text).split(",") if x.strip()]


def serve_only(args: Any) -> None:
    rows: list[dict[str, Any]] = []
    for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
        bid = generate_products(n)
        run_turns(bid, GEN_QUERIES[:1], 1)  # builds the index
        rows += measure_serve(
            bid,
            n,
            GEN_QUERIES,
            args.serve_turns,
            args.serve_threads,
            _counts(args.serve_procs),
            args.serve_rate,
        )
    print_serve(rows)
    print()
    print("goals (issue 15) beside this run:")
    serve_goal_lines(rows)


if __name__ == "__main__":
    main()
