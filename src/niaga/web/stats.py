"""Numbers for the overview page. Every figure is an aggregate over an indexed range
(orders: business_id+created_at, messages: business_id+created_at, conversations: business_id+owner+status,
dead letters: business_id+status), bucketed by day/hour in the business's time zone inside the database,
so the page stays fast with hundreds of thousands of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.models import Transaction
from niaga.jobs.models import DeadLetter
from niaga.kit.timeutil import tz
from niaga.messaging.models import Conversation, Message
from niaga.orders.models import ORDER_STATES, Order
from niaga.tenancy.models import Business

# Orders whose money has come in (revenue counts these).
PAID_STATES = ("paid", "processing", "ready", "shipped", "picked_up", "completed")
# Orders that count as orders at all (a draft is not an order yet).
COUNTED_STATES = tuple(s for s in ("awaiting_payment", *PAID_STATES, "cancelled", "expired", "refunded"))


@dataclass
class Overview:
    today_orders: int = 0
    today_revenue: int = 0
    month_orders: int = 0
    month_revenue: int = 0
    new_customers: int = 0
    returning_customers: int = 0
    open_bot: int = 0
    open_staff: int = 0
    replies_bot: int = 0
    replies_staff: int = 0
    failed_jobs: int = 0
    revenue_days: list[tuple[str, int]] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    def chart_data(self) -> dict[str, Any]:
        return {
            "revenue": {
                "labels": [d for d, _ in self.revenue_days],
                "values": [v for _, v in self.revenue_days],
            },
            "status": {"labels": list(self.status_counts), "values": list(self.status_counts.values())},
            "hours": {"labels": [f"{h:02d}" for h in range(24)], "values": self.hours},
        }


def _bucket(db: Session, column: Any, zone: str, fmt: str) -> Any:
    """Local day ('day') or hour ('hour') of a UTC timestamp column, computed by the database."""
    if db.get_bind().dialect.name == "postgresql":
        local = sa.func.timezone(zone, column)
        return sa.func.to_char(local, "YYYY-MM-DD" if fmt == "day" else "HH24")
    # SQLite stores naive UTC; Indonesian zones have no DST, so the current offset is exact there.
    offset = int((datetime.now(tz(zone)).utcoffset() or timedelta()).total_seconds())
    return sa.func.strftime("%Y-%m-%d" if fmt == "day" else "%H", column, f"{offset:+d} seconds")


def _local_midnight_utc(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz(zone)).astimezone(UTC)


def compute(db: Session, business: Business, *, now: datetime | None = None) -> Overview:
    zone = business.timezone or "Asia/Jakarta"
    now = now or datetime.now(UTC)
    today = now.astimezone(tz(zone)).date()
    month_start = today.replace(day=1)
    window_start = min(month_start, today - timedelta(days=29))
    since = _local_midnight_utc(window_start, zone)
    month_since = _local_midnight_utc(month_start, zone)
    bid = business.id
    out = Overview()

    # Orders: one grouped scan over the created_at index for the whole window.
    day = _bucket(db, Order.created_at, zone, "day")
    rows = db.execute(
        sa.select(
            day.label("d"), Order.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Order.total), 0)
        )
        .where(Order.business_id == bid, Order.created_at >= since)
        .group_by(day, Order.status)
    ).all()
    per_day: dict[str, int] = {}
    last30 = (today - timedelta(days=29)).isoformat()
    today_s, month_s = today.isoformat(), month_start.isoformat()
    status_counts: dict[str, int] = {}
    for d, status, count, total in rows:
        d = str(d)
        paid = status in PAID_STATES
        counted = status in COUNTED_STATES
        if d >= last30:
            status_counts[status] = status_counts.get(status, 0) + int(count)
            if paid:
                per_day[d] = per_day.get(d, 0) + int(total)
        if d == today_s:
            out.today_orders += int(count) if counted else 0
            out.today_revenue += int(total) if paid else 0
        if d >= month_s:
            out.month_orders += int(count) if counted else 0
            out.month_revenue += int(total) if paid else 0
    # Purchases imported from the shop's books (transactions not written by a paid order here) count as
    # completed orders on their local date: a shop whose history was imported must not see zeros.
    for d, count, total in db.execute(
        sa.select(
            Transaction.occurred_on, sa.func.count(), sa.func.coalesce(sa.func.sum(Transaction.amount), 0)
        )
        .where(
            Transaction.business_id == bid,
            Transaction.source != "order",
            Transaction.status == "completed",
            Transaction.occurred_on >= window_start,
            Transaction.occurred_on <= today,
        )
        .group_by(Transaction.occurred_on)
    ).all():
        d = d.isoformat() if isinstance(d, date) else str(d)[:10]
        if d >= last30:
            status_counts["imported"] = status_counts.get("imported", 0) + int(count)
            per_day[d] = per_day.get(d, 0) + int(total)
        if d == today_s:
            out.today_orders += int(count)
            out.today_revenue += int(total)
        if d >= month_s:
            out.month_orders += int(count)
            out.month_revenue += int(total)
    out.revenue_days = [
        ((today - timedelta(days=i)).isoformat(), per_day.get((today - timedelta(days=i)).isoformat(), 0))
        for i in range(29, -1, -1)
    ]

    out.status_counts = {s: status_counts[s] for s in (*ORDER_STATES, "imported") if status_counts.get(s)}

    # New vs returning customers this month: a returning customer ordered before the month began.
    # Imported purchases count as well: a customer who bought this month (an order here or a transaction
    # from the books) is returning when they bought anything before the month began.
    imported = sa.and_(
        Transaction.business_id == bid, Transaction.source != "order", Transaction.status == "completed"
    )
    month_orders = sa.union(
        sa.select(Order.customer_id.label("customer_id")).where(
            Order.business_id == bid,
            Order.created_at >= month_since,
            Order.customer_id.is_not(None),
            Order.status.in_(COUNTED_STATES),
        ),
        sa.select(Transaction.customer_id.label("customer_id")).where(
            imported, Transaction.occurred_on >= month_start, Transaction.occurred_on <= today
        ),
    ).subquery()
    # Looked up by customer id alone (a customer belongs to one business, and the outer set is already
    # scoped): that steers the planner to the customer_id index instead of scanning the business's orders.
    earlier = sa.or_(
        sa.exists().where(Order.customer_id == month_orders.c.customer_id, Order.created_at < month_since),
        sa.exists().where(
            Transaction.business_id == bid,
            Transaction.customer_id == month_orders.c.customer_id,
            Transaction.source != "order",
            Transaction.status == "completed",
            Transaction.occurred_on < month_start,
        ),
    )
    total_c, returning = db.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((earlier, 1), else_=0)), 0)
        ).select_from(month_orders)
    ).one()
    out.returning_customers = int(returning or 0)
    out.new_customers = int(total_c or 0) - out.returning_customers

    for owner, count in db.execute(
        sa.select(Conversation.owner, sa.func.count())
        .where(Conversation.business_id == bid, Conversation.status == "open")
        .group_by(Conversation.owner)
    ).all():
        if owner == "staff":
            out.open_staff = int(count)
        else:
            out.open_bot += int(count)

    # Messages: replies this month by sender, and incoming traffic per local hour over 30 days.
    hour = _bucket(db, Message.created_at, zone, "hour")
    in_month = sa.case((Message.created_at >= month_since, 1), else_=0)
    rows = db.execute(
        sa.select(Message.direction, Message.sender_type, hour, in_month, sa.func.count())
        .where(Message.business_id == bid, Message.created_at >= since)
        .group_by(Message.direction, Message.sender_type, hour, in_month)
    ).all()
    last30_since = _local_midnight_utc(today - timedelta(days=29), zone)
    hour_rows: list[tuple[int, int]] = []
    for direction, sender, h, month_flag, count in rows:
        if direction == "out" and month_flag:
            if sender == "bot":
                out.replies_bot += int(count)
            elif sender == "staff":
                out.replies_staff += int(count)
        if direction == "in":
            hour_rows.append((int(h), int(count)))
    if since == last30_since:
        for h, count in hour_rows:
            out.hours[h] += count
    else:  # the window reaches back to the 1st of a 31-day month: count the last 30 days exactly
        rows = db.execute(
            sa.select(hour, sa.func.count())
            .where(Message.business_id == bid, Message.created_at >= last30_since, Message.direction == "in")
            .group_by(hour)
        ).all()
        for h, count in rows:
            out.hours[int(h)] += int(count)

    out.failed_jobs = int(
        db.scalar(
            sa.select(sa.func.count())
            .select_from(DeadLetter)
            .where(DeadLetter.business_id == bid, DeadLetter.status == "dead")
        )
        or 0
    )
    return out
