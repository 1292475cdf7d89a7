"""The rules behind the fixes that held-back batch 9 asked for, one test each, on messages of our own (the batch
itself measures them end to end: tests/agent/data/heldout9_*.jsonl)."""

from __future__ import annotations

from niaga.agent import nlu, planner
from niaga.kit.lang import normalize

# --- A: stretched letters, counts (counting units, "satu aja"), bulk buying --------------------------------


def test_stretched_letters_read_once() -> None:
    assert normalize("sajadah turki hrgnya brpppp kakkk") == normalize("sajadah turki hrgnya brp kak")
    assert "banget" in normalize("bagus bangettttt").split()
    assert "good" in normalize("goooood").split()


def test_counting_unit_after_a_name_number() -> None:
    a = nlu.analyze("mau pesan buku tulis 5 blok selusin")
    assert (
        nlu.extract_quantity(a, product_words={"buku", "tulis"}, names=[["buku", "tulis", "5", "blok"]]) == 12
    )


def test_just_one_after_a_page_count() -> None:
    a = nlu.analyze("pesan buku yasin 120 halaman satu aja")
    assert nlu.extract_quantity(a, product_words={"buku", "yasin"}) == 1


def test_size_after_a_count_is_no_product_word() -> None:
    a = nlu.analyze("sarung tenun hitam butuh 2 lusin ukuran dewasa")
    context = planner.context_words(a, set())
    assert "sarung" not in context and "tenun" not in context


def test_bulk_buying_is_no_product_word() -> None:
    from niaga.kit.bm25 import QUERY_STOPWORDS

    assert "borong" in QUERY_STOPWORDS


# --- B: picking up and totals; complaints and the shop's person; stapling -----------------------------------


def test_picking_up_is_no_order() -> None:
    assert "order" not in nlu.analyze("tasbih kayu brp? nanti aku ambil sendiri ke toko").signals
    assert "order" in nlu.analyze("ambil tasbih kayu 2").signals


def test_total_asked() -> None:
    assert planner._TOTAL_Q_RE.search(nlu.analyze("mau 10 totalnya jd brp").norm)
    assert planner._TOTAL_Q_RE.search(nlu.analyze("sarung 3 brp totalnya").norm)


def test_complaint_cues() -> None:
    assert "complaint" in nlu.analyze("sarung yg dateng motifnya bukan yg aku pesan").signals
    assert "complaint" in nlu.analyze("nomor di undangan salah, mohon diperbaiki ya").signals
    assert "complaint" in nlu.analyze("mau uangnya dikembalikan aja, cetakannya miring").signals
    assert "complaint" not in nlu.analyze("mau print 20 lembar warna").signals


def test_speaking_to_the_shop_keeper() -> None:
    assert "handoff" in nlu.analyze("boleh bicara dengan mbak yang jaga kasir?").signals
    assert "handoff" in nlu.analyze("penjaga tokonya ada?").signals
    assert "handoff" not in nlu.analyze("ngomong2 harga peci brp").signals


def test_stapled_binding() -> None:
    assert nlu.analyze("fotokopi 20 lembar di staples").print_spec.get("binding") == "staple"
    assert nlu.analyze("print 10 hal distaples ya").print_spec.get("binding") == "staple"
