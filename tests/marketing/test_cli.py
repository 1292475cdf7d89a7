"""`niaga rfm run … --json` (the RFM.md contract) and `niaga rfm rebuild` through the real Typer app, with
generated data; bad input gives exit code 2 and an Indonesian message, never a traceback."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import sqlalchemy as sa
from typer.testing import CliRunner

from niaga.kit.timeutil import local_today
from niaga.marketing.models import CustomerPurchaseStats, RfmSnapshot
from tests import factories as f
from tests.marketing.helpers import load, random_transactions, reference


def _run(*args: str):  # type: ignore[no-untyped-def]
    from niaga.cli import app

    return CliRunner().invoke(app, list(args))


def _one_json(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_rfm_run_json_matches_reference_both_methods(db):
    rng = random.Random(7)
    biz = f.make_business(db, slug="batik-cli")
    refs = [f"K{i:04d}" for i in range(80)]
    today = local_today(biz.timezone)
    txs = random_transactions(rng, refs[:70], 500, start=today - timedelta(days=500), end=today)
    load(db, biz, refs, txs)
    as_of = today - timedelta(days=3)
    for method in ("quantile", "bins"):
        out = _one_json(
            _run(
                "rfm",
                "run",
                "--business",
                "batik-cli",
                "--as-of",
                as_of.isoformat(),
                "--method",
                method,
                "--json",
            )
        )
        want = reference(txs, as_of, method)
        assert out["as_of"] == as_of.isoformat() and out["method"] == method
        assert out["customers_scored"] == len(want)
        assert out["customers_without_purchases"] == len(refs) - len(want)
        got = {
            c["customer_ref"]: {
                k: c[k] for k in ("recency_days", "frequency", "monetary", "r", "f", "m", "segment")
            }
            for c in out["customers"]
        }
        assert got == want
        counts: dict[str, int] = {}
        for v in want.values():
            counts[v["segment"]] = counts.get(v["segment"], 0) + 1
        assert {k: v for k, v in out["segments"].items() if v} == counts
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(RfmSnapshot)) == 2


def test_rfm_run_default_as_of_is_business_today_and_bins_per_business(db):
    biz = f.make_business(db, slug="tiny", settings={"marketing": {"rfm_bins": {"frequency": [2, 4, 6, 8]}}})
    biz.timezone = "Asia/Jayapura"
    db.commit()
    today = local_today("Asia/Jayapura")
    load(
        db,
        biz,
        ["A", "B"],
        [
            {"ref": "1", "customer_ref": "A", "date": today, "amount": 50_000, "status": "completed"},
            {
                "ref": "2",
                "customer_ref": "A",
                "date": today - timedelta(days=1),
                "amount": 50_000,
                "status": "completed",
            },
            {
                "ref": "3",
                "customer_ref": "B",
                "date": today - timedelta(days=45),
                "amount": 2_000_000,
                "status": "completed",
            },
        ],
    )
    out = _one_json(_run("rfm", "run", "--business", "tiny", "--method", "bins", "--json"))
    assert out["as_of"] == today.isoformat()
    rows = {c["customer_ref"]: c for c in out["customers"]}
    assert (rows["A"]["r"], rows["A"]["f"], rows["A"]["m"]) == (5, 1, 1)  # 2 purchases <= edge 2 → F1
    assert (rows["B"]["recency_days"], rows["B"]["r"], rows["B"]["m"]) == (45, 4, 4)


def test_bad_inputs_give_clear_errors(db):
    f.make_business(db, slug="kosong")
    out = _one_json(_run("rfm", "run", "--business", "kosong", "--json"))
    assert out["customers_scored"] == 0 and out["customers"] == [] and sum(out["segments"].values()) == 0
    r = _run("rfm", "run", "--business", "tidak-ada", "--json")
    assert r.exit_code == 2 and "tidak-ada" in r.output and "Traceback" not in r.output
    future = (date.today() + timedelta(days=30)).isoformat()
    r = _run("rfm", "run", "--business", "kosong", "--as-of", future, "--json")
    assert r.exit_code == 2 and "setelah hari ini" in r.output
    r = _run("rfm", "run", "--business", "kosong", "--as-of", "1999-12-31")
    assert r.exit_code == 2 and "2000" in r.output
    r = _run("rfm", "run", "--business", "kosong", "--as-of", "31-12-2025")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
    r = _run("rfm", "run", "--business", "kosong", "--method", "kmeans")
    assert r.exit_code == 2 and "quantile atau bins" in r.output


def test_one_customer_and_all_tied(db):
    biz = f.make_business(db, slug="satu")
    load(
        db,
        biz,
        ["X"],
        [{"ref": "1", "customer_ref": "X", "date": date(2025, 5, 1), "amount": 1, "status": "completed"}],
    )
    out = _one_json(_run("rfm", "run", "--business", "satu", "--json", "--no-save"))
    assert [(c["r"], c["f"], c["m"], c["segment"]) for c in out["customers"]] == [(1, 1, 1, "lost")]
    biz2 = f.make_business(db, slug="seri")
    load(
        db,
        biz2,
        ["A", "B", "C"],
        [
            {
                "ref": str(i),
                "customer_ref": c,
                "date": date(2025, 5, 1),
                "amount": 100_000,
                "status": "completed",
            }
            for i, c in enumerate("ABC")
        ],
    )
    out = _one_json(_run("rfm", "run", "--business", "seri", "--json"))
    assert {(c["r"], c["f"], c["m"]) for c in out["customers"]} == {(1, 1, 1)}  # ties share the lowest score


def test_import_rejects_dates_before_2000_and_in_the_future(db):
    biz = f.make_business(db)
    today = local_today(biz.timezone)
    rep = load(
        db,
        biz,
        ["A"],
        [
            {
                "ref": "1",
                "customer_ref": "A",
                "date": date(1999, 12, 31),
                "amount": 10,
                "status": "completed",
            },
            {
                "ref": "2",
                "customer_ref": "A",
                "date": today + timedelta(days=1),
                "amount": 10,
                "status": "completed",
            },
            {"ref": "3", "customer_ref": "A", "date": date(2000, 1, 1), "amount": 10, "status": "completed"},
        ],
    )
    assert rep["errors"] == [
        {"row": 1, "reason": "date before 2000"},
        {"row": 2, "reason": "date in the future"},
    ]


def test_rebuild_repairs_damaged_aggregates(db):
    biz = f.make_business(db, slug="rusak")
    load(
        db,
        biz,
        ["A", "B"],
        [
            {
                "ref": str(i),
                "customer_ref": "AB"[i % 2],
                "date": date(2025, 1, 1 + i),
                "amount": 1000 * (i + 1),
                "status": "completed",
            }
            for i in range(6)
        ],
    )
    db.execute(sa.update(CustomerPurchaseStats).values(frequency=99))
    db.execute(sa.delete(CustomerPurchaseStats).where(CustomerPurchaseStats.monetary < 10_000))
    db.commit()
    r = _run("rfm", "rebuild", "--business", "rusak", "--check")
    assert r.exit_code == 1 and "2 differ" in r.output
    r = _run("rfm", "rebuild", "--business", "rusak")
    assert r.exit_code == 0 and "2 customers rebuilt" in r.output
    assert _run("rfm", "rebuild", "--check").exit_code == 0


def test_report_and_movements_commands(db, tmp_path):
    biz = f.make_business(db, slug="lapor")
    today = local_today(biz.timezone)
    rng = random.Random(2)
    refs = [f"L{i:03d}" for i in range(30)]
    load(db, biz, refs, random_transactions(rng, refs, 200, start=today - timedelta(days=300), end=today))
    r = _run("rfm", "report", "--business", "lapor", "--out", str(tmp_path))
    assert r.exit_code == 2 and "Belum ada analisis" in r.output
    assert (
        _run(
            "rfm", "run", "--business", "lapor", "--as-of", (today - timedelta(days=7)).isoformat()
        ).exit_code
        == 0
    )
    assert _run("rfm", "run", "--business", "lapor").exit_code == 0
    moves = _one_json(_run("rfm", "movements", "--business", "lapor", "--json"))
    assert (
        moves["from_as_of"] == (today - timedelta(days=7)).isoformat()
        and moves["to_as_of"] == today.isoformat()
    )
    assert all(m["from"] != m["to"] for m in moves["movements"])
    r = _run("rfm", "report", "--business", "lapor", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    pdf = tmp_path / f"laporan-pelanggan-lapor-{today.isoformat()}.pdf"
    xlsx = pdf.with_suffix(".xlsx")
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 1000
