"""Small generated data for the marketing tests (never the shared fixtures) and an independent reference
of the RFM definitions, written from shared/design/RFM.md without the engine's code."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.models import Customer, Transaction
from niaga.kit.timeutil import local_today
from niaga.marketing import aggregates, service

GRID = {
    5: "new potential potential champions champions",
    4: "promising potential potential loyal loyal",
    3: "sleep sleep attention loyal loyal",
    2: "lost lost risk risk cant",
    1: "lost lost risk risk cant",
}
NAMES = {
    "new": "new_customers",
    "potential": "potential_loyalists",
    "champions": "champions",
    "promising": "promising",
    "loyal": "loyal_customers",
    "sleep": "about_to_sleep",
    "attention": "need_attention",
    "lost": "lost",
    "risk": "at_risk",
    "cant": "cant_lose_them",
}


def ref_segment(r: int, f: int) -> str:
    return NAMES[GRID[r].split()[f - 1]]


def ref_quantile(values: dict[Any, float]) -> dict[Any, int]:
    """Brute force: rank_min = 1 + count of strictly worse values."""
    n = len(values)
    return {k: 1 + (5 * sum(1 for w in values.values() if w < v)) // n for k, v in values.items()}


def ref_bins(value: int, edges: tuple[int, ...], reverse: bool = False) -> int:
    above = len([e for e in edges if value > e])
    return 5 - above if reverse else 1 + above


def reference(
    transactions: list[dict[str, Any]],
    as_of: date,
    method: str = "quantile",
    bins: dict[str, tuple[int, ...]] | None = None,
) -> dict[str, dict[str, Any]]:
    agg: dict[str, list[Any]] = {}
    for t in transactions:
        if t["status"] != "completed" or t["date"] > as_of:
            continue
        a = agg.setdefault(t["customer_ref"], [t["date"], 0, 0])
        a[0] = max(a[0], t["date"])
        a[1] += 1
        a[2] += t["amount"]
    rows = {
        k: {"recency_days": (as_of - v[0]).days, "frequency": v[1], "monetary": v[2]} for k, v in agg.items()
    }
    if method == "quantile":
        r = ref_quantile({k: -v["recency_days"] for k, v in rows.items()})
        f = ref_quantile({k: v["frequency"] for k, v in rows.items()})
        m = ref_quantile({k: v["monetary"] for k, v in rows.items()})
    else:
        b = bins or {
            "recency": (30, 60, 90, 180),
            "frequency": (1, 2, 5, 10),
            "monetary": (100_000, 500_000, 1_000_000, 5_000_000),
        }
        r = {k: ref_bins(v["recency_days"], b["recency"], True) for k, v in rows.items()}
        f = {k: ref_bins(v["frequency"], b["frequency"]) for k, v in rows.items()}
        m = {k: ref_bins(v["monetary"], b["monetary"]) for k, v in rows.items()}
    for k, v in rows.items():
        v.update(r=r[k], f=f[k], m=m[k], segment=ref_segment(r[k], f[k]))
    return rows


def customers_csv(refs: list[str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["customer_ref", "name", "phone", "email", "city"])
    for i, ref in enumerate(refs):
        w.writerow([ref, f"Pelanggan {ref}", f"62812{i:08d}", "", "Bandung"])
    return out.getvalue().encode()


def transactions_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["transaction_ref", "customer_ref", "transaction_date", "amount", "status", "products"])
    for t in rows:
        w.writerow([t["ref"], t["customer_ref"], t["date"].isoformat(), t["amount"], t["status"], "SKU-1"])
    return out.getvalue().encode()


def random_transactions(
    rng: random.Random, refs: list[str], n: int, *, start: date, end: date, prefix: str = "T"
) -> list[dict[str, Any]]:
    span = (end - start).days
    out = []
    for i in range(n):
        status = rng.choices(["completed", "cancelled", "refunded"], weights=[90, 5, 5])[0]
        out.append(
            {
                "ref": f"{prefix}{i:06d}",
                "customer_ref": rng.choice(refs),
                "date": start + timedelta(days=rng.randint(0, span)),
                "amount": rng.choice([45_000, 90_000, 150_000, 325_000, 750_000, 1_250_000, 6_000_000]),
                "status": status,
            }
        )
    return out


def load(db: Session, business: Any, refs: list[str], transactions: list[dict[str, Any]]) -> dict[str, Any]:
    from niaga.catalog.importer import import_file

    import_file(db, kind="customers", business_id=business.id, data=customers_csv(refs), filename="c.csv")
    rep = import_file(
        db,
        kind="transactions",
        business_id=business.id,
        data=transactions_csv(transactions),
        filename="t.csv",
    )
    db.commit()
    return rep.as_dict()


FIRST = ["Siti", "Budi", "Agus", "Dewi", "Rina", "Joko", "Wulan", "Hendra", "Maya", "Yusuf"]
LAST = ["Permata", "Santoso", "Wijaya", "Lestari", "Kusuma", "Saputra", "Hidayat", "Nugroho"]


def seed_shop(db: Session, world: Any) -> None:
    """A batik shop with 120 customers, two years of purchases and snapshots over four weeks."""
    rng = random.Random(5)
    today = local_today(world.a.timezone)
    refs = [f"C{i:04d}" for i in range(120)]
    txs = random_transactions(rng, refs[:110], 900, start=today - timedelta(days=720), end=today)
    for t in txs:
        t["amount"] = rng.choice([85_000, 150_000, 275_000, 450_000, 1_250_000, 2_750_000])
    load(db, world.a, refs, txs)
    for i, c in enumerate(
        db.scalars(sa.select(Customer).where(Customer.business_id == world.a.id).order_by(Customer.id))
    ):
        c.name = f"{FIRST[i % 10]} {LAST[(i // 10) % 8]}"
    load(
        db,
        world.b,
        ["RAHASIA"],
        [{"ref": "X1", "customer_ref": "RAHASIA", "date": today, "amount": 999_000, "status": "completed"}],
    )
    db.execute(sa.update(Customer).where(Customer.business_id == world.b.id).values(name="Pelanggan Toko B"))
    db.commit()
    for weeks in (3, 2, 1):
        service.do_run(db, business=world.a, as_of=today - timedelta(days=7 * weeks))
    txs_big = db.scalars(
        sa.select(Transaction)
        .where(Transaction.business_id == world.a.id, Transaction.status == "completed")
        .order_by(Transaction.occurred_on.desc())
        .limit(20)
    ).all()
    for tx in txs_big:
        aggregates.do_change_transaction(db, business_id=world.a.id, transaction_id=tx.id, action="refund")
    service.do_run(db, business=world.a)
    service.do_run(db, business=world.b)
    db.commit()
