"""The principles behind the fixes that held-back batches 38-41 asked for (part B: products, prices, counts and
the print shop's offer), one group each, on messages of our own: a shipping total uses the courier (and its
service) the customer named, not the cheapest other one; a bare count after a clothing size ("size M 3") is how
many; an ordinal ("yg ke-25") is no product code; an availability question followed only by a wish to buy asks
whether the product is there; a purchase only planned or supposed ("mau beli 4 buat ...", "brp kalau ambil
dua2nya") has its price asked; several products' prices asked with no count are each priced; English hedges
("anything", "maybe") are no product words and "toddlers" are children; a print shop answers which paper sizes
and bindings it has, whether a cover colour can be chosen or had, and the colour part of a page count."""

from __future__ import annotations

from niaga.agent import nlu
from tests.agent.demo_data import load_batik, load_rizquna, print_shop

# --- A: the courier named decides the shipping total -------------------------------------------------------------


def test_a_named_courier_totals_with_its_own_rate(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji24b-a")
    # J&T is cheaper to Medan; JNE is asked
    t = chat(shop, "62819824011", "brp ongkir kain batik cap kawung 2 ke Medan kalau pakai JNE?")
    assert t.intent == "shipping_cost", (t.intent, t.reply)
    total_line = next(ln for ln in t.reply.splitlines() if "Total" in ln)
    assert "JNE" in total_line and "J&T" not in total_line, t.reply
    # the named service of that courier, not its cheapest one
    t = chat(shop, "62819824012", "ongkir syal batik sutra ke Jakarta pake JNE YES brp kak")
    total_line = next(ln for ln in t.reply.splitlines() if "Total" in ln)
    assert "JNE YES" in total_line and "SiCepat" not in total_line, t.reply


def test_a_no_courier_named_keeps_the_cheapest(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji24b-a2")
    t = chat(shop, "62819824021", "ongkir syal batik sutra ke Jakarta brp kak")
    total_line = next(ln for ln in t.reply.splitlines() if "Total" in ln)
    assert "SiCepat" in total_line, t.reply


# --- B: a count after a clothing size ---------------------------------------------------------------------------


def test_b_count_after_a_size_is_the_quantity(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji24b-b")
    t = chat(shop, "62819824031", "pesan kemeja lengan pendek kawung size M 3, kirim ke Surabaya")
    assert t.intent == "order_create", (t.intent, t.reply)
    assert t.entities.get("quantity") == 3, t.entities
    assert "3 × Kemeja" in t.reply, t.reply
    t = chat(shop, "62819824032", "ambil dress sekar ukuran XL 2 ya")
    assert t.entities.get("quantity") == 2, t.entities


def test_b_a_size_alone_is_no_count(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji24b-b2")
    t = chat(shop, "62819824041", "kemeja lengan pendek kawung size L ada?")
    assert t.entities.get("quantity") is None, t.entities
    t = chat(shop, "62819824042", "dress sekar size M harganya brp?")
    assert t.entities.get("quantity") is None, t.entities


# --- C: an ordinal is no product code ---------------------------------------------------------------------------


def test_c_ordinal_is_no_product_code(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_batik(db, slug="batik-uji24b-c")
    t = chat(shop, "62819824051", "pesan syal batik sutra 1 buat kado nikahan ortu yg ke-25")
    assert t.intent == "order_create", (t.intent, t.reply)
    assert t.entities.get("sku") == "BS-AKS-001", t.entities
    assert t.entities.get("quantity") == 1, t.entities
    assert "KE-25" not in t.reply, t.reply
    # a code that is no ordinal is still looked up, and said missing
    t = chat(shop, "62819824052", "ada batik kode QX-77 kak?")
    assert "QX-77" in t.reply, t.reply


# --- D: an availability question, then a wish to buy with no count ------------------------------------------------


def test_d_availability_asked_then_wish_to_buy(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji24b-d")
    t = chat(shop, "62819824061", "ada kurma ajwa ga kak? sekalian mau beli")
    assert t.intent == "product_query", (t.intent, t.reply)
    # a count given with it is an order
    t = chat(shop, "62819824062", "ada sajadah travel lipat kak? mau beli 2")
    assert t.intent == "order_create", (t.intent, t.reply)


# --- E: a purchase planned or supposed, its price asked ------------------------------------------------------------


def test_e_planned_purchase_priced(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji24b-e")
    t = chat(shop, "62819824071", "tas paspor haji kulit brp kak, mau beli 4 buat hadiah pengajian")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert t.entities.get("quantity") == 4, t.entities
    t = chat(
        shop, "62819824072", "sirah nabawiyah ringkas sm tafsir juz amma tematik, brp kalau ambil dua2nya?"
    )
    assert t.intent == "price_check", (t.intent, t.reply)
    assert "Total" in t.reply, t.reply


def test_e_settled_purchase_stays_an_order(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji24b-e2")
    t = chat(shop, "62819824081", "tas paspor haji kulit brp kak, mau beli 4 kirim ke Bandung")
    assert t.intent == "order_create", (t.intent, t.reply)


# --- F: several products' prices, no count --------------------------------------------------------------------


def test_f_each_price_asked(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji24b-f")
    t = chat(shop, "62819824091", "harga seri kisah 25 nabi, sama peci hitam polos nasional ya kak")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert "Seri Kisah 25 Nabi" in t.reply and "Peci Hitam" in t.reply, t.reply
    assert "Total" not in t.reply, t.reply
    # with counts, the total
    t = chat(shop, "62819824092", "sirah nabawiyah ringkas 2 sama tafsir juz amma tematik 1 brp?")
    assert "Total" in t.reply, t.reply


# --- G: English hedges and toddlers -----------------------------------------------------------------------------


def test_g_english_hedges_and_toddlers(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = load_rizquna(db, slug="rizquna-uji24b-g")
    t = chat(shop, "62819824101", "anything for toddlers? picture books maybe")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "Anak" in t.reply and "not available" not in t.reply, t.reply
    # a product that is not sold is still said so
    t = chat(shop, "62819824102", "do you sell honey maybe?")
    assert "not available" in t.reply, t.reply


# --- H: which paper sizes are printed on ----------------------------------------------------------------------


def test_h_paper_sizes_asked(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "print-uji24b-h")
    t = chat(shop, "62819824111", "kertas A3 bisa diprint di tempat kakak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "A3" in t.reply, t.reply
    t = chat(shop, "62819824112", "ukuran kertasnya ada apa aja kak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert all(size in t.reply for size in ("A4", "F4", "A3")), t.reply
    # a print job on a size is no question about sizes
    assert "paper_size_asked" not in nlu.analyze("print makalah kertas F4 30 lembar").signals


# --- I: which bindings are offered ----------------------------------------------------------------------------


def test_i_bindings_asked(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "print-uji24b-i")
    t = chat(shop, "62819824121", "bisa jilid apa aja kak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "spiral" in t.reply.lower() and "hard cover" in t.reply.lower(), t.reply
    # one binding's price asked stays a price question
    t = chat(shop, "62819824122", "jilid spiral brp?")
    assert t.intent == "price_check", (t.intent, t.reply)
    assert "bindings_asked" not in nlu.analyze("iqro jilid 1-6 ada?").signals


# --- J: cover colours chosen, or a colour asked whether it can be had ---------------------------------------------


def test_j_cover_colour_questions(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "print-uji24b-j")
    t = chat(shop, "62819824131", "warna sampul hardcover boleh pilih sendiri kak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "biru dongker" in t.reply, t.reply
    t = chat(shop, "62819824132", "soft cover bisa warna hijau tua ga kak?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "standar" in t.reply, t.reply
    t = chat(shop, "62819824133", "sampul hardcover bisa warna ungu?")
    assert t.intent == "product_query", (t.intent, t.reply)
    assert "5.000" in t.reply, t.reply


def test_j_cover_colour_with_a_job_stays_a_job(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "print-uji24b-j2")
    t = chat(shop, "62819824141", "mau jilid hardcover warna biru muda 3 buku")
    assert t.intent == "print_order", (t.intent, t.reply)


# --- K: the colour part of a page count -------------------------------------------------------------------------


def test_k_colour_pages_entity(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = print_shop(db, "print-uji24b-k")
    t = chat(shop, "62819824151", "makalah 60 hlm, 6 hlm diantaranya warna, 2 rangkap spiral brp?")
    assert t.entities.get("color_pages") == 6, t.entities
