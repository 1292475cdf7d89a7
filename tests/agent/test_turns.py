"""The agent end to end on the shared demo catalogue: the dev cases, held-out-style paraphrases of the
same kinds (typos, slang, English, follow-ups), bad input, tenancy, orders and speed."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from niaga.orders.models import Order
from tests.agent import demo_data
from tests.factories import make_customer

AMOUNT = re.compile(r"Rp\s*([0-9][0-9.]*)")


def _allowed_amounts() -> set[int]:
    import csv

    out: set[int] = set()
    with open(demo_data.CATALOG / "rizquna_products.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.update(int(row[k]) for k in ("price", "sale_price") if row[k])
    with open(demo_data.CATALOG / "shipping_rates.csv", encoding="utf-8") as f:
        out.update(int(row["price_per_kg"]) for row in csv.DictReader(f))
    text = (demo_data.CATALOG / "rizquna_knowledge.md").read_text(encoding="utf-8")
    out.update(int(m.replace(".", "")) for m in AMOUNT.findall(text))
    return out


def _check(t, case: dict) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    if t.intent != case["intent"]:
        problems.append(f"intent {t.intent} != {case['intent']}")
    for k, want in (case.get("entities") or {}).items():
        got = t.entities.get(k)
        if (got.lower() if isinstance(got, str) else got) != (
            want.lower() if isinstance(want, str) else want
        ):
            problems.append(f"entity {k}={got!r} != {want!r}")
    low = t.reply.lower()
    for m in case.get("must_mention", []):
        if m.lower() not in low:
            problems.append(f"lacks {m!r}")
    if case.get("must_mention_any") and not any(m.lower() in low for m in case["must_mention_any"]):
        problems.append(f"lacks any of {case['must_mention_any']}")
    for m in case.get("must_not_mention", []):
        if m.lower() in low:
            problems.append(f"says {m!r}")
    allowed = _allowed_amounts() | set(case.get("amounts", []))
    bad = [
        int(x.replace(".", ""))
        for x in AMOUNT.findall(t.reply)
        if int(x.rstrip(".").replace(".", "")) not in allowed
    ]
    if bad:
        problems.append(f"invented amounts {bad}")
    if "handoff" in case and t.handoff != case["handoff"]:
        problems.append(f"handoff {t.handoff} != {case['handoff']}")
    return problems


def _run_cases(chat, business, cases: list[dict]) -> list[str]:  # type: ignore[no-untyped-def]
    failures = []
    for n, case in enumerate(cases):
        sender = f"62811{n:07d}"
        for ctx_text in case.get("context", []):
            chat(business, sender, ctx_text)
        t = chat(business, sender, case["text"])
        problems = _check(t, case)
        if problems:
            failures.append(f"{case.get('id', n)} {case['text']!r} -> {t.reply[:150]!r}: {problems}")
    return failures


def test_dev_cases_pass(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    lines = demo_data.AGENT_CASES.read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    failures = _run_cases(chat, rizquna, cases)
    assert not failures, "\n".join(failures)


HELD_OUT = [
    {"text": "assalamu'alaikum min", "intent": "greeting", "must_mention": ["salam"]},
    {"text": "selamat sore kak", "intent": "greeting"},
    {"text": "hi, good morning", "intent": "greeting"},
    {"text": "jam brp tokonya tutup?", "intent": "store_info", "must_mention": ["17.00"]},
    {"text": "where is your store located?", "intent": "store_info", "must_mention": ["Kaliurang"]},
    {"text": "hari minggu buka gak kak?", "intent": "store_info", "must_mention_any": ["tutup"]},
    {
        "text": "brp harga quran tajwid?",
        "intent": "price_check",
        "entities": {"sku": "RQ-QURAN-002"},
        "must_mention": ["85.000"],
    },
    {
        "text": "harga sajadah turki brp kak",
        "intent": "price_check",
        "entities": {"sku": "RQ-SAJ-001"},
        "must_mention": ["95.000"],
    },
    {
        "text": "ensiklopedi muslim cilik harganya berapa",
        "intent": "price_check",
        "entities": {"sku": "RQ-ANAK-005"},
        "must_mention": ["120.000"],
    },
    {
        "text": "peci hitam ready gak?",
        "intent": "stock_check",
        "entities": {"sku": "RQ-PECI-001"},
        "must_mention_any": ["tersedia", "ready"],
    },
    {
        "text": "buku doa anak muslim masih ada stoknya?",
        "intent": "stock_check",
        "entities": {"sku": "RQ-ANAK-004"},
        "must_mention_any": ["habis", "kosong", "pre-order"],
    },
    {
        "text": "How much is the Sirah Nabawiyah book?",
        "intent": "price_check",
        "entities": {"sku": "RQ-BUKU-002"},
        "must_mention": ["69.000"],
    },
    {
        "text": "ongkir 3 iqro ke surabaya brp",
        "intent": "shipping_cost",
        "entities": {"sku": "RQ-ANAK-003", "quantity": 3, "destination_city": "Surabaya"},
        "must_mention": ["26.000"],
        "amounts": [26000, 28000, 126000, 152000],
    },
    {
        "text": "kirim 1 mukena travel ke jkt brp ongkirnya",
        "intent": "shipping_cost",
        "entities": {"sku": "RQ-HAJI-002", "quantity": 1, "destination_city": "Jakarta"},
        "must_mention": ["16.000"],
        "amounts": [126000],
    },
    {
        "text": "mau pesen 2 peci hitam",
        "intent": "order_create",
        "entities": {"sku": "RQ-PECI-001", "quantity": 2},
        "must_mention": ["80.000"],
        "amounts": [80000],
    },
    {
        "text": "order tiga sajadah travel kak",
        "intent": "order_create",
        "entities": {"sku": "RQ-SAJ-002", "quantity": 3},
        "must_mention": ["117.000"],
        "amounts": [117000],
    },
    {
        "text": "I want to order 2 tafsir juz amma",
        "intent": "order_create",
        "entities": {"sku": "RQ-BUKU-004", "quantity": 2},
        "must_mention": ["196.000"],
        "amounts": [196000],
    },
    {
        "text": "fotokopi ijazah 10 lembar",
        "intent": "print_order",
        "entities": {"copies": 10, "document_type": "ijazah", "color": False},
    },
    {
        "text": "print proposal 50 halaman bolak balik",
        "intent": "print_order",
        "entities": {"document_type": "proposal", "pages": 50, "duplex": True},
        "amounts": [15000],
    },
    {
        "text": "berapa biaya print makalah 30 halaman warna 2 rangkap?",
        "intent": "price_check",
        "entities": {"document_type": "makalah", "pages": 30, "copies": 2, "color": True},
        "must_mention": ["90.000"],
        "amounts": [90000],
    },
    {
        "text": "cek pesanan ORD-20260101-0001",
        "intent": "order_status",
        "entities": {"order_number": "ORD-20260101-0001"},
        "must_mention_any": ["tidak ditemukan"],
    },
    {"text": "bisa bayar pakai qris?", "intent": "payment", "must_mention": ["QRIS"]},
    {"text": "tolong hubungkan dengan admin", "intent": "human_handoff", "handoff": True},
    {"text": "barangnya datang sobek kak, gimana ini", "intent": "complaint", "must_mention_any": ["maaf"]},
    {"text": "makasih min", "intent": "thanks"},
    {
        "text": "Jual kemeja batik?",
        "intent": "product_query",
        "must_mention_any": ["tidak tersedia"],
        "must_not_mention": ["275.000", "BS-KMJ"],
    },
    {
        "context": ["harga quran terjemah per kata?"],
        "text": "kalau yang saku?",
        "intent": "price_check",
        "entities": {"sku": "RQ-QURAN-004"},
        "must_mention": ["45.000"],
    },
    {
        "context": ["ongkir 1 sajadah turki ke bandung"],
        "text": "kalau ke medan?",
        "intent": "shipping_cost",
        "entities": {"sku": "RQ-SAJ-001", "destination_city": "Medan"},
        "must_mention": ["36.000"],
        "amounts": [131000, 15000, 16000],
    },
    {
        "context": ["ada peci?"],
        "text": "harganya?",
        "intent": "price_check",
        "must_mention": ["40.000", "25.000"],
    },
    {"text": "Do you sell prayer mats?", "intent": "product_query", "must_mention": ["Sajadah"]},
    {
        "text": "rekomendasi perlengkapan umroh dong",
        "intent": "product_query",
        "must_mention_any": ["Umroh", "Ihram", "Mukena"],
    },
    {
        "text": "kartu nama 5 box brp",
        "intent": "price_check",
        "entities": {"sku": "RQ-CETAK-003", "quantity": 5},
        "must_mention": ["225.000"],
        "amounts": [225000],
    },
    {
        "text": "brosur A4 200 lembar berapa?",
        "intent": "price_check",
        "entities": {"sku": "RQ-CETAK-004"},
        "must_mention": ["300.000"],
        "amounts": [300000],
    },
    {
        "text": "stok sajadh turki msh ada ga",
        "intent": "stock_check",
        "entities": {"sku": "RQ-SAJ-001"},
        "must_mention": ["45"],
    },
    {
        "text": "Saya ingin memesan 4 buku sirah nabawiyah",
        "intent": "order_create",
        "entities": {"sku": "RQ-BUKU-002", "quantity": 4},
        "must_mention": ["276.000"],
        "amounts": [276000],
    },
    {
        "text": "Shipping cost for 2 Turkish prayer mats to Surabaya?",
        "intent": "shipping_cost",
        "entities": {"sku": "RQ-SAJ-001", "quantity": 2, "destination_city": "Surabaya"},
        "must_mention": ["26.000"],
        "amounts": [26000, 28000, 190000, 216000],
    },
    {
        "text": "Fotokopi 50 lembar berapa?",
        "intent": "price_check",
        "entities": {"pages": 50},
        "must_mention": ["15.000"],
        "amounts": [15000],
    },
    {"text": "Kapan pesanan saya dikirim?", "intent": "order_status", "must_mention_any": ["nomor pesanan"]},
    {"text": "Pembayarannya lewat apa saja min?", "intent": "payment", "must_mention": ["QRIS"]},
    {"text": "Berapa lama pengiriman ke Medan?", "intent": "shipping_cost", "must_mention": ["3-5 hari"]},
    {"text": "Ada Quran ukuran A3?", "intent": "product_query", "must_mention": ["tidak tersedia"]},
    {"text": "Ada Al-Quran Braille?", "intent": "product_query", "must_mention": ["tidak tersedia"]},
    {
        "text": "Harga sajadah motif masjid berapa?",
        "intent": "price_check",
        "must_mention": ["tidak tersedia"],
        "must_not_mention": ["95.000"],
    },
    {"text": "admin", "intent": "human_handoff", "handoff": True},
    {"text": "Saya mau ngomong sama orang", "intent": "human_handoff", "handoff": True},
    {"text": "ok", "intent": "other", "handoff": False},
    {
        "text": "Saya mau cetak undangan pernikahan 200 pcs",
        "intent": "order_create",
        "entities": {"sku": "RQ-CETAK-005"},
        "must_mention": ["900.000"],
        "amounts": [900000],
    },
    {
        "context": ["Print skripsi 3 eksemplar"],
        "text": "jilid spiral aja",
        "intent": "print_order",
        "entities": {"document_type": "skripsi", "copies": 3, "binding": "spiral"},
    },
    {
        "context": ["harga quran?"],
        "text": "yang paling murah?",
        "intent": "price_check",
        "must_mention": ["45.000"],
    },
]


def test_held_out_style_cases(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    failures = _run_cases(chat, rizquna, HELD_OUT)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🙏🙏",
        "😀",
        "x" * 10_000,
        "asdfghjkl qwerty",
        "RQ-XXX-999",
        "BS-CAP-001 harganya?",
        "harga ORD-1234",
        "\x00\x01",
        "?" * 50,
        "berapa " * 2000,
    ],
)
def test_bad_input_is_answered_politely(rizquna, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6281200000001", text)
    assert t.intent in ("other", "greeting", "thanks", "product_query", "price_check", "order_status")
    assert t.reply  # a polite answer, never silence or an exception
    assert "Terjadi kesalahan" not in t.reply and "kendala di sistem" not in t.reply
    amounts = {int(x.replace(".", "")) for x in AMOUNT.findall(t.reply)}
    assert amounts <= _allowed_amounts()
    if "BS-" in text:
        assert "165.000" not in t.reply and "Kawung" not in t.reply


def test_tenancy_each_agent_offers_only_its_own_products(rizquna, batik, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62812000001", "ada kain batik tulis?")
    assert "Sekar Jagad" not in t.reply and "1.250.000" not in t.reply
    assert "tidak tersedia" in t.reply.lower()
    t = chat(rizquna, "62812000001", "harga BS-TULIS-001 berapa?")
    assert "1.250.000" not in t.reply and t.entities.get("sku") is None
    t = chat(batik, "62812000002", "ada al quran?")
    assert "Madinah" not in t.reply and "150.000" not in t.reply
    t = chat(batik, "62812000002", "harga kemeja batik lengan panjang?")
    assert t.entities.get("sku") == "BS-KMJ-001" and "275.000" in t.reply
    t = chat(batik, "62812000002", "promo apa aja?")
    assert "Kawung" in t.reply and "Tajwid" not in t.reply


def test_order_draft_then_confirm_creates_order(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62813000001", "mau pesan 3 buku doa harian")
    assert t.intent == "order_create" and "75.000" in t.reply
    assert "dikirim atau diambil" in t.reply  # how the order reaches the customer comes before YA
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    t = chat(rizquna, "62813000001", "ambil di toko aja kak")
    assert t.intent == "order_create" and "atas nama siapa" in t.reply.lower()
    t = chat(rizquna, "62813000001", "atas nama Rina")
    assert "Diambil di toko" in t.reply and "Total: Rp75.000" in t.reply and "*YA*" in t.reply
    t = chat(rizquna, "62813000001", "ya kak jadi")
    assert t.intent == "order_create"
    order = db.scalars(sa.select(Order)).one()
    assert order.number in t.reply and order.total == 75000 and order.status in ("draft", "awaiting_payment")
    assert order.customer_id == t.conversation.customer_id and order.items[0].sku == "RQ-BUKU-003"
    assert order.shipping == {"method": "pickup"} and "diambil di toko" in t.reply
    # the draft is consumed: another "ok" creates nothing
    chat(rizquna, "62813000001", "ok")
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_order_with_delivery_asks_city_courier_address_and_name_then_charges_shipping(
    rizquna, chat, db
) -> None:  # type: ignore[no-untyped-def]
    from niaga.customers.models import Customer

    t = chat(rizquna, "62813000011", "pesan 2 peci hitam")
    t = chat(rizquna, "62813000011", "ya")  # YA before the delivery is known creates nothing: it asks again
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 0 and "kota mana" in t.reply
    t = chat(rizquna, "62813000011", "dikirim ke surabaya")
    assert "JNE REG: Rp14.000" in t.reply and "kurir yang mana" in t.reply
    assert "300 g" in t.reply and "dihitung 1 kg" in t.reply  # the products' real weight, billed per kg
    t = chat(rizquna, "62813000011", "jne aja")
    assert "Alamat lengkap" in t.reply
    t = chat(rizquna, "62813000011", "Jl. Mawar No. 5, Kec. Gubeng")
    assert "atas nama siapa" in t.reply.lower()
    t = chat(rizquna, "62813000011", "nama saya Budi Santoso")
    assert "Ongkir JNE REG ke Surabaya (1 kg): Rp14.000" in t.reply and "Total: Rp94.000" in t.reply
    t = chat(rizquna, "62813000011", "ya")
    order = db.scalars(sa.select(Order)).one()
    assert (order.subtotal, order.shipping_cost, order.total) == (80000, 14000, 94000)
    assert order.shipping["city"] == "Surabaya" and order.shipping["courier"] == "JNE"
    assert (
        order.shipping["address"] == "Jl. Mawar No. 5, Kec. Gubeng" and order.shipping["method"] == "delivery"
    )
    assert "termasuk ongkir Rp14.000" in t.reply and "Rp94.000" in t.reply
    assert db.get(Customer, order.customer_id).name == "Budi Santoso"


def test_known_customer_is_not_asked_for_a_name_and_a_city_without_rates_goes_to_staff(
    rizquna, chat, db
) -> None:  # type: ignore[no-untyped-def]
    from niaga.customers.service import get_or_create_by_identity

    get_or_create_by_identity(
        db, business_id=rizquna.id, channel="whatsapp", external_id="62813000012", name="Siti"
    )
    db.commit()
    chat(rizquna, "62813000012", "pesan 1 sajadah turki")
    t = chat(rizquna, "62813000012", "kirim ke wonosobo")
    assert "Alamat lengkap" in t.reply
    t = chat(rizquna, "62813000012", "Jl. Dieng 7, Wonosobo")
    assert "atas nama" not in t.reply.lower().split("atas nama: siti")[0]
    assert "admin akan mengonfirmasi ongkir" in t.reply and "belum termasuk ongkir" in t.reply
    t = chat(rizquna, "62813000012", "ya")
    order = db.scalars(sa.select(Order)).one()
    assert order.shipping_cost == 0 and "Wonosobo" in order.notes and "ongkir" in t.reply


def test_stated_weight_overrides_the_products(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62813000013", "ongkir peci hitam ke surabaya 2 kg berapa")
    assert "JNE REG: Rp28.000" in t.reply and "dihitung 2 kg" in t.reply
    t = chat(rizquna, "62813000014", "ongkir ke surabaya 3 kg berapa")
    assert "JNE REG: Rp42.000" in t.reply and "paket 3 kg" in t.reply


def test_order_draft_cancel(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62813000002", "pesan 2 peci hitam")
    t = chat(rizquna, "62813000002", "gak jadi deh")
    assert "batal" in t.reply.lower()
    chat(rizquna, "62813000002", "ya")
    assert db.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_order_lookup_only_own_orders(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    other = make_customer(db, business=rizquna, name="Orang Lain")
    db.add(
        Order(
            business_id=rizquna.id,
            number="ORD-20261101-0001",
            customer_id=other.id,
            status="shipped",
            total=150000,
            subtotal=150000,
        )
    )
    db.commit()
    t = chat(rizquna, "62814000001", "status pesanan ORD-20261101-0001?")
    assert "tidak ditemukan" in t.reply and "dikirim" not in t.reply
    mine = chat(rizquna, "62814000002", "halo")
    db.add(
        Order(
            business_id=rizquna.id,
            number="ORD-20261101-0002",
            customer_id=mine.conversation.customer_id,
            status="shipped",
            total=150000,
            subtotal=150000,
        )
    )
    db.commit()
    t = chat(rizquna, "62814000002", "pesanan ORD-20261101-0002 sudah sampai mana?")
    assert "sudah dikirim" in t.reply and "150.000" in t.reply


def test_stock_not_enough_and_preorder(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62815000001", "ensiklopedia muslim cilik masih ada 20?")
    assert t.intent == "stock_check" and "9" in t.reply and "tinggal" in t.reply
    t = chat(rizquna, "62815000002", "quran saku ready?")
    assert "pre-order" in t.reply and "50%" in t.reply


def test_free_shipping_rule_applies(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62816000001", "ongkir 2 quran madinah ke sleman?")
    assert t.intent == "shipping_cost" and "GRATIS" in t.reply and "Rp0" not in t.reply


def test_english_replies_in_english(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62817000001", "What is the price of the hafalan Quran?")
    assert t.language == "en" and "price" in t.reply.lower() and "110.000" in t.reply


def test_index_follows_catalogue_changes(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    from niaga.catalog.models import Product

    t = chat(rizquna, "62818000001", "harga peci hitam?")
    assert "40.000" in t.reply
    p = db.scalars(sa.select(Product).where(Product.sku == "RQ-PECI-001")).one()
    p.price = 42000
    db.add(
        Product(
            business_id=rizquna.id,
            sku="RQ-TASBIH-001",
            name="Tasbih Kayu Kokka",
            price=30000,
            stock=5,
            weight_g=50,
            category="Aksesoris",
        )
    )
    db.commit()
    t = chat(rizquna, "62818000002", "harga peci hitam?")
    assert "42.000" in t.reply
    t = chat(rizquna, "62818000003", "ada tasbih kayu?")
    assert "Tasbih Kayu Kokka" in t.reply


def test_memory_and_summary(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819000001", "ada sajadah?")
    t = chat(rizquna, "62819000001", "yang travel berapa?")
    assert t.entities.get("sku") == "RQ-SAJ-002"
    conv = t.conversation
    assert conv.memory["focus_skus"] == ["RQ-SAJ-002"] and conv.memory["last_intent"] == "price_check"
    assert "Sajadah Travel" in conv.summary


def test_recall_from_earlier_conversation(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    from niaga.customers.models import CustomerIdentity

    t1 = chat(rizquna, "62820000001", "harga quran hafalan?", channel="whatsapp")
    # the same customer writes later on Telegram
    db.add(
        CustomerIdentity(
            business_id=rizquna.id,
            customer_id=t1.conversation.customer_id,
            channel="telegram",
            external_id="tg-777",
        )
    )
    db.commit()
    t2 = chat(rizquna, "tg-777", "kalau stoknya?", channel="telegram")
    assert t2.conversation.id != t1.conversation.id
    assert t2.intent == "stock_check" and "Hafalan" in t2.reply and "18" in t2.reply


def test_persona_and_after_hours(rizquna, chat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from niaga.agent import service
    from niaga.kit.timeutil import tz

    t = chat(rizquna, "62821000001", "halo")
    assert t.reply.startswith("Assalamualaikum") and "Rizquna" in t.reply and "luar jam" not in t.reply
    monkeypatch.setattr(
        service, "now_fn", lambda zone=None: datetime(2026, 11, 28, 20, 0, tzinfo=tz("Asia/Jakarta"))
    )
    t = chat(rizquna, "62821000002", "saya mau bicara dengan admin")
    assert t.handoff and "Senin pukul 08.00" in t.reply  # Saturday evening → Monday morning
