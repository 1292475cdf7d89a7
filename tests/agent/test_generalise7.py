"""The rules behind the fixes that held-back batch 7 asked for, one test each, on messages of our own (the batch
itself measures them end to end: tests/agent/data/heldout7_*.jsonl)."""

from __future__ import annotations

from niaga.agent import nlu
from niaga.kit.lang import normalize

# --- A: print-shop requests: copies, black and white, a service of its own -----------------------------------


def test_n_copy_is_copies() -> None:
    a = nlu.analyze("print proposal 40 halaman 3 copy berapa")
    assert a.print_spec.get("pages") == 40 and a.print_spec.get("copies") == 3


def test_javanese_black_and_white_is_not_colour() -> None:
    a = nlu.analyze("tolong print laporan 10 halaman item putih mawon")
    assert a.print_spec.get("color") is False


def test_photocopying_a_page_count_is_a_print_job_not_a_catalogue_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700001", "fotokopi 20 halaman 2 rangkap hitam putih, brp kak")
    assert t.entities.get("pages") == 20 and t.entities.get("copies") == 2 and "sku" not in t.entities
    assert "12.000" in t.reply  # 20 × 2 × Rp300


def test_scanning_is_priced_from_its_own_item(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700002", "berapa biaya scan 5 lembar ke pdf?")
    assert t.intent == "price_check" and "5.000" in t.reply and "Rp300" not in t.reply


def test_a_finished_job_in_a_mess_is_a_complaint(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700003", "hasil cetak laporan saya halamannya berantakan semua kak")
    assert t.intent == "complaint" and t.handoff


# --- B: counting words and the times sign -------------------------------------------------------------------


def test_a_dozen_and_a_score_are_counts() -> None:
    assert nlu.extract_quantity(nlu.analyze("beli mukena selusin")) == 12
    assert nlu.extract_quantity(nlu.analyze("mau ambil syal sekodi")) == 20
    assert nlu.extract_quantity(nlu.analyze("pesan 2 lusin peci")) == 24


def test_times_sign_before_the_count() -> None:
    assert "x 4" in normalize("peci x4")
    assert nlu.extract_quantity(nlu.analyze("order peci hitam x4")) == 4


def test_a_dozen_does_not_hide_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700004", "pesan sajadah turki selusin kak")
    assert t.entities.get("quantity") == 12 and "tidak tersedia" not in t.reply


# --- C: complaints: what came is not what was ordered --------------------------------------------------------


def test_received_one_thing_ordered_another() -> None:
    assert nlu.analyze("mukena yg aku terima warnanya pink padahal aku pesen hijau").has("complaint")
    assert nlu.analyze("kok yang datang malah peci putih").has("complaint")


# --- D: Javanese politeness ------------------------------------------------------------------------------


def test_javanese_greeting_thanks_and_person_request() -> None:
    assert nlu.analyze("sugeng siang mbak").has("greeting")
    assert nlu.analyze("matur nuwun sanget").has("thanks")
    assert nlu.analyze("adminipun wonten? kula badhe tanglet langsung mawon").has("handoff")
    assert nlu.analyze("mas admine wonten mboten?").has("handoff")


# --- E: intents ---------------------------------------------------------------------------------------------


def test_a_count_closed_by_ada_asks_availability() -> None:
    assert nlu.analyze("buku iqro mau ambil 15 buat tpa, ada?").has("stock")


def test_street_and_km_question_is_the_address(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700005", "tokonya di jalan kaliurang km brp kak?")
    assert t.intent == "store_info" and "Km 5" in t.reply


def test_a_service_the_shop_does_not_offer(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700006", "bisa bordir jilbab gak kak?")
    assert t.intent == "product_query" and "tidak tersedia" in t.reply


# --- F: knowledge answers -----------------------------------------------------------------------------------


def test_a_cut_off_time_is_quoted(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700007", "biar barangnya dikirim hari ini, bayarnya paling lambat jam berapa?")
    assert t.intent == "store_info" and "14.00" in t.reply


def test_the_down_payment_of_a_pre_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819700008", "kalau mau pre order, dp berapa kak?")
    assert t.intent == "store_info" and "50%" in t.reply
