"""Live events for the dashboard and the widget (SSE). `publish()` is called after a change commits;
subscribers get dicts `{"type": ..., "business_id": ..., **data}`.

Single process (web + in-process worker on one VPS): fan-out in memory. With NIAGA_REDIS_URL set, web
processes and standalone workers are separate processes, so `publish()` goes through Redis pub/sub
(channel `niaga:events:<business_id>`) and one listener thread per process fans messages out to that
process's subscribers. If Redis cannot be reached, events fall back to in-process delivery (live views
then refresh on their next poll; nothing durable depends on events).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from niaga.db.savepoints import in_savepoint
from niaga.ops.logging import get_logger
from niaga.settings import get_settings

log = get_logger("niaga.events")

_lock = threading.Lock()
_subscribers: dict[int, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = {}
CHANNEL_PREFIX = "niaga:events:"
_PENDING_KEY = "niaga_events_after_commit"


def _fan_out(event: dict[str, Any]) -> None:
    try:
        business_id = int(event.get("business_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return
    with _lock:
        subs = list(_subscribers.get(business_id, ()))
    for loop, queue in subs:
        try:
            loop.call_soon_threadsafe(_put, queue, event)
        except RuntimeError:  # loop closed
            pass


def _put(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:  # a stalled client loses live events, not the service
        pass


def publish(business_id: int, event_type: str, **data: Any) -> None:
    event = {"type": event_type, "business_id": business_id, **data}
    bridge = _bridge()
    if bridge is not None and bridge.publish(event):
        return
    _fan_out(event)


def publish_after_commit(db: Session, business_id: int, event_type: str, **data: Any) -> None:
    """Publish once `db`'s transaction commits (dropped on rollback)."""
    db.info.setdefault(_PENDING_KEY, []).append((business_id, event_type, data))


@sa_event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    if in_savepoint(session):
        return
    for business_id, event_type, data in session.info.pop(_PENDING_KEY, None) or ():
        try:
            publish(business_id, event_type, **data)
        except Exception as exc:  # live events are best effort
            log.warning("events.publish_failed", error=str(exc))


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    if in_savepoint(session):
        return
    session.info.pop(_PENDING_KEY, None)


async def subscribe(business_id: int) -> AsyncIterator[dict[str, Any]]:
    _bridge()  # make sure this process listens to Redis before it waits for events
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
    entry = (loop, queue)
    with _lock:
        _subscribers.setdefault(business_id, []).append(entry)
    try:
        while True:
            yield await queue.get()
    finally:
        with _lock:
            _subscribers.get(business_id, []).remove(entry)


# --- Redis bridge ----------------------------------------------------------------------------------


class RedisBridge:
    """Publishes to Redis and runs one daemon thread per process that fans Redis messages out locally."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.ready = threading.Event()

    def publish(self, event: dict[str, Any]) -> bool:
        try:
            self.client.publish(
                f"{CHANNEL_PREFIX}{event['business_id']}", json.dumps(event, ensure_ascii=False, default=str)
            )
            return True
        except Exception as exc:
            log.warning("events.redis_publish_failed", error=str(exc))
            return False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._listen, name="niaga-events-redis", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self) -> None:
        import redis

        while not self._stop.is_set():
            try:
                pubsub = redis.Redis.from_url(self.url, socket_connect_timeout=2).pubsub(
                    ignore_subscribe_messages=True
                )
                pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                self.ready.set()
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=1.0)
                    if msg and msg.get("type") == "pmessage":
                        try:
                            _fan_out(json.loads(msg["data"]))
                        except (ValueError, TypeError):
                            continue
                pubsub.close()
            except Exception as exc:
                log.warning("events.redis_listen_failed", error=str(exc))
                self._stop.wait(2.0)


_bridge_lock = threading.Lock()
_bridge_instance: RedisBridge | None = None
_bridge_url: str | None = None


def _bridge() -> RedisBridge | None:
    global _bridge_instance, _bridge_url

    url = get_settings().redis_url
    if not url:
        return None
    with _bridge_lock:
        if _bridge_instance is None or _bridge_url != url:
            if _bridge_instance is not None:
                _bridge_instance.stop()
            _bridge_instance = RedisBridge(url)
            _bridge_url = url
            _bridge_instance.start()
        return _bridge_instance


# --- SSE -------------------------------------------------------------------------------------------

HEARTBEAT_SECONDS = 15.0


def sse_format(data: dict[str, Any], *, event: str | None = None, event_id: int | str | None = None) -> str:
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, default=str))
    return "\n".join(lines) + "\n\n"


async def sse_stream(
    business_id: int,
    *,
    accept: Any = None,
    backlog: Any = (),
    named: bool = True,
    heartbeat: float | None = None,
    is_disconnected: Any = None,
) -> AsyncIterator[str]:
    """Server-sent events for one business: `backlog` first, then live events that `accept(event)` lets
    through (rendered by `accept` when it returns a dict), with a comment line every `heartbeat` seconds so
    proxies keep the connection open. Events are named by type unless `named=False` (the widget listens
    to plain `message` events)."""
    interval = heartbeat or HEARTBEAT_SECONDS
    local: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)

    async def pump() -> None:
        async for ev in subscribe(business_id):
            try:
                local.put_nowait(ev)
            except asyncio.QueueFull:
                pass

    task = asyncio.create_task(pump())
    try:
        yield ": connected\n\n"
        for item in backlog:
            yield sse_format(item, event=None if not named else item.get("type"), event_id=item.get("id"))
        while True:
            try:
                ev = await asyncio.wait_for(local.get(), timeout=interval)
            except TimeoutError:
                if is_disconnected is not None and await is_disconnected():
                    return
                yield ": ping\n\n"
                continue
            out = accept(ev) if accept is not None else ev
            if out is None or out is False:
                continue
            data = out if isinstance(out, dict) else ev
            yield sse_format(
                data,
                event=data.get("type") if named else None,
                event_id=(data.get("message") or {}).get("id")
                if isinstance(data.get("message"), dict)
                else None,
            )
    finally:
        task.cancel()
