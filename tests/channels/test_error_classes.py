"""Per-provider classification of errors into temporary and permanent, and what delivery does with it:
Telegram's chat migration is followed (the message goes to the new chat id), a blocked bot is permanent and
the conversation is marked unreachable (it opens again when the customer writes); REST providers answer
4xx permanent except 408/409/425/429, 5xx temporary, with the provider's Retry-After kept."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from niaga.integrations.base import raise_for_provider
from niaga.integrations.telegram.client import classify
from niaga.jobs.runner import drain
from niaga.kit.providers import CHAT_MIGRATED, RECIPIENT_UNREACHABLE, ProviderError, classify_status
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Conversation, Message
from tests.channels.conftest import drain_all
from tests.channels.test_delivery import outbound


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        *[(s, True) for s in (400, 401, 402, 403, 404, 422)],
        *[(s, False) for s in (408, 409, 425, 429, 500, 502, 503)],
    ],
)
def test_rest_status_classes(status: int, permanent: bool) -> None:
    assert classify_status(status) is permanent


def test_retry_after_seconds_and_http_date_are_kept() -> None:
    req = httpx.Request("POST", "https://gw.test/send")
    with pytest.raises(ProviderError) as exc:
        raise_for_provider(httpx.Response(429, headers={"Retry-After": "7"}, json={}, request=req), "waha")
    assert not exc.value.permanent and exc.value.retry_after == 7.0
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    with pytest.raises(ProviderError) as exc:
        raise_for_provider(
            httpx.Response(503, headers={"Retry-After": when}, text="busy", request=req), "fonnte"
        )
    assert not exc.value.permanent and 60 < (exc.value.retry_after or 0) <= 120
    with pytest.raises(ProviderError) as exc:
        raise_for_provider(httpx.Response(422, json={"error": "bad number"}, request=req), "starsender")
    assert exc.value.permanent and exc.value.retry_after is None


def test_telegram_classification() -> None:
    assert classify(
        400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": -1009}
    ) == (
        False,
        CHAT_MIGRATED,
        "-1009",
    )
    assert classify(403, "Forbidden: bot was blocked by the user", {}) == (True, RECIPIENT_UNREACHABLE, None)
    assert classify(403, "Forbidden: user is deactivated", {}) == (True, RECIPIENT_UNREACHABLE, None)
    assert classify(400, "Bad Request: chat not found", {}) == (True, RECIPIENT_UNREACHABLE, None)
    assert classify(429, "Too Many Requests: retry after 3", {"retry_after": 3}) == (False, None, None)
    assert classify(502, "Bad Gateway", {}) == (False, None, None)
    assert classify(401, "Unauthorized", {}) == (True, None, None)


def _conv(db, message_id):  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    msg = db.get(Message, message_id)
    return msg, db.get(Conversation, msg.conversation_id)


def test_migrated_chat_is_followed(shop, db):  # type: ignore[no-untyped-def]
    shop.telegram.script("sendMessage", [("migrate", -1004242)])
    mid = outbound(db, shop.business, channel="telegram", chat_id="-4242", text="Pesanan siap diambil")
    assert drain(now=utcnow()) == ["retry"]
    msg, conv = _conv(db, mid)
    assert conv.chat_id == "-1004242" and msg.delivery_status == "queued"
    assert drain_all(ahead=1) == ["done"]
    msg, _ = _conv(db, mid)
    assert msg.delivery_status == "sent"
    assert [m["text"] for m in shop.telegram.messages_to(-1004242)] == ["Pesanan siap diambil"]


def test_blocked_bot_is_permanent_and_conversation_unreachable(shop, db):  # type: ignore[no-untyped-def]
    from niaga.messaging import service as conversations

    shop.telegram.script("sendMessage", ["blocked"])
    mid = outbound(db, shop.business, channel="telegram", chat_id="777", text="Halo kak")
    assert drain(now=utcnow())[0] == "dead"  # then the admin alert job
    msg, conv = _conv(db, mid)
    assert msg.delivery_status == "failed" and "blocked" in (msg.error or "")
    assert conv.status == "unreachable"
    drain_all(ahead=3600)
    to_customer = [
        c for c in shop.telegram.calls("/sendMessage") if str((c.json or {}).get("chat_id")) == "777"
    ]
    assert len(to_customer) == 1  # not retried (the admin alert goes to the admin chat)
    assert (
        db.scalar(sa.select(sa.func.count()).select_from(Message).where(Message.delivery_status == "sent"))
        == 0
    )
    # The customer unblocks and writes again: the conversation is open again.
    db.rollback()  # a fresh snapshot (jobs committed in other sessions)
    conversations.get_or_open(
        db, business_id=shop.business.id, customer_id=conv.customer_id, channel="telegram", chat_id="777"
    )
    db.commit()
    _, conv = _conv(db, mid)
    assert conv.status == "open"
