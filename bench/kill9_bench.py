"""kill -9 of the job worker during a burst of WhatsApp messages (issue 11): every message answered once.

A real `niaga serve --no-worker` and `niaga worker` (separate processes), a fake WAHA on loopback, N signed
webhook messages from N different chats. The worker is SIGKILLed while the burst is being answered and
restarted a second later. Goal: 0 lost (a chat without an answer), 0 duplicated (the same answer twice to a
chat), the last answer within 60 s of the restart (a dead worker's jobs come back after their 20-s lease).

Usage: python bench/kill9_bench.py [--messages 200] [--kill-at 0.3] [--timeout 180]
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--kill-at", type=float, default=0.5, help="kill when this share of chats is answered")
    ap.add_argument("--timeout", type=float, default=180)
    a = ap.parse_args()

    home = tempfile.mkdtemp(prefix="niaga-kill9-")
    port = free_port()
    env = _env(home, port)
    os.environ.update(env)
    from niaga.integrations.waha.fake import FakeWaha, message_event, post_webhook

    backend = "postgresql" if "NIAGA_DATABASE_URL" in env else "sqlite"
    log = Path(home) / "processes.log"
    with FakeWaha() as waha:
        slug = _seed(waha.url, waha.api_key)
        server = _start(["serve", "--no-worker"], env, log)
        worker = _start(["worker"], env, log)
        restarted_at = None
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz")
            chats = [f"62813{i:08d}@c.us" for i in range(a.messages)]
            url = f"http://127.0.0.1:{port}/webhooks/waha/{slug}"
            acked: Counter = Counter()

            def send(part: list[str]) -> None:
                for chat in part:
                    r = post_webhook(
                        url, message_event(text="berapa harga peci hitam?", chat_id=chat), HMAC_KEY
                    )
                    acked[r.status_code] += 1

            t0 = time.monotonic()
            senders = [threading.Thread(target=send, args=(chats[i::4],)) for i in range(4)]
            for t in senders:
                t.start()
            killed_at = None
            deadline = time.monotonic() + a.timeout
            while time.monotonic() < deadline:
                answered = {m["to"] for m in list(waha.sent)}
                if killed_at is None and len(answered) >= a.kill_at * a.messages:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait(10)
                    killed_at = time.monotonic()
                    time.sleep(1.0)
                    worker = _start(["worker"], env, log)
                    restarted_at = time.monotonic()
                if killed_at is not None and len(answered) >= a.messages:
                    break
                time.sleep(0.2)
            for t in senders:
                t.join(30)
            time.sleep(3)  # late duplicates would show up here
            per_chat = {c: [m["body"] for m in waha.sent if m["to"] == c] for c in chats}
            lost = [c for c, bodies in per_chat.items() if not bodies]
            duplicated = [c for c, bodies in per_chat.items() if len(bodies) != len(set(bodies))]
            drain_s = (time.monotonic() - restarted_at) if restarted_at and not lost else float("nan")
        finally:
            _stop(worker)
            _stop(server)
    elapsed = time.monotonic() - t0
    print(f"kill -9 bench ({backend}): {a.messages} messages, acknowledged {dict(acked)}")
    print(
        f"  worker SIGKILLed after {killed_at - t0 if killed_at else float('nan'):.1f} s, restarted 1 s later"
    )
    print(f"  lost {len(lost)}, duplicated {len(duplicated)}, answers sent {len(waha.sent)}")
    print(f"  all answered {drain_s:.1f} s after the restart ({elapsed:.1f} s in all)")
    ok = not lost and not duplicated and acked.get(200, 0) == a.messages and drain_s <= 60
    if not ok:
        print(f"  FAIL; lost {lost[:5]} duplicated {duplicated[:5]}; logs: {log}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
