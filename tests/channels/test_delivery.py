"""Outbound delivery: retries with backoff, permanent failures dead-lettered with an alert, 429 honoured,
anti-ban limits, file sending, and no double send after a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from niaga.jobs.models import DeadLetter, Job
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Message
from tests.channels.conftest import ADMIN_CHAT, configure, drain_all

CHAT = "6281311112222@c.us"


def outbound(
    db, business, *, text="Harga peci hitam Rp40.000 kak", channel="whatsapp", chat_id=CHAT, media=None
):
    """An outgoing bot message queued for delivery, as the agent turn leaves it."""
    from niaga.customers.service import get_or_create_by_identity
    from niaga.messaging import service as conversations
    from niaga.messaging.delivery import do_send

    customer = get_or_create_by_identity(db, business_id=business.id, channel=channel, external_id=chat_id)
    conv = conversations.get_or_open(
        db, business_id=business.id, customer_id=customer.id, channel=channel, chat_id=chat_id
    )
    msg = do_send(db, conversation=conv, text=text, media=media)
    db.commit()
    return msg.id


def _msg(db, message_id):
    db.rollback()
    db.expire_all()
    return db.get(Message, message_id)


def test_retries_on_5xx_then_delivered_once(shop, db):
    shop.waha.script("sendText", [500, 502, 503])
    mid = outbound(db, shop.business)
    outcomes = drain_all()
    assert outcomes == ["retry"]
    assert _msg(db, mid).delivery_status == "queued" and "500" in _msg(db, mid).error
    for hours, expected in ((1, "retry"), (2, "retry"), (3, "done")):
        assert drain_all(ahead=3600 * hours) == [expected]
    msg = _msg(db, mid)
    assert msg.delivery_status == "sent" and msg.error is None and msg.sent_at is not None
    assert shop.waha.texts_to(CHAT) == ["Harga peci hitam Rp40.000 kak"]
    assert msg.provider_message_id == shop.waha.sent[0]["id"]
    assert len(shop.waha.calls("/api/sendText")) == 4
    job = db.scalars(sa.select(Job).where(Job.name == "channels.send_message")).one()
    assert job.status == "done" and job.attempts == 4
    assert drain_all(ahead=3600 * 9) == []  # nothing left, nothing sent again


def test_backoff_grows_between_attempts(shop, db):
    shop.waha.script("sendText", [500, 500])
    outbound(db, shop.business)
    delays = []
    for hours in (0, 1):
        at = utcnow() + timedelta(hours=hours)
        drain_all(ahead=3600 * hours)
        db.rollback()
        job = db.scalars(sa.select(Job).where(Job.name == "channels.send_message")).one()
        delays.append((job.run_at - at).total_seconds())
    # base 2 s doubled per attempt, ±20 % jitter
    assert 1.5 < delays[0] < 2.5 and 3.1 < delays[1] < 4.9


def test_401_is_permanent_dead_letter_and_admin_alert(shop, db):
    shop.waha.script("sendText", [401])
    mid = outbound(db, shop.business)
    outcomes = drain_all()
    assert outcomes[0] == "dead" and "done" in outcomes  # the alert job ran
    assert len(shop.waha.calls("/api/sendText")) == 1  # no retry
    msg = _msg(db, mid)
    assert msg.delivery_status == "failed" and "401" in msg.error
    dl = db.scalars(sa.select(DeadLetter)).one()
    assert dl.name == "channels.send_message" and dl.permanent and dl.args == {"message_id": mid}
    (alert,) = shop.telegram.messages_to(ADMIN_CHAT)
    assert CHAT in alert["text"] and "gagal terkirim" in alert["text"] and f"#{dl.id}" in alert["text"]
    # Replaying after the credentials are fixed delivers it.
    from niaga.jobs import service as jobs

    jobs.do_replay(db, dl)
    db.commit()
    assert drain_all() == ["done"]
    assert _msg(db, mid).delivery_status == "sent"
    assert shop.waha.texts_to(CHAT) == ["Harga peci hitam Rp40.000 kak"]


def test_exhausted_retries_dead_letter_and_one_alert_per_window(shop, db):
    shop.waha.script("sendText", [500] * 30)
    first = outbound(db, shop.business, text="satu")
    second = outbound(db, shop.business, text="dua")
    for hours in range(1, 13):
        drain_all(ahead=3600 * hours)
    assert _msg(db, first).delivery_status == "failed" and _msg(db, second).delivery_status == "failed"
    assert db.scalar(sa.select(sa.func.count()).select_from(DeadLetter)) == 2
    assert len(shop.waha.calls("/api/sendText")) == 20  # 10 attempts each
    assert len(shop.telegram.messages_to(ADMIN_CHAT)) == 1  # a failing channel alerts once per 15 minutes


def test_telegram_429_honours_retry_after(shop, db):
    shop.telegram.script("sendMessage", [429])
    mid = outbound(db, shop.business, channel="telegram", chat_id="123456789", text="Halo kak")
    before = utcnow()
    assert drain_all() == ["retry"]
    db.rollback()
    db.expire_all()
    job = db.scalars(sa.select(Job).where(Job.name == "channels.send_message")).one()
    assert 2.5 <= (job.run_at - before).total_seconds() <= 4.5  # retry_after 3 from parameters
    assert drain_all(ahead=5) == ["done"]
    assert _msg(db, mid).delivery_status == "sent"
    assert [m["text"] for m in shop.telegram.messages_to("123456789")] == ["Halo kak"]


def test_per_number_rate_and_daily_cap(shop, db):
    b = shop.business
    b.settings = {
        **b.settings,
        "channels": {**b.settings["channels"], "per_number_per_minute": 2, "daily_cap": 3},
    }
    db.commit()
    ids = [outbound(db, b, text=f"pesan {i}") for i in range(3)]
    assert drain_all() == ["done", "done", "retry"]
    db.rollback()
    db.expire_all()
    job = db.scalars(sa.select(Job).where(Job.args == {"message_id": ids[2]})).one()
    assert 50 <= (job.run_at - utcnow()).total_seconds() <= 61
    other = outbound(db, b, chat_id="6289999999999@c.us", text="nomor lain")
    assert drain_all() == ["done"]  # another number is not held back by the first one's rate
    assert _msg(db, other).delivery_status == "sent"
    # 3 sent today = daily cap: even after the minute passes, the next waits for tomorrow.
    assert drain_all(ahead=70) == ["retry"]  # (simulated clock: the minute window has passed)
    db.rollback()
    db.expire_all()
    job = db.scalars(sa.select(Job).where(Job.args == {"message_id": ids[2]})).one()
    assert (job.run_at - utcnow()).total_seconds() > 60
    assert len(shop.waha.sent) == 3


def test_files_go_out_through_each_gateway(shop, db, fonnte, starsender, tmp_path):
    from niaga.settings import get_settings

    pdf = get_settings().files_dir / "invoices" / "inv-1.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.4 test invoice")
    media = [{"path": "invoices/inv-1.pdf", "mimetype": "application/pdf", "filename": "INV-1.pdf"}]
    mid = outbound(db, shop.business, text="Invoice kakak", media=media)
    assert drain_all() == ["done"]
    (sent,) = shop.waha.sent
    assert sent["route"] == "sendFile" and sent["request"]["caption"] == "Invoice kakak"
    assert sent["request"]["file"]["filename"] == "INV-1.pdf" and sent["request"]["file"]["data"]
    assert _msg(db, mid).provider_message_id == sent["id"]

    # Fonnte as the business's WhatsApp gateway: text as a form, files as multipart uploads.
    b = shop.business
    b.settings = {**b.settings, "channels": {**b.settings["channels"], "whatsapp_gateway": "fonnte"}}
    db.commit()
    configure(db, b, "fonnte", base_url=fonnte.url, token=fonnte.token)
    outbound(db, b, text="Halo dari Fonnte")
    outbound(db, b, text="Invoice", media=media)
    assert drain_all() == ["done", "done"]
    assert fonnte.sent[0]["target"] == "6281311112222" and fonnte.sent[0]["message"] == "Halo dari Fonnte"
    assert fonnte.calls("/send")[-1].form["file"] == ["<file:INV-1.pdf:21>"]

    b.settings = {**b.settings, "channels": {**b.settings["channels"], "whatsapp_gateway": "starsender"}}
    db.commit()
    configure(db, b, "starsender", base_url=starsender.url, api_key=starsender.api_key)
    s_id = outbound(db, b, text="Halo dari Starsender")
    assert drain_all() == ["done"]
    assert (
        starsender.sent[0]
        == {"id": "ss-1", "messageType": "text", "to": "6281311112222", "body": "Halo dari Starsender"}
        or starsender.sent[0]["body"] == "Halo dari Starsender"
    )
    assert _msg(db, s_id).provider_message_id == starsender.sent[0]["id"]

    # Telegram: documents are uploaded as multipart.
    outbound(db, b, channel="telegram", chat_id="123456789", text="Invoice", media=media)
    assert drain_all() == ["done"]
    (doc,) = shop.telegram.messages_to("123456789")
    assert doc["method"] == "sendDocument" and doc["document"] == "<file:INV-1.pdf:21>"


def test_fonnte_refusal_reasons():
    from niaga.integrations.base import ProviderError
    from niaga.integrations.fonnte.client import FonnteClient
    from niaga.integrations.fonnte.fake import FakeFonnte

    with FakeFonnte() as fake:
        client = FonnteClient(token="wrong", base_url=fake.url)
        with pytest.raises(ProviderError) as err:
            client.send_text(chat_id="0812345", text="x")
        assert err.value.permanent and "invalid token" in str(err.value)
        client.close()
        client = FonnteClient(token=fake.token, base_url=fake.url)
        fake.script("send", ["server busy", 503])
        with pytest.raises(ProviderError) as err:
            client.send_text(chat_id="0812345", text="x")
        assert not err.value.permanent
        with pytest.raises(ProviderError) as err:
            client.send_text(chat_id="0812345", text="x")
        assert not err.value.permanent and err.value.status == 503
        assert client.send_text(chat_id="0812345", text="x").provider_message_id == str(fake.sent[0]["id"])
        assert fake.sent[0]["target"] == "62812345"
        client.close()


def _worker_env(lease: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NIAGA_JOB_LEASE_SECONDS=str(lease), NIAGA_JOBS_DISPATCH="manual", NIAGA_LOG_LEVEL="WARNING")
    return env


def _run_worker(lease: int) -> subprocess.Popen:
    """`niaga jobs run-due` in its own process: a worker that we can kill -9."""
    return subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "jobs", "run-due"],
        env=_worker_env(lease),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.parametrize("provider_accepted", [True, False])
def test_worker_killed_mid_send(shop, db, provider_accepted):
    """A worker dies while WAHA holds the sendText request. Restarted after the lease: the message is
    delivered — and not twice when WAHA had already accepted it."""
    shop.waha.script("sendText", [("accept_then_hang", 30) if provider_accepted else ("hang", 30)])
    mid = outbound(db, shop.business)
    proc = _run_worker(lease=2)
    try:
        shop.waha.wait_for("/api/sendText", timeout=30)
        assert _msg(db, mid).delivery_status == "sending"  # the marker was committed before the call
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert len(shop.waha.sent) == (1 if provider_accepted else 0)
    time.sleep(2.2)  # the dead worker's lease runs out
    proc = _run_worker(lease=2)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()[-2000:]
    msg = _msg(db, mid)
    assert msg.delivery_status == "sent", (msg.error, err.decode()[-1500:])
    assert shop.waha.texts_to(CHAT) == ["Harga peci hitam Rp40.000 kak"]  # exactly once
    assert msg.provider_message_id == shop.waha.sent[0]["id"]
    history_checks = shop.waha.calls("/messages")
    assert len(history_checks) == 1  # the restarted worker asked WAHA before sending again
    assert len(shop.waha.calls("/api/sendText")) == (1 if provider_accepted else 2)


def test_telegram_inline_keyboard_and_photo(telegram, tmp_path):
    from niaga.integrations.telegram.client import TelegramClient, keyboard
    from niaga.messaging.channels import OutboundFile

    with TelegramClient(bot_token=telegram.token, base_url=telegram.url) as client:
        kb = keyboard([[("✅ Setujui", "approve:A12"), ("❌ Tolak", "reject:A12")]])
        client.send_message(chat_id=-100123, text="Pesanan #A12 menunggu persetujuan", reply_markup=kb)
        photo = tmp_path / "poster.jpg"
        photo.write_bytes(b"\xff\xd8\xff poster")
        client.send_file(
            chat_id="42",
            file=OutboundFile("poster.jpg", "image/jpeg", path=photo),
            caption="Promo",
            reply_markup=kb,
        )
    first, second = telegram.sent
    assert first["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "✅ Setujui", "callback_data": "approve:A12"},
                {"text": "❌ Tolak", "callback_data": "reject:A12"},
            ]
        ]
    }
    assert second["method"] == "sendPhoto" and second["photo"] == "<file:poster.jpg:10>"
    # In multipart requests JSON parameters travel as JSON strings.
    assert json.loads(second["reply_markup"]) == first["reply_markup"] and second["caption"] == "Promo"
