"""The principles behind the fixes that held-back batches 28-31 asked for (part B: counts and numbers in names,
print-shop price parsing, product search), one group each, on messages of our own: only some of a document's
pages in colour ("5 nya warna"); English print options (stapled, no binding, double sided with no print verb);
a cover's colour named without "warna" and matched to the list's colour despite its spelling; the colloquial
"item" (black) describing a thing; a unit after a number that only looks like the name's number; several
products asked together ("dua2nya brp"); another service priced with the printing; a screenshot of a document
printed neatly as a photo page; an ordinary word never typo-corrected onto a catalogue word; who a product is
worn by kept as its description; a duplex document's sheets are not its copies."""

from __future__ import annotations

from typing import Any

import pytest

from niaga.agent import nlu
from niaga.kit.lang import normalize
from tests.agent.demo_data import load_batik, load_rizquna, print_shop
from tests.factories import make_product

# --- A: only some of the pages in colour, the unit left out or its "nya" written apart --------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("skripsi 120 hlm, 12 nya warna, 2 rangkap", 12),
        ("makalah 40 halaman, 6 halaman nya berwarna", 6),
    ],
)
def test_a_a_part_of_the_pages_in_colour(text: str, part: int) -> None:
    spec = nlu.analyze(text).print_spec
    assert spec.get("colour_pages") == part, spec


@pytest.mark.parametrize("text", ["laporan 30 halaman, 40 nya warna", "cetak 25 halaman warna 3 rangkap"])
def test_a_no_part_when_it_is_not_a_part(text: str) -> None:
    # more "pages" than the document has, or the whole document in colour: no part
    assert "colour_pages" not in nlu.analyze(text).print_spec


def test_a_part_in_colour_is_priced_apart(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-a")
    t = chat(shop, "62819821001", "skripsi 120 hlm, 12 nya warna, 2 rangkap, softcover. brp kak?")
    # 108 × 2 × 300 + 12 × 2 × 1500 + 2 × 12000 = 64800 + 36000 + 24000
    assert "124.800" in t.reply, t.reply


# --- B: English print options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "binding"),
    [
        ("print 12 pages, 3 copies, stapled please", "staple"),
        ("60 pages colour with no binding", "none"),
        ("40 pages black and white without binding", "none"),
    ],
)
def test_b_english_binding_words(text: str, binding: str) -> None:
    assert nlu.analyze(text).print_spec.get("binding") == binding


def test_b_no_binding_named_no_binding_read() -> None:
    assert "binding" not in nlu.analyze("print 12 pages, 3 copies please").print_spec


def test_b_stapled_copies_are_charged_the_staple(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-b1")
    t = chat(shop, "62819821002", "how much to print 12 pages black and white, 3 copies, stapled?")
    # 12 × 3 × 300 + 3 × 1000
    assert "13.800" in t.reply, t.reply


def test_b_double_sided_pages_are_printing(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-b2")
    t = chat(shop, "62819821003", "price for 80 pages, double sided, black and white?")
    # 80 × (300 − 10%)
    assert t.entities.get("pages") == 80 and "21.600" in t.reply, (t.entities, t.reply)


def test_b_a_product_shop_is_not_turned_into_printing(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji21b-b")
    t = chat(shop, "62819821004", "quran terjemah per kata 600 halaman bolak balik ada?")
    assert "pages" not in t.entities and "Estimasi" not in t.reply, (t.entities, t.reply)


# --- C: a cover's colour, "warna" left out, matched to the list's colour as it sounds --------------------------


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("jilid softcover sampul biru donker", "biru donker"),
        ("cover hardcover hijau tua nambah?", "hijau tua"),
    ],
)
def test_c_cover_colour_without_the_word_warna(text: str, colour: str) -> None:
    assert nlu.analyze(text).print_spec.get("cover_colour") == colour


def test_c_black_and_white_after_a_binding_is_no_cover_colour() -> None:
    spec = nlu.analyze("print 30 halaman softcover hitam putih").print_spec
    assert "cover_colour" not in spec and spec.get("color") is False, spec


@pytest.mark.parametrize(
    ("asked", "listed", "same"),
    [
        ("merah maroon", "merah marun", True),
        ("biru donker", "biru dongker", True),
        ("abu abu", "abu-abu", True),
        ("hijau muda", "hijau tua", False),
        ("merah", "merah marun", False),
        ("ungu", "kuning", False),
    ],
)
def test_c_standard_colour_despite_spelling(asked: str, listed: str, same: bool) -> None:
    from niaga.agent.tools import _same_colour

    assert _same_colour(asked, listed) is same


def test_c_standard_colour_spelt_otherwise_costs_nothing(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-c1")
    t = chat(shop, "62819821005", "kalau jilid softcover sampul biru donker ada biaya tambahan?")
    assert "tanpa biaya tambahan" in t.reply and "5.000" not in t.reply, t.reply


def test_c_a_colour_off_the_list_costs_extra(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-c2")
    t = chat(shop, "62819821006", "kalau jilid softcover sampul hijau muda ada biaya tambahan?")
    assert "5.000" in t.reply, t.reply


# --- D: the colloquial "item" (black) describing a thing, never the English "item" ------------------------------


@pytest.mark.parametrize(
    "text",
    ["order kaos item 2 ya", "tas item ukuran besar ada?", "yg warna item ready kak?", "sarung item aja"],
)
def test_d_item_describing_a_thing_is_black(text: str) -> None:
    words = normalize(text).split()
    assert "hitam" in words and "item" not in words, words


@pytest.mark.parametrize(
    "text",
    [
        "ada 4 item di keranjang",
        "ongkir per item berapa?",
        "item ini ready?",
        "salah item kak",
        "semua item ready?",
    ],
)
def test_d_the_english_item_stays(text: str) -> None:
    assert "item" in normalize(text).split()


def test_d_a_count_after_the_colour_is_the_quantity(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji21b-d")
    t = chat(shop, "62819821007", "pesan peci item 2 kak")
    assert t.entities.get("quantity") == 2 and "80.000" in t.reply, (t.entities, t.reply)


# --- E: a unit after a number the name does not have there makes it a count ------------------------------------


def test_e_a_unit_after_the_names_number_is_a_count(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji21e")
    make_product(db, business=shop, sku="UJI-KAOS-2W", name="Kaos Polos 2 Warna", price=50000, stock=30)
    db.commit()
    t = chat(shop, "62819821008", "kaos polos 2 pcs brp kak?")
    assert t.entities.get("quantity") == 2 and "100.000" in t.reply, (t.entities, t.reply)


def test_e_the_names_own_number_is_no_count(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21e")
    t = chat(shop, "62819821009", "masker batik 3 lapis ada kak?")
    assert t.entities.get("quantity") is None, (t.entities, t.reply)


# --- F: several products asked together ("dua2nya", "keduanya", "semuanya") --------------------------------------


@pytest.mark.parametrize("text", ["dua2nya brp", "dua-duanya brp", "keduanya brp", "ketiga2nya brp"])
def test_f_both_of_them_is_all_of_them(text: str) -> None:
    assert normalize(text).split()[0] == "semuanya"


@pytest.mark.parametrize("text", ["yang duanya mana", "kedua kalinya"])
def test_f_other_uses_of_dua_stay(text: str) -> None:
    assert "semuanya" not in normalize(text).split()


def test_f_two_products_asked_together_are_totalled(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21f1")
    t = chat(
        shop, "62819821010", "kemeja batik pria lengan pendek kawung sama syal batik sutra, dua2nya brp?"
    )
    assert "175.000" in t.reply and "225.000" in t.reply and "400.000" in t.reply, t.reply


def test_f_two_prices_asked_apart_are_not_totalled(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21f2")
    t = chat(shop, "62819821011", "kemeja batik pria lengan pendek kawung sama syal batik sutra harganya?")
    assert "400.000" not in t.reply, t.reply


# --- G: another service asked with the printing ----------------------------------------------------------------


def test_g_a_listed_service_is_priced_with_the_printing(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-g1")
    make_product(db, business=shop, sku="UJI-LAM", name="Laminating Kartu", price=4000, category="Jasa")
    db.commit()
    t = chat(shop, "62819821012", "print makalah 30 halaman + laminating 3 kartu, brp semuanya?")
    # 30 × 300 = 9.000; 3 × 4.000 = 12.000
    assert "12.000" in t.reply and "21.000" in t.reply, t.reply


def test_g_an_unlisted_service_is_never_priced(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-g2")
    t = chat(shop, "62819821013", "print makalah 30 halaman + laminating 3 kartu, brp semuanya?")
    assert "laminating" in t.reply.lower() and "daftar harga" in t.reply, t.reply


# --- H: a screenshot of a document printed neatly onto paper is a photo page ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "screenshot ijazah di hp bisa dicetak rapi? 3 lembar",
        "ss an kk di hp tolong diprint yg rapi ya 2 lembar",
    ],
)
def test_h_a_screenshot_printed_neatly_is_a_photo(text: str) -> None:
    assert nlu.analyze(text).print_spec.get("photo") is True


@pytest.mark.parametrize("text", ["print ijazah 3 lembar", "hasil print kemarin rapi sekali kak"])
def test_h_no_photo_without_an_image(text: str) -> None:
    assert not nlu.analyze(text).print_spec.get("photo")


def test_h_screenshot_priced_as_photo_pages(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "cetak-uji21b-h")
    t = chat(shop, "62819821014", "screenshot ijazah di hp bisa dicetak rapi? 3 lembar brp")
    assert "6.000" in t.reply, t.reply


# --- I: an ordinary word is never typo-corrected onto a catalogue word -----------------------------------------


def test_i_a_place_word_drags_in_no_product(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji21i1")
    t = chat(shop, "62819821015", "kalau kirim ke kota bandung ongkirnya brp kak?")
    assert "sku" not in t.entities, (t.entities, t.reply)


def test_i_an_ordinary_word_one_letter_off_a_name_word(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21i2")
    make_product(db, business=shop, sku="UJI-KATA", name="Kaos Kata Bijak", price=60000)
    db.commit()
    t = chat(shop, "62819821016", "kirim ke kota surabaya ongkirnya brp?")
    assert t.entities.get("sku") != "UJI-KATA", (t.entities, t.reply)


def test_i_the_word_itself_in_the_catalogue_is_found(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji21i3")
    make_product(db, business=shop, sku="UJI-KOTA", name="Kaos Kota Tua", price=70000)
    db.commit()
    t = chat(shop, "62819821017", "kaos kota tua harganya brp?")
    assert t.entities.get("sku") == "UJI-KOTA", (t.entities, t.reply)


# --- J: who a product is worn by describes it --------------------------------------------------------------------


def test_j_the_wearer_narrows_the_products(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21j1")
    t = chat(shop, "62819821018", "cari batik buat pria yg bisa dipake ke pesta")
    assert "Kemeja Batik Pria" in t.reply and "Kain Batik" not in t.reply, t.reply


def test_j_a_wearer_the_catalogue_lacks_narrows_nothing(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji21j2")
    t = chat(shop, "62819821019", "ada syal batik buat bayi yg bisa dipake jalan2?")
    assert "Syal Batik Sutra" in t.reply, t.reply


# --- K: a duplex document's sheets are its pages folded, not copies -------------------------------------------


def test_k_duplex_sheets_of_the_pages_are_no_copies() -> None:
    spec: dict[str, Any] = nlu.analyze("print 60 halaman bolak balik jadi 30 lembar").print_spec
    assert spec.get("pages") == 60 and "copies" not in spec, spec


def test_k_other_sheet_counts_are_still_copies() -> None:
    spec = nlu.analyze("print 60 halaman bolak balik 5 rangkap").print_spec
    assert spec.get("copies") == 5, spec
