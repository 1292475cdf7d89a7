"""Order numbers `ORD-YYYYMMDD-NNNN`: per business, per local day, gap-free and unique under concurrency.

The counter row is bumped with a single conditional UPDATE ... RETURNING (a row lock on PostgreSQL, the write
lock on SQLite), and created with INSERT ... ON CONFLICT DO NOTHING on the first order of the day. Two
creators racing on a fresh day both try the INSERT; the loser falls back to the UPDATE.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from niaga.kit.timeutil import tz, utcnow
from niaga.orders.models import OrderCounter

PREFIX = "ORD"


def day_key(*, timezone: str | None, now: datetime | None = None) -> str:
    return (now or utcnow()).astimezone(tz(timezone)).strftime("%Y%m%d")


def next_sequence(db: Session, *, business_id: int, day: str) -> int:
    bump = (
        sa.update(OrderCounter)
        .where(OrderCounter.business_id == business_id, OrderCounter.day == day)
        .values(last=OrderCounter.last + 1)
        .returning(OrderCounter.last)
        .execution_options(synchronize_session=False)
    )
    for _ in range(3):
        seq = db.execute(bump).scalar()
        if seq is not None:
            return int(seq)
        dialect = db.get_bind().dialect.name
        ins = pg_insert(OrderCounter) if dialect == "postgresql" else sqlite_insert(OrderCounter)
        stmt = (
            ins.values(business_id=business_id, day=day, last=1)
            .on_conflict_do_nothing(index_elements=["business_id", "day"])
            .returning(OrderCounter.last)
        )
        seq = db.execute(stmt).scalar()
        if seq is not None:
            return int(seq)
    raise RuntimeError("could not allocate an order number")  # pragma: no cover - needs a vanishing row


def allocate_number(
    db: Session, *, business_id: int, timezone: str | None = None, now: datetime | None = None
) -> str:
    """The next `ORD-YYYYMMDD-NNNN` for the business's local date (more than 9999 a day widens NNNN)."""
    day = day_key(timezone=timezone, now=now)
    seq = next_sequence(db, business_id=business_id, day=day)
    return f"{PREFIX}-{day}-{seq:04d}"
