"""The rules behind the fixes of held-back batches 24-25 that are neither complaints nor requests for a person,
nor the order-draft path, one test each, on messages of our own (the batches themselves measure them end to end:
tests/agent/data/heldout2[45]_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu
from niaga.kit.lang import normalize
from tests.agent.demo_data import print_shop as _shop

# --- A: where the customer found the shop (Instagram, TikTok, Maps) is context: no question about the shop's
# location, no product word; praise of what they saw there is no request for suggestions ----------------------


@pytest.mark.parametrize(
    "text", ["pagi kak, saya tau toko ini dari maps", "permisi, kemarin lihat tokonya di google maps"]
)
def test_a_where_the_shop_was_found_asks_nothing_about_its_location(text: str) -> None:
    assert "store_info" not in nlu.analyze(text).signals


def test_a_the_shops_map_location_is_still_asked() -> None:
    assert "store_info" in nlu.analyze("alamat toko di google maps apa kak?").signals


def test_a_a_product_seen_on_social_media_is_still_found(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819001", "liat reels di instagram ada sajadah turki, berapa harganya")
    assert t.intent == "price_check" and t.entities.get("sku") == "RQ-SAJ-001"


def test_a_a_greeting_praising_what_was_seen_is_a_greeting(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819002", "pagi kak, baru lihat postingan kainnya di instagram, bagus banget")
    assert t.intent == "greeting"


def test_a_asking_which_is_good_still_asks_for_suggestions() -> None:
    assert "recommend" in nlu.analyze("yang bagus banget yang mana kak?").signals


# --- B: whether someone serves on a day named is a question about opening hours ---------------------------------


def test_b_someone_serving_on_a_day_is_an_opening_hours_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji19c")
    t = chat(shop, "62819819010", "kalau minggu ada orang yang berjaga di toko?")
    assert t.intent == "store_info" and "Minggu" in t.reply and "tutup" in t.reply


# --- C: a sleeve is no measure; a range of contents and the least that can be ordered are terms of the product ---


def test_c_a_long_sleeved_shirt_priced_is_a_price_question(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819020", "yang parang lengan panjang berapa kak?")
    assert t.intent == "price_check" and t.entities.get("sku") == "BS-KMJ-001"


def test_c_a_length_asked_is_still_a_product_question() -> None:
    a = nlu.analyze("kainnya panjangnya berapa kak?")
    assert "price" not in a.signals and "product_q" in a.signals


def test_c_a_range_of_volumes_asked_is_no_price() -> None:
    a = nlu.analyze("buku ini isinya jilid berapa hingga berapa")
    assert "price" not in a.signals and "product_q" in a.signals


def test_c_the_least_order_asked_is_answered_from_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819021", "cetak buku hardcover a5 minimum pesan berapa ya?")
    assert t.intent == "product_query" and t.entities.get("sku") == "RQ-CETAK-002" and "30" in t.reply


# --- D: thanks with the parcel's arrival reported, or a purchase put off until later, is thanks ----------------


@pytest.mark.parametrize(
    "text", ["pesanannya sudah sampai dengan selamat, terima kasih kak", "oke makasih ya, besok saya order"]
)
def test_d_thanks_with_news_is_thanks(rizquna, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819030", text)
    assert t.intent == "thanks"


def test_d_thanks_with_a_question_about_the_parcel_still_asks() -> None:
    assert "order_status" in nlu.analyze("makasih, paket saya sudah sampai belum?").signals


# --- E: what the shop sells, asked as a whole: its categories with a few products each -------------------------


@pytest.mark.parametrize("text", ["tokonya menyediakan apa saja ya?", "what does the shop sell?"])
def test_e_what_the_shop_sells_lists_its_categories(batik, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819040", text)
    assert t.intent == "product_query" and "Pakaian" in t.reply and "Kemeja" in t.reply


def test_e_a_kind_of_product_asked_is_no_catalogue_question() -> None:
    assert "catalogue" not in nlu.analyze("jual peci apa saja kak?").signals


# --- F: how to order, whether the shop is real, and a defect supposed are questions about the shop -------------


def test_f_how_to_order_is_answered_with_ordering_by_chat(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819050", "gimana cara pesan di sini kak?")
    assert t.intent == "store_info" and "chat ini" in t.reply


def test_f_an_orders_progress_is_still_an_order_status() -> None:
    assert "order_status" in nlu.analyze("pesanan saya gimana kak?").signals


def test_f_whether_the_shop_is_real_is_answered_from_its_profile(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819051", "tokonya asli kan kak, bukan penipuan?")
    assert t.intent == "store_info" and "Kaliurang" in t.reply


def test_f_a_product_said_genuine_is_no_question_about_the_shop() -> None:
    assert "trust" not in nlu.analyze("peci ini asli beludru?").signals


def test_f_a_defect_supposed_asks_the_return_rules(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819052", "jika paketnya sampai dalam keadaan rusak bagaimana kak?")
    assert t.intent == "store_info" and "7 hari" in t.reply


def test_f_a_defect_that_happened_stays_a_complaint(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819053", "paket saya sudah sampai tapi rusak, gimana ini")
    assert t.intent == "complaint"


# --- G: "bungkus X 2" takes the goods; "gampang" is "mudah"; a size asked closing its clause asks stock ---------


def test_g_having_goods_packed_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819060", "bungkusin sajadah turki 2 ya kak")
    assert (
        t.intent == "order_create"
        and t.entities.get("sku") == "RQ-SAJ-001"
        and t.entities.get("quantity") == 2
    )


def test_g_a_gift_wrap_asked_is_no_order() -> None:
    assert "order" not in nlu.analyze("bisa dibungkus kado kak?").signals
    assert "order" not in nlu.analyze("bungkus kado bisa?").signals


def test_g_colloquial_easy_finds_the_product_described(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    assert normalize("gampang") == "mudah"
    t = chat(rizquna, "62819819061", "mukena travel yang gampang dilipat ready kak?")
    assert t.entities.get("sku") == "RQ-HAJI-002"


def test_g_a_size_asked_then_a_count_asks_stock(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819062", "kemeja parang yang size L ada kak? ambil 2")
    assert t.intent == "stock_check" and t.entities.get("sku") == "BS-KMJ-001"


# --- H: advice about the customer's own life or a place outside the shop is off-topic --------------------------


@pytest.mark.parametrize(
    "text", ["ada saran sekolah dasar islam di sleman kak?", "kak ada tips biar cepet lulus kuliah ga?"]
)
def test_h_advice_outside_the_shop_is_other(rizquna, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819070", text)
    assert t.intent == "other"


def test_h_suggestions_of_goods_are_still_asked(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819819071", "rekomendasi buku untuk anak umur 6 tahun dong")
    assert t.intent == "product_query"


# --- I: someone close named as the one asking, and the measure asked with its unit, are no product words -------


def test_i_a_relative_asking_is_no_product_word(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819080", "abah saya nanya syal yang sutra ada?")
    assert t.entities.get("sku") == "BS-AKS-001"


def test_i_a_measure_asked_with_its_unit_is_no_product_word(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819819081", "syal panjangnya berapa meter")
    assert t.entities.get("sku") == "BS-AKS-001"
