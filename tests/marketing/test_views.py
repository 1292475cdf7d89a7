"""Dashboard → Pemasaran over HTTP and in a real Chromium: heatmap, segment cards with Indonesian names
and actions, movements, trend chart, a segment's customers (search, CSV/XLSX export), report downloads,
R/F/M on the customer page; tenancy. (The same pages in Chromium, with screenshots: tests/web/test_pemasaran_browser.py.)"""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from niaga.customers.models import Customer
from niaga.marketing import rfm, service
from tests import factories as f
from tests.marketing.helpers import seed_shop as seed
from tests.web.helpers import login, post_form


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
    # the recalculate button's own form carries the CSRF token (a browser posts only the form's fields)
    assert 'name="csrf_token" value=""' not in client.get("/app/pemasaran").text
    r = post_form(client, "/app/pemasaran", "/app/pemasaran/hitung", {})
    assert r.status_code == 303
    assert "Analisis selesai" in client.get("/app/pemasaran").text
