"""The principles behind the fixes that held-back batches 34-37 asked for (part B: products, prices and counts),
one group each, on messages of our own: English "one copy" is a count of copies; "msg2" is "masing-masing";
one count said once for all the products named ("ambil 2 2", "masing2 1") is each one's count; whether shipping
is charged at all on a purchase is a shipping question; a count's total asked with nothing committed to ("beli 3
jd brp", "X brp? sy mau 6") is a price question; an amount asked whether it still holds ("masih 95rb?") is a
price question; the cover colours of the price list's own ("yg standar", "yg ga kena biaya tambahan") are still
the list of cover colours."""

from __future__ import annotations

from niaga.agent import nlu
from niaga.catalog import search as catalog_search
from niaga.kit.lang import normalize
from tests.agent.demo_data import load_rizquna, print_shop

# --- A: English "one copy" counts one copy ----------------------------------------------------------------------


def test_a_english_one_copy_is_a_count_of_copies() -> None:
    spec = nlu.analyze("price for 25 pages black and white, one copy, spiral bound?").print_spec
    assert spec.get("copies") == 1, spec
    # "one" that is no count of copies stays a word
    assert "copies" not in nlu.analyze("which one is cheaper, A4 or F4 printing?").print_spec
    assert "copies" not in nlu.analyze("print one side only, 30 pages").print_spec


# --- B: "msg2" is "masing-masing" ------------------------------------------------------------------------------


def test_b_msg2_reads_each() -> None:
    assert "masing" in normalize("tasbih kayu sm sajadah lipat msg2 brp?").split()
    assert "masing" in normalize("msg brp kak").split()
    # "msh" is still "masih"
    assert normalize("msh ada kak") == "masih ada kak"


# --- C: one count said once for all the products named ----------------------------------------------------------


def test_c_one_count_for_each_product(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23b-c")
    t = chat(shop, "62819823011", "sajadah turki tebal sm kopiah rajut putih totalnya brp kalau ambil 2 2?")
    assert t.intent == "price_check", (t.intent, t.reply)
    # 2 × 95.000 + 2 × 25.000
    assert "240.000" in t.reply, t.reply
    # each product with a count of its own keeps it
    t = chat(shop, "62819823012", "sajadah turki tebal 3 sm kopiah rajut putih 1 totalnya brp?")
    assert "310.000" in t.reply, t.reply


# --- D: whether shipping is charged on a purchase is a shipping question -----------------------------------------


def test_d_shipping_charged_asked_of_a_purchase(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23b-d")
    t = chat(shop, "62819823021", "sy di Sleman, beli tas paspor haji kulit 2 kena ongkir ga?")
    assert t.intent == "shipping_cost", (t.intent, t.reply)
    # an order with its address given stays an order
    t = chat(shop, "62819823022", "pesan tas paspor haji kulit 2, kirim ke Sleman, alamat jl kaliurang 7")
    assert t.intent == "order_create", (t.intent, t.reply)


# --- E: a count's total asked, nothing committed to, is a price question -----------------------------------------


def test_e_count_priced_is_a_price_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23b-e")
    t = chat(shop, "62819823031", "tas paspor haji kulit beli 3 jd brp kak")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert "135.000" in t.reply, t.reply
    t = chat(shop, "62819823032", "sajadah travel lipat brp? sy mau 6")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert t.entities.get("quantity") == 6, t.entities


def test_e_committed_order_stays_an_order(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23b-e2")
    t = chat(shop, "62819823041", "pesan tas paspor haji kulit 3 jd brp kak")
    assert t.intent == "order_create", (t.intent, t.reply)
    t = chat(shop, "62819823042", "sajadah travel lipat brp? sy mau pesan 2, kirim ke Bandung")
    assert t.intent == "order_create", (t.intent, t.reply)


# --- F: an amount asked whether it still holds ----------------------------------------------------------------


def test_f_amount_still_asked_is_a_price_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23b-f")
    t = chat(shop, "62819823051", "tas paspor haji kulit msh 45rb kak?")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert "45.000" in t.reply, t.reply
    # "masih" with no amount asks something else
    t = chat(shop, "62819823052", "tas paspor haji kulit masih ada kak?")
    assert t.intent == "stock_check", (t.intent, t.reply)
    assert "price" not in nlu.analyze("sy masih 2 hari lagi transfernya").signals


# --- G: the cover colours of the price list's own ----------------------------------------------------------------


def test_g_standard_cover_colours_asked(db, chat) -> None:  # type: ignore[no-untyped-def]
    catalog_search.invalidate()
    shop = print_shop(db, "cetak-uji23b-g")
    t = chat(shop, "62819823061", "warna sampul softcover yang biasa apa aja kak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "biru dongker" in t.reply, t.reply
    t = chat(shop, "62819823062", "warna cover jilid yg tanpa biaya tambahan ada apa saja?")
    assert t.intent == "product_query" and "hitam" in t.reply, (t.intent, t.reply)
    # a colour named is no list asked
    assert "cover_colours_asked" not in nlu.analyze("sampul softcover warna ungu bisa kak?").signals
