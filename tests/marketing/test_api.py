"""The RFM API over HTTP: envelope, roles, pagination and sorting, movements between snapshots, a
customer's history, tenancy (another business's customers never appear) and bad input as 4xx, never 500."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from niaga.customers.models import Customer, Transaction
from niaga.kit.timeutil import local_today
from niaga.marketing.models import RfmSnapshot
from tests import factories as f
from tests.marketing.helpers import load, random_transactions


def _seed(db, world):  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    today = local_today(world.a.timezone)
    refs = [f"A{i:03d}" for i in range(60)]
    load(
        db,
        world.a,
        refs,
        random_transactions(rng, refs[:55], 400, start=today - timedelta(days=600), end=today),
    )
    other = [f"B{i:03d}" for i in range(10)]
    load(db, world.b, other, random_transactions(rng, other, 40, start=today - timedelta(days=60), end=today))
    return refs


def test_calculate_analysis_segments_and_tenancy(client, db):
    world = f.make_world(db)
    _seed(db, world)
    staff, other = world.headers("staff"), world.headers("other")
    r = client.get("/api/v1/rfm/analysis", headers=staff)
    assert r.status_code == 404 and r.json()["error"]["code"] == "rfm_not_calculated"
    r = client.post("/api/v1/rfm/calculate", json={}, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True
    data = body["data"]
    assert data["customers_scored"] == 55 and data["customers_without_purchases"] == 5
    assert sum(s["count"] for s in data["segments"]) == 55 == sum(c["count"] for c in data["grid"])
    assert len(data["grid"]) == 25 and {s["label"] for s in data["segments"]} >= {"Juara", "Hilang"}
    assert client.post("/api/v1/rfm/calculate", json={}, headers=other).status_code == 200
    a = client.get("/api/v1/rfm/analysis", headers=staff).json()["data"]
    assert a["snapshot_id"] == data["snapshot_id"]
    biggest = max(a["segments"], key=lambda s: s["count"])
    name, count = biggest["segment"], biggest["count"]
    r = client.get(f"/api/v1/rfm/segments/{name}?limit=5&sort=-monetary", headers=staff)
    page1 = r.json()
    assert page1["meta"] == {"page": 1, "limit": 5, "total": count}
    money = [c["monetary"] for c in page1["data"]]
    assert money == sorted(money, reverse=True)
    assert all(c["customer_ref"].startswith("A") and c["segment"] == name for c in page1["data"])
    if count > 5:
        page2 = client.get(f"/api/v1/rfm/segments/{name}?limit=5&page=2&sort=-monetary", headers=staff).json()
        assert not {c["customer_id"] for c in page2["data"]} & {c["customer_id"] for c in page1["data"]}
    asc = client.get(f"/api/v1/rfm/segments/{name}?sort=recency_days&limit=200", headers=staff).json()["data"]
    assert [c["recency_days"] for c in asc] == sorted(c["recency_days"] for c in asc)
    lst = client.get(f"/api/v1/customers?segment={name}&limit=200", headers=staff).json()
    assert lst["meta"]["total"] == count and all(c["customer_ref"].startswith("A") for c in lst["data"])
    # the other business sees only its own customers
    for seg in a["segments"]:
        rows = client.get(f"/api/v1/rfm/segments/{seg['segment']}?limit=200", headers=other).json()["data"]
        assert all(c["customer_ref"].startswith("B") for c in rows)
    # bad input: 4xx with the envelope
    assert (
        client.get("/api/v1/rfm/segments/vip", headers=staff).json()["error"]["code"] == "segment_not_found"
    )
    r = client.get(f"/api/v1/rfm/segments/{name}?sort=-password", headers=staff)
    assert r.status_code == 422 and r.json()["success"] is False
    r = client.post("/api/v1/rfm/calculate", json={"as_of": "2999-01-01"}, headers=staff)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_as_of"
    r = client.post("/api/v1/rfm/calculate", json={"as_of": "2026-13-45"}, headers=staff)
    assert r.status_code == 422 and r.json()["success"] is False
    r = client.post("/api/v1/rfm/calculate", json={"method": "kmeans"}, headers=staff)
    assert r.status_code == 422
    assert client.get("/api/v1/rfm/analysis").status_code == 401
    assert client.get("/api/v1/customers?segment=vip", headers=staff).status_code == 404


def test_movements_history_and_refunds(client, db):
    world = f.make_world(db)
    _seed(db, world)
    staff, admin = world.headers("staff"), world.headers("admin")
    today = local_today(world.a.timezone)
    old = client.post(
        "/api/v1/rfm/calculate", json={"as_of": (today - timedelta(days=7)).isoformat()}, headers=staff
    ).json()["data"]
    # a week of changes: the best customer gets everything refunded, a sleeper buys a lot
    best = db.scalars(
        sa.select(Customer).where(Customer.business_id == world.a.id, Customer.customer_ref == "A000")
    ).one()
    txs = list(
        db.scalars(
            sa.select(Transaction).where(
                Transaction.customer_id == best.id, Transaction.status == "completed"
            )
        )
    )
    for tx in txs:
        r = client.post(f"/api/v1/transactions/{tx.id}/refund", json={}, headers=admin)
        assert r.status_code == 200 and r.json()["data"]["status"] == "refunded"
    assert client.post(f"/api/v1/transactions/{txs[0].id}/refund", json={}, headers=admin).status_code == 409
    assert client.post(f"/api/v1/transactions/{txs[0].id}/refund", json={}, headers=staff).status_code == 403
    new = client.post("/api/v1/rfm/calculate", json={}, headers=staff).json()["data"]
    mv = client.get("/api/v1/rfm/movements", headers=staff).json()["data"]
    assert mv["from_snapshot"] == old["snapshot_id"] and mv["to_snapshot"] == new["snapshot_id"]
    assert all(m["from"] != m["to"] for m in mv["movements"])
    assert sum(m["count"] for m in mv["movements"]) >= 1
    moved = {c["customer_id"] for m in mv["movements"] for c in m["customers"]}
    assert moved and all(cid != best.id for cid in moved)  # no longer scored, so not "moved into" anything
    cid = next(iter(moved))
    hist = client.get(f"/api/v1/customers/{cid}/rfm", headers=staff).json()["data"]
    assert [h["as_of"] for h in hist["history"]] == [new["as_of"], old["as_of"]]
    assert hist["current"]["segment"] != hist["history"][1]["segment"]
    other_customer = db.scalars(sa.select(Customer).where(Customer.business_id == world.b.id)).first()
    assert client.get(f"/api/v1/customers/{other_customer.id}/rfm", headers=staff).status_code == 404
    snaps = client.get("/api/v1/rfm/snapshots", headers=staff).json()["data"]
    assert [s["as_of"] for s in snaps] == [old["as_of"], new["as_of"]]


def test_refund_larger_than_purchase_is_refused(client, db):
    world = f.make_world(db)
    load(
        db,
        world.a,
        ["Z"],
        [
            {
                "ref": "Z1",
                "customer_ref": "Z",
                "date": local_today(world.a.timezone),
                "amount": 150_000,
                "status": "completed",
            }
        ],
    )
    tx = db.scalars(sa.select(Transaction).where(Transaction.business_id == world.a.id)).one()
    r = client.post(
        f"/api/v1/transactions/{tx.id}/refund", json={"amount": 200_000}, headers=world.headers("admin")
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "refund_too_large" and "melebihi" in err["message"]
    r = client.post(
        f"/api/v1/transactions/{tx.id}/refund", json={"amount": 50_000}, headers=world.headers("admin")
    )
    assert r.json()["data"] == {"id": tx.id, "ref": "Z1", "status": "completed", "amount": 100_000}
    r = client.post(
        f"/api/v1/transactions/{tx.id}/refund", json={"amount": -5}, headers=world.headers("admin")
    )
    assert r.status_code == 422
    r = client.post(f"/api/v1/transactions/{tx.id}/refund", json={}, headers=world.headers("other"))
    assert r.status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(RfmSnapshot)) == 0
