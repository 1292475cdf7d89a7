"""Per-customer purchase aggregates (latest completed date, count, sum) kept up to date as transactions are
written, so that an RFM run reads one row per customer.

Writers call exactly one of these:
- `record_completed` after inserting completed transactions (import, paid order): adds deltas with one
  upsert statement per batch; safe when two writers touch the same customer concurrently because the
  database does the addition (`ON CONFLICT DO UPDATE SET frequency = frequency + excluded.frequency`).
- `recompute` after a transaction stops counting or changes amount (refund, cancellation): the
  customer's row is recomputed from their transactions (one indexed query per batch of customers),
  because "latest date" cannot be decremented.
- `rebuild` (CLI `niaga rfm rebuild`) recomputes every row of a business (or of all businesses) with one
  INSERT … SELECT … GROUP BY; the result must equal what the incremental path produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers import service as customers
from niaga.customers.models import CustomerPurchaseStats, Transaction
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.tenancy.models import Business

Stats = CustomerPurchaseStats


def _insert(db: Session) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Stats)
    return sqlite.insert(Stats)


def record_completed(db: Session, *, business_id: int, items: Iterable[tuple[int, date, int]]) -> int:
    """Add completed transactions `(customer_id, local date, amount)` to their customers' aggregates.
    Returns the number of customers touched."""
    merged: dict[int, list[Any]] = {}
    for customer_id, day, amount in items:
        a = merged.get(customer_id)
        if a is None:
            merged[customer_id] = [day, 1, int(amount)]
        else:
            if day > a[0]:
                a[0] = day
            a[1] += 1
            a[2] += int(amount)
    if not merged:
        return 0
    ins = _insert(db)
    stmt = ins.on_conflict_do_update(
        index_elements=[Stats.customer_id],
        set_={
            "frequency": Stats.frequency + ins.excluded.frequency,
            "monetary": Stats.monetary + ins.excluded.monetary,
            "last_on": sa.case(
                (ins.excluded.last_on > Stats.last_on, ins.excluded.last_on), else_=Stats.last_on
            ),
        },
    )
    rows = [
        {"business_id": business_id, "customer_id": cid, "last_on": a[0], "frequency": a[1], "monetary": a[2]}
        for cid, a in sorted(merged.items())
    ]
    for i in range(0, len(rows), 5000):
        db.execute(stmt, rows[i : i + 5000])
    return len(rows)


def _aggregate_select(business_id: int | None, customer_ids: list[int] | None = None) -> sa.Select:
    q = (
        sa.select(
            Transaction.business_id,
            Transaction.customer_id,
            sa.func.max(Transaction.occurred_on),
            sa.func.count(),
            sa.func.sum(Transaction.amount),
        )
        .where(Transaction.status == "completed")
        .group_by(Transaction.business_id, Transaction.customer_id)
    )
    if business_id is not None:
        q = q.where(Transaction.business_id == business_id)
    if customer_ids is not None:
        q = q.where(Transaction.customer_id.in_(customer_ids))
    return q


def _cols() -> list[Any]:
    return [Stats.business_id, Stats.customer_id, Stats.last_on, Stats.frequency, Stats.monetary]


def recompute(db: Session, *, business_id: int, customer_ids: Iterable[int]) -> int:
    """Recompute the aggregates of these customers from their completed transactions (a customer left
    with none loses their row)."""
    ids = sorted(set(customer_ids))
    db.flush()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        db.execute(sa.delete(Stats).where(Stats.business_id == business_id, Stats.customer_id.in_(chunk)))
        db.execute(sa.insert(Stats).from_select(_cols(), _aggregate_select(business_id, chunk)))
    return len(ids)


def rebuild(db: Session, *, business_id: int | None = None) -> int:
    """Recompute every aggregate of one business (or of all businesses) from the transactions table.
    Returns the number of customers with completed purchases."""
    db.flush()
    d = sa.delete(Stats)
    if business_id is not None:
        d = d.where(Stats.business_id == business_id)
    db.execute(d)
    db.execute(sa.insert(Stats).from_select(_cols(), _aggregate_select(business_id)))
    q = sa.select(sa.func.count()).select_from(Stats)
    if business_id is not None:
        q = q.where(Stats.business_id == business_id)
    return int(db.scalar(q) or 0)


def snapshot_of(db: Session, *, business_id: int) -> dict[int, tuple[date, int, int]]:
    """The stored aggregates of a business, {customer_id: (last_on, frequency, monetary)} (for tests and
    `niaga rfm rebuild --check`)."""
    return {
        int(c): (d, int(f), int(m))
        for c, d, f, m in db.execute(
            sa.select(Stats.customer_id, Stats.last_on, Stats.frequency, Stats.monetary).where(
                Stats.business_id == business_id
            )
        )
    }


def computed_from_transactions(db: Session, *, business_id: int) -> dict[int, tuple[date, int, int]]:
    return {int(c): (d, int(f), int(m)) for _b, c, d, f, m in db.execute(_aggregate_select(business_id))}


def forget_customer(db: Session, *, business_id: int, customer_id: int) -> None:
    """Before a customer is deleted: rows derived from them in other domains go too (the hooks of
    `customers.service.FORGET_HOOKS`; aggregates cascade by foreign key)."""
    customers.forget_derived(db, business_id=business_id, customer_id=customer_id)


# --- writers of status changes -----------------------------------------------------------------------


def sync_order_transaction(db: Session, *, order: Any) -> None:
    """After an order's refund (full or partial) or refund transition: its RFM transaction counts the money
    kept (`paid_amount`), or stops counting (status `refunded`) when nothing is kept."""
    tx = db.scalars(
        sa.select(Transaction).where(
            Transaction.business_id == order.business_id, Transaction.order_id == order.id
        )
    ).first()
    if tx is None:
        return
    kept = min(max(int(order.paid_amount or 0), 0), int(order.total))
    if order.status == "refunded" or kept <= 0:
        if tx.status == "refunded":
            return
        tx.status = "refunded"
    elif tx.status == "completed" and tx.amount != kept:
        tx.amount = kept
    else:
        return
    recompute(db, business_id=order.business_id, customer_ids=[tx.customer_id])


def do_change_transaction(
    db: Session, *, business_id: int, transaction_id: int, action: str, amount: int | None = None
) -> Transaction:
    """Refund (all of it, or `amount` of it) or cancel a completed transaction, then update its customer's
    aggregates and totals. A partial refund keeps the transaction with the money kept; a refund larger than
    the transaction is refused (nothing changes)."""
    tx = db.scalars(
        sa.select(Transaction).where(Transaction.business_id == business_id, Transaction.id == transaction_id)
    ).first()
    if tx is None:
        raise NotFound("Transaksi tidak ditemukan.", code="transaction_not_found")
    if action not in ("refund", "cancel"):
        raise ValidationFailed("Tindakan harus refund atau cancel.", details={"action": "refund|cancel"})
    if tx.status != "completed":
        raise Conflict(
            f"Transaksi {tx.ref} berstatus {tx.status}; hanya transaksi selesai yang bisa diubah.",
            code="transaction_not_completed",
            details={"status": tx.status},
        )
    if action == "cancel":
        tx.status = "cancelled"
    else:
        if amount is not None and amount <= 0:
            raise ValidationFailed(
                "Jumlah refund harus lebih dari 0.",
                code="invalid_refund",
                details={"amount": "harus lebih dari 0"},
            )
        if amount is not None and amount > tx.amount:
            raise ValidationFailed(
                f"Refund {format_rupiah(amount)} melebihi nilai transaksi {format_rupiah(tx.amount)}.",
                code="refund_too_large",
                details={"amount": f"maksimal {tx.amount}"},
            )
        if amount is None or amount == tx.amount:
            tx.status = "refunded"
        else:
            tx.amount -= amount
    db.flush()
    recompute(db, business_id=business_id, customer_ids=[tx.customer_id])
    business = db.get(Business, business_id)
    customers.refresh_totals(
        db,
        business_id=business_id,
        customer_ids=[tx.customer_id],
        zone=business.timezone if business else None,
    )
    return tx
