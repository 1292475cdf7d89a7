"""HTTP contract of knowledge documents, customers and transactions."""

from __future__ import annotations

import json

import sqlalchemy as sa

from niaga.customers.models import Customer
from tests import factories as f
from tests.data.helpers import CATALOG, RFM


def test_knowledge_crud_search_and_import(client, world, db):
    h = world.headers("staff")
    r = client.post(
        "/api/v1/knowledge",
        json={"title": "Retur", "content": "Tukar maksimal 7 hari.", "category": "kebijakan"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    did = r.json()["data"]["id"]
    r = client.post("/api/v1/knowledge", json={"title": "retur", "content": "lain"}, headers=h)
    assert r.status_code == 409 and "title" in r.json()["error"]["details"]
    r = client.post("/api/v1/knowledge", json={"title": "", "content": ""}, headers=h)
    assert r.status_code == 422 and {"title", "content"} <= set(r.json()["error"]["details"])
    r = client.patch(f"/api/v1/knowledge/{did}", json={"content": "Tukar maksimal 14 hari."}, headers=h)
    assert r.json()["data"]["content"] == "Tukar maksimal 14 hari."

    md = (CATALOG / "rizquna_knowledge.md").read_bytes()
    r = client.post(
        "/api/v1/knowledge/import",
        headers=world.headers("admin"),
        files={"file": ("kb.md", md, "text/markdown")},
    )
    assert r.status_code == 200, r.text
    assert {k: r.json()["data"][k] for k in ("rows", "accepted", "rejected", "errors")} == {
        "rows": 12,
        "accepted": 12,
        "rejected": 0,
        "errors": [],
    }
    r = client.get("/api/v1/knowledge", params={"search": "ONGKIR", "limit": 5}, headers=h)
    assert [d["title"] for d in r.json()["data"]] == ["Pengiriman"]
    assert r.json()["meta"] == {"page": 1, "limit": 5, "total": 1}
    assert client.get("/api/v1/knowledge", headers=h).json()["meta"]["total"] == 13
    r = client.post(
        "/api/v1/knowledge/import",
        headers=world.headers("admin"),
        files={"file": ("kb.docx", b"PK\x03\x04xx", "application/octet-stream")},
    )
    assert r.status_code == 415 and set(r.json()["error"]["details"]["accepted"]) == {"md", "csv", "xlsx"}
    assert client.delete(f"/api/v1/knowledge/{did}", headers=h).status_code == 403
    assert client.delete(f"/api/v1/knowledge/{did}", headers=world.headers("admin")).status_code == 200
    assert client.get(f"/api/v1/knowledge/{did}", headers=h).status_code == 404


def test_customer_crud_detail_and_validation(client, world, db):
    h = world.headers("staff")
    r = client.post(
        "/api/v1/customers",
        json={
            "name": "Budi",
            "phone": "0812-3456-7890",
            "email": "Budi@Contoh.id",
            "city": "Bandung",
            "tags": ["vip"],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert (data["phone"], data["email"], data["identities"]) == ("6281234567890", "budi@contoh.id", [])
    r = client.post("/api/v1/customers", json={"name": "X", "phone": "telepon saya"}, headers=h)
    assert r.status_code == 422 and "phone" in r.json()["error"]["details"]
    r = client.post("/api/v1/customers", json={"name": "X", "email": "bukan-email"}, headers=h)
    assert r.status_code == 422 and "email" in r.json()["error"]["details"]

    c = f.make_customer(
        db,
        business=world.a,
        name="Siti",
        phone="6285700001111",
        channel="whatsapp",
        external_id="6285700001111",
        city="Solo",
        tags=["reseller"],
    )
    r = client.get(f"/api/v1/customers/{c.id}", headers=h)
    assert r.status_code == 200
    assert [(i["channel"], i["external_id"]) for i in r.json()["data"]["identities"]] == [
        ("whatsapp", "6285700001111")
    ]
    r = client.patch(
        f"/api/v1/customers/{c.id}", json={"notes": "suka batik tulis", "city": "Yogyakarta"}, headers=h
    )
    assert r.json()["data"]["notes"] == "suka batik tulis"

    def names(**params):  # type: ignore[no-untyped-def]
        return [x["name"] for x in client.get("/api/v1/customers", params=params, headers=h).json()["data"]]

    assert names(search="0857") == ["Siti"]  # typed as local number, stored as 62…
    assert names(search="BUDI@") == ["Budi"]
    assert names(tag="VIP") == ["Budi"]
    assert names(city="yogyakarta") == ["Siti"]
    assert client.delete(f"/api/v1/customers/{c.id}", headers=h).status_code == 403
    assert client.delete(f"/api/v1/customers/{c.id}", headers=world.headers("admin")).status_code == 200
    assert client.get(f"/api/v1/customers/{c.id}", headers=h).status_code == 404


def test_customer_and_transaction_imports_over_http(client, world, db):
    h = world.headers("owner")
    r = client.post(
        "/api/v1/customers/import",
        headers=h,
        files={"file": ("customers.csv", (RFM / "customers.csv").read_bytes(), "text/csv")},
    )
    assert (r.json()["data"]["accepted"], r.json()["data"]["rejected"]) == (1500, 0)
    expected = json.loads((RFM / "transactions_dirty.expected.json").read_text())
    r = client.post(
        "/api/v1/transactions/import",
        headers=h,
        files={"file": ("dirty.csv", (RFM / "transactions_dirty.csv").read_bytes(), "text/csv")},
    )
    data = r.json()["data"]
    assert (data["rows"], data["accepted"], data["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected"],
    )
    assert {str(e["row"]): e["reason"] for e in data["errors"]} == expected["reasons"]

    r = client.get("/api/v1/transactions", params={"limit": 5}, headers=h)
    assert r.json()["meta"] == {"page": 1, "limit": 5, "total": expected["accepted"]}
    dates = [t["occurred_on"] for t in r.json()["data"]]
    assert dates == sorted(dates, reverse=True)
    r = client.get(
        "/api/v1/transactions",
        params={"date_from": "2024-12-01", "date_to": "2024-12-31", "status": "completed", "limit": 200},
        headers=h,
    )
    assert r.json()["meta"]["total"] > 0
    assert all(
        "2024-12-01" <= t["occurred_on"] <= "2024-12-31" and t["status"] == "completed"
        for t in r.json()["data"]
    )
    cust = db.scalars(
        sa.select(Customer).where(Customer.business_id == world.a.id, Customer.customer_ref == "C00499")
    ).one()
    r = client.get("/api/v1/transactions", params={"customer_id": cust.id}, headers=h)
    assert {t["ref"] for t in r.json()["data"]} >= {"T0002784"}
    assert all(t["customer_id"] == cust.id for t in r.json()["data"])
    r = client.get(
        "/api/v1/transactions", params={"date_from": "2024-12-31", "date_to": "2024-12-01"}, headers=h
    )
    assert r.status_code == 422 and "date_to" in r.json()["error"]["details"]
    r = client.get("/api/v1/transactions", params={"date_from": "31/12/2024"}, headers=h)
    assert r.status_code == 422 and "date_from" in r.json()["error"]["details"]
    # totals shown on the customer come from completed transactions
    r = client.get(f"/api/v1/customers/{cust.id}", headers=h)
    assert r.json()["data"]["total_orders"] >= 1 and r.json()["data"]["total_spent"] > 0
    # another business's customer id as a filter is 404
    other = f.make_customer(db, business=world.b)
    assert client.get("/api/v1/transactions", params={"customer_id": other.id}, headers=h).status_code == 404
