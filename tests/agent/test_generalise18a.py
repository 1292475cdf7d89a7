"""The rules behind the complaint and handoff fixes that held-back batches 20-23 asked for, one test each, on
messages of our own (the batches themselves measure them end to end: tests/agent/data/heldout2[0-3]_*.jsonl)."""

from __future__ import annotations

import pytest

from niaga.agent import nlu
from tests.agent.demo_data import print_shop as _shop

# --- A: asking for a person: a person to do the replying, help from a person, where the owner is, the number of
# the person in charge, whoever does the work, regional words for a real person ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "bisa owner langsung yang bales kak?",
        "bisa dibantuin sama staf langsung kak? ribet soalnya",
        "pemiliknya mana ya? saya perlu ngomong",
        "could you share the manager's phone number please",
        "minta kontak pribadi owner dong",
        "mau bicara dengan manajer tokonya",
        "aku perlu ngobrol sama yang ngurus pesanan cetak",
        "hello, is there any human around?",
        "sampurasun, abdi hoyong ngobrol sareng jalma, sanes bot",
        "tolong nyambungkeun ka CS nya",
    ],
)
def test_a_asking_for_a_person_in_other_words(text: str) -> None:
    assert "handoff" in nlu.analyze(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "nomor telepon toko berapa kak?",
        "do you have staff discounts?",
        "is there a staff discount?",
        "minta nomor rekening buat transfer",
        "yang mana yang paling laris kak?",
    ],
)
def test_a_ordinary_questions_ask_for_no_person(text: str) -> None:
    assert "handoff" not in nlu.analyze(text).signals


def test_a_help_from_a_person_hands_off(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818001", "bisa dibantu oleh petugasnya? saya mau tanya pesanan seragam kantor")
    assert t.intent == "human_handoff" and t.handoff


# --- B: complaints: what came set against what was asked, a finished print job that is patchy or too faint, an
# item missing from a parcel, fewer than the order counted, waiting, unanswered, a refund demanded -------------


@pytest.mark.parametrize(
    "text",
    [
        "pesennya ukuran S kok yang datang XL semua",
        "aku mintanya warna biru malah dikirimi merah",
        "kok ukurane L, aku pesen M lho",
        "ukurannya tidak cocok sama yang dipesan kak",
        "cover nya salah kak, harusnya doff",
        "hasil cetakan undangannya bergaris-garis kak",
        "tulisan di fotokopiannya terlalu tipis, susah dibaca",
        "the copies came out too faint to read",
        "pesanan banner kami kepotong bagian atasnya",
        "kiriman sudah sampai tapi mukenanya tidak ada",
        "modul yang saya order 25 eksemplar ternyata cuma 20",
        "sudah menunggu 2 jam kak di sini",
        "file saya dari pagi tidak dikerjakan",
        "chat saya dari kemarin tidak ditanggapi",
        "niat dagang nggak sih",
        "mending refund aja deh",
        "kertasnya teu lengkap, kirang 3 lembar",
        "sampai saat ini laporan kami belum juga dicetak",
        "sudah transfer dari senin, tidak ada kabar sama sekali",
    ],
)
def test_b_complaints_said_in_other_words(text: str) -> None:
    assert "complaint" in nlu.analyze(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "mau pesan hardcover 2 rangkap",
        "mau pesan 3 yang warna merah",
        "ada kertas bergaris?",
        "kalau print warna hasilnya bagus tidak?",
        "saya pesan 2 ukuran M kirim ke Solo",
        "berapa lama nunggu cetak skripsi?",
    ],
)
def test_b_ordinary_questions_and_orders_are_no_complaints(text: str) -> None:
    assert "complaint" not in nlu.analyze(text).signals


def test_b_a_threat_of_a_bad_review_keeps_a_conditional_complaint(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818010", "paket saya belum datang, kalau besok belum sampai saya kasih bintang 1")
    assert t.intent == "complaint" and t.handoff


def test_b_what_came_against_what_was_ordered_is_no_new_order(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819818011", "order kemeja XL kok yang dikasih S sih, gimana ini")
    assert t.intent == "complaint" and t.handoff
    assert "maaf" in t.reply.lower()


# --- C: a complaint's reply fits its subject: a print job is asked after as a job (its result, its work), not as
# a parcel ----------------------------------------------------------------------------------------------------------


def test_c_a_defective_print_job_asks_for_a_photo_of_the_result(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji18a")
    t = chat(shop, "62819818020", "hasil print makalah saya buram kak")
    assert t.intent == "complaint" and t.handoff
    assert "foto hasil cetak" in t.reply and "unboxing" not in t.reply and "pengiriman" not in t.reply


def test_c_a_late_print_job_is_checked_as_work_not_a_delivery(db, chat) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(db, "fotokopi-uji18b")
    t = chat(shop, "62819818021", "sudah 2 hari fotokopian saya belum selesai")
    assert t.intent == "complaint" and t.handoff
    assert "pengerjaan" in t.reply and "pengiriman" not in t.reply


def test_c_a_late_parcel_is_still_checked_as_a_delivery(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818022", "paket saya sudah seminggu belum sampai")
    assert t.intent == "complaint" and "pengiriman" in t.reply


def test_c_goods_with_a_printing_fault_ask_for_a_photo_of_the_goods(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819818023", "buku sirah yang saya beli tulisannya buram di banyak halaman")
    assert t.intent == "complaint" and t.handoff
    assert "foto/video barangnya" in t.reply
