"""Customer message → stored → buffered agent turn → reply at the provider, for WAHA and Telegram."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.integrations.telegram.fake import post_update, text_update
from niaga.integrations.waha.fake import message_event, post_webhook
from niaga.jobs.runner import drain
from niaga.messaging.models import Conversation, Message
from tests.channels.conftest import ADMIN_CHAT, HMAC_KEY, TG_SECRET, drain_all

CHAT = "6281311112222@c.us"
URL = "/webhooks/waha/rizquna"


def _messages(db, **where):
    db.rollback()
    db.expire_all()
    q = sa.select(Message).order_by(Message.id)
    for k, v in where.items():
        q = q.where(getattr(Message, k) == v)
    return db.scalars(q).all()


def _inbox_only():
    return drain(names={"inbox.process"})


def test_waha_question_answered_with_price_after_seen_and_typing(client, shop, db):
    ev = message_event(text="berapa harga peci hitam?", chat_id=CHAT)
    assert post_webhook(URL, ev, HMAC_KEY, client=client).status_code == 200
    assert post_webhook(URL, ev, HMAC_KEY, client=client).json()["data"]["stored"] is False
    drain_all(ahead=1)
    # The same event again later (WAHA retry after a timeout on its side) changes nothing.
    post_webhook(URL, ev, HMAC_KEY, client=client)
    drain_all(ahead=1)
    texts = shop.waha.texts_to(CHAT)
    assert len(texts) == 1, texts
    assert "40.000" in texts[0]
    paths = [r.path.rsplit("/", 1)[-1] for r in shop.waha.requests]
    assert (
        paths.index("sendSeen")
        < paths.index("startTyping")
        < paths.index("stopTyping")
        < paths.index("sendText")
    )
    seen = shop.waha.calls("/api/sendSeen")[0].json
    assert seen == {"session": "default", "chatId": CHAT, "messageIds": [ev["payload"]["id"]]}
    assert shop.waha.calls("/api/sendText")[0].headers["x-api-key"] == shop.waha.api_key
    inbound = _messages(db, direction="in")
    assert len(inbound) == 1 and inbound[0].delivery_status == "processed"
    (out,) = _messages(db, direction="out")
    assert out.delivery_status == "sent" and out.provider_message_id == shop.waha.sent[0]["id"]
    assert out.reply_to_id == inbound[0].id


def test_telegram_question_answered(client, shop, db):
    upd = text_update("berapa harga peci hitam?", chat_id=555111)
    assert post_update("/webhooks/telegram/rizquna", upd, TG_SECRET, client=client).status_code == 200
    assert (
        post_update("/webhooks/telegram/rizquna", upd, TG_SECRET, client=client).json()["data"]["stored"]
        is False
    )
    drain_all(ahead=1)
    sent = shop.telegram.messages_to(555111)
    assert len(sent) == 1 and "40.000" in sent[0]["text"]
    methods = [r.path.rsplit("/", 1)[-1] for r in shop.telegram.requests]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    conv = db.scalars(sa.select(Conversation)).one()
    assert conv.channel == "telegram" and conv.chat_id == "555111"


def test_three_messages_500ms_apart_make_one_turn(client, shop, db, clock):
    b = shop.business
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "buffer_seconds": 2.0}}
    db.commit()
    for text in ("assalamualaikum kak", "mau tanya", "peci hitam harganya berapa ya?"):
        post_webhook(URL, message_event(text=text, chat_id=CHAT), HMAC_KEY, client=client)
        assert drain_all() == ["done"]  # stored; the reply waits for the window
        clock.advance(0.5)
    assert shop.waha.calls("/api/sendText") == []
    outcomes = drain_all(ahead=2.5)
    assert outcomes.count("done") == 4  # three reply jobs (two defer to the last) + one send
    texts = shop.waha.texts_to(CHAT)
    assert len(texts) == 1 and "40.000" in texts[0]
    assert len(shop.waha.calls("/api/startTyping")) == 1
    assert [m.delivery_status for m in _messages(db, direction="in")] == ["processed"] * 3
    assert len(_messages(db, direction="out")) == 1


def test_staff_owned_conversation_gets_no_bot_reply(client, shop, db):
    post_webhook(URL, message_event(text="halo", chat_id=CHAT), HMAC_KEY, client=client)
    _inbox_only()
    db.rollback()
    conv = db.scalars(sa.select(Conversation)).one()
    conv.owner = "staff"
    db.commit()
    post_webhook(URL, message_event(text="harga peci?", chat_id=CHAT), HMAC_KEY, client=client)
    drain_all(ahead=1)
    assert shop.waha.calls("/api/sendText") == [] and shop.waha.calls("/api/startTyping") == []
    db.rollback()
    db.expire_all()
    conv = db.scalars(sa.select(Conversation)).one()
    assert conv.unread_count == 2


def test_ignored_messages(client, shop, db):
    for ev in (
        message_event(text="dari saya", from_me=True),
        message_event(text="status", chat_id="status@broadcast"),
        message_event(text="grup", chat_id="120363000000000000@g.us"),
        message_event(text="kanal", chat_id="120363000000000001@newsletter"),
    ):
        assert post_webhook(URL, ev, HMAC_KEY, client=client).status_code == 200
    assert _inbox_only() == ["done"] * 4
    assert _messages(db) == []


def test_media_is_downloaded_with_the_api_key(client, shop, db):
    from niaga.settings import get_settings

    url = shop.waha.add_file("skripsi.pdf", b"%PDF-1.7 " + b"x" * 2000)
    media = {"url": url, "mimetype": "application/pdf", "filename": "Skripsi Bab 1.pdf", "error": None}
    post_webhook(URL, message_event(text="tolong print ya", media=media), HMAC_KEY, client=client)
    assert _inbox_only() == ["done"]
    (msg,) = _messages(db)
    (item,) = msg.media
    assert item["filename"] == "Skripsi Bab 1.pdf" and item["size"] == 2009
    assert (get_settings().files_dir / item["path"]).read_bytes().startswith(b"%PDF-1.7")
    assert shop.waha.calls("/api/files/skripsi.pdf")[0].headers["x-api-key"] == shop.waha.api_key


def test_media_over_limit_and_media_not_downloaded(client, shop, db):
    b = shop.business
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "max_media_mb": 0.001}}
    db.commit()
    url = shop.waha.add_file("big.pdf", b"x" * 5000)
    big = {"url": url, "mimetype": "application/pdf", "filename": "besar.pdf", "error": None}
    post_webhook(URL, message_event(text="", media=big, chat_id=CHAT), HMAC_KEY, client=client)
    post_webhook(
        URL,
        message_event(text="ini fotonya", has_media=True, chat_id="6285000000000@c.us"),
        HMAC_KEY,
        client=client,
    )
    drain(names={"inbox.process", "channels.send_message"})
    first, second = _messages(db, direction="in")
    assert first.media == [
        {"note": "too_large", "mimetype": "application/pdf", "filename": "besar.pdf", "limit_bytes": 1048}
    ]
    assert first.delivery_status == "processed"  # nothing but the file: answered by the notice alone
    (notice,) = shop.waha.texts_to(CHAT)
    assert "terlalu besar" in notice and "besar.pdf" in notice
    assert second.media == [{"note": "not_downloaded", "mimetype": None}] and second.text == "ini fotonya"
    assert second.delivery_status == "received"  # the agent turn is still to come


def test_telegram_document_photo_and_callback(client, shop, db):
    from niaga.integrations.telegram.webhook import CALLBACK_HANDLERS, callback_handler
    from niaga.settings import get_settings

    shop.telegram.add_file("BQACdoc", b"%PDF-1.4 bukti", "documents/file_12.pdf")
    shop.telegram.add_file("AgACphoto", b"\xff\xd8\xff jpeg", "photos/file_3.jpg")
    doc = text_update("", chat_id=777)
    doc["message"].pop("text")
    doc["message"].update(
        caption="ini bukti transfer",
        document={
            "file_name": "bukti_transfer.pdf",
            "mime_type": "application/pdf",
            "file_id": "BQACdoc",
            "file_unique_id": "AgADxxxx",
            "file_size": 14,
        },
    )
    photo = text_update("", chat_id=777)
    photo["message"].pop("text")
    photo["message"]["photo"] = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "AgACphoto", "file_unique_id": "b", "width": 800, "height": 800, "file_size": 9},
    ]
    pressed = []

    @callback_handler("testapprove")
    def _approve(db_, cb):
        pressed.append((cb.data, cb.is_admin_chat))
        return "Disetujui"

    try:
        cbq = {
            "update_id": 990001,
            "callback_query": {
                "id": "4382bfdwdsb323b2d9",
                "from": {"id": 999000111, "is_bot": False, "first_name": "Admin"},
                "message": {
                    "message_id": 77,
                    "chat": {"id": int(ADMIN_CHAT), "title": "Admins", "type": "supergroup"},
                    "date": 1718000200,
                    "text": "Pesanan #A12 menunggu persetujuan",
                },
                "chat_instance": "-88",
                "data": "testapprove:A12",
            },
        }
        for upd in (doc, photo, cbq):
            assert post_update("/webhooks/telegram/rizquna", upd, TG_SECRET, client=client).status_code == 200
        assert _inbox_only() == ["done"] * 3
    finally:
        CALLBACK_HANDLERS.pop("testapprove", None)
    d, p = _messages(db)
    assert d.text == "ini bukti transfer" and d.media[0]["filename"] == "bukti_transfer.pdf"
    assert (get_settings().files_dir / d.media[0]["path"]).read_bytes() == b"%PDF-1.4 bukti"
    assert (get_settings().files_dir / p.media[0]["path"]).read_bytes() == b"\xff\xd8\xff jpeg"
    assert pressed == [("testapprove:A12", True)]
    answer = shop.telegram.calls("/answerCallbackQuery")[0].json
    assert answer == {"callback_query_id": "4382bfdwdsb323b2d9", "text": "Disetujui", "show_alert": False}


def test_buffer_due_rules():
    from datetime import timedelta

    from niaga.kit.timeutil import utcnow
    from niaga.messaging.buffer import is_due

    now = utcnow()
    msgs = [Message(id=i, created_at=now - timedelta(seconds=s)) for i, s in ((1, 3), (2, 1))]
    assert not is_due(msgs, message_id=1, window=2) and is_due(msgs, message_id=2, window=2)
    assert not is_due(msgs, message_id=3, window=2)  # already answered
    old = [Message(id=1, created_at=now - timedelta(seconds=11)), Message(id=2, created_at=now)]
    assert is_due(old, message_id=1, window=2)  # a customer typing on and on is answered after 5 windows
