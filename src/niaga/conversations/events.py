"""Live events for the dashboard and the widget (SSE). `publish()` is called after a change commits;
subscribers get dicts `{"type": ..., "business_id": ..., **data}`.

In-process fan-out (web and in-process worker share a process on a single VPS). When jobs run in
separate worker processes, events travel through Redis pub/sub (see `niaga.conversations.events` Redis
bridge) — TODO for the channels issue.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

_lock = threading.Lock()
_subscribers: dict[int, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]] = {}


def publish(business_id: int, event_type: str, **data: Any) -> None:
    event = {"type": event_type, "business_id": business_id, **data}
    with _lock:
        subs = list(_subscribers.get(business_id, ()))
    for loop, queue in subs:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, event)
        except RuntimeError:  # loop closed
            pass


async def subscribe(business_id: int) -> AsyncIterator[dict[str, Any]]:
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
