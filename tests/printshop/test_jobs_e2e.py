"""Acceptance (issue 14), end to end on a live server with its worker: the `mixed_order/` files sent as WAHA
media messages with the note → findings + quote at the fake WAHA → "ya" → payment link → signed Midtrans
settlement → job queued → the operator works the queue board in Chromium (live over SSE) → ready
→ the operator presses Cetak → `ippeveprinter` (a real IPP printer on loopback) receives the document with 3
copies → ready notification → picked up; points credited. Screenshots of the board at 1280×800 and 390×844."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from niaga.customers.models import Customer
from niaga.integrations.midtrans.fake import FakeMidtrans
from niaga.integrations.waha import fake as waha_fake
from niaga.orders.models import Order
from niaga.printshop.jobs_models import PrintJob
from niaga.printshop.pricing import DEFAULT_PRICES
from tests.browser import shoot
from tests.fakes.ipp_printer import IppPrinter
from tests.printshop.jobs_world import CHAT, MIXED_ORDER, NOTE, file_event, make_print_shop, post, say
from tests.web.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def waha() -> Iterator[waha_fake.FakeWaha]:
    with waha_fake.FakeWaha() as fake:
        yield fake


@pytest.fixture
def midtrans() -> Iterator[FakeMidtrans]:
    with FakeMidtrans() as fake:
        yield fake


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[IppPrinter]:
    with IppPrinter(tmp_path / "printer") as p:
        yield p


@pytest.fixture
def quick_printing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The printing job follows the printer in short runs, so the live worker thread is not held."""
    from niaga.printshop import printing

    monkeypatch.setattr(printing, "POLL_INTERVAL", 0.2)
    monkeypatch.setattr(printing, "FOLLOW_WINDOW", 3.0)


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _job(db, business_id: int) -> PrintJob | None:  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db.scalars(
        sa.select(PrintJob).where(PrintJob.business_id == business_id).order_by(PrintJob.id)
    ).first()


def test_mixed_order_from_whatsapp_to_picked_up(  # type: ignore[no-untyped-def]
    page,
    live,
    db,
    waha,
    midtrans,
    printer,
    quick_printing,
    output_dir: Path,
):
    from niaga.printshop import printing

    shop = make_print_shop(db, waha, midtrans, buffer_seconds=1.5)
    bid = shop.business.id
    printing.add_printer(db, business_id=bid, name="Epson L3210", uri=printer.uri, color=True, duplex=True)
    db.commit()
    for path in sorted(MIXED_ORDER.iterdir()):
        post(live.url, shop.business, file_event(waha, path))
    say(live.url, shop.business, NOTE)

    job = wait_for("the quote", lambda: (j := _job(db, bid)) is not None and j.status == "quoted" and j)
    p = DEFAULT_PRICES
    expected = 4 * 3 * p["per_page"]["A4"]["bw"] + 3 * p["photo_page"] + 3 * p["binding"]["hard cover"]
    assert job.total == expected
    quote = wait_for("the quote message", lambda: [t for t in waha.texts_to(CHAT) if "Rincian biaya" in t])[
        -1
    ]
    assert "Jilid hard cover (3 rangkap)" in quote and "Rencana ambil: Senin" in quote
    assert "Balas *YA*" in quote

    say(live.url, shop.business, "ya")
    order_number = wait_for(
        "the order",
        lambda: (j := _job(db, bid)) and j.status == "awaiting_payment" and db.get(Order, j.order_id).number,
    )
    link = wait_for(
        "the payment link",
        lambda: order_number in midtrans.transactions and midtrans.transactions[order_number].redirect_url,
    )
    wait_for("the link in chat", lambda: any(link in t for t in waha.texts_to(CHAT)))
    import httpx

    resp = httpx.post(
        f"{live.url}/webhooks/midtrans/{shop.business.slug}",
        json=midtrans.notification(order_number, "settlement"),
    )
    assert resp.status_code == 200
    wait_for("queued", lambda: (j := _job(db, bid)) and j.status == "queued")

    # The operator's board, live: a second customer's order appears without a reload.
    log_in(page, shop.operator.email, next_url="/app/cetak")
    card = page.locator(f'article[data-job="{job.id}"]')
    expect(card).to_have_attribute("data-status", "queued")
    expect(page.locator("#live-dot.on")).to_have_count(1, timeout=10000)
    other_chat = "6285700001111@c.us"
    post(
        live.url,
        shop.business,
        file_event(waha, MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf", chat=other_chat),
    )
    say(live.url, shop.business, "print 1 rangkap ekspres", chat=other_chat)

    def quoted() -> int:
        db.rollback()
        return int(
            db.scalar(sa.select(sa.func.count()).select_from(PrintJob).where(PrintJob.status == "quoted"))
            or 0
        )

    wait_for("the second job quoted", lambda: quoted() == 1)
    second = page.locator("article.pq-express")
    expect(second).to_have_count(1, timeout=15000)
    assert page.evaluate("() => document.getElementById('board').hasAttribute('data-refreshed')")
    shoot(page, output_dir, "antrean-cetak")

    card.locator('button[data-action="print"]').click()
    (record,) = wait_for("the printer to receive the job", printer.records, timeout=60)
    assert record["attrs"]["copies"] == "3" and record["attrs"]["job-name"].startswith(job.number)
    assert record["pages"] == 5  # appendix 4 pages + the straightened photo page; never the cover letter
    assert record["attrs"]["print-color-mode"] == "color"  # the photo page is in colour
    expect(page.locator(f'article[data-job="{job.id}"]')).to_have_attribute(
        "data-status", "ready", timeout=30000
    )
    assert len(printer.records()) == 1  # printed once
    wait_for("the ready message", lambda: any("siap diambil" in t for t in waha.texts_to(CHAT)))
    page.locator(f'article[data-job="{job.id}"] button[data-action="picked_up"]').click()
    expect(page.locator(f'article[data-job="{job.id}"]')).to_have_attribute("data-status", "completed")
    done = _job(db, bid)
    customer = db.get(Customer, done.customer_id)
    assert customer.points_balance == expected // 1000
    wait_for(
        "the thank-you with points",
        lambda: any(f"bertambah {expected // 1000} poin" in t for t in waha.texts_to(CHAT)),
    )
    page.goto(f"/app/cetak/{job.id}")
    expect(page.locator("h1")).to_contain_text(job.number)
    expect(page.locator(".pq-timeline li")).to_have_count(len(jobs_events(db, job.id)))
    shoot(page, output_dir, "pesanan-cetak")

    # The customer's upload page in a phone browser: several files, the progress bar, the answer.
    from niaga.messaging.models import Conversation
    from niaga.printshop import jobs_links

    conv = db.scalars(sa.select(Conversation).where(Conversation.chat_id == CHAT)).one()
    token = jobs_links.upload_token(business_id=bid, customer_id=conv.customer_id, conversation_id=conv.id)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/u/{token}")
    page.set_input_files(
        "#up-files",
        [
            str(MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"),
            str(MIXED_ORDER / "IMG_20240517_093512.jpg"),
        ],
    )
    expect(page.locator("#up-list li")).to_have_count(2)
    page.fill("#up-note", "2 rangkap spiral")
    page.click("#up-send")
    expect(page.locator("#up-msg.up-ok")).to_contain_text("2 file diterima", timeout=20000)
    assert page.locator("#up-bar").get_attribute("value") == "100"
    page.screenshot(path=str(output_dir / "unggah-390.png"), full_page=True)
    wait_for("the upload's quote", lambda: sum("Rincian biaya" in t for t in waha.texts_to(CHAT)) == 2)
    assert not page.js_errors


def jobs_events(db, job_id: int) -> list:  # type: ignore[no-untyped-def]
    from niaga.printshop.jobs_models import PrintJobEvent

    db.rollback()
    return list(db.scalars(sa.select(PrintJobEvent).where(PrintJobEvent.job_id == job_id)))
