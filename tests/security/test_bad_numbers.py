"""Issue 11, items 7 and 8: numbers beyond 64 bits, impossible dates and duplicates are the caller's mistake —
422/404/409 with a clear message, never a 500."""

from __future__ import annotations

import pytest

from niaga.orders import service as orders
from tests import factories as f

HUGE = 99999999999999999999


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/products/{HUGE}",
        f"/api/v1/orders/{HUGE}",
        f"/api/v1/customers/{HUGE}",
        f"/api/v1/orders?customer_id={HUGE}",
        f"/api/v1/products?page={HUGE}",
        "/api/v1/ai/usage?to=0001-01-01",
        "/api/v1/ai/usage?from=9999-12-31",
    ],
)
def test_out_of_range_reads_are_refused_not_crashed(client, world, url):
    r = client.get(url, headers=world.headers("owner"))
    assert r.status_code in (200, 404, 422), (url, r.status_code, r.text[:300])
    if r.status_code != 200:
        assert r.json()["success"] is False and r.json()["error"]["message"]


def test_money_beyond_the_limit_is_422(client, world):
    r = client.post(
        "/api/v1/products",
        json={"sku": "X-1", "name": "Barang", "price": 10**20},
        headers=world.headers("owner"),
    )
    assert r.status_code == 422, r.text[:300]
    assert "price" in r.json()["error"]["details"]  # refused by the schema, naming the field


def test_a_duplicate_payment_reference_is_409(client, world, db):
    p = f.make_product(db, business=world.a, price=10000, stock=5)
    o = orders.create(
        db, business_id=world.a.id, items=[{"product_id": p.id, "quantity": 2}], actor=orders.Actor.system()
    )
    db.commit()
    body = {"method": "transfer", "amount": 5000, "reference": "TRF-123"}
    assert client.post(
        f"/api/v1/orders/{o.id}/payments", json=body, headers=world.headers("owner")
    ).status_code in (200, 201)
    r = client.post(f"/api/v1/orders/{o.id}/payments", json=body, headers=world.headers("owner"))
    assert r.status_code == 409, r.text[:300]
