"""`niaga import … --json` through the real Typer app, and the idempotent demo loader."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer, Transaction
from niaga.knowledge.models import KnowledgeDocument
from niaga.tenancy.models import Business, Membership, User
from tests import factories as f
from tests.data.helpers import CATALOG, RFM


def _cli():  # type: ignore[no-untyped-def]
    from niaga.cli import app

    return app


def test_cli_import_dirty_transactions_json(db, tmp_path):
    f.make_business(db, slug="batik")
    runner = CliRunner()
    r = runner.invoke(_cli(), ["import", "customers", str(RFM / "customers.csv"), "--business", "batik"])
    assert r.exit_code == 0, r.output
    assert "1500 diterima" in r.output
    r = runner.invoke(
        _cli(),
        ["import", "transactions", str(RFM / "transactions_dirty.csv"), "--business", "batik", "--json"],
    )
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1  # exactly one summary object
    summary = json.loads(lines[0])
    expected = json.loads((RFM / "transactions_dirty.expected.json").read_text())
    assert set(summary) == {"rows", "accepted", "rejected", "errors"}
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected"],
    )
    assert summary["errors"] == [
        {"row": int(n), "reason": reason}
        for n, reason in sorted(expected["reasons"].items(), key=lambda kv: int(kv[0]))
    ]


def test_cli_errors_exit_2(db, tmp_path):
    f.make_business(db, slug="toko")
    runner = CliRunner()
    r = runner.invoke(
        _cli(), ["import", "products", str(CATALOG / "batik_sekar_products.csv"), "--business", "tidak-ada"]
    )
    assert r.exit_code == 2 and "tidak-ada" in r.output
    pdf = tmp_path / "katalog.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    r = runner.invoke(_cli(), ["import", "products", str(pdf), "--business", "toko"])
    assert r.exit_code == 2 and ".csv" in r.output and ".xlsx" in r.output
    r = runner.invoke(
        _cli(), ["import", "knowledge", str(CATALOG / "rizquna_knowledge.md"), "--business", "toko", "--json"]
    )
    assert r.exit_code == 0 and json.loads(r.stdout)["accepted"] == 12
    r = runner.invoke(_cli(), ["import", "shipping-rates", str(CATALOG / "shipping_rates.csv"), "-b", "toko"])
    assert r.exit_code == 0 and "26 diterima" in r.output


def _counts(db) -> dict:  # type: ignore[no-untyped-def]
    out: dict = {}
    for b in db.scalars(sa.select(Business).order_by(Business.slug)):
        out[b.slug] = {
            m.__name__: db.scalar(sa.select(sa.func.count()).select_from(m).where(m.business_id == b.id))
            for m in (Product, ShippingRate, KnowledgeDocument, Customer, Transaction, Membership)
        }
    out["users"] = db.scalar(sa.select(sa.func.count()).select_from(User))
    return out


def test_demo_is_idempotent(db, monkeypatch, client):
    from niaga.demo.loader import load_demo
    from niaga.settings import reset_settings_cache

    monkeypatch.setenv("NIAGA_DEMO_PASSWORD", "demo-rahasia-1")
    reset_settings_cache()
    try:
        first = load_demo()
        c1 = _counts(db)
        db.rollback()
        second = load_demo()
        c2 = _counts(db)
    finally:
        monkeypatch.delenv("NIAGA_DEMO_PASSWORD")
        reset_settings_cache()
    assert c1 == c2
    assert c1["rizquna"]["Product"] == 37 and c1["batik-sekar"]["Product"] == 10
    assert c1["rizquna"]["KnowledgeDocument"] == 12 and c1["rizquna"]["ShippingRate"] == 26
    assert c1["batik-sekar"]["Customer"] == 1500 and c1["batik-sekar"]["Transaction"] == 8070
    assert c1["rizquna"]["Membership"] == 2 and c1["users"] == 6  # owner + staff of 3 demo businesses
    assert any("owner@rizquna.demo" in ln for ln in first)
    assert any("tidak diubah" in ln for ln in second) and not any("demo-rahasia-1" in ln for ln in second)
    rq = db.scalars(sa.select(Business).where(Business.slug == "rizquna")).one()
    assert rq.name == "Rizquna.id" and rq.profile["city"] == "Yogyakarta"
    assert rq.settings["agent"]["greeting"] == "Assalamualaikum"
    assert rq.settings["shipping"]["free_shipping"] == {
        "min_subtotal": 200000,
        "cities": ["Yogyakarta", "Sleman"],
    }
    assert rq.settings["hours"]["7"] == []
    # the demo owner can log in with the configured password
    r = client.post("/api/v1/auth/login", json={"email": "owner@rizquna.demo", "password": "demo-rahasia-1"})
    assert r.status_code == 200 and r.json()["data"]["business"] == "rizquna"


def test_demo_generated_password_printed_once(db, monkeypatch):
    from niaga.demo.loader import load_demo
    from niaga.settings import reset_settings_cache

    monkeypatch.delenv("NIAGA_DEMO_PASSWORD", raising=False)
    reset_settings_cache()
    first = load_demo()
    pw_lines = [ln for ln in first if "Kata sandi" in ln]
    assert len(pw_lines) == 1
    password = pw_lines[0].rsplit(" ", 1)[-1]
    from niaga.tenancy.service import check_login

    assert (
        check_login(db, email="staff@batik-sekar.demo", password=password).email == "staff@batik-sekar.demo"
    )
    db.rollback()
    second = load_demo()
    assert not any(password in ln for ln in second)


def test_cli_json_in_a_real_process_prints_only_the_summary(db):
    """The installed entry point, as an operator runs it: stdout holds exactly one JSON object."""
    import subprocess
    import sys

    from tests.data.helpers import run_import

    b = f.make_business(db, slug="batik-proc")
    run_import(db, b, "customers", RFM / "customers.csv")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from niaga.cli import main; main()",
            "import",
            "transactions",
            str(RFM / "transactions_dirty.csv"),
            "--business",
            "batik-proc",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    expected = json.loads((RFM / "transactions_dirty.expected.json").read_text())
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected"],
    )
    assert {str(e["row"]): e["reason"] for e in summary["errors"]} == expected["reasons"]
    db.expire_all()
    assert (
        db.scalar(sa.select(sa.func.count()).select_from(Transaction).where(Transaction.business_id == b.id))
        == expected["accepted"]
    )
