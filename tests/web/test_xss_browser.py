"""Keep the attacks (issue 11): XSS payloads through every text field a shop's data can carry, rendered by
the dashboard in a real Chromium. Each page must show the payload as text (so the field really is on the
page) and must never run it: no script sets `window.__xss`, no dialog opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from niaga.messaging.models import Conversation, Message
from niaga.orders import service as orders
from tests import factories as f
from tests.web.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each payload is a different way out of a context: element content, an attribute, a script block, a URL.
PAYLOADS = (
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "</script><script>window.__xss=1</script>",
    "'\"><iframe src=javascript:window.parent.__xss=1>",
)
MARK = "onerror="  # the first payload's literal text, searched in the rendered page text


def _p(i: int, label: str) -> str:
    return f"{label} {PAYLOADS[i % len(PAYLOADS)]} {PAYLOADS[0]}"


def _seed(db: Any, world: Any) -> dict[str, Any]:
    from niaga.publishing.models import ContentItem

    biz = world.a
    biz.name = _p(0, "Toko")
    product = f.make_product(
        db,
        business=biz,
        name=_p(1, "Sajadah"),
        description=_p(2, "Deskripsi"),
        category=_p(3, "Kategori"),
        tags=[_p(0, "tag")],
        stock=50,
        price=125000,
    )
    customer = f.make_customer(db, business=biz, name=_p(1, "Siti"), city=_p(2, "Kota"), tags=[_p(3, "vip")])
    doc = f.make_knowledge(db, business=biz, title=_p(0, "Kebijakan"), content=_p(1, "Isi"))
    now = datetime.now(UTC)
    order = orders.create(
        db,
        business_id=biz.id,
        actor=orders.Actor.system(),
        items=[{"product_id": product.id, "quantity": 2}],
        customer_id=customer.id,
        now=now - timedelta(days=3),
    )
    orders.do_record_payment(
        db, order=order, method="cash", actor=orders.Actor.system(), tendered=order.total
    )
    conv = Conversation(
        business_id=biz.id,
        customer_id=customer.id,
        channel="whatsapp",
        chat_id="6281234500001@c.us",
        owner="bot",
        last_message_at=now,
        last_message_preview=_p(2, "Pratinjau"),
    )
    db.add(conv)
    db.flush()
    for direction, sender, text in (("in", "customer", _p(3, "Halo")), ("out", "bot", _p(0, "Balasan"))):
        db.add(
            Message(
                business_id=biz.id,
                conversation_id=conv.id,
                channel="whatsapp",
                direction=direction,
                sender_type=sender,
                text=text,
                delivery_status="sent" if direction == "out" else None,
                created_at=now,
            )
        )
    item = ContentItem(
        business_id=biz.id, caption=_p(1, "Caption"), targets=["facebook"], status="awaiting_approval"
    )
    db.add(item)
    world.owner.name = _p(2, "Pemilik")
    db.commit()
    return {
        "product": product.id,
        "customer": customer.id,
        "doc": doc.id,
        "order": order.id,
        "conv": conv.id,
        "item": item.id,
    }


# Markup that exists in a page's DOM only if a payload was parsed as HTML instead of shown as text.
INJECTED = ('<img src="x"', "<svg onload", "<script>window.__xss", "<iframe src=javascript")


def test_xss_payloads_render_as_text_on_every_page(page, live, world, db):
    ids = _seed(db, world)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, next_url="/app/pemasaran")
    page.click("#btn-hitung")  # the RFM run, through the dashboard (the live server owns the writes now)
    page.wait_for_url("**/app/pemasaran")
    # the one scored customer's segment: the card whose count is 1
    card = page.locator("#segment-cards .mk-card").filter(has=page.locator(".fig strong", has_text="1"))
    segment_url = card.first.locator("a").get_attribute("href")
    assert segment_url
    # (page, the label of a payload-carrying field that page must show)
    pages = [
        ("/app", "Toko "),
        ("/app/inbox", "Siti "),
        (f"/app/inbox/{ids['conv']}", "Halo "),
        (f"/app/inbox/{ids['conv']}", "Balasan "),
        ("/app/pesanan", "Siti "),
        (f"/app/pesanan/{ids['order']}", "Sajadah "),
        ("/app/katalog", "Sajadah "),
        (f"/app/katalog/{ids['product']}", "Deskripsi "),
        ("/app/katalog/pengetahuan", "Kebijakan "),
        (f"/app/katalog/pengetahuan/{ids['doc']}", "Isi "),
        ("/app/pelanggan", "Siti "),
        (f"/app/pelanggan/{ids['customer']}", "Kota "),
        ("/app/pemasaran", "Toko "),
        (segment_url, "Siti "),
        (f"/app/konten/{ids['item']}", "Caption "),
        ("/app/pengaturan", "Toko "),
        ("/app/pengaturan/pengguna", "Pemilik "),
    ]
    for url, label in pages:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        page.wait_for_load_state("networkidle")  # parts loaded by htmx (the inbox list) are in
        page.wait_for_timeout(150)  # let onerror/onload handlers fire if anything slipped through
        assert page.evaluate("window.__xss") is None, f"a payload ran on {url}"
        html = page.content()
        assert label in html, f"{url} does not show the {label.strip()!r} field"
        for markup in INJECTED:
            assert markup not in html, f"{url}: {markup!r} was parsed as HTML"
    assert not dialogs, dialogs
    assert not page.js_errors
