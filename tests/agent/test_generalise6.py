"""The rules behind the fixes that held-back batch 6 asked for, one test each, on messages of our own (the batch
itself measures them end to end: tests/agent/data/heldout6_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu

# --- A: how many, after the name, with the courier -----------------------------------------------------------


def test_a_count_after_the_name_followed_by_particles(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000001", "pesan sajadah turki tebal 4 ya kak")
    assert t.intent == "order_create" and t.entities.get("quantity") == 4


def test_a_times_sign_count_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000002", "Peci hitam polos nasional x 3 kak")
    assert t.intent == "order_create" and t.entities.get("quantity") == 3


def test_count_city_and_courier_make_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000003", "3 mukena travel parasut, dikirim ke bandung, sicepat aja")
    assert t.intent == "order_create" and t.entities.get("sku") == "RQ-HAJI-002"
    assert t.entities.get("quantity") == 3 and t.entities.get("destination_city") == "Bandung"


def test_asking_the_shipping_cost_of_a_count_stays_a_shipping_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000004", "ongkir 3 mukena travel parasut ke bandung pakai sicepat berapa?")
    assert t.intent == "shipping_cost"


def test_a_package_size_is_not_a_count() -> None:
    a = nlu.analyze("harga stiker yg 1 pack isi 50 lembar")
    assert nlu.extract_quantity(a, product_words={"stiker"}) is None


# --- B: words around the product's name ---------------------------------------------------------------------


def test_the_price_kinds_do_not_hide_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000005", "peci hitam polos nasional harga normal sama diskonnya")
    assert t.entities.get("sku") == "RQ-PECI-001" and "tidak tersedia" not in t.reply


def test_who_needs_them_does_not_hide_the_product(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819000006", "panitia kami butuh 10 masker batik 3 lapis, ada?")
    assert t.entities.get("sku") == "BS-AKS-002" and "tidak tersedia" not in t.reply


def test_a_product_property_is_not_a_complaint() -> None:
    assert "complaint" not in nlu.analyze("ada sajadah yang anti luntur?").signals
    assert "complaint" in nlu.analyze("sajadahnya luntur pas dicuci").signals


# --- C: complaints and policy questions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "tanggal di undangannya salah padahal sy udah kirim yg benar",
        "yang datang warna merah padahal sy pesennya biru",
    ],
)
def test_a_mistake_against_what_the_customer_did_is_a_complaint(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_whether_defective_goods_can_be_exchanged_is_a_policy_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000007", "produk rusak bisa diretur gak ya?")
    assert t.intent == "store_info" and not t.handoff


# --- D: asking for a person ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["ini bot ya yg jawab? sy butuh admin", "can I talk to a real person, not an automated bot"]
)
def test_asking_for_a_person_in_other_words(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


# --- E: print price questions --------------------------------------------------------------------------------


def test_print_spec_with_possessive_and_count_after_its_unit() -> None:
    spec = nlu.analyze("tesisku 80 hlm rangkap 2 jilid hard").print_spec
    assert spec.get("document_type") == "tesis" and spec.get("pages") == 80 and spec.get("copies") == 2


def test_sheets_of_a_document_with_copies_apart_are_pages() -> None:
    spec = nlu.analyze("print makalah 30 lembar 2 rangkap").print_spec
    assert spec.get("pages") == 30 and spec.get("copies") == 2


def test_a_total_asked_is_a_price_question() -> None:
    assert "price" in nlu.analyze("fotokopi ktp 10 lembar totalnya?").signals


# --- F: store questions ---------------------------------------------------------------------------------------


def test_which_couriers_names_the_shipping_rates_couriers(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000008", "biasanya pake ekspedisi apa aja kak?")
    assert t.intent == "store_info" and "JNE" in t.reply


def test_the_street_is_the_address(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000009", "tokonya di jalan apa kak?")
    assert t.intent == "store_info" and "Kaliurang" in t.reply


def test_how_long_a_payment_link_lasts_is_a_payment_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000010", "berapa lama batas pembayaran lewat link?")
    assert t.intent == "payment"
