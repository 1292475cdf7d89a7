"""The rules behind the fixes that held-back batch 12 asked for, one test each, on messages of our own (the
batch itself measures them end to end: tests/agent/data/heldout12_*.jsonl)."""

from __future__ import annotations

from niaga.agent import nlu
from tests.agent.demo_data import print_shop as _shop
from tests.agent.demo_data import rupiah as _rp

# --- A: print requests: some pages in colour, photocopies, a custom cover colour ----------------------------


def test_some_pages_in_colour_are_counted_apart() -> None:
    spec = nlu.analyze("makalah 60 halaman, 8 halamannya berwarna, berapa").print_spec
    assert spec["pages"] == 60 and spec["colour_pages"] == 8 and not spec.get("photo")
    spec = nlu.analyze("laporan 40 hlm, 5 hlm ada foto, sisanya hitam putih").print_spec
    assert spec["pages"] == 40 and spec["colour_pages"] == 5 and spec.get("photo") is True
    assert "colour_pages" not in nlu.analyze("print 12 halaman warna").print_spec


def test_some_pages_in_colour_priced_line_by_line(db, chat) -> None:  # type: ignore[no-untyped-def]
    from niaga.printshop.pricing import DEFAULT_PRICES

    shop = _shop(db, "fotokopi-uji12a")
    t = chat(shop, "62819812001", "makalah 60 halaman, 8 halamannya berwarna, 3 rangkap totalnya?")
    row = DEFAULT_PRICES["per_page"]["A4"]
    bw, colour = 52 * 3 * int(row["bw"]), 8 * 3 * int(row["colour"])
    assert _rp(bw) in t.reply and _rp(colour) in t.reply
    assert _rp(60 * 3 * int(row["colour"])) not in t.reply


def test_a_photocopy_with_no_colour_stated_is_black_and_white() -> None:
    assert nlu.analyze("mau fotokopiin ijazah 5 lembar").print_spec.get("color") is False


def test_a_custom_cover_colour_in_brackets() -> None:
    assert (
        nlu.analyze("sampul hardcover warna custom (ungu) nambah berapa").print_spec["cover_colour"] == "ungu"
    )


# --- B: intents: collecting prints, fewer than paid for, asking for a human ----------------------------------


def test_collecting_prints_is_not_an_order() -> None:
    s = nlu.analyze("sabtu sore buka tidak kak, saya mau ambil printannya").signals
    assert "order" not in s and "store_info" in s
    assert "order" in nlu.analyze("saya ambil 3 ya kak").signals


def test_fewer_than_paid_for_is_a_complaint() -> None:
    s = nlu.analyze("yang datang cuma 2 sajadah padahal saya bayar untuk 4").signals
    assert "complaint" in s


def test_asking_whether_a_human_serves() -> None:
    assert "handoff" in nlu.analyze("adminnya manusia bukan sih? penting").signals
    assert "handoff" in nlu.analyze("ada cs yang manusia tidak").signals


# --- C: a question in two parts gets the sentence for each -------------------------------------------------


def test_how_long_points_stay_valid(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819812002", "poinnya buat apa aja kak? hangusnya kapan")
    assert "12 bulan" in t.reply
