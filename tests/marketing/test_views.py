"""Dashboard → Pemasaran over HTTP and in a real Chromium: heatmap, segment cards with Indonesian names
and actions, movements, trend chart, a segment's customers (search, CSV/XLSX export), report downloads,
R/F/M on the customer page; tenancy; and screenshots at 1280×800 and 390×844 under test-output/."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from niaga.customers.models import Customer, Transaction
from niaga.kit.timeutil import local_today
from niaga.marketing import aggregates, rfm, service
from tests import factories as f
from tests.marketing.helpers import load, random_transactions
from tests.web.helpers import login, post_form

FIRST = ["Siti", "Budi", "Agus", "Dewi", "Rina", "Joko", "Wulan", "Hendra", "Maya", "Yusuf"]
LAST = ["Permata", "Santoso", "Wijaya", "Lestari", "Kusuma", "Saputra", "Hidayat", "Nugroho"]


def seed(db, world):  # type: ignore[no-untyped-def]
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


def test_pages_exports_and_tenancy(client, db):
    world = f.make_world(db)
    assert login(client, "staff@a.test").status_code == 303
    page = client.get("/app/pemasaran")
    assert page.status_code == 200 and "Belum ada analisis pelanggan" in page.text
    seed(db, world)
    page = client.get("/app/pemasaran")
    html = page.text
    assert page.status_code == 200
    for s in rfm.SEGMENTS.values():
        assert s["label"] in html and s["action"] in html
    assert html.count('class="mk-cell') == 25 and "Perpindahan sejak minggu lalu" in html
    assert "Pelanggan Toko B" not in html and "chart-trend" in html and 'href="/app/pemasaran"' in html
    latest = service.latest_snapshot(db, business_id=world.a.id)
    seg = max(rfm.SEGMENT_ORDER, key=lambda s: latest.segments[s]["count"])
    count = latest.segments[seg]["count"]
    seg_page = client.get(f"/app/pemasaran/segmen/{seg}")
    assert seg_page.status_code == 200 and f"{count} pelanggan" in seg_page.text
    r = client.get(f"/app/pemasaran/segmen/{seg}/ekspor.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Kode", "Nama", "Telepon"] and len(rows) == count + 1
    assert all(row[-1] == rfm.label_of(seg) for row in rows[1:])
    name = rows[1][1]
    r = client.get(f"/app/pemasaran/segmen/{seg}/ekspor.csv", params={"q": name})
    found = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    assert found and all(row[1] == name for row in found)
    r = client.get(f"/app/pemasaran/segmen/{seg}/ekspor.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == count + 1 and ws.freeze_panes == "A2" and ws["H2"].number_format == '"Rp"#,##0'
    r = client.get("/app/pemasaran/laporan.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get("/app/pemasaran/laporan.xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Ringkasan"
    assert client.get("/app/pemasaran/segmen/vip").status_code == 404
    assert client.get("/app/pemasaran/laporan.docx").status_code == 404
    other = db.scalars(sa.select(Customer).where(Customer.business_id == world.b.id)).one()
    assert client.get(f"/app/pelanggan/{other.id}").status_code == 404
    one = db.scalars(
        sa.select(Customer).where(Customer.business_id == world.a.id, Customer.customer_ref == rows[1][0])
    ).one()
    detail = client.get(f"/app/pelanggan/{one.id}").text
    assert 'id="rfm-segment"' in detail and rfm.label_of(seg) in detail and "Riwayat segmen" in detail
    r = post_form(client, "/app/pemasaran", "/app/pemasaran/hitung", {})
    assert r.status_code == 303
    assert "Analisis selesai" in client.get("/app/pemasaran").text


@pytest.mark.browser
@pytest.mark.slow
def test_pemasaran_in_chromium(page, live, db, output_dir: Path):
    from playwright.sync_api import expect

    from tests.web.conftest import DESKTOP, PHONE, shoot
    from tests.web.test_browser import log_in

    world = f.make_world(db)
    seed(db, world)
    log_in(page, next_url="/app/pemasaran")
    expect(page.locator("#heatmap .mk-cell")).to_have_count(25)
    expect(page.locator("#chart-trend[data-rendered='1']")).to_have_count(1)
    expect(page.locator("#segment-cards")).to_contain_text("Jangan Sampai Hilang")
    assert page.locator("#movements details").count() >= 1
    page.locator("#movements summary").first.click()
    shoot(page, output_dir, "pemasaran")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"Pemasaran overflows a 390px screen by {overflow}px"
    # no money clipped in the heatmap: every cell's text fits inside its box
    clipped = page.evaluate("""Array.from(document.querySelectorAll('.mk-cell .rv, .mk-cell .n')).filter(
        e => e.scrollWidth > e.parentElement.clientWidth + 1).length""")
    assert clipped == 0
    money = page.locator("#kpi-revenue")
    assert money.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    box = money.bounding_box()
    assert box and box["height"] < 40  # one line, not wrapped
    page.set_viewport_size(DESKTOP)
    page.locator("#segment-cards .mk-card").first.locator("a").click()
    page.wait_for_url(re.compile(r"/app/pemasaran/segmen/"))
    shoot(page, output_dir, "pemasaran-segmen")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    cells = page.locator("td.mk-money-cell")
    assert cells.count() > 0
    width = page.evaluate("window.innerWidth")
    for i in range(cells.count()):  # every amount is fully on screen at 390 px, without scrolling the table
        b = cells.nth(i).bounding_box()
        assert b and b["x"] >= 0 and b["x"] + b["width"] <= width
    page.set_viewport_size(DESKTOP)
    page.fill("#q", "Siti")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r"q=Siti"))
    rows = page.locator("tbody tr td:first-child a")
    if rows.count():
        expect(rows.first).to_contain_text("Siti")
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")
    c = db.scalars(
        sa.select(Customer).where(Customer.business_id == world.a.id, Customer.customer_ref == "C0001")
    ).one()
    page.goto(f"/app/pelanggan/{c.id}")
    expect(page.locator("#customer-rfm")).to_be_visible()
    shoot(page, output_dir, "pelanggan-rfm")
    assert not page.js_errors
