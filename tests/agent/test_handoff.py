"""Human handoff: on request, on an angry complaint, after unanswered turns; the inbox API round trip;
events after commit; the integration turn endpoint."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.jobs.registry import REGISTRY, load_all
from niaga.messaging import events
from niaga.messaging import service as conversations
from niaga.messaging.models import Conversation, Message
from tests.factories import auth, make_user


@pytest.fixture
def captured(monkeypatch):  # type: ignore[no-untyped-def]
    got: list[tuple[int, str, dict]] = []
    monkeypatch.setattr(events, "publish", lambda bid, typ, **data: got.append((bid, typ, data)))
    return got


def test_handoff_round_trip(rizquna, chat, db, client, captured) -> None:  # type: ignore[no-untyped-def]
    staff = make_user(db, business=rizquna, role="staff")
    h = auth(staff, rizquna)
    t = chat(rizquna, "6284000001", "assalamualaikum, mau tanya quran")
    conv_id = t.conversation.id
    r = client.post(f"/api/v1/conversations/{conv_id}/takeover", headers=h, json={"reason": "cek manual"})
    assert r.status_code == 200 and r.json()["data"]["owner"] == "staff"
    assert any(typ == "conversation.updated" and d["owner"] == "staff" for _, typ, d in captured)
    db.expire_all()  # the API changed the conversation in another session (as the inbound job would see it)

    t = chat(rizquna, "6284000001", "yang hafalan ada?")
    assert t.reply == "" and t.silent and t.handoff  # the bot stays silent while staff own the chat
    assert t.intent == "stock_check" or t.intent == "product_query"

    r = client.post(
        f"/api/v1/conversations/{conv_id}/messages",
        headers=h,
        json={"text": "Al-Quran Hafalan 8 Blok masih ada kak, silakan dipesan."},
    )
    assert r.status_code == 201, r.text
    load_all()
    job_id = r.json()["data"]["job_id"]
    if "channels.send_message" in REGISTRY:
        job = db.get(Job, job_id)
        assert (
            job.name == "channels.send_message"
            and job.args["message_id"] == r.json()["data"]["message"]["id"]
        )
    else:
        assert job_id is None
    db.rollback()  # end the read: SQLite would otherwise hold the write lock the next request needs

    r = client.post(f"/api/v1/conversations/{conv_id}/handback", headers=h)
    assert r.status_code == 200 and r.json()["data"]["owner"] == "bot"
    db.expire_all()
    t = chat(rizquna, "6284000001", "harganya berapa?")
    # the staff reply is in memory: "harganya" means the product staff talked about
    assert t.intent == "price_check" and t.entities.get("sku") == "RQ-QURAN-005" and "110.000" in t.reply

    r = client.get(f"/api/v1/conversations/{conv_id}/messages", headers=h)
    senders = [m["sender_type"] for m in r.json()["data"]]
    assert senders.count("staff") == 1 and senders[-1] == "bot"
    assert client.get(f"/api/v1/conversations/{conv_id}", headers=h).json()["data"]["owner"] == "bot"


def test_other_business_gets_404(rizquna, batik, chat, db, client) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6284000002", "halo")
    outsider = make_user(db, business=batik, role="owner")
    h = auth(outsider, batik)
    for path in ("takeover", "handback"):
        assert client.post(f"/api/v1/conversations/{t.conversation.id}/{path}", headers=h).status_code == 404
    assert (
        client.post(
            f"/api/v1/conversations/{t.conversation.id}/messages", headers=h, json={"text": "hai"}
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/conversations/{t.conversation.id}", headers=h).status_code == 404
    assert client.get("/api/v1/conversations", headers=h).json()["data"] == []


def test_handoff_on_request_notifies_once(rizquna, chat, db, captured) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6284000003", "saya mau bicara dengan admin manusia")
    assert t.handoff and t.reply and t.intent == "human_handoff"
    db.refresh(t.conversation)
    assert t.conversation.owner == "staff" and t.conversation.handoff_reason == "customer_request"
    assert [typ for _, typ, d in captured if typ == "conversation.updated"] == ["conversation.updated"]
    t2 = chat(rizquna, "6284000003", "halo??")
    assert t2.reply == "" and t2.handoff


def test_angry_complaint_hands_off(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6284000004", "pesanan saya belum sampai 2 minggu, kecewa banget!!!")
    assert t.intent == "complaint" and t.handoff and "maaf" in t.reply.lower()


def test_two_unanswered_turns_hand_off(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    t1 = chat(rizquna, "6284000005", "zxcv qwerty uiop")
    assert not t1.handoff and t1.intent == "other"
    t2 = chat(rizquna, "6284000005", "blablabla xyz")
    assert t2.handoff and "admin" in t2.reply
    db.refresh(t2.conversation)
    assert t2.conversation.owner == "staff" and t2.conversation.handoff_reason == "unanswered"


def test_events_are_published_only_after_commit(rizquna, chat, db, captured) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6284000006", "halo")
    captured.clear()
    conv = db.get(Conversation, t.conversation.id)
    conversations.do_takeover(db, conversation=conv, reason="x")
    conversations.record_outbound(db, conversation=conv, text="tes", sender_type="staff")
    assert captured == []
    db.rollback()
    assert captured == []
    conv = db.get(Conversation, t.conversation.id)
    conversations.record_outbound(db, conversation=conv, text="tes", sender_type="staff")
    db.commit()
    assert [typ for _, typ, _ in captured] == ["message.created"]


def test_duplicate_inbound_is_ignored(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "6284000007", "halo")
    conv = db.get(Conversation, t.conversation.id)
    assert (
        conversations.record_inbound(db, conversation=conv, text="a", provider_message_id="wamid.1")
        is not None
    )
    assert (
        conversations.record_inbound(db, conversation=conv, text="a", provider_message_id="wamid.1") is None
    )
    db.commit()
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(Message).where(Message.provider_message_id == "wamid.1")
        )
        == 1
    )


def test_agent_turn_endpoint(rizquna, db, client) -> None:  # type: ignore[no-untyped-def]
    owner = make_user(db, business=rizquna, role="owner")
    h = auth(owner, rizquna)
    body = {
        "channel": "api",
        "sender": "n8n-1",
        "text": "harga peci hitam?",
        "provider_message_id": "n8n-msg-1",
    }
    r = client.post("/api/v1/agent/turn", headers=h, json=body)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["intent"] == "price_check" and "40.000" in d["reply"] and d["entities"]["sku"] == "RQ-PECI-001"
    assert client.post("/api/v1/agent/turn", headers=h, json=body).json()["data"]["duplicate"] is True
    staff = make_user(db, business=rizquna, role="staff")
    assert client.post("/api/v1/agent/turn", headers=auth(staff, rizquna), json=body).status_code == 403
    assert client.post("/api/v1/agent/turn", headers=h, json={"text": "x"}).status_code == 422
