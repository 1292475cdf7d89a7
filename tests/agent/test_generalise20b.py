"""The principles behind the other fixes that held-back batches 26-27 asked for, one test each, on messages of
our own (the batches themselves measure them end to end: tests/agent/data/heldout2[67]_*.jsonl): an English
noun's plural of the f/fe kind ("scarves", "knives") is read as its singular; the Javanese "bukak" is "buka";
the date of a holiday or the schedule of a school's or campus's event is off-topic."""

from __future__ import annotations

import pytest

from niaga.agent import nlu
from niaga.kit.lang import normalize
from tests.agent.demo_data import load_batik, load_rizquna, print_shop

# --- A: an English plural of the f/fe kind names the lexicon's word for its singular ----------------------------


@pytest.mark.parametrize(
    ("text", "word"), [("three silk scarves please", "syal"), ("any batik scarves?", "syal")]
)
def test_a_f_plural_reads_as_its_singular(text: str, word: str) -> None:
    assert word in normalize(text).split()


def test_a_scarves_resolve_to_the_scarf_product(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji20b")
    t = chat(shop, "62819820001", "how much to send 4 silk scarves to Surabaya?")
    assert t.entities.get("sku") == "BS-AKS-001", (t.intent, t.entities, t.reply)


# --- B: the Javanese "bukak" (to open) is "buka" --------------------------------------------------------------


@pytest.mark.parametrize("text", ["sabtu sore bukak ora?", "hari minggu bukak ta kak?"])
def test_b_javanese_bukak_asks_about_opening(text: str) -> None:
    assert "store_info" in nlu.analyze(text).signals


def test_b_bukak_on_a_day_is_answered_with_the_hours(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji20b")
    t = chat(shop, "62819820002", "kak ahad sore bukak nggak?")
    # the day asked is answered by itself (a closed day), not only the week's hours
    assert t.intent == "store_info" and "minggu toko tutup" in t.reply.lower(), (t.intent, t.reply)


# --- C: the date of a holiday or an outside institution's schedule is off-topic ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "min idul adha tahun depan jatuh tanggal berapa ya?",
        "idul fitri tahun depan jatuh tanggal berapa kak?",
        "puasa ramadhan tahun ini jatuhnya tgl brp sih kak?",
    ],
)
def test_c_outside_dates_are_off_topic(db, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji20c")
    t = chat(shop, "62819820003", text)
    assert t.intent == "other", (t.intent, t.reply)


@pytest.mark.parametrize(
    "text",
    [
        "sebelum lebaran bisa sampai ke Medan?",
        "mau cetak jadwal pendaftaran 20 lembar",
        "libur lebaran tutup tanggal berapa?",
    ],
)
def test_c_shop_questions_around_holidays_are_not_off_topic(db, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji20d")
    t = chat(shop, "62819820004", text)
    assert t.intent != "other", (t.intent, t.reply)


# --- D: whether a payment at some hour ships that day, the day named first, is the shop's cut-off ---------------


def test_d_same_day_dispatch_with_the_day_first_is_the_cut_off(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji20e")
    t = chat(shop, "62819820005", "misal transfernya jam 11 pagi, hari ini juga langsung dikirim kak?")
    assert t.intent == "store_info" and "14.00" in t.reply, (t.intent, t.reply)


# --- E: "akte" is the everyday spelling of "akta", a one-sheet document whose count is of copies ----------------


def test_e_akte_is_a_one_sheet_document_counted_in_copies() -> None:
    spec = nlu.analyze("tolong fotokopiin akte lahir adik 5 lembar kak").print_spec
    assert spec.get("copies") == 5 and "pages" not in spec, spec


# --- F: whether a product is back ("ada lagi ga?") with a purchase in view is a stock question -----------------


def test_f_back_in_stock_with_a_purchase_in_view_is_a_stock_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji20f")
    t = chat(shop, "62819820006", "kak blouse kombinasi udah ada lagi belum? pengen ambil 2")
    assert t.intent == "stock_check" and t.entities.get("sku") == "BS-DRS-002", (
        t.intent,
        t.entities,
        t.reply,
    )


def test_f_anything_else_is_no_stock_question() -> None:
    assert "stock" not in nlu.analyze("ada lagi ga yang motifnya lebih kalem?").signals


# --- G: a clothing size asked after its lead is the variant asked, not a word of the product's name -------------


def test_g_size_asked_of_the_one_product_its_other_words_name(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji20g")
    t = chat(shop, "62819820007", "kak dress batik ukuran XXL ready?")
    assert t.entities.get("sku") == "BS-DRS-001" and "S,M,L,XL" in t.reply, (t.intent, t.entities, t.reply)


# --- H: a photo of a document tidied onto paper is priced by the print list's photo page item --------------------


def test_h_photo_tidied_onto_paper_is_the_photo_page_price(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "fotokopi-uji20h")
    t = chat(shop, "62819820008", "foto akta di hp tolong dirapihin terus dicetak ya, berapaan?")
    assert "2.000" in t.reply, (t.intent, t.entities, t.reply)


def test_h_a_photo_sent_for_an_order_is_no_photo_page() -> None:
    assert "photo" not in nlu.analyze("kak ini fotonya sudah saya kirim, mau print 20 lembar").print_spec


# --- I: a print job asked as "what if", without an order verb, asks what it would cost --------------------------


def test_i_what_if_print_job_is_a_price_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "fotokopi-uji20i")
    t = chat(shop, "62819820009", "misalnya laporan 40 halaman 3 rangkap dijilid spiral?")
    assert t.intent == "price_check" and "60.000" in t.reply, (t.intent, t.entities, t.reply)


def test_i_what_if_with_an_order_verb_stays_an_order(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "fotokopi-uji20j")
    t = chat(shop, "62819820010", "kalau saya mau print laporan 40 halaman 3 rangkap bisa?")
    assert t.intent == "print_order", (t.intent, t.reply)
