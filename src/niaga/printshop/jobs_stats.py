"""Print-shop figures for the overview: pages printed per day (B/W vs colour), revenue per service,
average turnaround from received to ready, and jobs waiting on customers. Bounded by date range on
indexed columns; per-row work is done in Python over that range only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.timeutil import tz, utcnow
from niaga.printshop import jobs
from niaga.printshop.jobs_models import PrintJob
from niaga.tenancy.models import Business

PAID_STATES = ("paid", "queued", "printing", "ready", "picked_up", "shipped", "completed")
PRINTED_STATES = ("ready", "picked_up", "shipped", "completed")
SERVICES = (
    ("print_bw", "Cetak hitam-putih"),
    ("print_colour", "Cetak berwarna"),
    ("photo_page", "Foto/KTP"),
    ("binding", "Jilid"),
    ("cover_colour", "Warna sampul khusus"),
    ("paper", "Kertas khusus"),
    ("express", "Ekspres"),
    ("minimum_charge", "Biaya minimum"),
)


@dataclass
class PrintStats:
    days: list[dict[str, Any]] = field(default_factory=list)  # {"day", "bw", "colour"}
    revenue: list[tuple[str, int]] = field(default_factory=list)
    turnaround_hours: float | None = None
    turnaround_jobs: int = 0
    waiting: dict[str, int] = field(default_factory=dict)
    waiting_total: int = 0
    oldest_waiting_hours: float | None = None

    @property
    def max_pages(self) -> int:
        return max([d["bw"] + d["colour"] for d in self.days] or [0]) or 1


def service_of(code: str) -> str:
    for prefix, label in SERVICES:
        if code.startswith(prefix):
            return label
    return "Lainnya"


def compute(db: Session, business: Business, *, days: int = 14, now: datetime | None = None) -> PrintStats:
    now = now or utcnow()
    zone = tz(business.timezone)
    out = PrintStats()
    start_day = (now.astimezone(zone) - timedelta(days=days - 1)).date()
    since = datetime.combine(start_day, datetime.min.time(), tzinfo=zone)
    per_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    turn: list[float] = []
    rows = db.execute(
        sa.select(
            PrintJob.ready_at, PrintJob.created_at, PrintJob.pages_bw, PrintJob.pages_colour, PrintJob.copies
        ).where(
            PrintJob.business_id == business.id,
            PrintJob.status.in_(PRINTED_STATES),
            PrintJob.ready_at.is_not(None),
            PrintJob.ready_at >= since,
        )
    ).all()
    for ready_at, created_at, bw, colour, copies in rows:
        if ready_at is None:
            continue
        key = ready_at.astimezone(zone).date().isoformat()
        per_day[key][0] += int(bw or 0) * int(copies or 1)
        per_day[key][1] += int(colour or 0) * int(copies or 1)
        turn.append((ready_at - created_at).total_seconds() / 3600)
    for i in range(days):
        d = (start_day + timedelta(days=i)).isoformat()
        out.days.append({"day": d, "bw": per_day[d][0], "colour": per_day[d][1]})
    if turn:
        out.turnaround_hours = round(sum(turn) / len(turn), 1)
        out.turnaround_jobs = len(turn)
    revenue: dict[str, int] = defaultdict(int)
    for (quote,) in db.execute(
        sa.select(PrintJob.quote).where(
            PrintJob.business_id == business.id,
            PrintJob.status.in_(PAID_STATES),
            PrintJob.created_at >= since,
        )
    ):
        for item in (quote or {}).get("items", []):
            revenue[service_of(str(item.get("code", "")))] += int(item.get("amount") or 0)
    out.revenue = sorted(revenue.items(), key=lambda kv: -kv[1])
    waiting = dict(
        db.execute(
            sa.select(PrintJob.status, sa.func.count())
            .where(PrintJob.business_id == business.id, PrintJob.status.in_(jobs.WAITING_STATES))
            .group_by(PrintJob.status)
        ).all()
    )
    out.waiting = {jobs.STATE_LABELS_ID[s]: int(waiting.get(s, 0)) for s in jobs.WAITING_STATES}
    out.waiting_total = sum(out.waiting.values())
    oldest = db.scalar(
        sa.select(sa.func.min(PrintJob.waiting_since)).where(
            PrintJob.business_id == business.id, PrintJob.status.in_(jobs.WAITING_STATES)
        )
    )
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        out.oldest_waiting_hours = round((now - oldest).total_seconds() / 3600, 1)
    return out
