"""The Huey instance: SqliteHuey under NIAGA_HOME by default, RedisHuey when NIAGA_REDIS_URL is set.

Huey carries only job ids; the durable state lives in the `jobs` table (see `niaga.jobs.runner`).
"""

from __future__ import annotations

import threading

from huey import Huey, RedisHuey, SqliteHuey

from niaga.settings import get_settings

_lock = threading.Lock()
_huey: Huey | None = None


def get_huey() -> Huey:
    global _huey
    with _lock:
        if _huey is None:
            _huey = _make()
            from niaga.jobs import runner

            runner.register_huey_tasks(_huey)
        return _huey


def _make() -> Huey:
    s = get_settings()
    if s.redis_url:
        return RedisHuey("niaga", url=s.redis_url, utc=True)
    s.ensure_home()
    # No fsync: the queue only carries ids; the durable record is the `jobs` table and the sweeper re-dispatches
    # anything the queue loses, so a lost queue write costs a delay, never a job.
    return SqliteHuey("niaga", filename=str(s.queue_path), utc=True, timeout=30, fsync=False)


def reset() -> None:
    """Forget the instance (tests switch settings between backends)."""
    global _huey
    with _lock:
        _huey = None


def queue_depth() -> int:
    try:
        return len(get_huey())
    except Exception:
        return -1
