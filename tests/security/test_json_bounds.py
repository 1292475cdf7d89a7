"""Issue 11, item 6: deeply nested or oversized JSON on webhooks (before or after a valid signature) and on
API bodies is refused with 400/413 and a clear error before it is parsed — never a 500 — and nothing is
stored."""

from __future__ import annotations

import json

import sqlalchemy as sa

from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY, sign
from niaga.integrations.models import InboundEvent
from niaga.integrations.waha.fake import sign as waha_sign
from niaga.jobs.models import Job
from niaga.kit.jsonbounds import MAX_DEPTH, nesting_depth
from tests.channels.conftest import (  # noqa: F401  (fixtures)
    HMAC_KEY,
    TG_SECRET,
    _fresh_caches,
    shop,
    telegram,
    waha,
)

BOMB = b"[" * 10_000 + b"]" * 10_000


def _nothing_stored(db) -> None:  # type: ignore[no-untyped-def]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def _deep_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def test_nesting_depth_scan() -> None:
    assert nesting_depth(b"1") == 0
    assert nesting_depth(b'{"a": [1, {"b": "[[[[[["}]}') == 3  # brackets inside strings do not count
    assert nesting_depth(b'["\\"[[[", [[1]]]') == 3  # nor after an escaped quote
    assert nesting_depth(BOMB, stop_after=MAX_DEPTH) > MAX_DEPTH
    assert nesting_depth(_deep_object(MAX_DEPTH)) == MAX_DEPTH


def test_waha_bomb_with_valid_signature_is_400(client, shop, db):  # type: ignore[no-untyped-def]  # noqa: F811
    for raw in (BOMB, b'{"event": "message", "payload": ' + BOMB + b"}"):
        r = client.post(
            "/webhooks/waha/rizquna",
            content=raw,
            headers={"X-Webhook-Hmac": waha_sign(raw, HMAC_KEY), "Content-Type": "application/json"},
        )
        assert r.status_code == 400, r.text[:300]
        assert r.json()["error"]["code"] == "json_too_deep" and r.json()["error"]["message"]
    _nothing_stored(db)


def test_telegram_bomb_with_valid_secret_is_400(client, shop, db):  # type: ignore[no-untyped-def]  # noqa: F811
    raw = b'{"update_id": 1, "message": ' + BOMB + b"}"
    r = client.post(
        "/webhooks/telegram/rizquna",
        content=raw,
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "json_too_deep", r.text[:300]
    _nothing_stored(db)


def test_midtrans_bomb_unauthenticated_is_400(client, world, db):  # type: ignore[no-untyped-def]
    payments.do_configure(db, business_id=world.a.id, server_key=SERVER_KEY, client_key=CLIENT_KEY)
    db.commit()
    url = f"/webhooks/midtrans/{world.a.slug}"
    r = client.post(url, content=BOMB, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "json_too_deep", r.text[:300]
    # Deep inside an otherwise correctly signed notification: refused the same way.
    body = {
        "order_id": "ORD-20240101-0001",
        "status_code": "201",
        "gross_amount": "1000.00",
        "transaction_status": "pending",
        "signature_key": sign("ORD-20240101-0001", "201", "1000.00", SERVER_KEY),
    }
    raw = json.dumps(body)[:-1].encode() + b', "extra": ' + BOMB + b"}"
    r = client.post(url, content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "json_too_deep", r.text[:300]
    _nothing_stored(db)


def test_oversized_webhook_is_413_and_not_stored(client, shop, db):  # type: ignore[no-untyped-def]  # noqa: F811
    from niaga.settings import get_settings

    limit = get_settings().max_webhook_bytes
    raw = json.dumps({"event": "message", "payload": {"body": "x" * (limit + 10)}}).encode()
    r = client.post(
        "/webhooks/waha/rizquna",
        content=raw,
        headers={"X-Webhook-Hmac": waha_sign(raw, HMAC_KEY), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large", r.text[:300]
    _nothing_stored(db)


def test_api_body_bomb_is_400(client, world):  # type: ignore[no-untyped-def]
    for url in ("/api/v1/products", "/api/v1/customers", "/api/v1/auth/login"):
        r = client.post(
            url, content=BOMB, headers={**world.headers("owner"), "Content-Type": "application/json"}
        )
        assert r.status_code == 400, (url, r.status_code, r.text[:300])
        assert r.json()["error"]["code"] == "json_too_deep"


def test_reasonable_nesting_still_works(client, shop, db):  # type: ignore[no-untyped-def]  # noqa: F811
    raw = json.dumps({"event": "session.status", "id": "evt-deep", "payload": json.loads(_deep_object(20))})
    r = client.post(
        "/webhooks/waha/rizquna",
        content=raw.encode(),
        headers={"X-Webhook-Hmac": waha_sign(raw.encode(), HMAC_KEY), "Content-Type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["data"] == {"stored": True}, r.text[:300]
