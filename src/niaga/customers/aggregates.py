"""Per-customer purchase aggregates (latest completed date, count, sum) kept up to date as transactions are
written, so that an RFM run reads one row per customer.

Writers call exactly one of these:
- `record_completed` after inserting completed transactions (import, paid order): adds deltas with one
  upsert statement per batch; safe when two writers touch the same customer concurrently because the
  database does the addition (`ON CONFLICT DO UPDATE SET frequency = frequency + excluded.frequency`).
- `recompute` after a transaction stops counting or changes amount (refund, cancellation): the
  customer's row is recomputed from their transactions (one indexed query per batch of customers),
  because "latest date" cannot be decremented.
- `rebuild` (CLI `niaga rfm rebuild`) recomputes every row of a business (or of all businesses) from the
  transactions with one aggregation: a merge writing only what differs, or, into an empty table, one plain
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
from niaga.db.engine import per_dialect, upsert_insert
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.tenancy.models import Business

Stats = CustomerPurchaseStats


_MERGE: dict[str, Any] = {}


def _merge_statement(db: Session) -> Any:
    """The upsert that adds transactions to aggregates (Core, built once per dialect)."""
    return per_dialect(db, _MERGE, _build_merge)


def _build_merge(db: Session) -> Any:
    t: Any = Stats.__table__  # a Core statement: no ORM bulk-insert machinery per call
    ins = upsert_insert(db, t)
    return ins.on_conflict_do_update(
        index_elements=[t.c.customer_id],
        set_={
            "frequency": t.c.frequency + ins.excluded.frequency,
            "monetary": t.c.monetary + ins.excluded.monetary,
            "last_on": sa.case((ins.excluded.last_on > t.c.last_on, ins.excluded.last_on), else_=t.c.last_on),
        },
    )


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
    stmt = _merge_statement(db)
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


# A full rebuild as one statement per backend: the aggregate of every (business, customer) with completed
# transactions is compared with the stored rows, and only what differs is written (new or changed rows by
# upsert, rows of customers left without completed purchases deleted). A rebuild over aggregates that the
# incremental writers kept right (its normal use: a check and repair) writes nothing; a rebuild from empty
# inserts every row once. Deleting everything and inserting it again cost more than the aggregation itself
# (every row and index entry rewritten, and the new entries checked against the dead ones).
_REBUILD_PG = """
WITH agg AS MATERIALIZED (
  SELECT business_id, customer_id, max(occurred_on) AS last_on, count(*)::integer AS frequency,
         sum(amount)::bigint AS monetary
  FROM transactions WHERE status = 'completed'{tx_where} GROUP BY business_id, customer_id),
cur AS MATERIALIZED (
  SELECT customer_id, business_id, last_on, frequency, monetary FROM customer_purchase_stats{stats_where}),
up AS (
  INSERT INTO customer_purchase_stats AS s (customer_id, business_id, last_on, frequency, monetary)
  SELECT a.customer_id, a.business_id, a.last_on, a.frequency, a.monetary
  FROM agg a LEFT JOIN cur c ON c.customer_id = a.customer_id
  WHERE c.customer_id IS NULL
     OR (c.business_id, c.last_on, c.frequency, c.monetary)
        IS DISTINCT FROM (a.business_id, a.last_on, a.frequency, a.monetary)
  ON CONFLICT (customer_id) DO UPDATE SET business_id = excluded.business_id, last_on = excluded.last_on,
    frequency = excluded.frequency, monetary = excluded.monetary
  RETURNING 1),
gone AS (
  DELETE FROM customer_purchase_stats WHERE customer_id IN (
    SELECT c.customer_id FROM cur c WHERE NOT EXISTS (SELECT 1 FROM agg a WHERE a.customer_id = c.customer_id))
  RETURNING 1)
SELECT (SELECT count(*) FROM agg), (SELECT count(*) FROM up), (SELECT count(*) FROM gone)
"""

_UPSERT_SQLITE = """
INSERT INTO customer_purchase_stats (customer_id, business_id, last_on, frequency, monetary)
SELECT a.customer_id, a.business_id, a.last_on, a.frequency, a.monetary
FROM (SELECT business_id, customer_id, max(occurred_on) AS last_on, count(*) AS frequency,
             sum(amount) AS monetary
      FROM transactions WHERE status = 'completed'{tx_where} GROUP BY business_id, customer_id) a
LEFT JOIN customer_purchase_stats c ON c.customer_id = a.customer_id
WHERE c.customer_id IS NULL OR c.business_id IS NOT a.business_id OR c.last_on IS NOT a.last_on
   OR c.frequency IS NOT a.frequency OR c.monetary IS NOT a.monetary
ON CONFLICT (customer_id) DO UPDATE SET business_id = excluded.business_id, last_on = excluded.last_on,
  frequency = excluded.frequency, monetary = excluded.monetary
"""
# NOT INDEXED: the rows are visited in rowid (customer_id) order, so the probes walk ix_transactions_rfm in its
# own order; through the business's index they came in (last_on, …) order, one random probe per customer into
# the largest index of the database (at 10M transactions / 1M customers that made the rebuild 2.4x slower than
# one from empty). Visiting other businesses' rows costs a sequential read each; only this business's are probed.
_DELETE_SQLITE = """
DELETE FROM customer_purchase_stats NOT INDEXED WHERE {stats_where}NOT EXISTS (
  SELECT 1 FROM transactions t WHERE t.business_id = customer_purchase_stats.business_id
    AND t.customer_id = customer_purchase_stats.customer_id AND t.status = 'completed')
"""

# PostgreSQL plans the aggregation as a sequential scan and a hash aggregate over (business, customer);
# the ordered index-only scan of ix_transactions_rfm (which holds every column the aggregate reads, in
# group order) feeding a streaming group aggregate is 2-4x faster, needs no work_mem and scales with the
# table. The planner's estimate of the group count (from n_distinct) makes it pick the hash plan, so the
# rebuild turns both off for its one statement and restores them after.
_PG_PLAN_ON = ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_hashagg = off")
_PG_PLAN_OFF = ("SET LOCAL enable_seqscan TO DEFAULT", "SET LOCAL enable_hashagg TO DEFAULT")


# Into an empty table (a shop's first rebuild, or after the aggregates were lost) there is nothing to compare
# with or to delete: one plain INSERT … SELECT … GROUP BY, without the merge's join and per-row conflict
# checks (PostgreSQL's speculative insertion of ON CONFLICT was most of the from-empty cost). When the whole
# table is empty, its secondary index is dropped for the insert and built after it from the sorted rows
# (one sort instead of one random B-tree insertion per customer).
_INSERT_PG = """
INSERT INTO customer_purchase_stats (customer_id, business_id, last_on, frequency, monetary)
SELECT customer_id, business_id, max(occurred_on), count(*)::integer, sum(amount)::bigint
FROM transactions WHERE status = 'completed'{tx_where} GROUP BY business_id, customer_id
"""
_INSERT_SQLITE = """
INSERT INTO customer_purchase_stats (customer_id, business_id, last_on, frequency, monetary)
SELECT customer_id, business_id, max(occurred_on), count(*), sum(amount)
FROM transactions WHERE status = 'completed'{tx_where} GROUP BY business_id, customer_id
"""


def _stats_empty(db: Session, business_id: int | None) -> bool:
    q = sa.select(Stats.customer_id)
    if business_id is not None:
        q = q.where(Stats.business_id == business_id)
    return db.execute(q.limit(1)).first() is None


def _secondary_indexes() -> list[sa.Index]:
    return sorted(Stats.__table__.indexes, key=lambda ix: str(ix.name))  # type: ignore[attr-defined]


def _rebuild_empty(db: Session, business_id: int | None, pg: bool) -> int:
    params = {} if business_id is None else {"bid": business_id}
    tx_where = "" if business_id is None else " AND business_id = :bid"
    # Another business's rows are kept (and their index entries with them); dropping the index is only
    # for a table with no rows at all.
    drop = business_id is None or _stats_empty(db, None)
    indexes = _secondary_indexes() if drop else []
    for ix in indexes:
        db.execute(sa.schema.DropIndex(ix))
    if pg:
        for s in _PG_PLAN_ON:
            db.execute(sa.text(s))
        try:
            n = db.execute(sa.text(_INSERT_PG.format(tx_where=tx_where)), params).rowcount  # type: ignore[attr-defined]
        finally:
            for s in _PG_PLAN_OFF:
                db.execute(sa.text(s))
        if indexes:
            db.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    else:
        n = db.execute(sa.text(_INSERT_SQLITE.format(tx_where=tx_where)), params).rowcount  # type: ignore[attr-defined]
    for ix in indexes:
        db.execute(sa.schema.CreateIndex(ix))
    if pg and indexes:
        db.execute(sa.text("SET LOCAL maintenance_work_mem TO DEFAULT"))
    return int(n)


def rebuild(db: Session, *, business_id: int | None = None) -> int:
    """Recompute every aggregate of one business (or of all businesses) from the transactions table,
    writing only the rows that differ (or, into an empty table, inserting them all at once). Returns the
    number of customers with completed purchases."""
    db.flush()
    pg = db.get_bind().dialect.name == "postgresql"
    if _stats_empty(db, business_id):
        # PostgreSQL: writers of other sessions could add a row between this check and the insert (a
        # unique-key error); the table is locked against writers (readers go on) and checked again.
        if pg:
            db.execute(sa.text("LOCK TABLE customer_purchase_stats IN SHARE ROW EXCLUSIVE MODE"))
        if not pg or _stats_empty(db, business_id):
            return _rebuild_empty(db, business_id, pg)
    params = {} if business_id is None else {"bid": business_id}
    if pg:
        sql = _REBUILD_PG.format(
            tx_where="" if business_id is None else " AND business_id = :bid",
            stats_where="" if business_id is None else " WHERE business_id = :bid",
        )
        for s in _PG_PLAN_ON:
            db.execute(sa.text(s))
        try:
            n, _written, _deleted = db.execute(sa.text(sql), params).one()
        finally:
            for s in _PG_PLAN_OFF:
                db.execute(sa.text(s))
        return int(n)
    # SQLite: the same merge as two statements (no data-modifying CTEs); the delete probes
    # ix_transactions_rfm once per stored row.
    db.execute(
        sa.text(_UPSERT_SQLITE.format(tx_where="" if business_id is None else " AND business_id = :bid")),
        params,
    )
    db.execute(
        sa.text(_DELETE_SQLITE.format(stats_where="" if business_id is None else "business_id = :bid AND ")),
        params,
    )
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
