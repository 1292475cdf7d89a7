"""The rules behind the fixes that held-back batch 8 asked for, one test each, on messages of our own (the batch
itself measures them end to end: tests/agent/data/heldout8_*.jsonl)."""

from __future__ import annotations

from niaga.agent import nlu
from niaga.kit.lang import normalize

# --- A: counts with packaging units, packages counted, a count after "nya", sheets with sets ------------------


def test_pak_after_a_count_is_a_pack() -> None:
    assert "6 paket" in normalize("ambil tasbih 6 pak ya") or "6 pack" in normalize("ambil tasbih 6 pak ya")
    assert "pak budi" in normalize("makasih pak budi")


def test_packages_counted_with_their_contents() -> None:
    a = nlu.analyze("stiker vinyl 4 box isi 50 lembar")
    assert nlu.extract_quantity(a, product_words={"stiker", "vinyl"}) == 4
    b = nlu.analyze("stiker vinyl yg 1 box isi 50 lembar brp")
    assert nlu.extract_quantity(b, product_words={"stiker", "vinyl"}) is None


def test_count_after_a_possessive_name() -> None:
    a = nlu.analyze("sajadah turki hijau nya 3 ya")
    assert nlu.extract_quantity(a, product_words={"sajadah", "turki", "hijau"}) == 3


def test_sheets_with_sets_are_pages() -> None:
    a = nlu.analyze("fotokopi 12 lembar 5 set dijepret")
    assert a.print_spec.get("pages") == 12 and a.print_spec.get("copies") == 5


# --- B: complaints about what arrived; price and same-day questions -------------------------------------------


def test_exchange_asked_for_what_arrived_is_a_complaint() -> None:
    assert "complaint" in nlu.analyze("yg sampai sarungnya motif kotak, mau ditukar aja kak").signals
    assert "complaint" in nlu.analyze("minta refund ya, yg diterima kancingnya copot").signals
    assert "complaint" in nlu.analyze("bukunya halaman 12 sampai 20 kosong kak").signals
    assert (
        "complaint" not in nlu.analyze("bisa minta refund gk kalau yg dikirim nanti ukurannya pas?").signals
    )


def test_on_sale_asks_a_price() -> None:
    assert "price" in nlu.analyze("is the prayer mat discounted?").signals


def test_same_day_shipping_is_a_cut_off_question() -> None:
    assert nlu.SAME_DAY_RE.search(nlu.analyze("bayar jam 4 sore masih dikirim hari ini gk?").norm)


def test_money_set_aside_is_no_payment_question() -> None:
    assert "payment" not in nlu.analyze("ongkir ke solo brp? biar sy siapin dananya").signals
    assert "payment" in nlu.analyze("bisa bayar pakai dana?").signals


def test_spoken_exchange_and_root_words() -> None:
    assert "tukar" in normalize("bisa tuker warna gk").split()
    assert "pernikahan" in normalize("undangan nikah").split()


def test_dimensions_in_metres() -> None:
    assert nlu.dimensions_m("spanduk 4x1,5 meter") == (4.0, 1.5)
    assert nlu.dimensions_m("kirim 3 x seminggu") is None


# --- C: end to end: the count and the product a message gives ------------------------------------------------


def test_wish_then_count_after_the_name_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819800001", "mau buku fiqih sehari hari 4 ya kak")
    assert t.intent == "order_create" and t.entities.get("quantity") == 4


def test_a_reason_clause_names_no_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna,
        "62819800002",
        "kak mau nanya ongkir 2 mukena travel parasut ke bandung, karena mau buat kado lebaran",
    )
    assert t.intent == "shipping_cost" and t.entities.get("sku") == "RQ-HAJI-002"


def test_the_one_question_of_a_story_names_the_product(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(
        rizquna,
        "62819800003",
        "Halo kak. Anak sy minggu depan ulang tahun, pengen kasih yg berkesan. "
        "Kalau 2 seri kisah 25 nabi dikirim ke Malang berapa ongkirnya? Makasih ya",
    )
    assert t.entities.get("sku") == "RQ-ANAK-001" and t.entities.get("quantity") == 2


def test_marked_down_asks_a_price(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819800004", "apakah iqro lagi diskon?")
    assert t.intent == "price_check"


def test_per_square_metre_priced_by_area(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819800005", "harga banner flexi 2,5 x 2 m?")
    assert "5 m²" in t.reply and "125.000" in t.reply  # 2,5 × 2 = 5 m² × Rp25.000


def test_shop_location_from_the_profile_city(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819800006", "toko batiknya letaknya dimana ya?")
    assert t.intent == "store_info" and "Yogyakarta" in t.reply


def test_a_service_on_a_product_not_offered(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819800007", "bisa bordir nama di syal sutranya gk kak?")
    assert t.intent == "product_query" and "tidak tersedia" in t.reply


def test_mixed_variants_name_no_product(batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(batik, "62819800008", "pesan 2 lusin masker batik, warna campur")
    assert t.intent == "order_create" and t.entities.get("quantity") == 24
