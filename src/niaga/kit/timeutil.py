"""Time helpers: everything stored in UTC, shown and bucketed in the business's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


class Clock:
    """The process's clock: every "now" in niaga (timestamps, job due times, the message buffer window) comes
    from here. Tests move it forward with `advance()` instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.offset = timedelta(0)


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


def tz(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Jakarta")
    except Exception:
        return JAKARTA


def local_now(zone: str | None = None) -> datetime:
    return clock.now().astimezone(tz(zone))


def local_today(zone: str | None = None) -> date:
    return local_now(zone).date()
