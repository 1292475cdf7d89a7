from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from niaga.kit.timeutil import tz
from tests.agent import demo_data

OPEN_TIME = datetime(2026, 11, 23, 10, 0, tzinfo=tz("Asia/Jakarta"))  # a Monday, 10:00 WIB


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from niaga.agent import service

    monkeypatch.setattr(service, "now_fn", lambda zone=None: OPEN_TIME)
    yield


@pytest.fixture
def rizquna(db):  # type: ignore[no-untyped-def]
    if not demo_data.available():
        pytest.fail("catalogue files not found in src/niaga/demo")
    return demo_data.load_rizquna(db)


@pytest.fixture
def batik(db):  # type: ignore[no-untyped-def]
    if not demo_data.available():
        pytest.fail("catalogue files not found in src/niaga/demo")
    return demo_data.load_batik(db)


@pytest.fixture
def chat(db) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """chat(business, sender, text, channel="whatsapp") -> Turn, committed like a real inbound message."""
    from niaga.agent.service import turn
    from niaga.customers.service import get_or_create_by_identity
    from niaga.messaging import service as conversations

    def _chat(business: Any, sender: str, text: str, channel: str = "whatsapp") -> Any:
        customer = get_or_create_by_identity(db, business_id=business.id, channel=channel, external_id=sender)
        conv = conversations.get_or_open(
            db, business_id=business.id, customer_id=customer.id, channel=channel, chat_id=sender
        )
        msg = conversations.record_inbound(db, conversation=conv, text=text)
        t = turn(db, business=business, conversation=conv, message=msg)
        if t.reply:
            conversations.record_outbound(
                db, conversation=conv, text=t.reply, intent=t.intent, delivery_status="sent"
            )
        db.commit()
        t.conversation = conv
        return t

    return _chat
