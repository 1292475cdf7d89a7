"""The agent knows a customer's segment: a returning champion is greeted warmly, a drifted valued customer
is welcomed back, others get the usual greeting; the segment's name never reaches the customer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from niaga.kit.timeutil import local_today
from niaga.marketing import rfm, service
from tests import factories as f


def _say(db, business, phone: str, text: str):  # type: ignore[no-untyped-def]
    from niaga.agent.service import turn
    from niaga.conversations import service as conversations
    from niaga.customers.service import get_or_create_by_identity

    customer = get_or_create_by_identity(
        db, business_id=business.id, channel="whatsapp", external_id=f"{phone}@c.us", phone=phone
    )
    conv = conversations.get_or_open(
        db, business_id=business.id, customer_id=customer.id, channel="whatsapp", chat_id=f"{phone}@c.us"
    )
    msg = conversations.record_inbound(db, conversation=conv, text=text)
    t = turn(db, business=business, conversation=conv, message=msg)
    db.commit()
    return t


@pytest.fixture
def shop(db):  # type: ignore[no-untyped-def]
    from tests.marketing.helpers import load

    biz = f.make_business(db, name="Batik Sekar")
    today = local_today(biz.timezone)
    rows = []
    # 5 customers: C0 buys often and recently (champion), C4 bought often long ago (can't lose them)
    for i in range(12):
        rows.append(
            {
                "ref": f"a{i}",
                "customer_ref": "C0",
                "date": today - timedelta(days=i),
                "amount": 500_000,
                "status": "completed",
            }
        )
    for i in range(13):
        rows.append(
            {
                "ref": f"e{i}",
                "customer_ref": "C4",
                "date": today - timedelta(days=300 + i),
                "amount": 400_000,
                "status": "completed",
            }
        )
    for n, c in enumerate(("C1", "C2", "C3")):
        rows.append(
            {
                "ref": f"x{n}",
                "customer_ref": c,
                "date": today - timedelta(days=40 * (n + 1)),
                "amount": 100_000,
                "status": "completed",
            }
        )
    load(db, biz, ["C0", "C1", "C2", "C3", "C4"], rows)
    got = {c["customer_ref"]: c["segment"] for c in service.do_run(db, business=biz).as_dict()["customers"]}
    db.commit()
    assert got["C0"] == "champions" and got["C4"] == "cant_lose_them"
    return biz


def _forbidden(text: str) -> list[str]:
    low = text.lower()
    names = [s["label"].lower() for s in rfm.SEGMENTS.values()] + [k.replace("_", " ") for k in rfm.SEGMENTS]
    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", low)] + [
        k for k in rfm.SEGMENTS if k in low
    ]


def test_champion_greeted_warmly_without_naming_the_segment(db, shop):
    t = _say(db, shop, "6281200000000", "halo kak")  # C0's number from the import
    assert t.intent == "greeting"
    assert "Senang sekali kak menghubungi kami lagi" in t.reply and "Batik Sekar" in t.reply
    assert _forbidden(t.reply) == []
    (call,) = [c for c in t.tool_calls if c["name"] == "customer_standing"]
    assert call["result"] == {"segment": "champions", "tone": "warm"}


def test_drifted_valued_customer_welcomed_back_and_others_neutral(db, shop):
    t = _say(db, shop, "6281200000004", "assalamualaikum")
    assert "mampir lagi" in t.reply and _forbidden(t.reply) == []
    neutral = _say(db, shop, "6281200000002", "halo")
    assert "Senang sekali" not in neutral.reply and "mampir lagi" not in neutral.reply
    stranger = _say(db, shop, "6289999999999", "halo")
    assert "Senang sekali" not in stranger.reply and stranger.reply
