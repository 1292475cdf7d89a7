"""Content studio benchmark: poster render time (p50/p95, feed and story, against a plain Pillow encode of
an image of the same size as the baseline in the same run), short video seconds per item, and broadcast
pacing accuracy (sent/minute achieved vs configured) over N recipients through the real job runner and the
fake WAHA, with the injected clock stepping from one due time to the next.

    python bench/content_bench.py [--posters 20] [--videos 2] [--recipients 1000]

Sizes are parameters: the shared 2-core machine runs small ones.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def bench_posters(n: int) -> None:
    from PIL import Image

    from niaga.marketing import content_media

    rnd = random.Random(1)
    words = [
        "Kemeja",
        "Batik",
        "Tulis",
        "Parang",
        "Premium",
        "Lengan",
        "Panjang",
        "Sutra",
        "Gratis",
        "Ongkir",
        "Harbolnas",
        "Promo",
    ]
    photo = Image.new("RGB", (1200, 900), (120, 60, 30))
    for fmt in ("feed", "story"):
        times, base = [], []
        for _ in range(n):
            name = " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 14)))
            promo = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 40)))
            t = time.perf_counter()
            p = content_media.render_poster(shop="Batik Sekar", name=name, price=185000, normal_price=250000,
                                            promo=promo, fmt=fmt, photo=photo)  # fmt: skip
            p.jpeg()
            times.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            buf = io.BytesIO()
            Image.new("RGB", content_media.FORMATS[fmt], (200, 180, 150)).save(buf, "JPEG", quality=90)
            base.append((time.perf_counter() - t) * 1000)
        print(f"poster {fmt}: n={n} p50={pct(times, 50):.1f} ms p95={pct(times, 95):.1f} ms "
              f"(plain encode p50={pct(base, 50):.1f} ms, ratio {pct(times, 50) / max(pct(base, 50), 0.01):.1f}x)")  # fmt: skip


def bench_videos(n: int) -> None:
    from PIL import Image

    from niaga.marketing import content_media

    if n <= 0:
        return
    if not content_media.ffmpeg_available():
        print("video: ffmpeg missing (scripts/system-deps.sh)")
        return
    slides = [Image.new("RGB", (1080, 1920), (i * 60, 80, 120)) for i in range(3)]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        _, info = content_media.render_video(slides, seconds_per_slide=3)
        times.append(time.perf_counter() - t)
    print(f"video 3 slides x 3 s ({info['duration_s']} s, {info['width']}x{info['height']} h264/aac): "
          f"n={n} p50={pct(times, 50):.2f} s p95={pct(times, 95):.2f} s per item")  # fmt: skip


def bench_broadcast(n: int) -> None:
    import sqlalchemy as sa

    from niaga.customers.models import Customer
    from niaga.db.engine import session_scope
    from niaga.integrations.waha.fake import FakeWaha
    from niaga.jobs.models import Job
    from niaga.jobs.runner import drain
    from niaga.kit.timeutil import clock, utcnow
    from niaga.messaging import config as msg_config
    from niaga.publishing import broadcast
    from niaga.publishing.models import BroadcastRecipient
    from niaga.tenancy import service as tenancy

    lo, hi = 3.0, 5.0
    with FakeWaha() as waha:
        with session_scope() as db:
            b = tenancy.create_business(db, slug=f"bench-{os.getpid()}", name="Bench", settings={
                "broadcast": {"min_delay_s": lo, "max_delay_s": hi, "daily_cap": 100000},
                "channels": {"daily_cap": 100000}})  # fmt: skip
            msg_config.do_configure(db, business_id=b.id, kind="waha", is_enabled=True,
                                  config={"base_url": waha.url, "session": "default"},
                                  secrets={"api_key": waha.api_key, "hmac_key": "k"})  # fmt: skip
            db.add_all(Customer(business_id=b.id, name=f"Pelanggan {i}", phone=f"62813{i:08d}", city="Solo")
                       for i in range(n))  # fmt: skip
            db.flush()
            bc = broadcast.do_create(db, business=b, text="Halo {nama}!", audience={"city": "solo"},
                                     consent_confirmed=True)  # fmt: skip
            broadcast.do_start(db, business=b, broadcast=bc, seed=3)
            bid = bc.id
        started = time.perf_counter()
        first = None
        while True:
            with session_scope() as db:
                nxt = db.scalar(sa.select(sa.func.min(Job.run_at)).where(Job.status == "pending"))
            if nxt is None:
                break
            if nxt > utcnow():
                clock.advance((nxt - utcnow()).total_seconds())
            first = first or utcnow()
            drain(now=utcnow())
        wall = time.perf_counter() - started
        with session_scope() as db:
            handed = sorted(t for t in db.scalars(sa.select(BroadcastRecipient.handed_at).where(
                BroadcastRecipient.broadcast_id == bid)) if t is not None)  # fmt: skip
        span = (handed[-1] - handed[0]).total_seconds()
        achieved = (len(handed) - 1) / span * 60 if span else float("nan")
        configured = 60 / ((lo + hi) / 2)
        print(f"broadcast: {len(waha.calls('/api/sendText'))}/{n} sent through the fake WAHA; "
              f"{achieved:.2f}/min achieved vs {configured:.2f}/min configured "
              f"(accuracy {achieved / configured * 100:.1f}%); gaps min {min((y - x).total_seconds() for x, y in itertools.pairwise(handed)):.2f} s "
              f"max {max((y - x).total_seconds() for x, y in itertools.pairwise(handed)):.2f} s; "
              f"runner wall {wall / n * 1000:.1f} ms per recipient")  # fmt: skip
        clock.reset()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posters", type=int, default=20)
    ap.add_argument("--videos", type=int, default=2)
    ap.add_argument("--recipients", type=int, default=1000)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="niaga-content-bench-")
    os.environ.update({"NIAGA_HOME": home, "NIAGA_ENV": "test", "NIAGA_SECRET_KEY": "bench-" + "x" * 20,
                       "NIAGA_JOBS_DISPATCH": "manual", "NIAGA_LOG_LEVEL": "ERROR"})  # fmt: skip
    import niaga.db.models  # noqa: F401
    from niaga.db import migrate
    from niaga.jobs.registry import load_all
    from niaga.ops.logging import configure_logging

    configure_logging("ERROR", False)
    migrate.upgrade()
    load_all()
    bench_posters(args.posters)
    bench_videos(args.videos)
    bench_broadcast(args.recipients)


if __name__ == "__main__":
    main()
