"""The rules behind the fixes that held-back batch 5 asked for, one test each, on messages of our own (the batch
itself measures them end to end: tests/agent/data/heldout5_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu

# --- A: context words never make a named product unavailable ------------------------------------------------


def test_a_purpose_phrase_does_not_hide_the_named_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000001", "mau 5 sajadah turki tebal buat hadiah wisuda, stoknya ada?")
    assert t.intent == "stock_check" and t.entities.get("sku") == "RQ-SAJ-001"
    assert t.entities.get("quantity") == 5 and "tidak tersedia" not in t.reply


def test_a_measure_does_not_hide_the_named_product(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62818000002", "syal batik sutra ukuran 2 meter harganya?")
    assert t.intent == "price_check" and t.entities.get("sku") == "BS-AKS-001"
    assert "tidak tersedia" not in t.reply


def test_a_count_and_a_purpose_together(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62818000003", "kemeja batik pria lengan panjang parang 12 pcs buat seragam guru, ready?")
    assert t.intent == "stock_check" and t.entities.get("sku") == "BS-KMJ-001"
    assert t.entities.get("quantity") == 12


def test_two_name_words_written_together(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000004", "harga tafsir juzamma berapa")
    assert t.entities.get("sku") == "RQ-BUKU-004" and "98.000" in t.reply


def test_an_unknown_word_still_makes_a_product_unavailable(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    # the context rule is about purpose and quantity words only: a descriptive word we do not sell stays
    t = chat(rizquna, "62818000005", "ada Al-Quran braille?")
    assert "sku" not in t.entities


# --- B: complaints -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "beli 2 sajadah, yg diterima cm 1, satunya kemana?",
        "yang sampai mukena putih padahal saya order mukena hitam",
        "sudah 4 hari belum selesai jilidnya, padahal dijanjikan 2 hari",
    ],
)
def test_fewer_other_or_late_items_are_complaints(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_asking_when_it_ships_is_not_a_wrong_item_complaint() -> None:
    assert "complaint" not in nlu.analyze("pesanan saya kapan dikirim? kan saya pesan kemarin").signals


def test_a_wrong_item_complaint_is_handed_over(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna, "62818000006", "kok yang datang sajadah travel lipat, padahal sy pesan sajadah turki tebal"
    )
    assert t.intent == "complaint" and t.handoff and "maaf" in t.reply.lower()


# --- C: asking for a person --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "bisa dilayani sama cs aja gk?",
        "tolong jangan dibalas bot ya",
        "ada admin yg online gk?",
        "saya mau tanya sama pemiliknya",
    ],
)
def test_asking_for_a_person_in_other_words(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


def test_asking_about_a_product_is_not_asking_for_a_person() -> None:
    assert "handoff" not in nlu.analyze("mau tanya harga peci hitam").signals


# --- D: the quantity after the product's name; "ambil N" with a destination is an order --------------------


def test_a_quantity_closing_the_clause_after_the_name(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000007", "pesan sajadah turki tebal 3, kirim ke Bandung pakai JNE")
    assert t.intent == "order_create" and t.entities.get("quantity") == 3
    assert "285.000" in t.reply


def test_take_n_with_a_destination_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000008", "ambil 2 mukena travel parasut, dikirim ke Surabaya via sicepat")
    assert t.intent == "order_create" and t.entities.get("quantity") == 2
    assert "220.000" in t.reply


# --- E: "ada <product> N <unit>?" asks about stock ---------------------------------------------------------


def test_asking_for_n_of_a_product_is_a_stock_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62818000009", "ada kopiah rajut putih 10 pcs gk?")
    assert t.intent == "stock_check" and t.entities.get("quantity") == 10


def test_a_discount_for_n_is_not_a_stock_question() -> None:
    assert "stock" not in nlu.analyze("ada diskon kalau beli 10 pcs?").signals


# --- F: every item of the print price list the message names ----------------------------------------------


@pytest.fixture
def print_shop(db):  # type: ignore[no-untyped-def]
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES
    from tests.factories import make_business

    shop = make_business(db, slug="fotokopi-uji5")
    db.add(PrintPriceList(business_id=shop.id, name="default", prices=dict(DEFAULT_PRICES)))
    db.commit()
    return shop


def _rp(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_the_paper_weight_surcharge(print_shop, chat) -> None:  # type: ignore[no-untyped-def]
    from niaga.printshop.pricing import DEFAULT_PRICES

    t = chat(print_shop, "62818000010", "print 10 hlm warna A4 kertas 100 gsm brp")
    per_page = DEFAULT_PRICES["per_page"]["A4"]["colour"]
    extra = DEFAULT_PRICES["paper_gsm_surcharge_per_page"]["100"]
    assert t.intent == "price_check" and _rp(10 * (per_page + extra)) in t.reply


def test_a_custom_cover_colour_surcharge(print_shop, chat) -> None:  # type: ignore[no-untyped-def]
    from niaga.printshop.pricing import DEFAULT_PRICES

    t = chat(print_shop, "62818000011", "jilid hard cover warna pink tambah berapa?")
    assert t.intent == "price_check" and _rp(DEFAULT_PRICES["custom_cover_colour_surcharge"]) in t.reply
    t = chat(print_shop, "62818000013", "print skripsi 40 halaman hardcover warna ungu berapa?")
    hard, extra = DEFAULT_PRICES["binding"]["hard cover"], DEFAULT_PRICES["custom_cover_colour_surcharge"]
    assert _rp(40 * DEFAULT_PRICES["per_page"]["A4"]["bw"] + hard + extra) in t.reply


def test_a_standard_cover_colour_costs_nothing_extra(print_shop, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(print_shop, "62818000012", "print skripsi 40 halaman soft cover warna kuning berapa?")
    assert t.intent == "price_check" and t.entities.get("color") is None
    assert "Rp5.000" not in t.reply and _rp(40 * 300 + 12000) in t.reply


def test_cover_colour_is_not_colour_printing() -> None:
    spec = nlu.analyze("cetak skripsi 2 eks hardcover warna hijau tua").print_spec
    assert spec.get("cover_colour") == "hijau tua" and "color" not in spec
