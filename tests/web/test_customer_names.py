"""Customers without names (issue 10, item 3): a web visitor is "Pengunjung web #123" everywhere staff look,
never a visitor hash; the widget asks for a name and an optional WhatsApp number; WhatsApp push names are
used; staff rename a customer in the inbox."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from niaga.customers.models import Customer
from niaga.messaging.models import Conversation
from niaga.orders import service as orders
from tests import factories as f
from tests.web.conftest import PHONE, shoot
from tests.web.helpers import login, post_form

VISITOR = "a3f9c2e17b4d4e0f9a1b2c3d4e5f6a7b"  # what the widget stores: 32 hex characters


def _visitor_chat(client, slug: str, text: str = "halo kak", visitor: str = VISITOR):  # type: ignore[no-untyped-def]
    r = client.post(f"/widget/{slug}/messages", json={"visitor_id": visitor, "text": text})
    assert r.status_code == 201, r.text
    return r.json()["data"]["message"]["conversation_id"]


def test_an_unnamed_web_visitor_is_labelled_never_a_hash(client, world, db):
    conv_id = _visitor_chat(client, world.a.slug)
    conv = db.get(Conversation, conv_id)
    f.make_product(db, business=world.a, sku="P-1", price=5000)
    order = orders.create(
        db,
        business_id=world.a.id,
        items=[{"sku": "P-1", "quantity": 1}],
        actor=orders.Actor.system("t"),
        customer_id=conv.customer_id,
    )
    db.commit()
    label = f"Pengunjung web #{conv.customer_id}"
    login(client, "staff@a.test")
    for url in (
        "/app/inbox",
        f"/app/inbox/{conv_id}",
        "/app/pelanggan",
        f"/app/pelanggan/{conv.customer_id}",
        "/app/pesanan",
        f"/app/pesanan/{order.id}",
    ):
        html = client.get(url).text
        assert label in html, url
        assert not re.search(r">\s*" + VISITOR + r"\s*<", html), f"{url} shows the visitor hash as a name"


def test_widget_profile_names_the_visitor_and_bad_phone_is_refused(client, world, db):
    _visitor_chat(client, world.a.slug)
    r = client.post(
        f"/widget/{world.a.slug}/profile", json={"visitor_id": VISITOR, "name": "Siti", "phone": "12ab"}
    )
    assert r.status_code == 422 and "Nomor WhatsApp tidak valid" in r.text
    r = client.post(
        f"/widget/{world.a.slug}/profile", json={"visitor_id": VISITOR, "name": "  ", "phone": None}
    )
    assert r.status_code == 422
    db.rollback()
    c = db.scalars(sa.select(Customer).where(Customer.business_id == world.a.id)).one()
    assert (c.name, c.phone) == ("", None)  # refused input changed nothing
    r = client.post(
        f"/widget/{world.a.slug}/profile",
        json={"visitor_id": VISITOR, "name": "Siti  Aminah", "phone": "0812-3456-7890"},
    )
    assert r.status_code == 200 and r.json()["data"] == {"name": "Siti Aminah", "phone": "6281234567890"}
    db.rollback()
    db.expire_all()
    c = db.scalars(sa.select(Customer).where(Customer.business_id == world.a.id)).one()
    assert (c.name, c.phone) == ("Siti Aminah", "6281234567890")
    login(client, "staff@a.test")
    assert "Siti Aminah" in client.get("/app/inbox").text


def test_staff_rename_a_customer_in_the_inbox(client, world, db):
    conv_id = _visitor_chat(client, world.a.slug)
    login(client, "staff@a.test")
    r = post_form(client, f"/app/inbox/{conv_id}", f"/app/inbox/{conv_id}/nama", {"name": "  "})
    assert "Nama tidak boleh kosong" in client.get(f"/app/inbox/{conv_id}").text
    r = post_form(client, f"/app/inbox/{conv_id}", f"/app/inbox/{conv_id}/nama", {"name": "Pak  Budi"})
    assert r.status_code == 303
    db.rollback()
    db.expire_all()
    assert db.get(Customer, db.get(Conversation, conv_id).customer_id).name == "Pak Budi"
    # Another business's conversation cannot be renamed through this business's staff.
    other = _visitor_chat(client, world.b.slug, visitor="b" * 32)
    r = post_form(client, f"/app/inbox/{conv_id}", f"/app/inbox/{other}/nama", {"name": "X"})
    assert r.status_code == 404


def test_whatsapp_push_name_names_the_customer():
    from niaga.integrations.waha.tasks import push_name
    from tests.fakes.waha import message_event

    ev = message_event(text="halo")["payload"]
    assert push_name(ev) is None
    ev["_data"] = {"notifyName": " Rina  Wati "}
    assert push_name(ev) == "Rina Wati"
    ev["_data"] = {"pushName": "~"}
    assert push_name(ev) is None


def test_widget_asks_for_a_name_first_in_chromium(browser, live, world, db, output_dir: Path):
    shop = f"{live.url}/toko-contoh.html"
    html = (
        f'<!doctype html><html lang="id"><body><h1>Toko A</h1>'
        f'<script src="{live.url}/widget.js" data-business="{world.a.slug}"></script></body></html>'
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = context.new_page()
    try:
        page.route(shop, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        page.goto(shop)
        widget = page.locator("[data-niaga-widget]")
        widget.locator(".bubble").click()
        intro = widget.locator(".intro")
        expect(intro).to_be_visible()
        expect(intro).to_contain_text("Boleh kenalan dulu?")
        shoot(page, output_dir, "widget-intro")
        page.set_viewport_size(PHONE)
        intro.locator(".go").click()  # no name yet: a note, not a request
        expect(widget.locator(".note")).to_contain_text("Isi nama dulu")
        intro.locator(".nm").fill("Dewi Lestari")
        intro.locator(".ph").fill("0813 1111 2222")
        intro.locator(".go").click()
        expect(intro).to_be_hidden()
        widget.locator("textarea").fill("ada peci?")
        widget.locator("textarea").press("Enter")
        expect(widget.locator(".msg.in")).to_contain_text("ada peci?")
        shoot(page, output_dir, "widget-named")
    finally:
        context.close()
    db.rollback()
    db.expire_all()
    c = db.scalars(sa.select(Customer).where(Customer.business_id == world.a.id)).one()
    assert (c.name, c.phone) == ("Dewi Lestari", "6281311112222")
