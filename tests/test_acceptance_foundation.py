"""Foundation acceptance: demo data through the real CLI, twice; tenancy through the real API."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer, Transaction
from niaga.knowledge.models import KnowledgeDocument
from niaga.tenancy.models import Business, Membership, User

PW = "x"  # the acceptance wording: `NIAGA_DEMO_PASSWORD=x niaga init --demo` twice


def _init_demo() -> str:
    env = dict(os.environ, NIAGA_DEMO_PASSWORD=PW)
    r = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "init", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _counts(db) -> dict[str, int]:
    db.rollback()
    return {
        m.__tablename__: db.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Business, User, Membership, Product, ShippingRate, KnowledgeDocument, Customer, Transaction)
    }


def test_init_demo_twice_leaves_one_copy_and_tenants_are_isolated(client, db):
    out = _init_demo()
    assert "owner@rizquna.demo" in out and "owner@batik-sekar.demo" in out
    first = _counts(db)
    _init_demo()
    assert _counts(db) == first
    assert first["businesses"] == 3  # rizquna, batik-sekar and the print shop smartcopy
    assert "owner@smartcopy.demo" in out

    def login(email: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/login", json={"email": email, "password": PW})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['data']['access_token']}"}

    rq, bs = login("owner@rizquna.demo"), login("owner@batik-sekar.demo")
    r = client.get("/api/v1/products", params={"limit": 100}, headers=rq)
    assert r.json()["meta"]["total"] == 37
    assert {p["sku"][:3] for p in r.json()["data"]} == {"RQ-"}
    r = client.get("/api/v1/products", params={"limit": 100}, headers=bs)
    assert r.json()["meta"]["total"] == 10
    batik_ids = [p["id"] for p in r.json()["data"]]
    assert {p["sku"][:3] for p in r.json()["data"]} == {"BS-"}
    rizquna_id = client.get("/api/v1/products", headers=rq).json()["data"][0]["id"]
    assert client.get(f"/api/v1/products/{batik_ids[0]}", headers=rq).status_code == 404
    assert client.get(f"/api/v1/products/{rizquna_id}", headers=bs).status_code == 404
    assert client.get(f"/api/v1/products/{rizquna_id}", headers=rq).status_code == 200
    assert client.get("/readyz").status_code == 200
