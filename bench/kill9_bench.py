"""kill -9 of the web process and then of the job worker(s) during a burst of WhatsApp messages (issues 11
and 17 item 7): every message acknowledged, stored and answered exactly once.

A real `niaga serve --no-worker` and `niaga worker` processes, a fake WAHA on loopback, N signed webhook
messages from N different chats posted by 16 concurrent senders that retry like WAHA (same event, same
message id) until acknowledged. The web process is SIGKILLed mid-burst (at --kill-web-at of the messages
acknowledged) and restarted a second later; then the worker(s) are SIGKILLed while the burst is being
answered (at --kill-at answered) and restarted a second later. Counted: acknowledged, stored (inbound events
and messages), answered (sends at the fake WAHA), answered twice. Goal: 0 lost, 0 answered twice, the last
answering again within 60 s of the worker restart (a dead worker's jobs come back after their 20-s lease); the
time to drain the backlog is reported.

Usage: python bench/kill9_bench.py [--messages 1000] [--clients 16] [--workers 1] [--kill-workers all|one]
PostgreSQL: NIAGA_BENCH_DATABASE_URL=postgresql+psycopg://... (an empty database); Redis queue:
NIAGA_BENCH_REDIS_URL. Without them: SQLite and the SQLite queue under a temporary NIAGA_HOME.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # this checkout's code

from bench.common import ROOT, free_port, wait_http

HMAC_KEY = "bench-hmac-key"


def _env(home: str, port: int) -> dict[str, str]:
    env = {
        "NIAGA_ENV": "test",
        "NIAGA_HOME": home,
        "NIAGA_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "NIAGA_JOBS_DISPATCH": "huey",
        "NIAGA_LOG_LEVEL": "WARNING",
        "NIAGA_LOG_JSON": "false",
        "NIAGA_HOST": "127.0.0.1",
        "NIAGA_PORT": str(port),
        "NIAGA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "NIAGA_WORKER_THREADS": "4",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):
        env["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    if os.environ.get("NIAGA_BENCH_REDIS_URL"):
        env["NIAGA_REDIS_URL"] = os.environ["NIAGA_BENCH_REDIS_URL"]
    return env


def _seed(waha_url: str, waha_key: str) -> str:
    from alembic import command
    from tests import factories as f

    from niaga.catalog import fts
    from niaga.db import engine as db_engine
    from niaga.db.migrate import alembic_config
    from niaga.db.models import metadata
    from niaga.messaging import config as msg_config

    db_engine.configure()
    metadata.create_all(db_engine.get_engine())
    with db_engine.get_engine().begin() as conn:
        fts.install(conn)
    command.stamp(alembic_config(), "head")
    db = db_engine.new_session()
    b = f.make_business(db, slug="rizquna", name="Rizquna", settings={"channels": {"buffer_seconds": 0.2}})
    f.make_product(db, business=b, sku="RQ-PECI-001", name="Peci Hitam Polos", price=40000, stock=100_000)
    msg_config.do_configure(
        db,
        business_id=b.id,
        kind="waha",
        config={"base_url": waha_url, "session": "default"},
        secrets={"api_key": waha_key, "hmac_key": HMAC_KEY},
        is_enabled=True,
    )
    db.commit()
    db.close()
    db_engine.dispose()
    return b.slug


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", *args],
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _send_all(
    url: str, events: list[dict], clients: int, deadline: float, stats: Counter, acked_ids: set[str]
) -> list[threading.Thread]:
    """`clients` concurrent senders, each with its share of the events. Like WAHA, a sender retries an event
    (the same bytes, the same message id) until it gets a 2xx: while the web process is dead the connection
    is refused, and an answer lost in the kill is retried too."""
    import httpx

    from niaga.integrations.waha.fake import post_webhook

    lock = threading.Lock()

    def run(part: list[dict]) -> None:
        with httpx.Client(timeout=10) as http:
            for event in part:
                delay = 0.1
                while time.monotonic() < deadline:
                    try:
                        r = post_webhook(url, event, HMAC_KEY, client=http)
                        status = str(r.status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    with lock:
                        stats[status] += 1
                        if status.startswith("2"):
                            acked_ids.add(event["payload"]["id"])
                    if status.startswith("2"):
                        break
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)

    threads = [threading.Thread(target=run, args=(events[i::clients],), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    return threads


def _stored(chats: list[str]) -> dict[str, int]:
    """What the database holds after the run: inbound events, inbound messages (and any stored twice),
    and bot answers per conversation."""
    import sqlalchemy as sa

    from niaga.db import engine as db_engine
    from niaga.integrations.models import InboundEvent
    from niaga.messaging.models import Message

    db_engine.dispose()
    db_engine.configure()
    with db_engine.session_scope() as db:
        events = db.scalar(
            sa.select(sa.func.count()).select_from(InboundEvent).where(InboundEvent.provider == "waha")
        )
        unhandled = db.scalar(
            sa.select(sa.func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.provider == "waha", InboundEvent.handled_at.is_(None))
        )
        inbound = db.scalar(sa.select(sa.func.count()).select_from(Message).where(Message.direction == "in"))
        inbound_ids = db.scalar(
            sa.select(sa.func.count(sa.distinct(Message.provider_message_id))).where(
                Message.direction == "in"
            )
        )
        per_conv = db.execute(
            sa.select(Message.conversation_id, sa.func.count())
            .where(Message.direction == "out")
            .group_by(Message.conversation_id)
        ).all()
    db_engine.dispose()
    return {
        "events": int(events or 0),
        "unhandled": int(unhandled or 0),
        "inbound": int(inbound or 0),
        "inbound_twice": int((inbound or 0) - (inbound_ids or 0)),
        "answers_stored": sum(int(n) for _, n in per_conv),
        "conversations_answered_twice": sum(1 for _, n in per_conv if n > 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=16, help="concurrent webhook senders")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (2 for PostgreSQL + Redis)")
    ap.add_argument(
        "--kill-web-at", type=float, default=0.25, help="kill the web process at this share acknowledged"
    )
    ap.add_argument("--kill-at", type=float, default=0.5, help="kill the workers when this share is answered")
    ap.add_argument("--kill-workers", choices=["all", "one"], default="all")
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()

    home = tempfile.mkdtemp(prefix="niaga-kill9-")
    port = free_port()
    env = _env(home, port)
    os.environ.update(env)
    from niaga.integrations.waha.fake import FakeWaha, message_event

    backend = "postgresql" if "NIAGA_DATABASE_URL" in env else "sqlite"
    queue = "redis" if "NIAGA_REDIS_URL" in env else "sqlite"
    log = Path(home) / "processes.log"
    stats: Counter = Counter()
    acked_ids: set[str] = set()
    web_killed_at = worker_killed_at = restarted_at = resumed_at = None
    with FakeWaha() as waha:
        slug = _seed(waha.url, waha.api_key)
        server = _start(["serve", "--no-worker"], env, log)
        workers = [_start(["worker"], env, log) for _ in range(a.workers)]
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz")
            chats = [f"62813{i:08d}@c.us" for i in range(a.messages)]
            events = [message_event(text="berapa harga peci hitam?", chat_id=chat) for chat in chats]
            url = f"http://127.0.0.1:{port}/webhooks/waha/{slug}"
            answered_at_kill = 0
            t0 = time.monotonic()
            deadline = t0 + a.timeout
            senders = _send_all(url, events, a.clients, deadline, stats, acked_ids)
            while time.monotonic() < deadline:
                answered = {m["to"] for m in list(waha.sent)}
                if web_killed_at is None and len(acked_ids) >= a.kill_web_at * a.messages:
                    os.killpg(server.pid, signal.SIGKILL)  # mid-burst: requests in flight are cut
                    server.wait(10)
                    web_killed_at = time.monotonic()
                    time.sleep(1.0)
                    server = _start(["serve", "--no-worker"], env, log)
                if (
                    web_killed_at is not None
                    and worker_killed_at is None
                    and len(answered) >= a.kill_at * a.messages
                ):
                    victims = workers if a.kill_workers == "all" else workers[:1]
                    for w in victims:
                        os.killpg(w.pid, signal.SIGKILL)
                        w.wait(10)
                    worker_killed_at = time.monotonic()
                    answered_at_kill = len({m["to"] for m in list(waha.sent)})
                    time.sleep(1.0)
                    workers = [_start(["worker"], env, log) for _ in victims] + workers[len(victims) :]
                    restarted_at = time.monotonic()
                if restarted_at is not None and resumed_at is None and len(answered) > answered_at_kill:
                    resumed_at = time.monotonic()  # the restarted worker(s) answer again
                if worker_killed_at is not None and len(answered) >= a.messages:
                    break
                time.sleep(0.2)
            for t in senders:
                t.join(max(1.0, deadline - time.monotonic()))
            done_at = time.monotonic()
            time.sleep(5)  # late duplicates would show up here
            elapsed = done_at - t0
        finally:
            for w in workers:
                _stop(w)
            _stop(server)
        # counted after every process stopped: a send still in flight is counted too
        per_chat = {c: [m["body"] for m in waha.sent if m["to"] == c] for c in chats}
        lost = [c for c, bodies in per_chat.items() if not bodies]
        twice = [c for c, bodies in per_chat.items() if len(bodies) > 1]
        drain_s = (done_at - restarted_at) if restarted_at and not lost else float("nan")
    stored = _stored(chats)
    refused = sum(n for k, n in stats.items() if not k.startswith("2"))
    print(
        f"kill -9 bench ({backend} + {queue} queue, {a.workers} worker process(es), {a.clients} clients): "
        f"{a.messages} messages from {a.messages} customers in {elapsed:.1f} s"
    )
    print(
        f"  web SIGKILLed at {web_killed_at - t0 if web_killed_at else float('nan'):.1f} s, "
        f"worker(s) ({a.kill_workers}) at {worker_killed_at - t0 if worker_killed_at else float('nan'):.1f} s; "
        "each restarted 1 s later"
    )
    print(
        f"  acknowledged {len(acked_ids)}/{a.messages} (responses {dict(stats)}; {refused} refused/failed tries "
        "retried by the senders)"
    )
    print(
        f"  stored: {stored['events']} events ({stored['unhandled']} unhandled), {stored['inbound']} inbound "
        f"messages ({stored['inbound_twice']} stored twice)"
    )
    print(
        f"  answered {a.messages - len(lost)}, lost {len(lost)}, answered twice {len(twice)} "
        f"(WAHA got {len(waha.sent)} sends; database: {stored['answers_stored']} answers, "
        f"{stored['conversations_answered_twice']} conversations with more than one)"
    )
    resume_s = (resumed_at - restarted_at) if resumed_at and restarted_at else float("nan")
    print(
        f"  answering resumed {resume_s:.1f} s after the worker restart; all answered {drain_s:.1f} s after it"
    )
    # Pass: nothing lost or answered twice, and the restarted workers answer again within 60 s (a dead
    # worker's jobs come back after their 20-s lease). The drain time depends on the machine's speed and the
    # backlog left at the kill, so it is reported, not judged.
    ok = (
        not lost
        and not twice
        and len(acked_ids) == a.messages
        and stored["inbound"] == a.messages
        and stored["inbound_twice"] == 0
        and resume_s <= 60
    )
    if not ok:
        print(f"  FAIL; lost {lost[:5]} answered twice {twice[:5]}; logs: {log}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
