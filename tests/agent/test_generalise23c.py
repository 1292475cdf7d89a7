"""The principles behind the fixes that held-back batches 34-37 asked for (part C: packages, counts, products,
bindings and sizes), one group each, on messages of our own: the package the product's name says it is sold in
("isi N"), described as an "N-pack", "a pack of N" or "sepack" beside "isi N", is which package, not a count; a
count softened by "aja" after the bought product's name is still its count though the clause runs on; "dapat"
(getting something with a purchase) is never a word of a product's name; a binding the shop sells as a product
is named as the binding too; a length asked in centimetres is a question about the product, not its price;
whether the print shop prints on a paper size is answered from the price list's sizes."""

from __future__ import annotations

from niaga.agent import nlu
from tests.agent.demo_data import load_rizquna, print_shop
from tests.factories import make_business, make_product

# --- A: the package the name says the product is sold in ------------------------------------------------------

_WIPES = [["tisu", "basah", "isi", "10"]]
_WIPE_WORDS = {"tisu", "basah"}


def _qty(text: str, names: list[list[str]] = _WIPES, words: set[str] = _WIPE_WORDS) -> int | None:
    return nlu.extract_quantity(nlu.analyze(text), product_words=words, names=names)


def test_a_hyphen_joined_pack_is_no_count() -> None:
    assert _qty("what's the price of the wet wipes 10-pack?") is None
    # packages counted apart from the number stay a count
    assert _qty("beli tisu basah 4 pack") == 4
    assert _qty("beli tisu basah 4 pack, yg 10-lembar") == 4
    assert _qty("I'd like 4 packs of wet wipes") == 4


def test_a_pack_of_n_is_what_each_holds() -> None:
    assert _qty("order a pack of 10 tisu basah") is None
    # how many packages of it is a count
    assert _qty("send me 2 packs of 10 wet wipes") == 2


def test_a_one_package_beside_the_names_content_is_no_count() -> None:
    assert _qty("tisu basah isi 10 itu sepack brp kak") is None
    assert _qty("tisu basah yg isi 10 sepack berapa") is None
    # a package holding what the name does not say, or several packages, is counted
    assert _qty("tisu basah 1 pack isi 20 ada?") == 1
    assert _qty("pesan tisu basah 3 pack isi 10") == 3


# --- B: a count softened by "aja" after the bought product's name ----------------------------------------------


def test_b_softened_count_after_the_bought_name() -> None:
    names = [["peci", "rajut", "hitam"]]
    words = {"peci", "rajut", "hitam"}
    assert _qty("aku di Bantul, beli peci rajut hitam 2 aja kena ongkir ga?", names, words) == 2
    assert _qty("beli peci rajut hitam 3 doang dapet gratis ongkir?", names, words) == 3
    # with no buying verb before the name the number is not taken as a count
    assert _qty("peci rajut hitam 2 aja kena ongkir ga?", names, words) is None


# --- C: "dapat" asks what the purchase gets, it names no product -------------------------------------------------


def test_c_getting_verb_is_no_product_word(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji23c-c")
    t = chat(shop, "62819823001", "aku di Kota Jogja, beli mukena 3 dpt free ongkir ga?")
    assert t.entities.get("sku") == "RQ-HAJI-002", (t.entities, t.reply)
    t = chat(shop, "62819823002", "beli kopiah 4 dapat gratis ongkir?")
    assert t.entities.get("sku") == "RQ-PECI-002", (t.entities, t.reply)
    t = chat(shop, "62819823003", "beli ensiklopedia 2 dapet gratis ongkir ga?")
    assert t.entities.get("sku") == "RQ-ANAK-005", (t.entities, t.reply)


# --- D: a binding the shop sells as a product --------------------------------------------------------------------


def test_d_binding_product_names_the_binding(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = make_business(db, slug="fotokopi-uji23c-d")
    make_product(db, business=shop, sku="JLD-RG", name="Jilid Ring Kawat", price=7000, category="Jasa")
    make_product(
        db, business=shop, sku="BK-SP", name="Buku Catatan Spiral", price=12000, category="Alat Tulis"
    )
    db.commit()
    t = chat(shop, "62819823011", "jilid ring kawat harganya brp kak?")
    assert t.entities.get("sku") == "JLD-RG" and t.entities.get("binding") == "spiral", t.entities
    # a notebook that merely has a spiral is no binding asked
    t = chat(shop, "62819823012", "buku catatan spiral harganya brp kak?")
    assert t.entities.get("sku") == "BK-SP" and "binding" not in t.entities, t.entities


# --- E: a length asked in centimetres ----------------------------------------------------------------------------


def test_e_length_in_centimetres_is_a_product_question(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = make_business(db, slug="tenun-uji23c-e")
    desc = "Sarung tenun ikat tangan, 200 x 115 cm."
    make_product(db, business=shop, sku="SR-01", name="Sarung Tenun Ikat", price=150000, description=desc)
    db.commit()
    t = chat(shop, "62819823021", "ukuran sarung tenun ikatnya brp cm kak?")
    assert t.intent == "product_query" and "200 x 115" in t.reply, (t.intent, t.reply)
    # its price asked, or a length ordered with its price, is a price question
    t = chat(shop, "62819823022", "sarung tenun ikat brp kak?")
    assert t.intent == "price_check", (t.intent, t.reply)


# --- F: whether a paper size can be printed ----------------------------------------------------------------------


def test_f_printable_size_asked(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji23c-f")
    t = chat(shop, "62819823031", "kak bisa cetak ukuran F4 ga?")
    assert t.intent == "product_query" and "F4" in t.reply and "A4" in t.reply, (t.intent, t.reply)
    t = chat(shop, "62819823032", "do you print on A3 paper?")
    assert t.intent == "product_query" and "A3" in t.reply, (t.intent, t.reply)
    # a size with pages is a print job, and a size with no ability asked is an order
    t = chat(shop, "62819823033", "bisa cetak F4 30 lembar?")
    assert t.intent != "product_query", (t.intent, t.reply)
    t = chat(shop, "62819823034", "print F4 hitam putih")
    assert t.intent != "product_query", (t.intent, t.reply)
