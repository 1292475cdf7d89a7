"""The rules behind the fixes that held-back batches 20-23 asked for outside complaints and requests for a person,
one test each, on messages of our own (the batches measure them end to end: tests/agent/data/heldout2[0-3]_*)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu
from niaga.knowledge.search import query_terms
from niaga.printshop.pricing import DEFAULT_PRICES
from tests.agent.demo_data import print_shop as _shop
from tests.agent.demo_data import rupiah as _rp

# --- A: greetings said in other ways: spoken "met malem", an opening "misi", the salam's consonant skeleton,
# Javanese "sugeng enjang", asking leave to ask ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "met malem kak",
        "misi min 🙏",
        "aslmkm min",
        "sugeng enjang mas",
        "izin tanya dulu ya kak",
        "boleh tanya kak?",
    ],
)
def test_a_greetings_said_in_other_ways(text: str) -> None:
    assert "greeting" in nlu.analyze(text).signals


def test_a_a_bare_salam_skeleton_is_answered_as_a_greeting(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818001", "asslm kak, numpang tanya ya")
    assert t.intent == "greeting"


# --- B: how many days to a city named is a shipping question, answered with the couriers' estimates ------------


@pytest.mark.parametrize("text", ["ke Medan kira2 berapa hari sampai?", "kirim surabaya brp hari ya kak"])
def test_b_days_to_a_city_is_a_shipping_question(batik, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818010", text)
    assert t.intent == "shipping_cost"
    assert "hari" in t.reply and t.entities.get("destination_city") in ("Medan", "Surabaya")


# --- C: the knowledge synonyms are looked up by stem: cash finds the policy's "tunai" -----------------------------


def test_c_synonyms_expand_to_the_stems_policies_are_indexed_by() -> None:
    _, extra = query_terms("bisa bayar cash di toko")
    assert "tuna" in extra  # the stem of "tunai"


def test_c_paying_cash_when_picking_up_is_answered_from_the_policy(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818020", "kalau saya jemput sendiri ke toko, boleh bayar cash?")
    assert t.intent == "payment" and "tunai" in t.reply


# --- D: a bare count closing its clause after a product named is an order, with or without where to send it;
# a count before the shipping question or a plea is still the count ----------------------------------------------


def test_d_a_bare_count_after_the_name_orders_it(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818030", "kemeja parang 2 ya kak buat kado bapak")
    assert t.intent == "order_create" and t.entities.get("quantity") == 2
    assert _rp(2 * 275000) in t.reply


def test_d_a_count_sent_to_a_city_is_an_order(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818031", "kawung cap 2 saja, dikirim ke Semarang")
    assert t.intent == "order_create" and t.entities.get("quantity") == 2


@pytest.mark.parametrize(
    "text",
    [
        "iqro besar 3 ongkir ke Bandung brp?",
        "mau sajadah turki tebal 4 tolong kirim ke Malang",
    ],
)
def test_d_the_count_before_shipping_or_a_plea(rizquna, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818032", text)
    assert t.entities.get("quantity") in (3, 4)


# --- E: print quotes: a one-sheet document's bare count is its copies, an English ID card, bindings by their
# Indonesian names or alone, pages with copies and no print verb, printed sheets in a colour --------------------


@pytest.mark.parametrize(
    ("text", "copies"),
    [
        ("fotokopi kk 6", 6),
        ("tolong fotokopi ijazahnya 4 ya", 4),
        ("photocopy my ID card 3 copies please", 3),
    ],
)
def test_e_one_sheet_documents_and_their_copies(text: str, copies: int) -> None:
    spec = nlu.analyze(text).print_spec
    assert spec.get("document_type") in ("ktp", "ijazah") and spec.get("copies") == copies


@pytest.mark.parametrize(
    ("text", "binding"), [("jilid keras berapa?", "hardcover"), ("sampul lunak", "softcover")]
)
def test_e_bindings_by_their_indonesian_names(text: str, binding: str) -> None:
    assert nlu.analyze(text).print_spec.get("binding") == binding
    assert nlu.named_bindings(nlu.analyze(text).norm) == [binding]


def test_e_a_binding_alone_is_priced_from_the_list(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji18a")
    t = chat(shop, "62819818040", "hardcover harganya?")
    assert t.intent == "price_check" and _rp(int(DEFAULT_PRICES["binding"]["hard cover"])) in t.reply


def test_e_pages_times_copies_without_a_print_verb(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji18b")
    t = chat(shop, "62819818041", "handout 4 hal x 20 peserta hitam putih, berapa?")
    bw = int(DEFAULT_PRICES["per_page"]["A4"]["bw"])
    assert t.intent == "price_check" and _rp(4 * 20 * bw) in t.reply


def test_e_printed_sheets_in_a_colour(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji18c")
    t = chat(shop, "62819818042", "cetak 10 lembar warna jadi berapa?")
    colour = int(DEFAULT_PRICES["per_page"]["A4"]["colour"])
    assert t.intent == "price_check" and _rp(10 * colour) in t.reply


# --- F: how many pages or volumes a product has is a question about it, not its price; a page count stated before
# "berapa" still prices them ------------------------------------------------------------------------------------


def test_f_pages_of_a_product_asked_is_a_product_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818050", "madinah a4 hardcover kira2 berapa halaman ya?")
    assert t.intent == "product_query" and "604" in t.reply


def test_f_a_measure_asked_against_a_count_priced() -> None:
    assert "price" not in nlu.analyze("isinya jilid berapa aja?").signals
    assert "price" in nlu.analyze("40 halaman berapa?").signals


# --- G: thanks in its Arabic forms, a red date as a holiday, hours a job takes, sending a file to a channel, a
# spend said "sejuta", a clipped "ad?", a size asked whether there, a count after the binding --------------------


@pytest.mark.parametrize("text", ["jazakumullah khairan katsiran", "jazakillah ya ukhti"])
def test_g_arabic_thanks_in_its_forms(text: str) -> None:
    assert "thanks" in nlu.analyze(text).signals


def test_g_a_red_date_asks_about_public_holidays(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818060", "tanggal merah tokonya tetep buka kak?")
    assert t.intent == "store_info" and "libur" in t.reply


def test_g_how_many_hours_a_print_job_takes(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818061", "print skripsi express kira2 berapa jam jadinya?")
    assert t.intent == "store_info" and "2 jam" in t.reply


@pytest.mark.parametrize(
    "text", ["filenya sudah saya kirim ke email ya", "nanti dokumennya saya kirim ke wa"]
)
def test_g_sending_a_file_to_a_channel_is_no_shipment(text: str) -> None:
    assert "shipping" not in nlu.analyze(text).signals


def test_g_a_spend_said_with_se(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    assert nlu.money_amount("belanja seratus ribu") == 100000
    t = chat(rizquna, "62819818062", "klo belanja sejuta poinnya jadi berapa?")
    assert "1000 poin" in t.reply


@pytest.mark.parametrize("text", ["kemeja parang yg XXL ad?", "kemeja parang ukuran M ada kak?"])
def test_g_a_size_asked_whether_there_is_a_stock_question(batik, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818063", text)
    assert t.intent == "stock_check" and t.entities.get("sku") == "BS-KMJ-001"


def test_g_a_count_after_the_binding_is_the_copies() -> None:
    assert nlu.analyze("makalah 40 halaman jilid softcover 2 berapa").print_spec.get("copies") == 2


# --- H: the cost of sending in its long forms is "ongkir"; a purchase closing on whether its shipping is free
# asks about shipping ----------------------------------------------------------------------------------------


def test_h_a_supposed_purchase_with_its_sending_cost_asked(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818070", "seandainya beli iqro besar 3, biaya pengirimannya ke Medan brp?")
    assert t.intent == "shipping_cost" and t.entities.get("quantity") == 3


def test_h_whether_shipping_is_free_for_a_purchase(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818071", "sy di jogja, pesan sajadah turki tebal 3 free ongkir kan?")
    assert t.intent == "shipping_cost" and "GRATIS" in t.reply.upper()


# --- I: what suits under a budget is a request for suggestions; empty stock asks the pre-order policy; contents
# asked with the price are described ---------------------------------------------------------------------------


def test_i_what_suits_under_a_budget_asks_for_suggestions(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        batik, "62819818080", "mau bikin bingkisan buat guru, batik apa yg cocok? budget 200rb per orang"
    )
    assert t.intent == "product_query" and "Rp" in t.reply


def test_i_ordering_what_has_run_out_is_the_preorder_policy(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818081", "kalau stoknya lagi kosong aturannya gimana kak, bisa tetap pesan?")
    assert "50%" in t.reply


def test_i_the_contents_asked_with_the_price(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818082", "harga paket perlengkapan umroh pria brp, isinya apa aja?")
    assert t.intent == "price_check" and "ihram" in t.reply and "350.000" in t.reply


def test_g_hours_asked_alone_is_a_duration_with_a_price_it_stays_a_price() -> None:
    alone = nlu.analyze("kalau express jadinya berapa jam?").signals
    assert "duration" in alone and "price" not in alone
    assert "price" in nlu.analyze("jilid spiral brp, sama jadi brp jam?").signals
