"""The rules behind the fixes that held-back batch 4 asked for, one test each (the batch itself measures
them end to end: tests/agent/data/heldout4_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu
from niaga.kit.lang import normalize


def test_a_number_only_the_products_attributes_carry_is_still_a_quantity(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    # "Ensiklopedia Muslim Cilik" has the age range "7-12" in its attributes, not in its name.
    t = chat(rizquna, "62817000001", "pesan 12 ensiklopedia muslim cilik")
    assert t.intent == "order_create" and t.entities.get("quantity") == 12
    assert "9" in t.reply  # only 9 in stock: said, not silently ordered


@pytest.mark.parametrize(
    ("word", "expected"),
    [("encyclopedias", "ensiklopedia"), ("families", "keluarga"), ("guides", "panduan"), ("boxes", "box")],
)
def test_english_plurals_of_known_words(word: str, expected: str) -> None:
    assert normalize(word) == expected


def test_unknown_plurals_stay_as_written() -> None:
    assert normalize("habis kursus lepas") == "habis kursus lepas"


@pytest.mark.parametrize(
    "text",
    [
        "the prayer rug I got is dirty and smells bad",
        "my batik cloth arrived with a hole in it",
        "the colour prints came out blurry",
        "print skripsi saya ada halaman yang kosong, padahal file lengkap",
    ],
)
def test_complaints_in_english_and_about_print_jobs(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


@pytest.mark.parametrize(
    "text", ["let me speak to someone from the store", "minta disambungkan ke petugas fotokopinya kak"]
)
def test_asking_for_a_person_passive_or_someone(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


def test_where_is_the_shop_in_other_words(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62817000002", "brp harga tafsir juz amma?")
    t = chat(rizquna, "62817000002", "tokonya di daerah mana kak?")
    assert t.intent == "store_info" and "Kaliurang" in t.reply and "98.000" not in t.reply


def test_pages_with_a_colour_word_between() -> None:
    assert nlu.analyze("can you print 30 colour pages for me?").print_spec.get("pages") == 30


def test_wanting_a_count_with_a_destination_and_courier_is_an_order(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62817000003", "mau 2 dress batik wanita sekar dikirim ke Solo pakai sicepat")
    assert t.intent == "order_create" and t.entities.get("quantity") == 2
    assert "8.000" in t.reply
    # the same words asked as a question about the cost stay a shipping quote
    t = chat(batik, "62817000004", "mau 2 dress batik wanita sekar, ongkir ke Solo berapa?")
    assert t.intent == "shipping_cost"


def test_a_variant_question_about_several_products_lists_them(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62817000005", "min sajadahnya ada warna lain ga")
    assert t.intent == "product_query" and "tidak tersedia" not in t.reply
    assert "Sajadah Turki Tebal" in t.reply and "Sajadah Travel Lipat" in t.reply


def test_short_english_plurals() -> None:
    assert normalize("kits bags") == "perlengkapan tas"


@pytest.mark.parametrize("text", ["paketnya nyasar ke alamat lain kak", "my parcel got lost"])
def test_a_parcel_gone_astray_is_a_complaint(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_asking_to_be_called_by_someone() -> None:
    assert "handoff" in nlu.analyze("can someone from your team call me?").signals
