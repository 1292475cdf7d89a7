"""The rules behind the fixes that held-back batch 11 asked for, one test each, on messages of our own (the
batch itself measures them end to end: tests/agent/data/heldout11_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu, planner
from niaga.kit.lang import normalize

# --- A: spellings: a doubled final letter, consonant skeletons, English count and material words ------------


def test_a_doubled_final_letter_is_read_once() -> None:
    assert normalize("sajadahnya masih adaa kakk, sudah sampaii") == "sajadahnya masih ada kak sudah sampai"
    assert normalize("hallo") == "halo"


def test_consonant_skeletons_of_common_words() -> None:
    assert normalize("sajadah turki hrgny brp") == "sajadah turki harganya berapa"


def test_english_count_and_material_words() -> None:
    assert normalize("three sets of parachute material bags").split()[:2] == ["3", "set"]
    assert {"parasut", "bahan"} <= set(normalize("parachute material").split())
    assert normalize("umrah equipment, 2 volumes") == "umroh perlengkapan 2 jilid"


def test_one_of_a_package() -> None:
    assert normalize("brosur sekotak") == "brosur 1 kotak"
    assert "bikin" in planner.NON_PRODUCT_WORDS and "kena" in planner.NON_PRODUCT_WORDS


def test_an_english_kit_description_finds_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819811001", "two sets of the umrah equipment package for men please")
    assert t.entities.get("sku") == "RQ-HAJI-001" and t.entities.get("quantity") == 2


def test_the_package_the_product_is_sold_in_is_no_count() -> None:
    a = nlu.analyze("cetak kartu nama 1 box 100 lembar berapa")
    names = [["cetak", "kartu", "nama", "per", "box", "100", "lembar"]]
    assert nlu.extract_quantity(a, product_words={"kartu", "nama"}, names=names) is None
    a = nlu.analyze("cetak kartu nama 3 box berapa")
    assert nlu.extract_quantity(a, product_words={"kartu", "nama"}, names=names) == 3


# --- B: counts and measures: "ongkir N ke <city>", dimensions written as one word ---------------------------


def test_shipping_n_to_a_city_counts_the_product() -> None:
    a = nlu.analyze("kalau ongkir 4 ke Malang berapa", known_cities={"malang": "Malang"})
    assert nlu.extract_quantity(a) == 4


def test_dimensions_are_context_words() -> None:
    a = nlu.analyze("spanduk ukuran 2x1 meter")
    assert {"ukuran", "2x1", "meter"} <= planner.context_words(a, set())


def test_shipping_n_of_the_product_in_focus(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819811002", "harga sajadah turki tebal berapa")
    t = chat(rizquna, "62819811002", "ongkir 2 ke Bandung brp")
    assert t.entities.get("quantity") == 2 and "2 ×" in t.reply


# --- C: complaints: what came set against what was ordered, counted shortfalls ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kok yg sampai sajadah merah, aku pesennya yang hijau",
        "motif yang saya pesan parang kok jadinya kawung",
        "bukunya kurang 2 eksemplar dari pesanan",
        "saya pesan 5 yg datang cuma 3",
        "I ordered 4 caps and only received 3",
    ],
)
def test_ordered_against_what_came(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_an_order_is_not_a_complaint() -> None:
    assert "complaint" not in nlu.analyze("saya pesan 5 sajadah ya kak, kirim ke Solo").signals


# --- D: intents: a counted order with J&T, a file size limit, how a print job is priced ---------------------


def test_a_counted_order_with_jnt(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819811003", "2 kain batik kawung ke Bandung via J&T")
    assert t.intent == "order_create"


def test_a_file_size_limit_is_a_shop_question() -> None:
    s = nlu.analyze("kirim file lewat email maksimal berapa MB?").signals
    assert "store_info" in s


def test_how_it_is_priced_asks_a_price() -> None:
    assert "price" in nlu.analyze("kalau jilid spiral hitungannya gimana").signals


def test_photo_pages_priced_by_the_photo_item(db, chat) -> None:  # type: ignore[no-untyped-def]
    from niaga.printshop.models import PrintPriceList
    from niaga.printshop.pricing import DEFAULT_PRICES
    from tests.factories import make_business

    shop = make_business(db, slug="fotokopi-uji11")
    db.add(PrintPriceList(business_id=shop.id, name="default", prices=dict(DEFAULT_PRICES)))
    db.commit()
    assert nlu.analyze("print 4 halaman foto").print_spec.get("photo") is True
    t = chat(shop, "62819811004", "laporan saya 5 halaman foto, hitungannya gimana")
    total = 5 * int(DEFAULT_PRICES["photo_page"])
    assert t.intent == "price_check" and f"{total:,}".replace(",", ".") in t.reply
