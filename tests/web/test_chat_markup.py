"""WhatsApp markup in the staff inbox and the website widget: *bold* is shown bold, never as asterisks, and
the text stays escaped (issue 10, item 6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from niaga.kit.chatmarkup import to_html
from niaga.messaging.models import Conversation, Message
from tests import factories as f
from tests.web.helpers import login

WIDGET_JS = Path(__file__).resolve().parents[2] / "src" / "niaga" / "integrations" / "widget" / "widget.js"

CASES = [
    ("*Peci Hitam* Rp40.000", "<b>Peci Hitam</b> Rp40.000"),
    ("total _sudah termasuk_ ongkir", "total <i>sudah termasuk</i> ongkir"),
    ("harga ~Rp50.000~ jadi Rp40.000", "harga <s>Rp50.000</s> jadi Rp40.000"),
    ("kode: ```INV-001```", "kode: <code>INV-001</code>"),
    ("(*promo*) hari ini!", "(<b>promo</b>) hari ini!"),
    ("5*3*2 dan harga_grosir_baru tetap", "5*3*2 dan harga_grosir_baru tetap"),
    ("* bukan tebal *", "* bukan tebal *"),
    ("*dua\nbaris*", "*dua\nbaris*"),
    ("<script>alert(1)</script> *ok*", "&lt;script&gt;alert(1)&lt;/script&gt; <b>ok</b>"),
]


@pytest.mark.parametrize(("text", "html"), CASES)
def test_server_renders_whatsapp_markup_as_escaped_html(text, html):
    assert str(to_html(text)) == html


def test_inbox_thread_shows_bold_not_asterisks(client, world, db):
    c = f.make_customer(
        db,
        business=world.a,
        name="Budi",
        phone="6281311112222",
        channel="whatsapp",
        external_id="6281311112222@c.us",
    )
    conv = Conversation(
        business_id=world.a.id,
        customer_id=c.id,
        channel="whatsapp",
        chat_id="6281311112222@c.us",
        owner="bot",
        last_message_at=datetime.now(UTC),
        last_message_preview="x",
    )
    db.add(conv)
    db.flush()
    db.add(
        Message(
            business_id=world.a.id,
            conversation_id=conv.id,
            channel="whatsapp",
            direction="out",
            sender_type="bot",
            text="*Peci Hitam Polos* harganya Rp40.000 <img src=x onerror=alert(1)>",
            delivery_status="sent",
        )
    )
    db.commit()
    login(client, "staff@a.test")
    html = client.get(f"/app/inbox/{conv.id}").text
    assert "<b>Peci Hitam Polos</b> harganya Rp40.000" in html
    assert "*Peci Hitam Polos*" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def _widget_markup_source() -> str:
    src = WIDGET_JS.read_text(encoding="utf-8")
    m = re.search(r"(  var MARK = .*?\n  function markup\(el, text\) \{.*?\n  \})\n", src, re.S)
    assert m, "the widget's markup renderer was not found"
    return m.group(1)


@pytest.mark.browser
def test_widget_renders_the_same_markup_in_chromium(browser):
    page = browser.new_page()
    try:
        fn = _widget_markup_source()
        got = page.evaluate(
            "([fn, cases]) => { const markup = new Function(fn + '; return markup;')();"
            " return cases.map(t => { const d = document.createElement('div'); markup(d, t); return d.innerHTML; }); }",
            [fn, [t for t, _ in CASES]],
        )
    finally:
        page.close()
    # The DOM serialises text nodes with < > & escaped, exactly as the server escapes them (quotes aside).
    assert got == [html for _, html in CASES]
