"""Dashboard → Konten in a real headless Chromium: the week and month calendar with items in every state,
the approval list, an item with its poster, the broadcast page; nothing overflows a 390 px screen.
Screenshots at 1280×800 and 390×844 under test-output/."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from niaga.kit.timeutil import local_now
from niaga.publishing import batch, service
from tests import factories as f
from tests.publishing.conftest import photo
from tests.web.conftest import DESKTOP, PHONE, shoot
from tests.web.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _seed(db, world) -> list[int]:  # type: ignore[no-untyped-def]
    b = world.a
    for sku, name, price, colour in (
        ("BT-01", "Kemeja Batik Parang Klasik Lengan Panjang", 185000, (140, 60, 40)),
        ("BT-02", "Kain Batik Tulis Sogan", 450000, (90, 50, 20)),
        ("BT-03", "Daster Batik Cap", 85000, (40, 90, 60)),
    ):
        f.make_product(db, business=b, sku=sku, name=name, price=price, stock=20,
                       attributes={"image": photo(sku.lower(), colour)})  # fmt: skip
    today = local_now(b.timezone).date()
    monday = today - timedelta(days=today.weekday())
    items = batch.do_weekly_batch(db, business=b, week_start=monday)
    db.commit()
    # states across the week: one approved and scheduled, one rejected, one published
    service.do_decide(db, business=b, item=items[0], decision="approve", actor="user:1")
    service.do_decide(
        db, business=b, item=items[1], decision="reject", actor="user:1", reason="Gambar kurang menarik"
    )
    extra = service.do_create(
        db, business=b, caption="Terima kasih pelanggan setia! Nantikan koleksi baru minggu depan.",
        targets=["facebook", "telegram_channel"],
        scheduled_at=datetime.combine(monday + timedelta(days=5), datetime.min.time()).replace(hour=10),
    )  # fmt: skip
    extra.status = "published"
    db.commit()
    return [i.id for i in items]


def test_konten_in_chromium(page, live, db, world, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(db, world)
    log_in(page, next_url="/app/konten")
    expect(page.locator("#calendar .ct-item")).to_have_count(4)
    expect(page.locator("#waiting .ct-wait")).to_have_count(1)
    shoot(page, output_dir, "konten-minggu")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"Konten overflows a {size['width']}px screen by {overflow}px"
    page.click("#view-month")
    page.wait_for_url("**view=month**")
    expect(page.locator("#calendar .ct-item")).to_have_count(4)
    shoot(page, output_dir, "konten-bulan")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.set_viewport_size(DESKTOP)
    page.goto(f"/app/konten/{ids[0]}")
    img = page.locator("img.ct-poster")
    expect(img).to_be_visible()
    assert img.evaluate("e => e.complete && e.naturalWidth") == 1080
    shoot(page, output_dir, "konten-item")
    # approve the last one from the list
    page.goto("/app/konten")
    with page.expect_navigation():
        page.locator("#waiting button[value=approve]").first.click()
    expect(page.locator("#waiting .ct-wait")).to_have_count(0)
    page.goto("/app/konten-broadcast")
    page.select_option("#b-seg", "champions")
    shoot(page, output_dir, "konten-broadcast")
    assert not page.js_errors
