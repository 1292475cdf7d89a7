"""Printers from the command line (`niaga printer …`) and the admin API, against a real IPP printer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from niaga.cli import app as cli
from niaga.printshop import printing
from niaga.printshop.printing_models import Printer, PrintRequest
from tests import factories as f
from tests.fakes.ipp_printer import IppPrinter
from tests.printshop.test_printing import fast  # noqa: F401 (fixture)


def last_json(output: str) -> object:
    """The command's JSON answer: its last line (log lines may come before it)."""
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[IppPrinter]:
    with IppPrinter(tmp_path / "printer") as p:
        yield p


def test_cli_add_list_and_test_page(db, world, printer, fast):  # noqa: F811
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "printer",
            "add",
            "Epson Warna",
            "--business",
            "toko-a",
            "--uri",
            printer.uri,
            "--color",
            "--duplex",
        ],
    )
    assert added.exit_code == 0, added.output
    second = runner.invoke(
        cli,
        [
            "printer",
            "add",
            "Laser",
            "--business",
            "toko-a",
            "--uri",
            printer.uri,
            "--mono",
            "--default",
            "--json",
        ],
    )
    assert second.exit_code == 0, second.output
    assert last_json(second.output)["default"] is True

    listed = last_json(runner.invoke(cli, ["printer", "list", "--business", "toko-a", "--json"]).output)
    assert [(p["name"], p["default"], p["color"], p["duplex"]) for p in listed] == [
        ("Epson Warna", False, True, True),
        ("Laser", True, False, False),
    ]

    tested = runner.invoke(cli, ["printer", "test", "--business", "toko-a", "--page", "--json"])
    assert tested.exit_code == 0, tested.output
    data = last_json(tested.output)
    assert data["printer"] == "Laser" and data["state"] in ("idle", "processing")
    assert data["request"]["state"] == "completed"
    (rec,) = printer.records()
    assert rec["pages"] == 1 and "Halaman uji" in rec["attrs"]["job-name"]

    bad = runner.invoke(cli, ["printer", "add", "X", "--business", "toko-a", "--uri", "lpt1", "--json"])
    assert bad.exit_code == 2 and last_json(bad.output)["error"] == "printer_uri"
    unknown = runner.invoke(cli, ["printer", "list", "--business", "tidak-ada"])
    assert unknown.exit_code == 2 and "tidak ditemukan" in unknown.output

    printer.kill()
    down = runner.invoke(cli, ["printer", "test", "Epson Warna", "--business", "toko-a", "--json"])
    assert down.exit_code == 1 and last_json(down.output)["state"] == "offline"


def test_api_printers_and_requests(client, db, world, printer, tmp_path, fast):  # noqa: F811
    admin = f.auth(world.admin, world.a)
    staff = f.auth(world.staff, world.a)
    body = {"name": "Epson", "uri": printer.uri, "default": True, "color": False, "duplex": True}
    assert client.post("/api/v1/printers", json=body, headers=staff).status_code == 403
    r = client.post("/api/v1/printers", json=body, headers=admin)
    assert r.status_code == 201, r.text
    printer_id = r.json()["data"]["id"]
    # strict bodies: "yes" is not a boolean, an unknown scheme is a clear 400
    assert client.post("/api/v1/printers", json={**body, "duplex": "yes"}, headers=admin).status_code == 422
    bad = client.post("/api/v1/printers", json={**body, "uri": "smb://x/y"}, headers=admin)
    assert bad.status_code == 400 and "alamat printer" in bad.json()["error"]["message"]

    t = client.post(f"/api/v1/printers/{printer_id}/test", headers=admin)
    assert t.status_code == 200 and t.json()["data"]["ok"] is True
    assert t.json()["data"]["state"] == "idle"

    # a request whose printer refused the document can be retried by an admin, once
    pdf = tmp_path / "a.pdf"
    from tests.printshop.test_printing import make_pdf

    make_pdf(pdf, 2)
    req = printing.submit(
        db,
        business_id=world.a.id,
        pdf_path=pdf,
        options=printing.PrintOptions(media="na_ledger_11x17in"),
        title="A3",
        source="print_job:1",
    )
    db.commit()
    from tests.printshop.test_printing import run_until

    assert run_until(req.id, {"failed"}) == ("failed", "rejected")
    listed = client.get("/api/v1/print-requests?state=failed", headers=admin).json()["data"]
    assert [(x["id"], x["reason"], x["reason_text"]) for x in listed] == [
        (req.id, "rejected", "Printer menolak dokumen ini.")
    ]
    assert client.get("/api/v1/print-requests?state=rusak", headers=admin).status_code == 400
    db.execute(
        sa.update(PrintRequest).where(PrintRequest.id == req.id).values(options={"media": "iso_a4_210x297mm"})
    )
    db.commit()
    again = client.post(f"/api/v1/print-requests/{req.id}/retry", headers=admin)
    assert again.status_code == 200 and again.json()["data"]["state"] == "pending"
    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    assert len(printer.records()) == 1
    assert client.post(f"/api/v1/print-requests/{req.id}/retry", headers=admin).status_code == 409
    assert client.post(f"/api/v1/print-requests/{req.id}/ulang", headers=admin).status_code == 400
    other = f.auth(world.other, world.b)
    assert client.get(f"/api/v1/print-requests/{req.id}", headers=other).status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(Printer)) == 1
