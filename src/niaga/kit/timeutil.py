"""Time helpers: everything stored in UTC, shown and bucketed in the business's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def tz(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Jakarta")
    except Exception:
        return JAKARTA


def local_now(zone: str | None = None) -> datetime:
    return datetime.now(tz(zone))


def local_today(zone: str | None = None) -> date:
    return local_now(zone).date()


