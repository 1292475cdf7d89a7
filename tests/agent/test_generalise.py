"""The rules behind issue 15's failure kinds, one test each (the held-out files measure them end to end)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from niaga.agent import nlu
from niaga.kit.lang import tokens
from niaga.orders.models import Order


def _qty(text: str, name: str) -> int | None:
    a = nlu.analyze(text)
    return nlu.extract_quantity(a, names=[tokens(name)], product_words=set(tokens(name)))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("harga al quran hafalan 8 blok berapa?", "Al-Quran Hafalan 8 Blok"),
        ("kisah 25 nabi berapa kak", "Seri Kisah 25 Nabi untuk Anak (5 Jilid)"),
        ("kisah 25 nabi 5 jilid ada stok?", "Seri Kisah 25 Nabi untuk Anak (5 Jilid)"),
        ("brp iqro jilid 1-6 besar?", "Iqro Jilid 1-6 Besar"),
        ("masker batik isi 3 ready?", "Masker Batik 3 Lapis (isi 3)"),
        ("3 lapis masker batiknya brp?", "Masker Batik 3 Lapis (isi 3)"),
        ("cetak kartu nama per box 100 lembar harganya?", "Cetak Kartu Nama (per box 100 lembar)"),
    ],
)
def test_a_number_inside_the_product_name_is_not_a_quantity(text: str, name: str) -> None:
    assert _qty(text, name) is None


@pytest.mark.parametrize(
    ("text", "name", "qty"),
    [
        ("pesan 2 pcs al quran hafalan 8 blok", "Al-Quran Hafalan 8 Blok", 2),
        ("pesan 3 masker batik 3 lapis", "Masker Batik 3 Lapis (isi 3)", 3),
        ("mau pesan masker batik 3 lapis 4 pack", "Masker Batik 3 Lapis (isi 3)", 4),
        ("butuh 4 kisah 25 nabi buat hadiah", "Seri Kisah 25 Nabi untuk Anak (5 Jilid)", 4),
        ("tafsir juz amma ada 30 eks?", "Tafsir Juz Amma Tematik", 30),
        ("Saya ingin memesan 4 buku sirah nabawiyah", "Sirah Nabawiyah Ringkas", 4),
    ],
)
def test_a_quantity_needs_a_cue(text: str, name: str, qty: int) -> None:
    assert _qty(text, name) == qty


def test_a_bare_number_without_a_cue_is_not_a_quantity() -> None:
    assert _qty("harga iqro jilid 1 sampai 6?", "Iqro Jilid 1-6 Besar") is None


@pytest.mark.parametrize(
    "text",
    [
        "sambungin ke CS manusia dong",
        "mau bicara sama pemilik toko",
        "kamu robot ya? aku mau sama orang",
        "ga mau sama bot, panggilin orangnya",
        "can I talk to a real person please",
        "mau ngomong sama yang punya toko",
        "bisa minta dihubungi sama CS?",
    ],
)
def test_asking_for_a_person(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


@pytest.mark.parametrize("text", ["mau pesan buat 20 orang", "ada buku untuk orang tua?", "halo kak"])
def test_not_asking_for_a_person(text: str) -> None:
    assert "handoff" not in nlu.analyze(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "pesanan saya kurang satu",
        "kok belum sampai juga ya paketnya",
        "cetakan kartu namanya salah, namanya typo semua",
        "sajadahnya beda warna sama yang di foto",
        "hasil printnya miring semua",
        "my order still hasn't arrived",
        "kok pesanan saya yang dateng cuma 1, padahal pesen 2",
    ],
)
def test_complaint_signals(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_complaint_hands_off_with_the_latest_order(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    first = chat(rizquna, "62816000001", "halo")
    db.add(
        Order(
            business_id=rizquna.id,
            number="ORD-20261120-0009",
            customer_id=first.conversation.customer_id,
            status="shipped",
            total=80000,
            subtotal=80000,
        )
    )
    db.commit()
    t = chat(rizquna, "62816000001", "barangnya rusak pas sampai kak")
    assert t.intent == "complaint" and t.handoff
    assert "maaf" in t.reply.lower() and "ORD-20261120-0009" in t.reply
    db.refresh(first.conversation)
    assert first.conversation.owner == "staff"
    assert first.conversation.handoff_reason == "complaint ORD-20261120-0009"


def test_repeated_not_understood_hands_off(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62816000002", "asdf qwerty")
    t = chat(rizquna, "62816000002", "zxcv bnm lkj")
    assert t.handoff


def test_stock_below_the_asked_quantity_says_how_many(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62816000003", "stoknya cukup buat 20 pcs gak? ensiklopedia muslim cilik")
    assert t.intent == "stock_check" and t.entities.get("quantity") == 20
    assert "9" in t.reply and "tidak tersedia" not in t.reply


def test_order_with_city_and_courier_in_one_message(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62816000004", "order 3 peci, kirim ke Bandung pakai SiCepat")
    assert t.intent == "order_create"
    assert t.entities == {
        "sku": "RQ-PECI-001",
        "quantity": 3,
        "destination_city": "Bandung",
        "courier": "SiCepat",
    }
    assert "SiCepat" in t.reply and "15.000" in t.reply and "135.000" in t.reply


def test_policy_question_gets_no_product_from_nowhere(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62816000005", "harga peci hitam berapa?")
    t = chat(rizquna, "62816000005", "kalau pengiriman biasanya pakai kurir apa aja?")
    assert t.intent == "store_info" and "JNE" in t.reply and "Peci" not in t.reply


def test_english_words_find_indonesian_names(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62816000006", "do you have kids' story book?")
    assert "Kisah 25 Nabi" in t.reply and "not available" not in t.reply
    t = chat(rizquna, "62816000007", "I want to buy 2 white knitted caps")
    assert t.entities.get("sku") == "RQ-PECI-002"


def test_print_request_is_not_a_catalogue_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62816000008", "print 50 lembar warna berapa kak")
    assert t.intent == "price_check" and "sku" not in t.entities and "75.000" in t.reply


def test_print_shop_prices_come_from_its_price_list(db, chat) -> None:  # type: ignore[no-untyped-def]
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES
    from tests.factories import make_business

    shop = make_business(db, slug="fotokopi-uji")
    db.add(PrintPriceList(business_id=shop.id, name="default", prices=dict(DEFAULT_PRICES)))
    db.commit()
    t = chat(shop, "62816000009", "print skripsi 100 halaman 2 rangkap jilid hardcover berapa?")
    hard = DEFAULT_PRICES["binding"]["hard cover"]
    bw = DEFAULT_PRICES["per_page"]["A4"]["bw"]
    assert t.intent == "price_check"
    assert f"{hard:,}".replace(",", ".") in t.reply
    assert f"{100 * 2 * bw + 2 * hard:,}".replace(",", ".") in t.reply
    t = chat(shop, "62816000010", "jilid spiral berapa kak?")
    assert f"{DEFAULT_PRICES['binding']['spiral']:,}".replace(",", ".") in t.reply


def test_catalogue_index_follows_writes(rizquna, db) -> None:  # type: ignore[no-untyped-def]
    from niaga.catalog import search
    from niaga.catalog.models import Product

    before = search.get_index(db, business_id=rizquna.id)
    assert search.get_index(db, business_id=rizquna.id) is before  # one lookup per transaction
    p = db.scalars(sa.select(Product).where(Product.sku == "RQ-PECI-002")).one()
    p.name = "Kopiah Songket Emas"
    db.commit()
    hits = search.search_products(db, business_id=rizquna.id, query="kopiah songket")
    assert hits and hits[0].sku == "RQ-PECI-002"
    assert search.get_index(db, business_id=rizquna.id) is before  # updated in place, not rebuilt
