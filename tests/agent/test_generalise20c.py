"""Two defects of the order draft, on messages of our own: a product added to an open draft by a word several
catalogue products share ("tambah 1 peci") is asked about (each listed with its price) and the customer's choice is
added to the same draft; with no draft open "tambah ..." orders the product; while the draft waits on the
customer's name, a yes or an ok is never taken as a name nor as a question about the product in focus, the name
is asked again, and an address answer that leads with a name ("Budi, Jl. ...") gives the name."""

from __future__ import annotations

from niaga.agent import planner

# --- A: adding a product several catalogue products may be, to the same draft -----------------------------------


def test_a_ambiguous_addition_asks_which_with_prices(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819200101", "mau pesan fiqih keluarga 2 sama sirah nabawiyah 1, kirim ke Semarang")
    t = chat(rizquna, "62819200101", "tambahin 2 peci ya")
    assert t.intent == "order_create", (t.intent, t.reply)
    assert "Peci Hitam Polos Nasional" in t.reply and "Rp40.000" in t.reply, t.reply
    assert "Kopiah Rajut Putih" in t.reply and "Rp25.000" in t.reply, t.reply


def test_a_the_choice_is_added_to_the_same_draft(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819200102", "mau pesan fiqih keluarga 2 sama sirah nabawiyah 1, kirim ke Semarang")
    chat(rizquna, "62819200102", "tambahin 2 peci ya")
    t = chat(rizquna, "62819200102", "yang kopiah aja kak")
    assert "2 × Fiqih Sehari-hari untuk Keluarga" in t.reply, t.reply
    assert "1 × Sirah Nabawiyah Ringkas" in t.reply, t.reply
    assert "2 × Kopiah Rajut Putih" in t.reply, t.reply


def test_a_the_choice_by_its_number_in_the_list(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819200103", "pesen sirah nabawiyah 3 ya")
    chat(rizquna, "62819200103", "nambah 1 peci")
    t = chat(rizquna, "62819200103", "1")
    assert "3 × Sirah Nabawiyah Ringkas" in t.reply and "1 × Peci Hitam Polos Nasional" in t.reply, t.reply


def test_a_adding_in_english_asks_which_then_adds(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    chat(rizquna, "62819200104", "I'd like to order 2 sirah nabawiyah please")
    t = chat(rizquna, "62819200104", "add 1 peci")
    assert "Which one would you like to add" in t.reply, t.reply
    t = chat(rizquna, "62819200104", "the white kopiah")
    assert "2 × Sirah Nabawiyah Ringkas" in t.reply and "1 × Kopiah Rajut Putih" in t.reply, t.reply


def test_a_adding_with_no_draft_open_is_an_order(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819200105", "tambah 2 sajadah turki")
    assert t.intent == "order_create", (t.intent, t.reply)
    assert "2 × Sajadah Turki Tebal" in t.reply, t.reply


# --- B: an answer to the name question -------------------------------------------------------------------------


def _to_the_name_question(chat, shop, sender: str, address: str) -> str:  # type: ignore[no-untyped-def]
    chat(shop, sender, "pesan sirah nabawiyah 1 sama iqro 2, kirim ke Malang")
    chat(shop, sender, "termurah")
    return str(chat(shop, sender, address).reply)


def test_b_yes_words_are_never_a_name() -> None:
    for text in ("iya kak", "ya benar", "oke siap", "betul kak", "Iyaa"):
        assert planner.extract_name(text) == "", text
    assert planner.extract_name("atas nama Dewi Lestari") == "Dewi Lestari"


def test_b_a_yes_to_the_name_question_asks_again(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    reply = _to_the_name_question(chat, rizquna, "62819200106", "Jl. Kawi 5 Klojen Malang")
    assert "atas nama siapa" in reply, reply
    for text in ("ya benar", "iya kak"):
        t = chat(rizquna, "62819200106", text)
        assert t.intent == "order_create", (text, t.intent, t.reply)
        assert "atas nama siapa" in t.reply and "Iqro Jilid" not in t.reply, (text, t.reply)
        assert "Atas nama:" not in t.reply, (text, t.reply)
    t = chat(rizquna, "62819200106", "Rina")
    assert "Atas nama: Rina" in t.reply, t.reply


def test_b_a_name_leading_the_address_is_taken(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    reply = _to_the_name_question(chat, rizquna, "62819200107", "Sri Wahyuni, Jl. Kawi 5 Klojen Malang")
    assert "Atas nama: Sri Wahyuni" in reply and "*YA*" in reply, reply
