"""The rules behind the fixes that held-back batches 16 and 17 asked for, one test each, on messages of our own
(the batches themselves measure them end to end: tests/agent/data/heldout16_*.jsonl, heldout17_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu

# --- A: a product named in full, among formal address and politeness, is matched --------------------------


def test_a_formal_price_question_names_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna,
        "62819815001",
        "Dengan hormat, Bapak/Ibu. Saya bermaksud menanyakan harga Sajadah Travel Lipat. "
        "Terima kasih atas perhatiannya.",
    )
    assert t.entities.get("sku") == "RQ-SAJ-002"
    assert "tidak tersedia" not in t.reply and "39.000" in t.reply


def test_a_formal_availability_question_names_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna,
        "62819815002",
        "Yth. Bapak/Ibu, saya ingin mengetahui apakah Kopiah Rajut Putih masih tersedia. Mohon informasinya.",
    )
    assert t.intent == "stock_check" and t.entities.get("sku") == "RQ-PECI-002"
    assert "tidak tersedia" not in t.reply


def test_a_formal_order_with_whom_it_is_for_names_the_product(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        batik,
        "62819815003",
        "Selamat pagi Saudara, saya bermaksud memesan Syal Batik Sutra sebanyak 3 buah untuk ibunda dan mertua.",
    )
    assert t.intent == "order_create"
    assert t.entities.get("sku") == "BS-AKS-001" and t.entities.get("quantity") == 3
    assert "675.000" in t.reply


def test_the_whole_name_said_outweighs_unknown_words_around_it(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        batik,
        "62819815004",
        "Saya dapat info dari tetangga soal Kemeja Batik Pria Lengan Panjang Parang, berapa harganya?",
    )
    assert t.entities.get("sku") == "BS-KMJ-001" and "tidak tersedia" not in t.reply


# --- B: the shop's person asked for in Sundanese or Javanese; complaints about a finished job -----------------


@pytest.mark.parametrize(
    "text",
    [
        "abdi hoyong nyarios sareng staf toko",
        "punten, tiasa nyarios sareng admin?",
        "mbak, admine enek ra? aku arep takon",
    ],
)
def test_asking_for_the_shops_person_in_regional_languages(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


def test_sundanese_request_for_the_person_hands_off(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819815011", "punten teh, abdi hoyong nyarios sareng admin")
    assert t.intent == "human_handoff" and t.handoff


@pytest.mark.parametrize(
    "text",
    [
        "hasil fotokopi modul kemarin banyak yang buram kak",
        "makalah saya urutan halamannya lompat-lompat, gimana ini",
        "katanya dijanjikan selesai jam 10, ini udah sore belum selesai juga",
        "sampai sekarang belum jadi kak print-an saya",
    ],
)
def test_a_bad_or_late_finished_job_is_a_complaint(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


def test_a_blurred_result_is_a_complaint_but_paper_called_buram_is_not() -> None:
    assert "complaint" in nlu.analyze("hasil print modul yang kemarin diambil buram semua").signals
    assert "complaint" not in nlu.analyze("hasilnya nanti kalau pakai kertas buram gimana kak?").signals


# --- C: quantities ----------------------------------------------------------------------------------------


def test_a_count_after_a_labelled_number_of_the_name() -> None:
    a = nlu.analyze("mau kotak 6 juz 2 saja")
    assert nlu.extract_quantity(a, names=[["kotak", "6", "juz"]]) == 2


def test_a_count_closing_the_clause_after_the_names_label(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819815021", "kak saya ambil al-quran hafalan 8 blok 3 saja ya")
    assert t.entities.get("quantity") == 3 and "330.000" in t.reply


@pytest.mark.parametrize(
    "text",
    ["buy one Sajadah Turki Tebal please", "how much is shipping for one Mukena Travel Parasut to Medan?"],
)
def test_english_one_before_a_product_counts(text: str) -> None:
    words = {"sajadah", "turki", "mukena", "travel"}
    assert nlu.extract_quantity(nlu.analyze(text), product_words=words) == 1
    # "one" as a pronoun counts nothing
    for other in ("which one is cheaper, the A5 or the A7?", "is this one still available?"):
        assert nlu.extract_quantity(nlu.analyze(other), product_words=words) is None


# --- D: print-shop prices -----------------------------------------------------------------------------------


def test_express_in_indonesian_spelling() -> None:
    assert nlu.analyze("print makalah 30 halaman pakai layanan ekspres").print_spec.get("express") is True


def test_a_cover_said_to_be_coloured() -> None:
    spec = nlu.analyze("jilid softcover dengan sampul berwarna pink, isinya hitam putih").print_spec
    assert spec.get("cover_colour") == "pink" and spec.get("color") is False


def test_b_and_w_with_an_ampersand_is_black_and_white() -> None:
    assert nlu.analyze("print 50 pages b & w please").print_spec.get("color") is False


# --- E: the age a named product suits is a product question; out of stock is never "tersedia" -------------


def test_the_age_a_product_suits_is_no_price_question(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    a = nlu.analyze("buku aktivitas hijaiyah cocok untuk usia berapa?")
    assert "price" not in a.signals
    t = chat(rizquna, "62819815031", "ensiklopedia muslim cilik itu cocok buat usia berapa kak?")
    assert t.intent == "product_query" and t.entities.get("sku") == "RQ-ANAK-005"
    assert "rekomendasi" not in t.reply.lower()


def test_an_out_of_stock_product_is_not_said_to_be_there(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819815041", "kak blouse batik kombinasi ada?")
    low = t.reply.lower()
    assert "habis" in low and "tersedia kak" not in low and "ada kak!" not in low
