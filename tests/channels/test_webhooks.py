"""Webhook ingress: signature before anything, store-then-ack, duplicates acknowledged once."""

from __future__ import annotations

import json

import sqlalchemy as sa

from niaga.integrations.models import InboundEvent
from niaga.integrations.telegram.fake import post_update, text_update
from niaga.integrations.waha.fake import message_event, post_webhook, sign
from niaga.jobs.models import Job
from tests.channels.conftest import HMAC_KEY, TG_SECRET


def _events(db):
    db.rollback()  # a fresh snapshot
    return db.scalars(sa.select(InboundEvent)).all()


def test_waha_signature_json_and_business_checks(client, shop, db):
    ev = message_event(text="halo")
    r = post_webhook("/webhooks/waha/unknown-shop", ev, HMAC_KEY, client=client)
    assert r.status_code == 404
    r = post_webhook("/webhooks/waha/rizquna", ev, "wrong-key", client=client)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_signature"
    r = post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client, tamper=True)
    assert r.status_code == 401
    r = client.post(
        "/webhooks/waha/rizquna", content=b'{"event":"message"}', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 401  # no signature at all
    raw = b'{"event": "message", "payload": '
    r = client.post(
        "/webhooks/waha/rizquna",
        content=raw,
        headers={"X-Webhook-Hmac": sign(raw, HMAC_KEY), "X-Webhook-Hmac-Algorithm": "sha512"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    assert _events(db) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_waha_doc_test_vector():
    from niaga.integrations.waha.webhook import verify

    body = b'{"event":"message","session":"default","engine":"WEBJS"}'
    expected = (
        "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a"
        "63f6752c2c1631777076153fa89"
    )
    assert verify(body, expected, "my-secret-key", "sha512")
    assert not verify(body, expected, "my-secret-key", "sha256")
    assert not verify(body + b" ", expected, "my-secret-key")


def test_waha_store_then_ack_once(client, shop, db):
    ev = message_event(text="berapa harga peci hitam?")
    r1 = post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client)
    r2 = post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client)
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["data"] == {"stored": True} and r2.json()["data"] == {"stored": False}
    events = _events(db)
    assert len(events) == 1
    assert events[0].external_id == f"{shop.business.id}:msg:{ev['payload']['id']}"
    assert events[0].payload == ev and events[0].event_type == "message"
    assert events[0].headers["user-agent"].startswith("WAHA/")
    jobs = db.scalars(sa.select(Job).where(Job.name == "inbox.process")).all()
    assert len(jobs) == 1 and jobs[0].args == {"event_id": events[0].id}


def test_waha_disabled_channel_is_404(client, shop, db):
    from niaga.messaging import config as service

    service.do_configure(db, business_id=shop.business.id, kind="waha", is_enabled=False)
    db.commit()
    r = post_webhook("/webhooks/waha/rizquna", message_event(text="x"), HMAC_KEY, client=client)
    assert r.status_code == 404 and r.json()["error"]["code"] == "channel_not_configured"


def test_telegram_secret_and_unknown_updates(client, shop, db):
    upd = text_update("halo")
    assert post_update("/webhooks/telegram/rizquna", upd, "wrong", client=client).status_code == 401
    assert post_update("/webhooks/telegram/rizquna", upd, None, client=client).status_code == 401
    assert post_update("/webhooks/telegram/nope", upd, TG_SECRET, client=client).status_code == 404
    r = client.post(
        "/webhooks/telegram/rizquna",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
    )
    assert r.status_code == 400
    assert _events(db) == []
    odd = {"update_id": 77, "my_chat_member": {"chat": {"id": 1, "type": "private"}}}
    r = post_update("/webhooks/telegram/rizquna", odd, TG_SECRET, client=client)
    assert r.status_code == 200 and r.json()["data"]["stored"] is True
    assert (
        post_update("/webhooks/telegram/rizquna", odd, TG_SECRET, client=client).json()["data"]["stored"]
        is False
    )
    from tests.channels.conftest import drain_all

    assert drain_all() == ["done"]
    (event,) = _events(db)
    assert event.event_type == "my_chat_member" and event.handled_at is not None and event.error is None


def test_waha_session_status_alerts_admin_chat(client, shop, db):
    from tests.channels.conftest import ADMIN_CHAT, drain_all

    def status_event(status, n):
        return {
            "id": f"evt_status_{n}",
            "event": "session.status",
            "session": "default",
            "payload": {"status": status, "statuses": [{"status": status, "timestamp": 1700000000000}]},
        }

    post_webhook("/webhooks/waha/rizquna", status_event("WORKING", 1), HMAC_KEY, client=client)
    drain_all()
    assert shop.telegram.messages_to(ADMIN_CHAT) == []
    post_webhook("/webhooks/waha/rizquna", status_event("SCAN_QR_CODE", 2), HMAC_KEY, client=client)
    drain_all()
    (alert,) = shop.telegram.messages_to(ADMIN_CHAT)
    assert "WORKING ke SCAN_QR_CODE" in alert["text"] and "Scan ulang QR" in alert["text"]
    body = json.dumps(client.get("/api/v1/channels/waha").json())
    assert body  # unauthenticated read is refused, not crashed


def test_waha_events_we_do_not_handle_are_acknowledged_and_marked_handled(client, shop, db):
    from tests.channels.conftest import drain_all

    ev = {
        "id": "evt_presence_1",
        "event": "presence.update",
        "session": "default",
        "payload": {"id": "6281311112222@c.us", "presences": []},
    }
    r = post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client)
    assert r.status_code == 200
    assert set(drain_all()) <= {"done"}
    (stored,) = _events(db)
    assert stored.handled_at is not None and stored.error is None
    assert shop.waha.calls("/api/sendText") == []  # nothing is sent for an event we do not act on


def test_nul_characters_in_a_payload_are_stored_without_them(client, shop, db):
    # PostgreSQL cannot store NUL in text or jsonb: the event must still be stored (and answered), not 500.
    ev = message_event(text="halo\u0000 kak")
    r = post_webhook("/webhooks/waha/rizquna", ev, HMAC_KEY, client=client)
    assert r.status_code == 200, r.text
    (stored,) = _events(db)
    assert stored.payload["payload"]["body"] == "halo kak"
