"""Sliding-window rate limits for the website widget, in a store every web process shares.

With NIAGA_REDIS_URL set, the hits of a key live in a Redis sorted set updated atomically by one script, so a
limit holds across all `niaga serve` processes and machines; without Redis (one process on a small VPS) they
live in this process's memory. If Redis cannot be reached the limiter falls back to memory (per process) and
logs it, rather than refusing or letting through every visitor.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from typing import Any

from niaga.ops.logging import get_logger
from niaga.settings import get_settings

log = get_logger("niaga.widget")

# KEYS[1] = the window's key; ARGV = now, period, limit, member. Returns -1 when recorded, else the seconds
# (as a string: Lua numbers become integers) until the oldest hit leaves the window.
_SCRIPT = """
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + period - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
return -1
"""
PREFIX = "niaga:ratelimit:"


class MemoryWindow:
    """At most `limit` hits per key in the last `period` seconds, in this process's memory."""

    def __init__(self, period: float = 60.0) -> None:
        self.period = period
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int) -> float | None:
        """Record a hit; returns seconds to wait when over the limit (the hit is then not recorded)."""
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - self.period:
                q.popleft()
            if len(q) >= limit:
                return max(0.1, q[0] + self.period - now)
            q.append(now)
            if len(self._hits) > 50_000:  # forget idle keys
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.period]:
                    self._hits.pop(k, None)
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class RedisWindow:
    """The same limit kept in Redis (shared by every process using that Redis)."""

    def __init__(self, url: str, period: float = 60.0) -> None:
        import redis

        self.period = period
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script: Any = self.client.register_script(_SCRIPT)

    def hit(self, key: str, limit: int) -> float | None:
        now = time.time()
        got = self._script(
            keys=[PREFIX + key], args=[now, self.period, limit, f"{now}:{uuid.uuid4().hex[:8]}"]
        )
        wait = float(got.decode() if isinstance(got, bytes) else got)
        return None if wait < 0 else max(0.1, wait)

    def reset(self) -> None:
        for key in self.client.scan_iter(match=PREFIX + "*", count=500):
            self.client.delete(key)


class SharedWindow:
    """Redis when configured, else memory; decided on first use (settings may change in tests)."""

    def __init__(self, period: float = 60.0) -> None:
        self.period = period
        self.memory = MemoryWindow(period)
        self._redis: RedisWindow | None = None
        self._redis_url: str | None = None
        self._lock = threading.Lock()

    def _store(self) -> RedisWindow | None:
        url = get_settings().redis_url
        if not url:
            return None
        with self._lock:
            if self._redis is None or self._redis_url != url:
                self._redis, self._redis_url = RedisWindow(url, self.period), url
            return self._redis

    def hit(self, key: str, limit: int) -> float | None:
        store = self._store()
        if store is not None:
            try:
                return store.hit(key, limit)
            except Exception as exc:  # Redis down: per-process limits are better than none
                log.warning("widget.ratelimit_redis_failed", error=str(exc))
        return self.memory.hit(key, limit)

    def reset(self) -> None:
        self.memory.reset()
        store = self._store()
        if store is not None:
            try:
                store.reset()
            except Exception as exc:
                log.warning("widget.ratelimit_redis_failed", error=str(exc))
