from __future__ import annotations

import pytest

from niaga.agent import nlu
from niaga.kit.lang import detect_language, normalize, stem


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("brp hrg quran?", "berapa harga quran"),
        ("Al-Qur'an ukuran A4 ready gak kak", "quran ukuran a4 ready tidak kak"),
        ("ongkos kirim ke bdg", "ongkir ke bandung"),
        ("mau dua puluh lima pcs", "mau 25 pcs"),
        ("seratus dua puluh halaman", "120 halaman"),
        ("pesan 3pcs ya", "pesan 3 pcs ya"),
        ("tanya-tanya dulu 🙏", "tanya dulu"),
        ("Rp150.000", "rp150000"),
    ],
)
def test_normalize(raw: str, norm: str) -> None:
    assert normalize(raw) == norm


def test_stem_is_light_and_consistent() -> None:
    assert stem("pembayaran") == "bayar" and stem("harganya") == "harga" and stem("berwarna") == "warna"
    assert stem("sajadah") == "sajadah" and stem("quran") == "quran"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How much is shipping to Jakarta?", "en"),
        ("brp ongkir ke jkt", "id"),
        ("Is it available?", "en"),
        ("ada stok?", "id"),
        ("P", "id"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_entities() -> None:
    a = nlu.analyze("print skripsi 120 hlm 2 rangkap jilid hard cover bolak-balik A4 express")
    assert a.print_spec == {
        "document_type": "skripsi",
        "binding": "hardcover",
        "duplex": True,
        "paper_size": "A4",
        "pages": 120,
        "copies": 2,
        "express": True,
    }
    a = nlu.analyze("cek order ord-20261115-0007 dong")
    assert a.order_number == "ORD-20261115-0007"
    a = nlu.analyze("kirim ke jogja")
    assert a.city == "Yogyakarta"
    a = nlu.analyze("pesan kisah 25 nabi 2 paket")
    assert nlu.extract_quantity(a, exclude_values={25}) == 2
    a = nlu.analyze("buku anak umur 5 tahun")
    assert a.age == 5 and nlu.extract_quantity(a) is None
