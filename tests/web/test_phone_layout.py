"""Issue 10, item 4 in a real Chromium: on a 390×844 phone every amount of money on every list and detail
page is fully on screen (inside the viewport, not cut by a scrolling or clipping container), amounts keep
"Rp" as written, the settings tabs all fit, opening-hours inputs show the whole time, the payment dialog
shows no change before cash is typed, and an empty revenue chart has whole-rupiah ticks and "1 Nov"
dates. Every page is photographed at 1280×800 and 390×844 under test-output/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from niaga.customers import service as customers_service
from niaga.customers.models import Transaction
from niaga.kit.timeutil import tz
from niaga.orders import service as orders
from tests import factories as f
from tests.web.conftest import DESKTOP, PHONE, shoot
from tests.web.test_browser import log_in, seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# For every element marked as money (and every bare "Rp…" text not marked): is it whole on screen?
MONEY_CHECK = r"""
() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
                      && !el.closest("dialog:not([open]), [hidden], .hidden");
  const where = el => (el.closest("[id]") ? "#" + el.closest("[id]").id + " " : "") + el.tagName.toLowerCase()
                      + " '" + (el.innerText || el.textContent).trim().slice(0, 30) + "'";
  function problems(el, r) {
    const out = [];
    if (r.left < -0.5 || r.right > vw + 0.5) out.push("outside the screen (" + Math.round(r.left) + ".." + Math.round(r.right) + ")");
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== "visible" || cs.textOverflow === "ellipsis") {
        const ar = a.getBoundingClientRect();
        if (a.scrollWidth > a.clientWidth + 1) out.push("inside a container that scrolls sideways: " + where(a));
        if (r.left < ar.left - 0.5 || r.right > ar.right + 0.5) out.push("cut by " + where(a));
      }
    }
    return out;
  }
  const marked = Array.from(document.querySelectorAll(".money")).filter(shown);
  for (const el of marked) {
    const r = el.getBoundingClientRect();
    for (const p of problems(el, r)) bad.push(where(el) + ": " + p);
    const text = el.innerText.trim();
    if (getComputedStyle(el).textTransform !== "none" || !(/^[−-]?Rp[\d.]+$/.test(text) || text === "—"))
      bad.push(where(el) + ": shown as '" + text + "'");
    if (el.getClientRects().length > 1) bad.push(where(el) + ": broken over lines");
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let unmarked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!/^\s*[−-]?Rp\s?\d[\d.]*\s*$/.test(node.textContent)) continue;
    const el = node.parentElement;
    if (!el || el.closest(".money, script") || !shown(el)) continue;
    unmarked += 1;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const p of problems(el, range.getBoundingClientRect())) bad.push("unmarked " + where(el) + ": " + p);
  }
  return {marked: marked.length, unmarked: unmarked, bad: bad,
          pageOverflow: document.documentElement.scrollWidth - window.innerWidth};
}
"""


def seed_more(db: Any, business: Any, data: dict[str, Any]) -> dict[str, Any]:
    """An order with a long product name and six-figure totals, part-paid in cash and by transfer; a
    customer whose history is imported."""
    big = f.make_product(
        db,
        business=business,
        sku="SJ-TURKI-PREMIUM-XL",
        price=149000,
        stock=20,
        name="Sajadah Turki Premium Motif Ottoman Ukuran Jumbo Warna Hijau Zamrud",
    )
    c = data["customers"][0]
    o = orders.create(
        db,
        business_id=business.id,
        actor=orders.Actor.system(),
        customer_id=c.id,
        items=[{"product_id": big.id, "quantity": 2}, {"product_id": data["products"][1].id, "quantity": 12}],
    )
    orders.do_record_payment(
        db, order=o, method="cash", actor=orders.Actor.system(), amount=1_000_000, tendered=1_000_000
    )
    orders.do_record_payment(
        db,
        order=o,
        method="transfer",
        actor=orders.Actor.system(),
        amount=200_000,
        reference="BCA-998877665544",
    )
    rina = f.make_customer(
        db,
        business=business,
        name="Rina Batik Sekar",
        customer_ref="BS-42",
        phone="6281234500042",
        city="Surakarta",
    )
    today = datetime.now(UTC).date()
    for i in range(5):
        db.add(
            Transaction(
                business_id=business.id,
                ref=f"BS-2026-{i:05d}",
                customer_id=rina.id,
                source="import",
                occurred_on=today - timedelta(days=20 + i * 25),
                amount=11_525_000 + i * 1000,
                status="completed",
                products=["Batik tulis"],
            )
        )
    db.flush()
    customers_service.refresh_totals(
        db, business_id=business.id, customer_ids=[rina.id], zone=business.timezone
    )
    f.make_rate(db, business=business)
    db.commit()
    return {"big_order": o, "rina": rina}


def settle(db: Any, seconds: float = 30) -> None:
    """Wait until the live server has run the jobs the seeding queued (invoices, notifications), so that
    logging in does not race their writes on SQLite."""
    import time

    import sqlalchemy as sa

    from niaga.jobs.models import Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = db.scalar(
            sa.select(sa.func.count())
            .select_from(Job)
            .where(Job.status.in_(("pending", "running")), Job.run_at <= datetime.now(UTC))
        )
        db.rollback()
        if not busy:
            return
        time.sleep(0.2)


def test_every_amount_is_on_a_phone_screen(page, live, world, db, output_dir: Path):
    data = seed(db, world.a)
    settle(db)
    more = seed_more(db, world.a, data)
    from niaga.messaging.models import Conversation

    conv_id = db.query(Conversation.id).filter_by(business_id=world.a.id).limit(1).scalar()
    db.rollback()  # release the read snapshot before the server writes
    settle(db)
    pages = [
        ("60-ringkasan", "/app"),
        ("61-pesanan", "/app/pesanan"),
        ("62-pesanan-detail", f"/app/pesanan/{more['big_order'].id}"),
        ("63-pesanan-detail-lunas", f"/app/pesanan/{data['orders'][0].id}"),
        ("64-katalog", "/app/katalog"),
        ("65-pelanggan", "/app/pelanggan"),
        ("66-pelanggan-detail", f"/app/pelanggan/{data['customers'][0].id}"),
        ("67-pelanggan-impor", f"/app/pelanggan/{more['rina'].id}"),
        ("68-ongkir", "/app/katalog/ongkir"),
        ("69-inbox", f"/app/inbox/{conv_id}"),
        ("70-pengaturan", "/app/pengaturan"),
        ("71-kanal", "/app/pengaturan/kanal"),
        ("72-pembayaran", "/app/pengaturan/pembayaran"),
        ("73-ai", "/app/pengaturan/ai"),
        ("74-pengguna", "/app/pengaturan/pengguna"),
        ("75-api-keys", "/app/pengaturan/api-keys"),
        ("76-jobs", "/app/jobs"),
        ("77-impor", "/app/katalog/impor"),
    ]
    log_in(page)
    failures: list[str] = []
    counted = 0
    for name, url in pages:
        page.set_viewport_size(DESKTOP)
        resp = page.goto(url)
        assert resp is not None and resp.status == 200, url
        shoot(page, output_dir, name)
        for label, size in (("390", PHONE), ("1280", DESKTOP)):  # "no clipping of money anywhere"
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            result = page.evaluate(MONEY_CHECK)
            counted += result["marked"] if label == "390" else 0
            failures += [f"{url} @{label}: {b}" for b in result["bad"]]
            if result["pageOverflow"] > 1:
                failures.append(
                    f"{url} @{label}: the page is {result['pageOverflow']}px wider than the screen"
                )
    assert not failures, "\n".join(failures)
    assert counted > 60  # the check saw the amounts (lists, order lines, payments, KPIs)
    # order lines: the biggest line total reads in full, with "Rp" as written
    page.goto(f"/app/pesanan/{more['big_order'].id}")
    expect(page.locator("#order-total")).to_have_text(re.compile(r"^Rp[\d.]+$"))
    total = page.locator("#order-total .money").inner_text()
    assert total == "Rp" + f"{more['big_order'].total:,}".replace(",", ".")
    page.set_viewport_size(DESKTOP)
    assert page.locator("#order-total .money").inner_text() == total  # not "RP…" at desktop either
    assert not page.js_errors, page.js_errors  # type: ignore[attr-defined]


def test_settings_tabs_all_reachable_on_a_phone(page, live, world, output_dir: Path):
    log_in(page, "owner@a.test", "/app/pengaturan")
    page.set_viewport_size(PHONE)
    for href in (
        "/app/pengaturan",
        "/app/pengaturan/kanal",
        "/app/pengaturan/pembayaran",
        "/app/pengaturan/ai",
        "/app/pengaturan/pengguna",
        "/app/pengaturan/api-keys",
        "/app/pengaturan/webhook",
    ):
        page.goto(href)
        tabs = page.locator("nav.tabs a")
        assert tabs.count() == 7  # the owner also sees the event webhooks tab
        for i in range(tabs.count()):
            box = tabs.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                href,
                tabs.nth(i).inner_text(),
                box,
            )
        tabs_el = page.locator("nav.tabs")
        assert tabs_el.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), href
    page.screenshot(path=str(output_dir / "tabs-390.png"))
    # and the last one opens with a plain click at phone size
    page.goto("/app/pengaturan")
    page.locator("nav.tabs a", has_text="API key").click()
    page.wait_for_url(re.compile(r"/app/pengaturan/api-keys$"))


def test_opening_hours_show_the_whole_time_in_any_locale(browser, live, world, output_dir: Path):
    """A phone set to English shows "08:00 AM": the inputs must still show all of it."""
    for locale in ("id-ID", "en-US"):
        ctx = browser.new_context(viewport=PHONE, base_url=live.url, locale=locale)
        pg = ctx.new_page()
        try:
            log_in(pg, "owner@a.test", "/app/pengaturan")
            inputs = pg.locator(".hours-row input[type=time]")
            assert inputs.count() == 14
            for i in range(inputs.count()):
                inputs.nth(i).fill("08:00" if i % 2 == 0 else "17:00")
            for i in range(inputs.count()):
                box = inputs.nth(i).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
                # the time text (hours, minutes, AM/PM) is shown whole: its fields fit inside the input
                fits = inputs.nth(i).evaluate("""el => {
                    const cs = getComputedStyle(el);
                    const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
                    const probe = document.createElement('span');
                    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:' + cs.font;
                    probe.textContent = new Intl.DateTimeFormat(navigator.language, {hour: '2-digit', minute: '2-digit'})
                        .format(new Date(2020, 0, 1, 8, 0));
                    document.body.appendChild(probe);
                    const need = probe.getBoundingClientRect().width + pad + 24;  // + the clock button
                    probe.remove();
                    return el.clientWidth >= need ? true : [el.clientWidth, need, probe.textContent];
                }""")
                assert fits is True, (locale, i, fits)
            pg.screenshot(path=str(output_dir / f"hours-390-{locale}.png"), full_page=True)
        finally:
            ctx.close()


def test_payment_dialog_shows_no_change_before_cash_is_typed(page, live, world, db, output_dir: Path):
    p = f.make_product(db, business=world.a, name="Sajadah Turki Premium", price=149000, stock=10)
    o = orders.create(
        db, business_id=world.a.id, items=[{"product_id": p.id, "quantity": 2}], actor=orders.Actor.system()
    )
    db.commit()
    log_in(page, "staff@a.test", f"/app/pesanan/{o.id}")
    page.set_viewport_size(PHONE)
    page.click("#open-payment")
    expect(page.locator("#pay-dialog")).to_be_visible()
    expect(page.locator("#change-value")).to_have_text("—")
    page.screenshot(path=str(output_dir / "pay-dialog-empty-390.png"))
    page.fill("#f-tendered", "300.000")
    expect(page.locator("#change-value")).to_have_text("Rp2.000")
    page.fill("#f-tendered", "")
    expect(page.locator("#change-value")).to_have_text("—")
    page.fill("#f-tendered", "200000")
    expect(page.locator("#change-value")).to_have_text("−Rp98.000")
    page.screenshot(path=str(output_dir / "pay-dialog-short-390.png"))


def test_empty_revenue_chart_has_whole_rupiah_ticks_and_indonesian_dates(page, live, world, output_dir: Path):
    log_in(page)
    expect(page.locator("#chart-revenue[data-rendered='1']")).to_have_count(1)
    ticks = page.evaluate("""() => { const c = Chart.getChart(document.getElementById('chart-revenue'));
        return {y: c.scales.y.ticks.map(t => t.label), x: c.data.labels}; }""")
    ys = [t for t in ticks["y"] if t]
    assert ys, ticks
    assert all(re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", t) for t in ys), ys
    assert len(set(ys)) == len(ys), ys
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert all(re.fullmatch(r"\d{1,2} (\w+)", d) and d.split()[1] in months for d in ticks["x"]), ticks["x"]
    today = datetime.now(UTC).astimezone(tz(world.a.timezone))
    assert ticks["x"][-1] == f"{today.day} {months[today.month - 1]}"
    shoot(page, output_dir, "80-ringkasan-kosong")
