"""The reply catalogue is complete in Indonesian and English, with the same fields in every wording."""

from __future__ import annotations

import random
from datetime import datetime

from niaga.agent import messages
from niaga.agent.responder import Voice


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    for key, (ind, eng) in messages.MESSAGES.items():
        assert ind and eng, f"{key}: a language is missing"
        want = messages.fields_of(ind[0]) - {"kak", "business"}
        for text in (*ind, *eng):
            assert text.strip(), key
            assert messages.fields_of(text) - {"kak", "business"} <= want | {"tg"}, f"{key}: {text!r}"
            assert want - {"tg"} <= messages.fields_of(text), f"{key}: {text!r} lacks a field"


def test_no_amounts_are_written_in_the_catalogue() -> None:
    import re

    for key, (ind, eng) in messages.MESSAGES.items():
        for text in (*ind, *eng):
            assert not re.search(r"Rp\s?\d|\d+\.\d{3}", text), f"{key}: amounts come from tools only"


def _voice(lang: str) -> Voice:
    return Voice(
        lang=lang,
        business_name="Toko Contoh",
        persona="",
        greeting="",
        address="kak",
        now=datetime(2026, 11, 23, 20, 0),
        hours={"1": ["08:00", "17:00"]},
        rng=random.Random(1),
    )


def test_voice_says_messages_in_its_language() -> None:
    assert _voice("en").say("complaint.passed_with_order", number="X-1") == (
        "I've passed this to our staff with your order X-1; they will follow up."
    )
    assert "kak" in _voice("id").say("complaint.passed")
    assert _voice("en").after_hours_note().startswith("We are outside opening hours")
    assert "di luar jam operasional" in _voice("id").after_hours_note()


def test_time_of_day_and_day_names_come_from_the_catalogue() -> None:
    def at(lang: str, hour: int) -> str:
        v = _voice(lang)
        v.now = datetime(2026, 11, 23, hour, 0)
        return v.time_greeting()

    # Indonesian has four parts of the day, English three; before 04.00 it is still night
    assert [at("id", h) for h in (3, 4, 9, 10, 14, 15, 17, 18, 23)] == [
        "Selamat malam",
        "Selamat pagi",
        "Selamat pagi",
        "Selamat siang",
        "Selamat siang",
        "Selamat sore",
        "Selamat sore",
        "Selamat malam",
        "Selamat malam",
    ]
    assert [at("en", h) for h in (3, 4, 11, 12, 17, 18)] == [
        "Good evening",
        "Good morning",
        "Good morning",
        "Good afternoon",
        "Good afternoon",
        "Good evening",
    ]
    assert [_voice("id").day_name(d) for d in (0, 6)] == ["Senin", "Minggu"]
    assert [_voice("en").day_name(d) for d in (0, 6)] == ["Monday", "Sunday"]


def test_payment_link_replaces_the_sentence_in_either_language() -> None:
    from niaga.agent.replies import with_payment_link

    id_text = "Pesanan dibuat." + messages.wordings("order.link_follows", "id")[0]
    en_text = "Order created." + messages.wordings("order.link_follows", "en")[0]
    assert with_payment_link(id_text, "https://pay/x") == "Pesanan dibuat.\nLink pembayaran: https://pay/x"
    assert with_payment_link(en_text, "https://pay/x") == "Order created.\nPayment link: https://pay/x"
