"""Orders of several products in one message (a feature the held-back batches asked for), on messages of our own:
each product named with its own count becomes a line of one draft (count × unit price), with a subtotal, shipping
by the lines' total weight, a note for a line the stock cannot fill, and one order of several items on YA; a
price asked for several products with their counts gets each line and the total."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.orders.models import Order


def test_two_products_each_with_a_count_make_one_draft_of_two_lines(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190001", "mau pesan sajadah turki 2 dan peci nasional 3 kak")
    assert t.intent == "order_create"
    assert "2 × Sajadah Turki Tebal @Rp95.000 = Rp190.000" in t.reply, t.reply
    assert "3 × Peci Hitam Polos Nasional @Rp40.000 = Rp120.000" in t.reply, t.reply
    assert "Subtotal: Rp310.000" in t.reply


def test_three_products_joined_by_comma_plus_and_sama_with_one_implied(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819190002", "order syal sutra 2, kain sekar jagad sama masker batik 4")
    assert t.intent == "order_create"
    assert "2 × Syal Batik Sutra" in t.reply and "1 × Kain Batik Tulis Sekar Jagad" in t.reply, t.reply
    assert "4 × Masker" in t.reply, t.reply


def test_count_before_the_product_and_a_plus_sign(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190003", "pesen 4 peci nasional + 2 sajadah travel")
    assert "4 × Peci Hitam Polos Nasional" in t.reply and "2 × Sajadah Travel Lipat" in t.reply, t.reply


def test_a_line_the_stock_cannot_fill_says_how_many_are_left(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190004", "mau order sirah nabawiyah 300 sama fiqih keluarga 1")
    assert "300 × Sirah Nabawiyah Ringkas" in t.reply and "1 × Fiqih Sehari-hari" in t.reply, t.reply
    assert "stok Sirah Nabawiyah Ringkas tinggal 25" in t.reply, t.reply


def test_shipping_of_several_lines_is_priced_by_their_total_weight(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190005", "pesan sajadah turki 1 sama peci nasional 2, kirim ke Surabaya")
    assert "1 × Sajadah Turki Tebal" in t.reply and "2 × Peci Hitam Polos Nasional" in t.reply, t.reply
    assert "Ongkir ke Surabaya (berat 1,2 kg, dihitung 2 kg)" in t.reply, t.reply


def test_a_name_with_a_joining_word_in_it_stays_one_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190006", "pesan doa harian & dzikir pagi petang 3 sama peci nasional 1")
    assert "3 × Kumpulan Doa Harian & Dzikir Pagi Petang" in t.reply, t.reply
    assert "1 × Peci Hitam Polos Nasional" in t.reply, t.reply


def test_confirming_a_draft_of_several_lines_makes_one_order_of_several_items(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819190007", "mau pesan fiqih keluarga 2 dan sirah nabawiyah 1")
    chat(rizquna, "62819190007", "diambil di toko aja")
    t = chat(rizquna, "62819190007", "atas nama Sari")
    assert "Total: Rp239.000" in t.reply and "*YA*" in t.reply, t.reply
    t = chat(rizquna, "62819190007", "ya jadi")
    order = db.scalars(sa.select(Order)).one()
    assert order.number in t.reply and order.total == 239000
    assert sorted((it.sku, it.quantity) for it in order.items) == [("RQ-BUKU-001", 2), ("RQ-BUKU-002", 1)]


def test_a_price_asked_for_several_products_with_counts_gets_the_total(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190008", "kalau sajadah turki 2 sama peci nasional 1 totalnya brp kak?")
    assert t.intent == "price_check"
    assert "2 × Sajadah Turki Tebal @Rp95.000 = Rp190.000" in t.reply, t.reply
    assert "Total: Rp230.000" in t.reply, t.reply


def test_several_products_priced_in_english(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190009", "how much for 2 turkish prayer rugs and 3 peci nasional?")
    assert "Total: Rp310.000" in t.reply and "breakdown" in t.reply, t.reply


# --- the open draft changed in a later message: a product added, a line's count set -------------------------------


def test_adding_a_product_to_the_open_draft(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819190020", "mau pesan fiqih keluarga 2")
    t = chat(rizquna, "62819190020", "tambahin 3 peci nasional kak")
    assert t.intent == "order_create"
    assert "2 × Fiqih Sehari-hari" in t.reply and "3 × Peci Hitam Polos Nasional" in t.reply, t.reply
    assert "Subtotal: Rp290.000" in t.reply, t.reply


def test_adding_more_of_a_line_already_in_the_draft(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819190021", "pesan sajadah turki 1")
    t = chat(rizquna, "62819190021", "tambah 2 lagi ya")
    assert "3 × Sajadah Turki Tebal" in t.reply and "Rp285.000" in t.reply, t.reply


def test_setting_one_lines_count_keeps_the_others_and_the_chosen_delivery(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819190022", "order fiqih keluarga 1 dan sirah nabawiyah 1")
    chat(rizquna, "62819190022", "ambil di toko aja")
    chat(rizquna, "62819190022", "atas nama Dewi")
    t = chat(rizquna, "62819190022", "fiqihnya diganti 3 aja")
    assert "3 × Fiqih Sehari-hari" in t.reply and "1 × Sirah Nabawiyah Ringkas" in t.reply, t.reply
    assert "Total: Rp324.000" in t.reply and "*YA*" in t.reply, t.reply


# --- a count after "itu"/"tsb" pointing back at the product described before it --------------------------------


def test_a_count_after_a_word_pointing_back_at_the_product_is_the_quantity(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190030", "order sajadah yg motif turki tebal itu 4 ya kak, dikirim ke Bandung")
    assert t.intent == "order_create" and t.entities.get("quantity") == 4, (t.entities, t.reply)
    assert "4 × Sajadah Turki Tebal" in t.reply, t.reply


# --- a question first, then a closing sentence stating the count wanted ------------------------------------------


def test_a_question_then_a_stated_count_with_a_destination_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna,
        "62819190031",
        "peci nasional yg hitam masih ready kan? klo ada aku ambil 4, kirim ke Bandung",
    )
    assert t.intent == "order_create" and "4 × Peci Hitam Polos Nasional" in t.reply, t.reply


# --- so many for each of so many people -------------------------------------------------------------------------


def test_so_many_for_each_of_so_many_people_is_their_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190032", "iqro besar buat 6 santri, masing-masing 2 ya kak, totalnya brp?")
    assert t.entities.get("quantity") == 12 and "504.000" in t.reply, (t.entities, t.reply)


def test_shipping_asked_for_several_products_weighs_them_all(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819190033", "ongkir sajadah turki 1 sama peci nasional 2 ke Surabaya brp kak?")
    assert t.intent == "shipping_cost"
    assert "1 × Sajadah Turki Tebal" in t.reply and "2 × Peci Hitam Polos Nasional" in t.reply, t.reply
    assert "dihitung 2 kg" in t.reply and "Subtotal produk Rp175.000" in t.reply, t.reply
