"""A print shop's prices on Pengaturan → Profil are its price list: the one the assistant quotes in chat and
the print-job pipeline charges (`printshop.pricing.active_price_list`). Before, the page edited a second table
of print prices that a shop with a price list never used, so an owner's new prices did not reach the chat."""

from __future__ import annotations

from typing import Any

from niaga.printshop import pricing as ps
from niaga.printshop.models import PrintPriceList
from tests.web.helpers import csrf_of, login


def _print_shop(db: Any, business: Any, *, price_list: bool = True) -> None:
    from niaga.tenancy import service as tenancy

    tenancy.update_business(db, business, settings={"modules": {"print": True}})
    if price_list:
        db.add(PrintPriceList(business_id=business.id, name="default", prices=dict(ps.DEFAULT_PRICES)))
        # an inactive older list with other prices: never the one shown, quoted or charged
        other = {**ps.DEFAULT_PRICES, "binding": {**ps.DEFAULT_PRICES["binding"], "hard cover": 99000}}
        db.add(PrintPriceList(business_id=business.id, name="lama", prices=other, is_active=False))
    db.commit()


def _form(page_html: str, **prices: str) -> dict[str, str]:
    """The profile form as the page fills it (hours Mon–Sat 08–17), with the price fields given."""
    data = {
        "name": "Toko A",
        "agent_persona_name": "Sari",
        "agent_tone": "ramah",
        "csrf_token": csrf_of(page_html),
    }
    for d in range(1, 7):
        data[f"open_{d}"], data[f"close_{d}"] = "08:00", "17:00"
    data["closed_7"] = "1"
    base = ps.DEFAULT_PRICES
    for size, row in base["per_page"].items():
        for mode in ("bw", "colour"):
            data[f"pp_{size.lower()}_{mode}"] = str(row[mode])
    for name, price in base["binding"].items():
        data[f"bind_{name.replace(' ', '_')}"] = str(price)
    for gsm, price in base["paper_gsm_surcharge_per_page"].items():
        data[f"gsm_{gsm}"] = str(price)
    for key in ("custom_cover_colour_surcharge", "photo_page", "minimum_charge"):
        data[key] = str(base[key])
    data["duplex_discount_pct"] = str(base["duplex_discount_pct"])
    data["express_surcharge_pct"] = str(base["express_surcharge_pct"])
    data.update(prices)
    return data


def _ask(db: Any, business: Any, sender: str, text: str) -> str:
    from niaga.agent.service import turn
    from niaga.customers.service import get_or_create_by_identity
    from niaga.messaging import service as conversations

    customer = get_or_create_by_identity(db, business_id=business.id, channel="whatsapp", external_id=sender)
    conv = conversations.get_or_open(
        db, business_id=business.id, customer_id=customer.id, channel="whatsapp", chat_id=sender
    )
    msg = conversations.record_inbound(db, conversation=conv, text=text)
    reply = turn(db, business=business, conversation=conv, message=msg).reply
    db.commit()
    return reply


def test_the_page_edits_the_price_list_the_chat_quotes(client, world, db) -> None:  # type: ignore[no-untyped-def]
    _print_shop(db, world.a)
    login(client, "admin@a.test")
    page = client.get("/app/pengaturan")
    html = page.text
    assert 'id="print-pricing"' in html
    # the list in use, not the inactive one and not the old settings table (hard cover 15.000 there)
    assert 'name="bind_hard_cover"' in html and 'value="35000"' in html and "99000" not in html
    assert "A4 hitam-putih / halaman" in html and "Biaya minimum per pesanan" in html
    assert "Belum ada daftar harga" not in html

    r = client.post(
        "/app/pengaturan",
        data=_form(html, bind_hard_cover="40.000", pp_a4_bw="Rp250", minimum_charge="3000"),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    db.expire_all()
    stored = ps.price_list_for(db, world.a.id)
    assert stored["binding"]["hard cover"] == 40000 and stored["per_page"]["A4"]["bw"] == 250
    assert stored["minimum_charge"] == 3000
    assert stored["cover_colours"] == ps.DEFAULT_PRICES["cover_colours"]  # what the page does not show: kept
    inactive = db.query(PrintPriceList).filter_by(business_id=world.a.id, name="lama").one()
    assert inactive.prices["binding"]["hard cover"] == 99000  # untouched

    # the assistant quotes the new prices at once
    assert "80.000" in _ask(db, world.a, "6281100000001", "jilid hard cover 2 buku berapa kak?")
    assert "25.000" in _ask(db, world.a, "6281100000002", "print 100 halaman hitam putih A4 berapa?")
    # and the print-job pipeline charges them
    q = ps.quote(ps.price_list_for(db, world.a.id), ps.QuoteRequest(bw_pages=100, binding="hard cover"))
    assert q.as_dict()["total"] == 100 * 250 + 40000


def test_bad_prices_get_a_clear_error_and_change_nothing(client, world, db) -> None:  # type: ignore[no-untyped-def]
    _print_shop(db, world.a)
    login(client, "admin@a.test")
    html = client.get("/app/pengaturan").text
    data = _form(
        html, pp_a4_bw="tiga ratus", bind_spiral="-5000", express_surcharge_pct="900", pp_f4_colour=""
    )
    r = client.post("/app/pengaturan", data=data, follow_redirects=False)
    assert r.status_code == 422
    assert "harus berupa angka rupiah" in r.text  # "tiga ratus"
    assert "Maksimal 500%." in r.text
    assert "wajib diisi" in r.text  # the empty F4 colour price
    assert 'value="tiga ratus"' in r.text  # what was typed is kept on the page
    db.expire_all()
    assert ps.price_list_for(db, world.a.id) == ps.validate_prices(dict(ps.DEFAULT_PRICES))
    db.refresh(world.a)
    assert (world.a.settings.get("agent") or {}).get("persona_name") != "Sari"  # nothing of the form saved


def test_a_print_shop_without_a_price_list_gets_one_when_it_saves(client, world, db) -> None:  # type: ignore[no-untyped-def]
    _print_shop(db, world.a, price_list=False)
    login(client, "admin@a.test")
    html = client.get("/app/pengaturan").text
    assert "Belum ada daftar harga" in html  # the figures shown are the example list
    assert db.query(PrintPriceList).filter_by(business_id=world.a.id).count() == 0
    db.rollback()  # end this session's read snapshot before the request writes
    r = client.post("/app/pengaturan", data=_form(html, bind_spiral="9000"), follow_redirects=False)
    assert r.status_code == 303
    db.expire_all()
    row = ps.active_price_list(db, world.a.id)
    assert row is not None and row.name == "default" and row.prices["binding"]["spiral"] == 9000
    assert "Belum ada daftar harga" not in client.get("/app/pengaturan").text


def test_a_shop_without_the_print_module_has_no_price_list_made(client, world, db) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin@a.test")
    html = client.get("/app/pengaturan").text
    assert 'id="print-pricing"' not in html
    r = client.post("/app/pengaturan", data=_form(html, bind_spiral="9000"), follow_redirects=False)
    assert r.status_code == 303
    assert db.query(PrintPriceList).filter_by(business_id=world.a.id).count() == 0


def test_the_agent_and_the_pipeline_pick_the_same_list(db, world) -> None:  # type: ignore[no-untyped-def]
    """Several lists: the active "default" one, else the oldest active one; an inactive list never."""
    from niaga.agent import tools

    older = {**ps.DEFAULT_PRICES, "minimum_charge": 7000}
    db.add(PrintPriceList(business_id=world.a.id, name="promo", prices=older, is_active=True))
    db.add(
        PrintPriceList(
            business_id=world.a.id, name="default", prices=dict(ps.DEFAULT_PRICES), is_active=False
        )
    )
    db.commit()
    ctx = tools.ToolContext(db=db, business=world.a)
    assert ps.price_list_for(db, world.a.id)["minimum_charge"] == 7000
    assert (tools._print_price_list(ctx) or {})["minimum_charge"] == 7000


def test_an_owner_changes_a_price_in_the_browser(page, live, world, db, output_dir) -> None:  # type: ignore[no-untyped-def]
    """At 1280×800 and 390×844: every price field fits the screen; a changed price is saved and quoted."""
    from tests.web.conftest import PHONE, shoot
    from tests.web.test_browser import log_in

    _print_shop(db, world.a)
    log_in(page, "owner@a.test", "/app/pengaturan")
    section = page.locator("#print-pricing")
    section.scroll_into_view_if_needed()
    shoot(page, output_dir, "print-prices")
    page.set_viewport_size(PHONE)
    inputs = section.locator("input[inputmode=numeric]")
    assert inputs.count() >= 14
    for i in range(inputs.count()):
        box = inputs.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], i
    page.fill("#f-bind_spiral", "Rp10.000")
    page.click("form[action='/app/pengaturan'] button[type=submit]")
    page.wait_for_url("**/app/pengaturan")
    assert page.locator("#f-bind_spiral").input_value() == "10000"
    assert not page.js_errors  # type: ignore[attr-defined]
    db.rollback()
    assert "30.000" in _ask(db, world.a, "6281100000003", "jilid spiral 3 buku berapa?")
