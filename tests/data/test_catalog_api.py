"""HTTP contract of products, stock and shipping rates: envelope, paging meta, search and filters,
validation details, roles, audit, imports over multipart."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.catalog.models import Product
from niaga.tenancy.models import AuditLog
from tests import factories as f
from tests.data.helpers import CATALOG, xlsx_bytes


def test_product_crud_and_envelope(client, world, db):
    h = world.headers("staff")
    body = {
        "sku": "PECI-01",
        "name": "Peci Hitam",
        "price": 40000,
        "sale_price": 35000,
        "stock": 12,
        "category": "Peci",
        "tags": ["peci", "songkok"],
        "attributes": {"size": "7"},
    }
    r = client.post("/api/v1/products", json=body, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["success"] is True and out.get("error") is None
    pid = out["data"]["id"]
    assert out["data"]["effective_price"] == 35000 and out["data"]["available"] == 12

    r = client.get(f"/api/v1/products/{pid}", headers=h)
    assert r.status_code == 200 and r.json()["data"]["sku"] == "PECI-01"

    r = client.patch(f"/api/v1/products/{pid}", json={"price": 45000, "sale_price": None}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["price"], r.json()["data"]["effective_price"]) == (45000, 45000)

    # deleting is admin+
    assert client.delete(f"/api/v1/products/{pid}", headers=h).status_code == 403
    r = client.delete(f"/api/v1/products/{pid}", headers=world.headers("admin"))
    assert r.status_code == 200 and r.json()["data"] == {"id": pid, "deleted": True}
    assert client.get(f"/api/v1/products/{pid}", headers=h).status_code == 404
    actions = list(
        db.scalars(sa.select(AuditLog.action).where(AuditLog.business_id == world.a.id).order_by(AuditLog.id))
    )
    assert actions == ["product.create", "product.update", "product.delete"]


def test_product_validation_details(client, world, db):
    h = world.headers("owner")
    r = client.post("/api/v1/products", json={"sku": "X", "name": "X", "price": -1}, headers=h)
    assert r.status_code == 422 and "price" in r.json()["error"]["details"]
    r = client.post("/api/v1/products", json={"sku": "X", "name": "X", "price": 1000.5}, headers=h)
    assert r.status_code == 422 and "price" in r.json()["error"]["details"]
    r = client.post(
        "/api/v1/products", json={"sku": "X", "name": "X", "price": 1000, "sale_price": 2000}, headers=h
    )
    assert r.status_code == 422 and "sale_price" in r.json()["error"]["details"]
    r = client.post("/api/v1/products", json={"name": "X", "price": 1000}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert "sku" in r.json()["error"]["details"]
    f.make_product(db, business=world.a, sku="DUP-1")
    r = client.post("/api/v1/products", json={"sku": "dup-1", "name": "X", "price": 1000}, headers=h)
    assert r.status_code == 409 and "sku" in r.json()["error"]["details"]
    # a PATCH that would put the promo above the stored price is refused with the field named
    p = f.make_product(db, business=world.a, price=10000)
    r = client.patch(f"/api/v1/products/{p.id}", json={"sale_price": 20000}, headers=h)
    assert r.status_code == 422 and "sale_price" in r.json()["error"]["details"]


def test_list_search_filters_and_meta(client, world, db):
    f.make_product(
        db,
        business=world.a,
        sku="RQ-1",
        name="Al-Quran Tajwid",
        tags=["quran", "promo"],
        stock=5,
        category="Al-Quran",
        price=95000,
    )
    f.make_product(
        db,
        business=world.a,
        sku="RQ-2",
        name="Sajadah Turki",
        description="motif turki tebal",
        stock=0,
        category="Sajadah",
        price=95001,
    )
    f.make_product(
        db,
        business=world.a,
        sku="RQ-3",
        name="Print Warna",
        stock=None,
        category="Jasa",
        price=1500,
        tags=["print"],
    )
    f.make_product(db, business=world.a, sku="RQ-4", name="Peci Lama", is_active=False, price=10)
    f.make_product(db, business=world.b, sku="RQ-9", name="Al-Quran milik B")
    h = world.headers("staff")

    def skus(**params):  # type: ignore[no-untyped-def]
        r = client.get("/api/v1/products", params=params, headers=h)
        assert r.status_code == 200, r.text
        return [p["sku"] for p in r.json()["data"]]

    assert skus(search="al-quran") == ["RQ-1"]  # case-insensitive, other business invisible
    assert skus(search="TURKI") == ["RQ-2"]  # description
    assert skus(search="promo") == ["RQ-1"]  # tags
    assert skus(search="rq-3") == ["RQ-3"]  # sku
    assert skus(tag="Quran") == ["RQ-1"]
    assert skus(category="sajadah") == ["RQ-2"]
    assert skus(is_active="false") == ["RQ-4"]
    assert sorted(skus(in_stock="true")) == ["RQ-1", "RQ-3", "RQ-4"]
    assert skus(in_stock="false") == ["RQ-2"]
    assert skus(sort="-price") == ["RQ-2", "RQ-1", "RQ-3", "RQ-4"]
    r = client.get("/api/v1/products", params={"limit": 2, "page": 2, "sort": "sku"}, headers=h)
    assert r.json()["meta"] == {"page": 2, "limit": 2, "total": 4}
    assert [p["sku"] for p in r.json()["data"]] == ["RQ-3", "RQ-4"]
    r = client.get("/api/v1/products", params={"sort": "harga"}, headers=h)
    assert r.status_code == 422 and "sort" in r.json()["error"]["details"]
    r = client.get("/api/v1/products", params={"limit": 500}, headers=h)
    assert r.status_code == 422 and "limit" in r.json()["error"]["details"]


def test_stock_adjust_is_audited_and_never_negative(client, world, db):
    p = f.make_product(db, business=world.a, stock=5)
    h = world.headers("staff")
    r = client.post(f"/api/v1/products/{p.id}/stock", json={"delta": -2, "reason": "rusak"}, headers=h)
    assert r.status_code == 200 and r.json()["data"]["stock"] == 3
    r = client.post(f"/api/v1/products/{p.id}/stock", json={"delta": -4, "reason": "salah hitung"}, headers=h)
    assert r.status_code == 422 and "delta" in r.json()["error"]["details"]
    r = client.post(f"/api/v1/products/{p.id}/stock", json={"set": 40, "reason": "stock opname"}, headers=h)
    assert r.json()["data"]["stock"] == 40
    r = client.post(f"/api/v1/products/{p.id}/stock", json={"reason": "kosong"}, headers=h)
    assert r.status_code == 422 and "delta" in r.json()["error"]["details"]
    r = client.post(f"/api/v1/products/{p.id}/stock", json={"delta": 1}, headers=h)
    assert r.status_code == 422 and "reason" in r.json()["error"]["details"]
    svc = f.make_product(db, business=world.a, stock=None)
    r = client.post(f"/api/v1/products/{svc.id}/stock", json={"delta": 1, "reason": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "stock_not_tracked"
    entries = list(
        db.scalars(sa.select(AuditLog).where(AuditLog.action == "product.stock_adjust").order_by(AuditLog.id))
    )
    assert [(e.data["before"], e.data["after"], e.data["reason"]) for e in entries] == [
        (5, 3, "rusak"),
        (3, 40, "stock opname"),
    ]
    assert entries[0].actor_id == world.staff.id


def test_operator_cannot_read_catalog(client, world):
    assert client.get("/api/v1/products", headers=world.headers("operator")).status_code == 403


def test_import_products_csv_and_xlsx_over_http(client, world, db):
    h = world.headers("admin")
    path = CATALOG / "rizquna_products.csv"
    r = client.post(
        "/api/v1/products/import",
        params={"dry_run": "true"},
        headers=h,
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["accepted"] == 37 and r.json()["data"]["dry_run"] is True
    assert db.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
    r = client.post(
        "/api/v1/products/import", headers=h, files={"file": (path.name, path.read_bytes(), "text/csv")}
    )
    data = r.json()["data"]
    assert (data["rows"], data["accepted"], data["rejected"], data["errors"]) == (37, 37, 0, [])
    assert client.get("/api/v1/products", headers=h).json()["meta"]["total"] == 37

    wb = xlsx_bytes([["sku", "name", "price"], ["XL-1", "Dari Excel", "Rp 12.500"], ["XL-2", "", 1]])
    r = client.post(
        "/api/v1/products/import", headers=h, files={"file": ("p.xlsx", wb, "application/octet-stream")}
    )
    assert r.json()["data"]["errors"] == [{"row": 2, "reason": "missing name"}]
    # staff may not bulk import
    r = client.post(
        "/api/v1/products/import",
        headers=world.headers("staff"),
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    assert r.status_code == 403


def test_import_unknown_format_is_415(client, world):
    r = client.post(
        "/api/v1/products/import",
        headers=world.headers("owner"),
        files={"file": ("katalog.pdf", b"%PDF-1.7 binary", "application/pdf")},
    )
    assert r.status_code == 415
    err = r.json()["error"]
    assert err["code"] == "unsupported_format" and err["details"]["accepted"] == ["csv", "xlsx"]
    r = client.post(
        "/api/v1/products/import",
        headers=world.headers("owner"),
        files={"file": ("p.csv", b"judul,isi\nA,B\n", "text/csv")},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_columns"


def test_shipping_rates_crud_and_import(client, world, db):
    h = world.headers("admin")
    body = {
        "origin_city": "Yogyakarta",
        "destination_city": "Bandung",
        "courier": "JNE",
        "service": "REG",
        "price_per_kg": 16000,
        "etd_days": "2-3",
    }
    r = client.post("/api/v1/shipping-rates", json=body, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["data"]["id"]
    assert (
        client.post("/api/v1/shipping-rates", json={**body, "courier": "jne"}, headers=h).status_code == 409
    )
    r = client.patch(f"/api/v1/shipping-rates/{rid}", json={"price_per_kg": 17000}, headers=h)
    assert r.json()["data"]["price_per_kg"] == 17000
    assert (
        client.post(
            "/api/v1/shipping-rates", json={**body, "service": "YES"}, headers=world.headers("staff")
        ).status_code
        == 403
    )
    path = CATALOG / "shipping_rates.csv"
    r = client.post(
        "/api/v1/shipping-rates/import", headers=h, files={"file": (path.name, path.read_bytes())}
    )
    assert r.json()["data"]["accepted"] == 26 and r.json()["data"]["updated"] == 1
    r = client.get(
        "/api/v1/shipping-rates", params={"destination": "bandung"}, headers=world.headers("staff")
    )
    assert r.json()["meta"]["total"] == 3
    assert {x["courier"] for x in r.json()["data"]} == {"JNE", "J&T", "SiCepat"}
    assert client.delete(f"/api/v1/shipping-rates/{rid}", headers=h).status_code == 200
    assert client.get("/api/v1/shipping-rates", headers=h, params={"limit": 1}).json()["meta"]["total"] == 25
