"""Dashboard views over HTTP (no browser): login/lockout/CSRF, session expiry, roles, tenancy, forms with
field errors, import report, payments, inbox actions, write-only secrets and the overview figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from niaga.messaging.models import Conversation, Message
from niaga.orders import service as orders
from tests import factories as f
from tests.web.helpers import csrf_of, login, post_form

PAGES = [
    "/app",
    "/app/inbox",
    "/app/katalog",
    "/app/katalog/baru",
    "/app/katalog/impor",
    "/app/katalog/pengetahuan",
    "/app/katalog/pengetahuan/baru",
    "/app/katalog/ongkir",
    "/app/pelanggan",
    "/app/pesanan",
    "/app/pengaturan",
    "/app/pengaturan/kanal",
    "/app/pengaturan/pembayaran",
    "/app/pengaturan/ai",
    "/app/pengaturan/pengguna",
    "/app/pengaturan/api-keys",
    "/app/jobs",
]


def _order(db, business, *, qty: int = 2, price: int = 12500, customer=None):  # type: ignore[no-untyped-def]
    p = f.make_product(db, business=business, price=price, stock=50)
    o = orders.create(
        db,
        business_id=business.id,
        items=[{"product_id": p.id, "quantity": qty}],
        actor=orders.Actor.system(),
        customer_id=customer.id if customer else None,
    )
    db.commit()
    return o


def _conversation(db, business, *, text: str = "Halo kak, peci ready?", owner: str = "bot"):  # type: ignore[no-untyped-def]
    c = f.make_customer(
        db,
        business=business,
        name="Budi",
        phone="6281311112222",
        channel="whatsapp",
        external_id="6281311112222@c.us",
    )
    conv = Conversation(
        business_id=business.id,
        customer_id=c.id,
        channel="whatsapp",
        chat_id="6281311112222@c.us",
        owner=owner,
        unread_count=1,
        last_message_at=datetime.now(UTC),
        last_message_preview=text,
    )
    db.add(conv)
    db.flush()
    db.add(
        Message(
            business_id=business.id,
            conversation_id=conv.id,
            channel="whatsapp",
            direction="in",
            sender_type="customer",
            text=text,
            intent="stock_check",
        )
    )
    db.add(
        Message(
            business_id=business.id,
            conversation_id=conv.id,
            channel="whatsapp",
            direction="out",
            sender_type="bot",
            text="Ready kak, stok 10.",
            intent="stock_check",
            delivery_status="sent",
            media=[{"filename": "katalog.pdf", "mimetype": "application/pdf", "url": "http://x/katalog.pdf"}],
        )
    )
    db.commit()
    return conv


# --- shell ----------------------------------------------------------------------------------------------


def test_pages_need_login_and_return_after_login(client, world):
    r = client.get("/app/pesanan?status=paid", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/app/pesanan")
    r = login(client, "owner@a.test", next_url="/app/pesanan?status=paid")
    assert r.status_code == 303
    assert r.headers["location"] == "/app/pesanan?status=paid"
    assert client.get("/app/pesanan?status=paid").status_code == 200


def test_login_errors_are_indonesian_and_lockout_persists(client, world):
    for _ in range(5):
        r = login(client, "owner@a.test", password="salah-sekali")
        assert r.status_code == 401
        assert "Email atau kata sandi salah." in r.text
        assert 'value="owner@a.test"' in r.text  # what was typed is kept
    r = login(client, "owner@a.test")
    assert r.status_code == 429
    assert "Terlalu banyak percobaan gagal" in r.text
    assert "Traceback" not in r.text


def test_login_requires_csrf_token(client, world):
    client.get("/login")
    r = client.post("/login", data={"email": "owner@a.test", "password": f.PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert "Formulir kedaluwarsa" in r.text


def test_empty_login_fields_get_field_errors(client, world):
    page = client.get("/login")
    r = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422
    assert "Email wajib diisi." in r.text and "Kata sandi wajib diisi." in r.text


def test_every_page_renders_for_the_owner(client, world):
    assert login(client, "owner@a.test").status_code == 303
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        assert "Traceback" not in r.text
        assert 'lang="id"' in r.text


def test_expired_session_goes_to_login_then_back(client, world, monkeypatch, clock):
    from niaga.web import core

    login(client, "staff@a.test")
    assert client.get("/app/pesanan").status_code == 200
    monkeypatch.setattr(core, "SESSION_MAX_AGE", 0)
    clock.advance(1.1)
    r = client.get("/app/pesanan", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/app/pesanan&expired=1"
    monkeypatch.setattr(core, "SESSION_MAX_AGE", 3600)
    page = client.get(r.headers["location"])
    assert "Sesi Anda berakhir" in page.text
    r = client.post(
        "/login",
        data={
            "email": "staff@a.test",
            "password": f.PASSWORD,
            "next": "/app/pesanan",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/app/pesanan"


def test_logout_needs_csrf_and_ends_the_session(client, world):
    login(client, "owner@a.test")
    page = client.get("/app")
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/login?bye=1"
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_language_toggle_switches_labels(client, world):
    login(client, "owner@a.test")
    assert "Ringkasan" in client.get("/app").text
    r = post_form(client, "/app", "/app/bahasa", {"lang": "en", "next": "/app"})
    assert r.status_code == 303
    html = client.get("/app").text
    assert "Overview" in html and 'lang="en"' in html


# --- roles and tenancy ------------------------------------------------------------------------------------


def test_staff_gets_clear_no_access_page_for_settings(client, world):
    login(client, "staff@a.test")
    for url in ("/app/pengaturan", "/app/jobs", "/app/pengaturan/api-keys"):
        r = client.get(url)
        assert r.status_code == 403
        assert "Tidak punya akses" in r.text
    nav = client.get("/app").text
    assert "/app/pengaturan" not in nav and "/app/inbox" in nav


def test_operator_sees_print_queue_only(client, world, db):
    from niaga.tenancy import service as tenancy

    tenancy.update_business(db, world.a, settings={"modules": {"print": True}})
    db.commit()
    r = login(client, "operator@a.test")
    assert r.headers["location"] == "/app/cetak"
    assert client.get("/app", follow_redirects=False).headers["location"] == "/app/cetak"
    assert client.get("/app/pesanan").status_code == 403
    assert client.get("/app/cetak").status_code == 200


def test_print_queue_only_for_businesses_with_the_print_module(client, world, db):
    from niaga.tenancy import service as tenancy

    login(client, "owner@a.test")
    page = client.get("/app").text
    assert "/app/cetak" not in page and "Antrean cetak" not in page
    assert client.get("/app/cetak").status_code == 404
    assert 'id="print-pricing"' not in client.get("/app/pengaturan").text  # no print prices to fill in
    tenancy.update_business(db, world.a, settings={"modules": {"print": True}})
    db.commit()
    assert "/app/cetak" in client.get("/app").text
    assert client.get("/app/cetak").status_code == 200
    assert 'id="print-pricing"' in client.get("/app/pengaturan").text


def test_user_without_business_cannot_log_in(client, world):
    r = login(client, "outsider@x.test")
    assert r.status_code == 403
    assert "belum terhubung" in r.text


def test_other_business_records_are_not_found(client, world, db):
    order_b = _order(db, world.b)
    conv_b = _conversation(db, world.b)
    login(client, "owner@a.test")
    for url in (
        f"/app/pesanan/{order_b.id}",
        f"/app/inbox/{conv_b.id}",
        f"/app/pesanan/{order_b.id}/invoice",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "tidak ditemukan" in r.text
    r = post_form(
        client,
        "/app/pesanan",
        f"/app/pesanan/{order_b.id}/bayar",
        {"method": "cash", "amount": "1000", "tendered": "1000"},
    )
    assert r.status_code == 404
    db.refresh(order_b)
    assert order_b.paid_amount == 0


def test_business_switcher(client, world, db):
    from niaga.tenancy import service as tenancy

    tenancy.add_member(db, user=world.owner, business=world.b, role="staff")
    db.commit()
    login(client, "owner@a.test")
    assert "Toko A" in client.get("/app").text
    r = post_form(client, "/app", "/app/bisnis", {"business": "toko-b"})
    assert r.status_code == 303
    html = client.get("/app").text
    assert '<option value="toko-b" selected>' in html
    assert client.get("/app/pengaturan").status_code == 403  # staff in B
    r = post_form(client, "/app", "/app/bisnis", {"business": "tidak-ada"})
    assert r.status_code == 403


def test_api_accepts_the_dashboard_cookie_but_not_for_writes_without_csrf(client, world):
    login(client, "owner@a.test")
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["data"]["business"]["slug"] == "toko-a"
    r = client.patch("/api/v1/business", json={"name": "Dibajak"})
    assert r.status_code == 401
    token = csrf_of(client.get("/app").text)
    r = client.patch("/api/v1/business", json={"name": "Toko A Baru"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_unknown_dashboard_path_is_a_friendly_404(client, world):
    login(client, "owner@a.test")
    r = client.get("/app/tidak-ada")
    assert r.status_code == 404 and "Halaman tidak ditemukan" in r.text
    assert client.get("/api/v1/tidak-ada").json()["success"] is False  # the API keeps its envelope


# --- catalog ----------------------------------------------------------------------------------------------


def test_product_form_keeps_input_and_shows_field_errors(client, world, db):
    from niaga.catalog.models import Product

    login(client, "staff@a.test")
    r = post_form(
        client,
        "/app/katalog/baru",
        "/app/katalog/baru",
        {"sku": "PECI-01", "name": "", "price": "abc", "sale_price": "5000", "stock": "-3", "is_active": "1"},
    )
    assert r.status_code == 422
    assert "Nama wajib diisi." in r.text
    assert "Harga harus berupa angka rupiah" in r.text
    assert "Stok tidak boleh negatif." in r.text
    assert 'value="PECI-01"' in r.text and 'value="abc"' in r.text
    assert db.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
    r = post_form(
        client,
        "/app/katalog/baru",
        "/app/katalog/baru",
        {
            "sku": "PECI-01",
            "name": "Peci Hitam",
            "price": "Rp40.000",
            "sale_price": "",
            "stock": "12",
            "is_active": "1",
            "tags": "peci, songkok",
        },
    )
    assert r.status_code == 303
    db.commit()  # end the test session's read snapshot
    p = db.scalars(sa.select(Product).where(Product.business_id == world.a.id)).one()
    assert (p.price, p.stock, p.tags) == (40000, 12, ["peci", "songkok"])
    # a duplicate SKU is a field error too, not a 500
    r = post_form(
        client, "/app/katalog/baru", "/app/katalog/baru", {"sku": "peci-01", "name": "Lain", "price": "1000"}
    )
    assert r.status_code == 422 and "SKU sudah dipakai" in r.text


def test_stock_adjust_refuses_negative(client, world, db):
    p = f.make_product(db, business=world.a, stock=3)
    login(client, "staff@a.test")
    r = post_form(
        client, f"/app/katalog/{p.id}", f"/app/katalog/{p.id}/stok", {"mode": "delta", "amount": "-5"}
    )
    assert r.status_code == 303
    assert "Stok tidak boleh negatif" in client.get(f"/app/katalog/{p.id}").text
    post_form(client, f"/app/katalog/{p.id}", f"/app/katalog/{p.id}/stok", {"mode": "delta", "amount": "+4"})
    db.refresh(p)
    assert p.stock == 7


def test_import_csv_reports_bad_rows(client, world, db):
    from niaga.catalog.models import Product

    csv = (
        b"sku,name,price,stock\nA-1,Peci,40000,5\nA-2,Sajadah,mahal,3\n,Tanpa SKU,1000,1\n"
        b'A-4,Tasbih,15000,-2\nA-5,Kopiah,"Rp 25.000",2\n'
    )
    login(client, "staff@a.test")  # imports are for admins, as through the API (issue 11, item 3)
    assert client.get("/app/katalog/impor").status_code == 403
    login(client, "admin@a.test")
    page = client.get("/app/katalog/impor")
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": csrf_of(page.text)},
        files={"file": ("produk.csv", csv, "text/csv")},
    )
    assert r.status_code == 200, r.text[:500]
    assert 'id="import-report"' in r.text
    assert "harga bukan angka" in r.text and "SKU kosong" in r.text and "stok negatif" in r.text
    skus = set(db.scalars(sa.select(Product.sku).where(Product.business_id == world.a.id)))
    assert skus == {"A-1", "A-5"}
    r = client.post(
        "/app/katalog/impor",
        data={"kind": "products", "csrf_token": csrf_of(page.text)},
        files={"file": ("produk.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert r.status_code == 422 and "Format file tidak didukung" in r.text


def test_knowledge_and_rates_forms(client, world, db):
    from niaga.catalog.models import ShippingRate
    from niaga.knowledge.models import KnowledgeDocument

    login(client, "staff@a.test")
    r = post_form(
        client,
        "/app/katalog/pengetahuan/baru",
        "/app/katalog/pengetahuan/baru",
        {"title": "Retur", "content": "", "is_active": "1"},
    )
    assert r.status_code == 422 and "Isi wajib diisi." in r.text
    r = post_form(
        client,
        "/app/katalog/pengetahuan/baru",
        "/app/katalog/pengetahuan/baru",
        {"title": "Retur", "content": "Retur 7 hari.", "is_active": "1"},
    )
    assert r.status_code == 303
    db.commit()
    assert db.scalars(sa.select(KnowledgeDocument.title)).all() == ["Retur"]
    r = post_form(
        client,
        "/app/katalog/ongkir",
        "/app/katalog/ongkir",
        {
            "origin_city": "Yogyakarta",
            "destination_city": "Bandung",
            "courier": "JNE",
            "service": "REG",
            "price_per_kg": "16.000",
            "etd_days": "2-3",
        },
    )
    assert r.status_code == 303
    db.commit()
    assert db.scalars(sa.select(ShippingRate.price_per_kg)).all() == [16000]


# --- orders -----------------------------------------------------------------------------------------------


def test_cash_payment_records_change_and_pays_the_order(client, world, db):
    o = _order(db, world.a, qty=2, price=12500)  # 25.000
    login(client, "staff@a.test")
    r = post_form(
        client,
        f"/app/pesanan/{o.id}",
        f"/app/pesanan/{o.id}/bayar",
        {"method": "cash", "amount": "25000", "tendered": "20.000"},
    )
    assert r.status_code == 422
    assert "kurang dari jumlah bayar" in r.text
    r = post_form(
        client,
        f"/app/pesanan/{o.id}",
        f"/app/pesanan/{o.id}/bayar",
        {"method": "cash", "amount": "25000", "tendered": "50.000"},
    )
    assert r.status_code == 303
    html = client.get(f"/app/pesanan/{o.id}").text
    assert "Kembalian Rp25.000" in html
    db.refresh(o)
    assert o.status == "paid" and o.paid_amount == 25000
    payments = orders.payments_of(db, o)
    assert [(p.method, p.tendered, p.change) for p in payments] == [("cash", 50000, 25000)]


def test_transfer_needs_proof_and_stores_it(client, world, db):
    o = _order(db, world.a, qty=1, price=30000)
    login(client, "staff@a.test")
    r = post_form(
        client,
        f"/app/pesanan/{o.id}",
        f"/app/pesanan/{o.id}/bayar",
        {"method": "transfer", "amount": "30000"},
    )
    assert r.status_code == 422 and "Unggah bukti transfer." in r.text
    page = client.get(f"/app/pesanan/{o.id}")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    r = client.post(
        f"/app/pesanan/{o.id}/bayar",
        data={
            "method": "transfer",
            "amount": "30000",
            "reference": "BCA-123",
            "csrf_token": csrf_of(page.text),
        },
        files={"proof": ("bukti.png", png, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    p = orders.payments_of(db, o)[0]
    assert p.proof[0]["filename"] == "bukti.png"
    r = client.get(f"/app/pesanan/{o.id}/bukti/{p.id}/0")
    assert r.status_code == 200 and r.content == png


def test_state_actions_follow_the_role(client, world, db):
    o = _order(db, world.a)
    orders.do_record_payment(db, order=o, method="cash", actor=orders.Actor.system(), tendered=o.total)
    db.commit()
    login(client, "staff@a.test")
    html = client.get(f"/app/pesanan/{o.id}").text
    assert 'value="processing"' in html and 'value="refunded"' not in html
    r = post_form(client, f"/app/pesanan/{o.id}", f"/app/pesanan/{o.id}/status", {"to": "refunded"})
    assert r.status_code == 403
    r = post_form(client, f"/app/pesanan/{o.id}", f"/app/pesanan/{o.id}/status", {"to": "processing"})
    assert r.status_code == 303
    db.refresh(o)
    assert o.status == "processing"
    r = client.get(f"/app/pesanan/{o.id}/invoice")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


# --- inbox ------------------------------------------------------------------------------------------------


def test_inbox_thread_take_over_reply_hand_back(client, world, db):
    from niaga.jobs.models import Job

    conv = _conversation(db, world.a)
    login(client, "staff@a.test")
    html = client.get("/app/inbox").text
    assert "Budi" in html and "Halo kak, peci ready?" in html
    page = client.get(f"/app/inbox/{conv.id}")
    # intents are shown to staff by their Indonesian label, never the code (behaviour changed in issue 10)
    assert "Cek stok" in page.text and "stock_check" not in page.text.replace('data-intent="stock_check"', "")
    assert "katalog.pdf" in page.text
    r = post_form(client, f"/app/inbox/{conv.id}", f"/app/inbox/{conv.id}/ambil-alih", {})
    assert r.status_code == 303
    db.refresh(conv)
    assert conv.owner == "staff" and conv.assigned_user_id == world.staff.id
    r = post_form(
        client,
        f"/app/inbox/{conv.id}",
        f"/app/inbox/{conv.id}/reply",
        {"text": ""},
        headers={"HX-Request": "true"},
    )
    assert "Balasan tidak boleh kosong." in r.text
    r = post_form(
        client,
        f"/app/inbox/{conv.id}",
        f"/app/inbox/{conv.id}/reply",
        {"text": "Siap kak, saya bantu."},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Siap kak, saya bantu." in r.text
    assert r.headers.get("HX-Trigger") == "reply-sent"
    db.commit()
    msg = db.scalars(sa.select(Message).where(Message.sender_type == "staff")).one()
    assert msg.sender_user_id == world.staff.id
    assert db.scalars(sa.select(Job.name).where(Job.name == "channels.send_message")).all()
    r = post_form(client, f"/app/inbox/{conv.id}", f"/app/inbox/{conv.id}/kembalikan", {})
    db.commit()
    db.refresh(conv)
    assert conv.owner == "bot"


def test_mark_read_and_notes(client, world, db):
    conv = _conversation(db, world.a)
    login(client, "staff@a.test")
    r = post_form(client, f"/app/inbox/{conv.id}", f"/app/inbox/{conv.id}/read", {})
    assert r.status_code == 204
    db.refresh(conv)
    assert conv.unread_count == 0
    post_form(
        client,
        f"/app/inbox/{conv.id}",
        f"/app/inbox/{conv.id}/catatan",
        {"notes": "Suka peci ukuran 7", "tags": "vip, grosir"},
    )
    html = client.get(f"/app/pelanggan/{conv.customer_id}").text
    assert "Suka peci ukuran 7" in html and "vip, grosir" in html


def test_sse_endpoint_requires_login(client, world):
    assert client.get("/app/events").status_code == 401


def test_csrf_is_required_on_dashboard_posts(client, world, db):
    conv = _conversation(db, world.a)
    login(client, "staff@a.test")
    r = client.post(f"/app/inbox/{conv.id}/ambil-alih", data={}, follow_redirects=False)
    assert r.status_code == 403
    db.refresh(conv)
    assert conv.owner == "bot"


# --- settings and jobs ------------------------------------------------------------------------------------


def test_channel_secrets_are_write_only(client, world, db):
    login(client, "owner@a.test")
    r = post_form(
        client,
        "/app/pengaturan/kanal",
        "/app/pengaturan/kanal/waha",
        {
            "config_base_url": "",
            "config_session": "default",
            "secret_api_key": "",
            "secret_hmac_key": "",
            "is_enabled": "1",
        },
    )
    assert r.status_code == 422 and "Wajib diisi." in r.text
    r = post_form(
        client,
        "/app/pengaturan/kanal",
        "/app/pengaturan/kanal/waha",
        {
            "config_base_url": "http://127.0.0.1:9",
            "config_session": "default",
            "secret_api_key": "rahasia-waha-123",
            "secret_hmac_key": "hmac-rahasia-456",
            "is_enabled": "1",
        },
    )
    assert r.status_code == 303
    html = client.get("/app/pengaturan/kanal").text
    assert "rahasia-waha-123" not in html and "hmac-rahasia-456" not in html
    assert "tersimpan (tidak ditampilkan)" in html
    # test connection against a closed port: a clear failure message, no 500
    r = post_form(client, "/app/pengaturan/kanal", "/app/pengaturan/kanal/waha/tes", {})
    assert r.status_code == 303
    assert "tidak dapat dihubungi" in client.get("/app/pengaturan/kanal").text


def test_profile_hours_validation(client, world, db):
    login(client, "admin@a.test")
    page = client.get("/app/pengaturan")
    data = {
        "name": "Toko A",
        "agent_persona_name": "Sari",
        "agent_tone": "ramah",
        "print_bw_per_page": "300",
        "print_color_per_page": "1500",
        "print_thesis_per_page": "500",
        "express_surcharge_pct": "50",
        "binding_none": "0",
        "binding_staple": "2000",
        "binding_spiral": "5000",
        "binding_hardcover": "15000",
        "csrf_token": csrf_of(page.text),
    }
    for d in range(1, 8):
        data[f"open_{d}"], data[f"close_{d}"] = "08:00", "17:00"
    data["open_3"], data["close_3"] = "18:00", "09:00"
    data["closed_7"] = "1"
    r = client.post("/app/pengaturan", data=data, follow_redirects=False)
    assert r.status_code == 422 and "Jam tutup harus setelah jam buka." in r.text
    data["open_3"], data["close_3"] = "09:00", "18:00"
    r = client.post("/app/pengaturan", data=data, follow_redirects=False)
    assert r.status_code == 303
    db.refresh(world.a)
    assert world.a.settings["hours"]["3"] == ["09:00", "18:00"] and world.a.settings["hours"]["7"] == []
    assert world.a.settings["agent"]["persona_name"] == "Sari"


def test_ai_settings_key_is_never_shown(client, world, db):
    login(client, "owner@a.test")
    r = post_form(
        client,
        "/app/pengaturan/ai",
        "/app/pengaturan/ai",
        {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "base_url": "https://api.openai.com/v1",
            "api_key": "sk-rahasia-xyz",
            "daily_token_budget": "100000",
        },
    )
    assert r.status_code == 303
    html = client.get("/app/pengaturan/ai").text
    assert "sk-rahasia-xyz" not in html and "gpt-4o-mini" in html
    db.refresh(world.a)
    assert world.a.settings["agent"]["provider"] == "openai"


def test_users_and_api_keys(client, world, db):
    from niaga.tenancy.models import ApiKey, Membership

    login(client, "admin@a.test")
    r = post_form(
        client,
        "/app/pengaturan/pengguna",
        "/app/pengaturan/pengguna",
        {"email": "kasir@a.test", "name": "Kasir", "role": "owner", "password": "panjang-sekali"},
    )
    assert r.status_code == 422 and "Peran tidak boleh diberikan" in r.text  # admin cannot make owners
    r = post_form(
        client,
        "/app/pengaturan/pengguna",
        "/app/pengaturan/pengguna",
        {"email": "kasir@a.test", "name": "Kasir", "role": "staff", "password": "pendek"},
    )
    assert r.status_code == 422 and "minimal 8 karakter" in r.text
    r = post_form(
        client,
        "/app/pengaturan/pengguna",
        "/app/pengaturan/pengguna",
        {"email": "kasir@a.test", "name": "Kasir", "role": "staff", "password": "panjang-sekali"},
    )
    assert r.status_code == 303
    db.commit()
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Membership).where(Membership.business_id == world.a.id)
        )
        == 5
    )
    r = post_form(
        client, "/app/pengaturan/api-keys", "/app/pengaturan/api-keys", {"name": "n8n", "role": "staff"}
    )
    assert r.status_code == 200
    db.commit()
    key = db.scalars(sa.select(ApiKey)).one()
    assert f"nk_{key.prefix}_" in r.text  # shown once
    later = client.get("/app/pengaturan/api-keys").text
    assert f"nk_{key.prefix}_…" in later and 'id="new-key"' not in later  # never shown again


def test_jobs_page_replay_and_discard(client, world, db):
    from niaga.jobs.models import DeadLetter, Job

    job = Job(
        name="channels.send_message",
        args={"message_id": 1},
        business_id=world.a.id,
        status="dead",
        attempts=8,
    )
    db.add(job)
    db.flush()
    dl = DeadLetter(
        job_id=job.id,
        business_id=world.a.id,
        name=job.name,
        args=job.args,
        error="ProviderError: WAHA 500",
        attempts=8,
    )
    db.add(dl)
    db.commit()
    login(client, "admin@a.test")
    html = client.get("/app/jobs").text
    assert "ProviderError: WAHA 500" in html
    assert "Job gagal" in client.get("/app").text
    r = post_form(client, "/app/jobs", f"/app/jobs/{dl.id}/ulang", {})
    assert r.status_code == 303
    db.refresh(dl)
    db.refresh(job)
    assert dl.status == "replayed" and job.status == "pending"
    r = post_form(client, "/app/jobs", f"/app/jobs/{dl.id}/buang", {})
    assert "sudah diproses ulang" in client.get("/app/jobs").text


# --- overview ---------------------------------------------------------------------------------------------


def test_overview_figures(db, world):
    from niaga.web import stats

    cust_old = f.make_customer(db, business=world.a, name="Lama")
    cust_new = f.make_customer(db, business=world.a, name="Baru")
    now = datetime.now(UTC)
    first_of_month = now.astimezone(stats.tz("Asia/Jakarta")).replace(day=1, hour=12)
    old = _order(db, world.a, qty=1, price=10000, customer=cust_old)
    old.created_at = first_of_month - timedelta(days=40)
    paid = _order(db, world.a, qty=2, price=10000, customer=cust_old)
    orders.do_record_payment(db, order=paid, method="cash", actor=orders.Actor.system(), tendered=20000)
    _order(db, world.a, qty=1, price=5000, customer=cust_new)  # awaiting payment: an order, no revenue
    _order(db, world.b, qty=9, price=99000)  # another business: never counted
    conv = _conversation(db, world.a)
    db.add(
        Message(
            business_id=world.a.id,
            conversation_id=conv.id,
            channel="whatsapp",
            direction="out",
            sender_type="staff",
            text="halo",
        )
    )
    db.commit()
    s = stats.compute(db, world.a)
    assert s.today_orders == 2 and s.today_revenue == 20000
    assert s.month_orders == 2 and s.month_revenue == 20000
    assert (s.new_customers, s.returning_customers) == (1, 1)
    assert (s.open_bot, s.open_staff) == (1, 0)
    assert (s.replies_bot, s.replies_staff) == (1, 1)
    assert sum(s.hours) == 1
    assert s.revenue_days[-1][1] == 20000 and len(s.revenue_days) == 30
    assert s.status_counts == {"awaiting_payment": 1, "paid": 1}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_i18n_tables_cover_every_key(lang):
    from niaga.web import i18n

    assert all(i18n.t(k, lang) != k for k in i18n.ID)
