"""One test per intent rule (planner.RULES): a message written for the rule makes exactly that rule decide,
in the conversation state it needs (an open order draft, products in focus, a print order before)."""

from __future__ import annotations

from typing import Any

import pytest

from niaga.agent import nlu, planner
from niaga.agent.enums import Intent, Mode
from niaga.agent.memory import ConversationMemory
from niaga.agent.tools import ToolContext, known_cities
from niaga.knowledge import search as knowledge_search

DRAFT = {"items": [{"sku": "RQ-PECI-001", "quantity": 2}], "subtotal": 80000}

# rule name -> (memory set-up, message, expected intent, expected mode)
CASES: dict[str, tuple[dict[str, Any], str, Intent, Mode]] = {
    "empty": ({}, "🙏🙏", Intent.OTHER, Mode.NONE),
    "handoff": ({}, "mau bicara sama admin", Intent.HUMAN_HANDOFF, Mode.NONE),
    "draft_cancel": (
        {"draft": {**DRAFT, "awaiting": "confirm"}},
        "batal kak",
        Intent.ORDER_CREATE,
        Mode.CANCEL,
    ),
    "draft_slot": ({"draft": {**DRAFT, "awaiting": "courier"}}, "jne aja", Intent.ORDER_CREATE, Mode.SLOT),
    "draft_confirm": (
        {"draft": {**DRAFT, "awaiting": "confirm"}},
        "ya lanjut",
        Intent.ORDER_CREATE,
        Mode.CONFIRM,
    ),
    "print_option_change": (
        {"last_intent": "print_order", "print_spec": {"document_type": "skripsi"}},
        "jilid spiral aja",
        Intent.PRINT_ORDER,
        Mode.PRINT,
    ),
    "complaint": ({}, "barangnya rusak pas sampai", Intent.COMPLAINT, Mode.NONE),
    "duration": ({}, "berapa lama cetak skripsi selesai?", Intent.STORE_INFO, Mode.NONE),
    "order_number": ({}, "status ORD-20261115-0007?", Intent.ORDER_STATUS, Mode.NONE),
    "partial_order_number": ({}, "cek ORD-2026 dong", Intent.ORDER_STATUS, Mode.NONE),
    "payment_deadline_policy": (
        {},
        "pesanan dibayar jam berapa biar dikirim hari itu?",
        Intent.STORE_INFO,
        Mode.NONE,
    ),
    "payment": ({}, "bisa bayar pakai qris?", Intent.PAYMENT, Mode.NONE),
    "return_policy": ({}, "aturan retur barangnya gimana?", Intent.STORE_INFO, Mode.NONE),
    "order_status": ({}, "pesanan saya sampai mana?", Intent.ORDER_STATUS, Mode.NONE),
    "order_with_delivery": (
        {},
        "order 3 peci, kirim ke Bandung pakai SiCepat",
        Intent.ORDER_CREATE,
        Mode.NONE,
    ),
    "shipping_policy": ({}, "pengiriman pakai kurir apa aja?", Intent.STORE_INFO, Mode.NONE),
    "shipping": ({}, "ongkir ke Medan berapa?", Intent.SHIPPING_COST, Mode.NONE),
    "delivery_time": ({}, "ke Pontianak berapa hari sampainya?", Intent.SHIPPING_COST, Mode.NONE),
    "outside_date": ({}, "kak tahun baru imlek jatuhnya hari apa ya?", Intent.OTHER, Mode.NONE),
    "advice": ({}, "kak ada tips biar cepet lulus ga?", Intent.OTHER, Mode.NONE),
    "catalogue": ({}, "kak tokonya jualan apa aja sih?", Intent.PRODUCT_QUERY, Mode.CATALOGUE),
    "store_info": ({}, "alamat tokonya dimana?", Intent.STORE_INFO, Mode.NONE),
    "conditional_policy": ({}, "kalau barangnya cacat bisa ditukar?", Intent.STORE_INFO, Mode.NONE),
    "print_price": ({}, "print 50 lembar warna berapa?", Intent.PRICE_CHECK, Mode.PRINT),
    "print_order": ({}, "fotokopi ktp 5 lembar", Intent.PRINT_ORDER, Mode.PRINT),
    "stock": ({}, "stok iqro masih ada?", Intent.STOCK_CHECK, Mode.NONE),
    "order": ({}, "pesan 3 buku doa harian", Intent.ORDER_CREATE, Mode.NONE),
    "catalogue_print_service": ({}, "cetak undangan pernikahan 2 pcs", Intent.ORDER_CREATE, Mode.NONE),
    "price": ({}, "harga peci hitam berapa?", Intent.PRICE_CHECK, Mode.NONE),
    "counted_product": ({}, "doa harian 3 biji", Intent.ORDER_CREATE, Mode.NONE),
    "store_info_any": ({}, "sajadah turki, tokonya buka?", Intent.STORE_INFO, Mode.NONE),
    "promo": ({}, "ada promo apa minggu ini?", Intent.PRODUCT_QUERY, Mode.PROMO),
    "recommend": ({}, "rekomendasi buku untuk anak umur 5 tahun", Intent.PRODUCT_QUERY, Mode.RECOMMEND),
    "followup_shipping": (
        {"focus_sku": "RQ-PECI-001", "last_intent": "price_check"},
        "kalau ke Medan?",
        Intent.SHIPPING_COST,
        Mode.INHERIT,
    ),
    "followup": (
        {"focus_sku": "RQ-PECI-001", "last_intent": "stock_check"},
        "kalau yang putih?",
        Intent.STOCK_CHECK,
        Mode.INHERIT,
    ),
    "print_followup": (
        {"last_intent": "print_order", "print_spec": {"document_type": "makalah"}},
        "yang 2 rangkap berapa?",
        Intent.PRINT_ORDER,
        Mode.PRINT,
    ),
    "product_question_thanks": ({}, "makasih ya, ada lagi?", Intent.THANKS, Mode.NONE),
    "product_question_greeting": ({}, "halo kak, mau cari-cari dulu", Intent.GREETING, Mode.NONE),
    "product_question": ({}, "ada sajadah?", Intent.PRODUCT_QUERY, Mode.NONE),
    "named_product": ({}, "tafsir juz amma tematik", Intent.PRODUCT_QUERY, Mode.NONE),
    "thanks": ({}, "terima kasih kak", Intent.THANKS, Mode.NONE),
    "greeting": ({}, "assalamualaikum", Intent.GREETING, Mode.NONE),
    "acknowledged": ({}, "oke sip", Intent.OTHER, Mode.ACK),
    "ask_which_stock": ({}, "stoknya tinggal berapa?", Intent.STOCK_CHECK, Mode.ASK),
    "ask_which_order": ({}, "mau pesan dong", Intent.ORDER_CREATE, Mode.ASK),
    "ask_which_price": ({}, "harganya berapa?", Intent.PRICE_CHECK, Mode.ASK),
    "knowledge": ({}, "data pelanggan dipakai buat apa aja?", Intent.STORE_INFO, Mode.NONE),
    "fallback": ({}, "asdf qwerty", Intent.OTHER, Mode.NONE),
}


def test_every_rule_has_a_case_and_the_table_ends_with_a_fallback() -> None:
    assert [r.name for r in planner.RULES] == list(CASES)
    assert planner.RULES[-1].name == "fallback"
    for rule in planner.RULES:  # the table's documented example is the message tested here
        assert rule.example.endswith(CASES[rule.name][1]), rule.name


def _decide(db, business, setup: dict[str, Any], text: str):  # type: ignore[no-untyped-def]
    ctx = ToolContext(db=db, business=business)
    cities = known_cities(ctx)
    mem = ConversationMemory.from_dict({k: v for k, v in setup.items() if k != "focus_sku"})
    if "focus_sku" in setup:
        (p,) = planner.products_by_ids(ctx, [pid for pid in _ids(ctx, setup["focus_sku"])])
        mem.focus, mem.focus_skus = [p.id], [p.sku]
    a = nlu.analyze(text, known_cities=cities)
    hits = knowledge_search.search_knowledge(db, business_id=business.id, query=a.norm, limit=1)
    kb_hit = bool(hits and hits[0].score >= planner.KNOWLEDGE_HIT_SCORE and hits[0].matched)
    res = planner.resolve_products(ctx, a, mem, cities)
    if res.product is not None and not res.from_focus:
        nlu.drop_signals_in_name(a, planner.tokens(res.product.name))
    rule = planner.decide_rule(a, res, mem, knowledge_hit=kb_hit)
    # the rule's own decision (the learned model's second opinion is tested in test_intent_model.py)
    return rule, rule.decide(planner.Facts(a, res, mem, kb_hit))


def _ids(ctx: ToolContext, sku: str) -> list[int]:
    from niaga.agent.tools import _product

    p = _product(ctx, sku)
    assert p is not None
    return [p.id]


@pytest.mark.parametrize("name", list(CASES))
def test_rule(name: str, rizquna, db) -> None:  # type: ignore[no-untyped-def]
    setup, text, intent, mode = CASES[name]
    rule, decided = _decide(db, rizquna, setup, text)
    assert rule.name == name, f"{text!r} was decided by {rule.name!r}"
    assert decided == (intent, mode)
