"""Staff inbox API: conversation list with filters and search, read markers, live events over SSE."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from niaga.messaging.models import Conversation
from tests import factories as f


def _conv(db, business, *, channel="whatsapp", chat_id, name, owner="bot", unread=0, preview=""):
    c = f.make_customer(
        db, business=business, name=name, phone=chat_id.split("@")[0] if "@" in chat_id else None
    )
    conv = Conversation(
        business_id=business.id,
        customer_id=c.id,
        channel=channel,
        chat_id=chat_id,
        owner=owner,
        unread_count=unread,
        last_message_preview=preview,
    )
    db.add(conv)
    db.commit()
    return conv


def test_list_filters_search_pagination_and_tenancy(client, world, db):
    a1 = _conv(db, world.a, chat_id="6281111@c.us", name="Budi Santoso", unread=2, preview="harga peci?")
    a2 = _conv(db, world.a, channel="telegram", chat_id="555", name="Siti", owner="staff")
    a3 = _conv(db, world.a, channel="web", chat_id="v" * 20, name="", unread=1, preview="ongkir ke bandung")
    _conv(db, world.b, chat_id="6282222@c.us", name="Budi Lain", unread=5)
    h = world.headers("staff")

    def ids(**params):
        r = client.get("/api/v1/conversations", params=params, headers=h)
        assert r.status_code == 200, r.text
        return sorted(c["id"] for c in r.json()["data"]), r.json()["meta"]

    assert ids()[0] == sorted([a1.id, a2.id, a3.id])
    assert ids(channel="telegram")[0] == [a2.id]
    assert ids(owner="staff")[0] == [a2.id]
    assert ids(unread="true")[0] == sorted([a1.id, a3.id])
    assert ids(unread="false")[0] == [a2.id]
    assert ids(search="budi")[0] == [a1.id]  # B's Budi stays invisible
    assert ids(search="bandung")[0] == [a3.id]
    got, meta = ids(limit=2, page=2)
    assert len(got) == 1 and meta == {"page": 2, "limit": 2, "total": 3}
    r = client.get("/api/v1/conversations", headers=h).json()["data"]
    budi = next(c for c in r if c["id"] == a1.id)
    assert budi["customer"]["name"] == "Budi Santoso" and budi["unread_count"] == 2
    assert client.get("/api/v1/conversations", params={"channel": "sms"}, headers=h).status_code == 422
    assert client.get("/api/v1/conversations", headers=world.headers("operator")).status_code == 403
    assert client.get("/api/v1/conversations").status_code == 401


def test_mark_read_scoped(client, world, db):
    a1 = _conv(db, world.a, chat_id="6281111@c.us", name="Budi", unread=3)
    b1 = _conv(db, world.b, chat_id="6282222@c.us", name="Lain", unread=2)
    r = client.post(f"/api/v1/conversations/{a1.id}/read", headers=world.headers("staff"))
    assert r.status_code == 200 and r.json()["data"]["unread_count"] == 0
    assert (
        client.post(f"/api/v1/conversations/{b1.id}/read", headers=world.headers("staff")).status_code == 404
    )
    db.expire_all()
    assert db.get(Conversation, b1.id).unread_count == 2


def _read_events(resp, out):
    """Collect SSE blocks until a ping and a message.created have both been seen."""
    buf = ""
    for chunk in resp.iter_text():
        buf += chunk
        while "\n\n" in buf:
            block, buf = buf.split("\n\n", 1)
            out.append(block)
            if any(b.startswith(": ping") for b in out) and any("event: message.created" in b for b in out):
                return


@pytest.mark.slow
def test_events_stream_delivers_new_messages_and_heartbeats(live, shop, monkeypatch):
    from niaga.db.engine import session_scope
    from niaga.integrations.waha.fake import message_event, post_webhook
    from niaga.messaging import events
    from tests.channels.conftest import HMAC_KEY

    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.3)
    with session_scope() as s:
        staff = f.make_user(s, business=s.merge(shop.business), role="staff")
        headers = f.auth(staff, shop.business)
    assert httpx.get(f"{live.url}/api/v1/events", timeout=5).status_code == 401
    blocks: list[str] = []
    with httpx.stream("GET", f"{live.url}/api/v1/events", headers=headers, timeout=15) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        reader = threading.Thread(target=_read_events, args=(resp, blocks), daemon=True)
        reader.start()
        post_webhook(
            f"{live.url}/webhooks/waha/rizquna", message_event(text="berapa harga peci hitam?"), HMAC_KEY
        )
        reader.join(15)
    assert any(b.startswith(": ping") for b in blocks)
    data = [json.loads(b.split("data: ", 1)[1]) for b in blocks if "data: " in b]
    created = [d for d in data if d["type"] == "message.created"]
    assert created and created[0]["message"]["text"] == "berapa harga peci hitam?"
    assert all(d["business_id"] == shop.business.id for d in data)
