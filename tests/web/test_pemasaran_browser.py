"""Dashboard → Pemasaran in a real headless Chromium: the R/F heatmap, segment cards, movements, the trend
chart, a segment's customers (search, XLSX download) and R/F/M on the customer page; no money clipped at
390 px. Screenshots at 1280×800 and 390×844 under test-output/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from niaga.customers.models import Customer
from tests import factories as f
from tests.marketing.helpers import seed_shop
from tests.web.conftest import DESKTOP, PHONE, shoot
from tests.web.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_pemasaran_in_chromium(page, live, db, output_dir: Path):
    world = f.make_world(db)
    seed_shop(db, world)
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


def test_marketing_settings_in_chromium(page, live, db, output_dir: Path):
    world = f.make_world(db)
    seed_shop(db, world)
    log_in(page, next_url="/app/pemasaran")
    page.click("#mk-settings-link")
    page.wait_for_url(re.compile(r"/app/pemasaran/pengaturan"))
    page.check("input[name=rfm_method][value=bins]")
    page.fill("#f-recency", "90, 60, 30")
    page.select_option("#f-weekday", "5")
    page.select_option("#f-hour", "18")
    page.click("#mk-settings button[type=submit]")
    expect(page.locator("#e-recency")).to_contain_text("4 angka")
    expect(page.locator("#f-recency")).to_have_value("90, 60, 30")  # what was typed is kept
    shoot(page, output_dir, "pemasaran-pengaturan")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the settings form overflows a 390px screen by {overflow}px"
    page.set_viewport_size(DESKTOP)
    page.fill("#f-recency", "14, 30, 60, 120")
    page.click("#mk-settings button[type=submit]")
    page.wait_for_url(re.compile(r"/app/pemasaran$"))
    expect(page.locator(".alert-ok")).to_contain_text("Pengaturan pemasaran disimpan")
    page.click("#btn-hitung")
    expect(page.locator("#kpi-scored + .sub")).to_contain_text("batas tetap")
    assert not page.js_errors
