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


MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_ID_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def format_local(value: datetime, zone: str | None, fmt: str, lang: str = "id") -> str:
    """`value` in the business's time zone with strftime's `fmt`; in Indonesian `%B`/`%b` are Indonesian month
    names (strftime would write the C locale's English ones, whatever the page's language)."""
    local = value.astimezone(tz(zone))
    if lang == "id":
        fmt = fmt.replace("%B", MONTHS_ID[local.month - 1]).replace("%b", MONTHS_ID_SHORT[local.month - 1])
    return local.strftime(fmt)
