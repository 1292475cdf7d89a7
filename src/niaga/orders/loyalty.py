"""Loyalty points: a ledger of entries whose positive ones carry an unspent `remaining` and an expiry.

- earn: 1 point per `rupiah_per_point` paid (default Rp1.000), expiring after `expiry_months`.
- redeem: blocks of `points_per_redeem` points (default 100) are worth `redeem_value` rupiah (Rp10.000); spent
  from the earliest-expiring entries first.
- restore: a cancelled or expired order gives its redeemed points back.
- reverse: a refunded order takes its earned points back (as far as they are unspent).
- expire: the periodic job writes off what is left of expired entries.

The balance is Σ remaining of unexpired positive entries; `Customer.points_balance` caches it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from niaga.customers.models import Customer
from niaga.db.engine import affected
from niaga.kit.errors import ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.kit.timeutil import utcnow
from niaga.ops.logging import get_logger
from niaga.orders.models import LoyaltyEntry, Order
from niaga.tenancy.defaults import merged_section
from niaga.tenancy.models import Business

log = get_logger("niaga.orders.loyalty")


@dataclass(frozen=True)
class Rules:
    enabled: bool
    rupiah_per_point: int
    points_per_redeem: int
    redeem_value: int
    expiry_months: int

    @classmethod
    def of(cls, business: Business) -> Rules:
        # Only the loyalty section is merged with its defaults (the whole settings tree is not needed).
        cfg = merged_section(business, "loyalty")
        return cls(
            enabled=bool(cfg.get("enabled", True)),
            rupiah_per_point=max(int(cfg["rupiah_per_point"]), 1),
            points_per_redeem=max(int(cfg["points_per_redeem"]), 1),
            redeem_value=int(cfg["redeem_value"]),
            expiry_months=int(cfg["expiry_months"]),
        )


def add_months(dt: datetime, months: int) -> datetime:
    month0 = dt.month - 1 + months
    year, month = dt.year + month0 // 12, month0 % 12 + 1
    return dt.replace(year=year, month=month, day=min(dt.day, calendar.monthrange(year, month)[1]))


def _live(business_id: int, customer_id: int, now: datetime) -> Any:
    return sa.select(LoyaltyEntry).where(
        LoyaltyEntry.business_id == business_id,
        LoyaltyEntry.customer_id == customer_id,
        LoyaltyEntry.remaining > 0,
        sa.or_(LoyaltyEntry.expires_at.is_(None), LoyaltyEntry.expires_at > now),
    )


def balance(db: Session, *, business_id: int, customer_id: int, now: datetime | None = None) -> int:
    """Points the customer can spend now (the agent's "poin saya berapa")."""
    now = now or utcnow()
    q = sa.select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.remaining), 0)).where(
        LoyaltyEntry.business_id == business_id,
        LoyaltyEntry.customer_id == customer_id,
        LoyaltyEntry.remaining > 0,
        sa.or_(LoyaltyEntry.expires_at.is_(None), LoyaltyEntry.expires_at > now),
    )
    return int(db.scalar(q) or 0)


def summary(db: Session, *, business: Business, customer_id: int) -> dict[str, Any]:
    """Balance, its rupiah value and the next expiry: what the agent tells a customer."""
    rules = Rules.of(business)
    now = utcnow()
    pts = balance(db, business_id=business.id, customer_id=customer_id, now=now)
    nxt = db.scalars(
        _live(business.id, customer_id, now)
        .where(LoyaltyEntry.expires_at.is_not(None))
        .order_by(LoyaltyEntry.expires_at)
        .limit(1)
    ).first()
    value = (pts // rules.points_per_redeem) * rules.redeem_value
    return {
        "points": pts,
        "value": value,
        "points_per_redeem": rules.points_per_redeem,
        "redeem_value": rules.redeem_value,
        "rupiah_per_point": rules.rupiah_per_point,
        "next_expiry": nxt.expires_at.isoformat() if nxt and nxt.expires_at else None,
        "next_expiry_points": nxt.remaining if nxt else 0,
    }


def describe(db: Session, *, business: Business, customer_id: int) -> str:
    """Indonesian one-liner for chat."""
    s = summary(db, business=business, customer_id=customer_id)
    text = (
        f"Poin Anda saat ini {s['points']} poin (setiap {s['points_per_redeem']} poin = "
        f"{format_rupiah(s['redeem_value'])} potongan)."
    )
    if s["value"]:
        text += f" Bisa dipakai untuk potongan hingga {format_rupiah(s['value'])}."
    return text


def _refresh_cache(db: Session, *, business_id: int, customer_id: int) -> None:
    """Customer.points_balance := balance(), computed in the UPDATE itself (one statement)."""
    db.flush()
    db.execute(_REFRESH, {"b_business_id": business_id, "b_customer_id": customer_id, "b_now": utcnow()})
    # A loaded customer reads the new balance on next access (no "fetch" round trip for the common case).
    loaded = db.identity_map.get(identity_key(Customer, customer_id))
    if loaded is not None:
        db.expire(loaded, ["points_balance"])


# Built once (a Core statement: no per-call construction or cache-key work).
_ENTRIES: Any = LoyaltyEntry.__table__
_CUSTOMERS: Any = Customer.__table__
_REFRESH = (
    sa.update(_CUSTOMERS)
    .where(
        _CUSTOMERS.c.id == sa.bindparam("b_customer_id"),
        _CUSTOMERS.c.business_id == sa.bindparam("b_business_id"),
    )
    .values(
        points_balance=sa.select(sa.func.coalesce(sa.func.sum(_ENTRIES.c.remaining), 0))
        .where(
            _ENTRIES.c.business_id == sa.bindparam("b_business_id"),
            _ENTRIES.c.customer_id == sa.bindparam("b_customer_id"),
            _ENTRIES.c.remaining > 0,
            sa.or_(_ENTRIES.c.expires_at.is_(None), _ENTRIES.c.expires_at > sa.bindparam("b_now")),
        )
        .scalar_subquery()
    )
)
_INSERT_ENTRY = sa.insert(_ENTRIES)
_EARNED = sa.select(sa.func.count()).where(
    _ENTRIES.c.business_id == sa.bindparam("business_id"),
    _ENTRIES.c.order_id == sa.bindparam("order_id"),
    _ENTRIES.c.kind == "earn",
)


def _credit(
    db: Session,
    *,
    business: Business,
    customer_id: int,
    points: int,
    kind: str,
    order_id: int | None,
    note: str,
) -> LoyaltyEntry:
    rules = Rules.of(business)
    now = utcnow()
    entry = LoyaltyEntry(
        business_id=business.id,
        customer_id=customer_id,
        order_id=order_id,
        kind=kind,
        points=points,
        remaining=points,
        note=note[:200],
        created_at=now,
        expires_at=add_months(now, rules.expiry_months) if rules.expiry_months > 0 else None,
    )
    db.add(entry)
    return entry


def _debit(
    db: Session,
    *,
    business_id: int,
    customer_id: int,
    points: int,
    kind: str,
    order_id: int | None,
    note: str,
    strict: bool,
) -> int:
    """Spend `points` from the earliest-expiring entries. `strict`: refuse when the balance is short;
    otherwise take what is there. Returns the points actually taken."""
    now = utcnow()
    entries = list(
        db.scalars(
            _live(business_id, customer_id, now)
            .order_by(LoyaltyEntry.expires_at.is_(None), LoyaltyEntry.expires_at, LoyaltyEntry.id)
            .with_for_update()
        )
    )
    available = sum(e.remaining for e in entries)
    if strict and available < points:
        raise ValidationFailed(
            f"Poin tidak cukup: tersedia {available} poin, diminta {points} poin.",
            code="insufficient_points",
            details={"redeem_points": "poin tidak cukup"},
        )
    left = min(points, available)
    taken = left
    for e in entries:
        if left <= 0:
            break
        use = min(e.remaining, left)
        e.remaining -= use
        left -= use
    if taken:
        db.add(
            LoyaltyEntry(
                business_id=business_id,
                customer_id=customer_id,
                order_id=order_id,
                kind=kind,
                points=-taken,
                remaining=0,
                note=note[:200],
                created_at=now,
            )
        )
    return taken


def check_redeem(business: Business, *, points: int) -> int:
    """The rupiah value of redeeming `points`; they must be a whole number of redeem blocks."""
    rules = Rules.of(business)
    if points <= 0:
        return 0
    if not rules.enabled:
        raise ValidationFailed(
            "Program poin tidak aktif untuk toko ini.",
            code="loyalty_disabled",
            details={"redeem_points": "program poin tidak aktif"},
        )
    if points % rules.points_per_redeem:
        raise ValidationFailed(
            f"Poin ditukar per kelipatan {rules.points_per_redeem} poin.",
            code="invalid_points",
            details={"redeem_points": f"harus kelipatan {rules.points_per_redeem}"},
        )
    return points // rules.points_per_redeem * rules.redeem_value


def do_redeem(
    db: Session, *, business: Business, customer_id: int, points: int, order_id: int | None
) -> None:
    _debit(
        db,
        business_id=business.id,
        customer_id=customer_id,
        points=points,
        kind="redeem",
        order_id=order_id,
        note="Tukar poin",
        strict=True,
    )
    _refresh_cache(db, business_id=business.id, customer_id=customer_id)


def do_restore_redeemed(db: Session, *, business: Business, order: Order) -> int:
    """Give back the points an order redeemed (order cancelled/expired). Idempotent per order."""
    if not order.customer_id or not order.points_redeemed:
        return 0
    done = db.scalar(
        sa.select(sa.func.count())
        .select_from(LoyaltyEntry)
        .where(
            LoyaltyEntry.business_id == business.id,
            LoyaltyEntry.order_id == order.id,
            LoyaltyEntry.kind == "restore",
        )
    )
    if done:
        return 0
    _credit(
        db,
        business=business,
        customer_id=order.customer_id,
        points=order.points_redeemed,
        kind="restore",
        order_id=order.id,
        note=f"Poin dikembalikan ({order.number})",
    )
    _refresh_cache(db, business_id=business.id, customer_id=order.customer_id)
    return order.points_redeemed


def points_for(business: Business, amount: int) -> int:
    rules = Rules.of(business)
    return max(amount, 0) // rules.rupiah_per_point if rules.enabled else 0


def do_earn(db: Session, *, business: Business, order: Order) -> int:
    """Credit points for a paid order, once per order, on what was spent on goods: shipping is passed on to the
    courier and earns nothing."""
    if not order.customer_id:
        return 0
    points = points_for(business, order.total - (order.shipping_cost or 0))
    if points <= 0:
        return 0
    db.flush()  # as the ORM select did (autoflush): an entry added in this session counts
    if db.scalar(_EARNED, {"business_id": business.id, "order_id": order.id}):
        return 0
    # The entry in one INSERT of its own (no object to flush: nothing reads it back in this transaction but
    # the balance below).
    rules = Rules.of(business)
    now = utcnow()
    db.execute(
        _INSERT_ENTRY,
        {
            "business_id": business.id,
            "customer_id": order.customer_id,
            "order_id": order.id,
            "kind": "earn",
            "points": points,
            "remaining": points,
            "note": f"Belanja {order.number}"[:200],
            "created_at": now,
            "expires_at": add_months(now, rules.expiry_months) if rules.expiry_months > 0 else None,
        },
    )
    _refresh_cache(db, business_id=business.id, customer_id=order.customer_id)
    log.info("loyalty.earned", business_id=business.id, order_id=order.id, points=points)
    return points


def do_reverse_earned(db: Session, *, business: Business, order: Order) -> int:
    """Take back (what is left of) the points a refunded order earned. Idempotent per order."""
    if not order.customer_id:
        return 0
    earned = db.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0)).where(
            LoyaltyEntry.business_id == business.id,
            LoyaltyEntry.order_id == order.id,
            LoyaltyEntry.kind == "earn",
        )
    )
    reversed_ = db.scalar(
        sa.select(sa.func.count())
        .select_from(LoyaltyEntry)
        .where(
            LoyaltyEntry.business_id == business.id,
            LoyaltyEntry.order_id == order.id,
            LoyaltyEntry.kind == "reverse",
        )
    )
    if not earned or reversed_:
        return 0
    taken = _debit(
        db,
        business_id=business.id,
        customer_id=order.customer_id,
        points=int(earned),
        kind="reverse",
        order_id=order.id,
        note=f"Refund {order.number}",
        strict=False,
    )
    _refresh_cache(db, business_id=business.id, customer_id=order.customer_id)
    return taken


def do_adjust(db: Session, *, business: Business, customer_id: int, points: int, note: str) -> None:
    """Staff correction: + credits a new entry, - spends like a redemption."""
    if points > 0:
        _credit(
            db,
            business=business,
            customer_id=customer_id,
            points=points,
            kind="adjust",
            order_id=None,
            note=note,
        )
    elif points < 0:
        _debit(
            db,
            business_id=business.id,
            customer_id=customer_id,
            points=-points,
            kind="adjust",
            order_id=None,
            note=note,
            strict=True,
        )
    _refresh_cache(db, business_id=business.id, customer_id=customer_id)


def do_expire(db: Session, *, now: datetime | None = None, limit: int = 1000) -> int:
    """Write off the unspent remainder of expired entries (all businesses). Safe to run concurrently: each
    entry is zeroed with a conditional UPDATE before its expire entry is written."""
    now = now or utcnow()
    rows = db.execute(
        sa.select(LoyaltyEntry.id, LoyaltyEntry.business_id, LoyaltyEntry.customer_id, LoyaltyEntry.remaining)
        .where(
            LoyaltyEntry.remaining > 0, LoyaltyEntry.expires_at.is_not(None), LoyaltyEntry.expires_at <= now
        )
        .limit(limit)
    ).all()
    touched: set[tuple[int, int]] = set()
    for entry_id, bid, cid, remaining in rows:
        claimed = affected(
            db.execute(
                sa.update(LoyaltyEntry)
                .where(LoyaltyEntry.id == entry_id, LoyaltyEntry.remaining == remaining)
                .values(remaining=0)
                .execution_options(synchronize_session=False)
            )
        )
        if claimed:
            db.add(
                LoyaltyEntry(
                    business_id=bid,
                    customer_id=cid,
                    kind="expire",
                    points=-remaining,
                    remaining=0,
                    note="Poin kedaluwarsa",
                    created_at=now,
                )
            )
            touched.add((bid, cid))
    for bid, cid in touched:
        _refresh_cache(db, business_id=bid, customer_id=cid)
    return len(touched)
