"""Outgoing event webhooks: signed (HMAC-SHA256 over timestamp + body), durable jobs with retries, a delivery
log with replay, automatic disable with an alert after repeated failure, and a slow receiver never slows the
request that caused the event."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.jobs.runner import drain
from niaga.operations import events
from niaga.ops.models import EventDelivery, EventSubscription, OpsAlert
from tests import factories as f
from tests.ops.receiver import Receiver


def _subscribe(client, world, url: str, evs: list[str]) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/webhooks/subscriptions", headers=world.headers("owner"), json={"url": url, "events": evs}
    )
    assert r.status_code == 201, r.text
    return r.json()["data"]


def _order(client, world, db) -> dict:  # type: ignore[no-untyped-def]
    p = f.make_product(db, business=world.a, price=25000)
    db.commit()
    r = client.post(
        "/api/v1/orders",
        headers=world.headers("owner"),
        json={"items": [{"product_id": p.id, "quantity": 2}]},
    )
    assert r.status_code == 201, r.text
    return r.json()["data"]


def test_order_created_is_delivered_signed_and_verifiable(client, world, db) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as rx:
        sub = _subscribe(client, world, rx.url, ["order.created", "order.paid"])
        assert sub["secret"].startswith("whsec_")
        # Another business's subscription never sees business A's events.
        other = client.post(
            "/api/v1/webhooks/subscriptions",
            headers=world.headers("other"),
            json={"url": rx.url + "?b", "events": ["*"]},
        )
        assert other.status_code == 201
        order = _order(client, world, db)
        assert rx.requests == []  # nothing is sent inside the request; a job does it
        drain()
        assert len(rx.requests) == 1
        req = rx.requests[0]
        h = {k.lower(): v for k, v in req["headers"].items()}
        assert h["x-niaga-event"] == "order.created"
        body = json.loads(req["body"])
        assert body["type"] == "order.created" and body["data"]["order_id"] == order["id"]
        assert body["data"]["total"] == order["total"] and body["business_id"] == world.a.id
        assert events.verify(sub["secret"], req["body"], h["x-niaga-timestamp"], h["x-niaga-signature"])
        # Tampered body, wrong secret, stale timestamp (replay) are all rejected by the documented check.
        assert not events.verify(
            sub["secret"], req["body"] + b" ", h["x-niaga-timestamp"], h["x-niaga-signature"]
        )
        assert not events.verify("whsec_other", req["body"], h["x-niaga-timestamp"], h["x-niaga-signature"])
        assert not events.verify(
            sub["secret"],
            req["body"],
            h["x-niaga-timestamp"],
            h["x-niaga-signature"],
            now=int(h["x-niaga-timestamp"]) + 301,
        )
        log = client.get("/api/v1/webhooks/deliveries", headers=world.headers("owner")).json()["data"]
        assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [
            ("order.created", "delivered", 1)
        ]
        # The other business sees only its own log, and cannot replay A's delivery.
        assert client.get("/api/v1/webhooks/deliveries", headers=world.headers("other")).json()["data"] == []
        r = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay", headers=world.headers("other"))
        assert r.status_code == 404
        # Replay sends the same event again with a fresh signature.
        r = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay", headers=world.headers("owner"))
        assert r.status_code == 200
        drain()
        assert len(rx.requests) == 2
        assert json.loads(rx.requests[1]["body"])["id"] == body["id"]
        # Paying the order emits order.paid.
        r = client.post(
            f"/api/v1/orders/{order['id']}/payments", headers=world.headers("owner"), json={"method": "cash"}
        )
        assert r.status_code == 201, r.text
        drain()
        assert [json.loads(q["body"])["type"] for q in rx.requests] == [
            "order.created",
            "order.created",
            "order.paid",
        ]


def test_message_received_event(world, db) -> None:  # type: ignore[no-untyped-def]
    from niaga.messaging import service as messaging

    with Receiver() as rx:
        _sub, _secret = events.create_subscription(
            db, business_id=world.a.id, url=rx.url, events=["message.received"]
        )
        c = f.make_customer(db, business=world.a, phone="6281200000001")
        conv = messaging.get_or_open(
            db, business_id=world.a.id, customer_id=c.id, channel="whatsapp", chat_id="6281200000001"
        )
        messaging.record_inbound(db, conversation=conv, text="kak ready gak?", provider_message_id="wamid-1")
        db.commit()
        drain()
        assert len(rx.requests) == 1
        body = json.loads(rx.requests[0]["body"])
        assert body["type"] == "message.received" and body["data"]["text"] == "kak ready gak?"
        assert body["data"]["channel"] == "whatsapp"
        # A rolled-back transaction emits nothing.
        messaging.record_inbound(db, conversation=conv, text="batal", provider_message_id="wamid-2")
        db.rollback()
        db.commit()
        drain()
        assert len(rx.requests) == 1


def test_failures_retry_with_backoff_then_disable_and_alert(world, db, monkeypatch, clock) -> None:  # type: ignore[no-untyped-def]
    from niaga.settings import reset_settings_cache

    monkeypatch.setenv("NIAGA_EVENT_WEBHOOK_MAX_FAILURES", "3")
    reset_settings_cache()
    try:
        with Receiver(status=500) as rx:
            sub, _ = events.create_subscription(db, business_id=world.a.id, url=rx.url, events=["ping"])
            events.emit(db, business_id=world.a.id, event_type="ping", data={})
            db.commit()
            drain()
            assert len(rx.requests) == 1
            job = db.scalars(sa.select(Job).where(Job.name == "ops.deliver_event")).one()
            db.refresh(job)
            assert job.status == "pending" and job.attempts == 1  # retried later, not at once
            first_retry = job.run_at
            drain()
            assert len(rx.requests) == 1
            for _ in range(2):
                clock.advance(3600)
                drain()
            assert len(rx.requests) == 3
            db.commit()  # a new read transaction sees the worker's writes
            db.expire_all()
            sub = db.get(EventSubscription, sub.id)
            assert not sub.is_active and "HTTP 500" in sub.disabled_reason
            d = db.scalars(sa.select(EventDelivery)).one()
            assert d.status == "failed" and d.attempts == 3 and d.last_status_code == 500
            alert = db.scalars(sa.select(OpsAlert).where(OpsAlert.business_id == world.a.id)).one()
            assert alert.active and alert.condition == f"webhook_disabled:{sub.id}"
            assert db.scalars(sa.select(Job).where(Job.name == "channels.alert")).first() is not None
            assert first_retry is not None
            # Disabled: new events are not queued for it any more.
            assert events.emit(db, business_id=world.a.id, event_type="ping", data={}) == []
    finally:
        monkeypatch.delenv("NIAGA_EVENT_WEBHOOK_MAX_FAILURES")
        reset_settings_cache()


def test_slow_receiver_never_slows_the_sender(client, world, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.settings import reset_settings_cache

    monkeypatch.setenv("NIAGA_EVENT_WEBHOOK_TIMEOUT_SECONDS", "0.5")
    reset_settings_cache()
    try:
        with Receiver(delay=3.0) as rx:
            _subscribe(client, world, rx.url, ["order.created"])
            started = time.monotonic()
            _order(client, world, db)
            assert time.monotonic() - started < 2.0
            started = time.monotonic()
            drain(max_jobs=1)
            assert time.monotonic() - started < 2.5  # the attempt is cut at the timeout
            db.commit()
            d = db.scalars(sa.select(EventDelivery)).one()
            db.refresh(d)
            assert d.status == "pending" and "Timeout" in d.last_error
    finally:
        monkeypatch.delenv("NIAGA_EVENT_WEBHOOK_TIMEOUT_SECONDS")
        reset_settings_cache()


def test_bad_subscription_input_is_refused_in_indonesian(client, world) -> None:  # type: ignore[no-untyped-def]
    h = world.headers("owner")
    r = client.post(
        "/api/v1/webhooks/subscriptions", headers=h, json={"url": "ftp://x.example", "events": ["ping"]}
    )
    assert r.status_code == 422 and "URL" in r.text
    r = client.post(
        "/api/v1/webhooks/subscriptions",
        headers=h,
        json={"url": "https://x.example/h", "events": ["order.exploded"]},
    )
    assert r.status_code == 422 and "tidak dikenal" in r.text
    r = client.post(
        "/api/v1/webhooks/subscriptions",
        headers=world.headers("staff"),
        json={"url": "https://x.example/h", "events": ["ping"]},
    )
    assert r.status_code == 403


def test_message_received_event_without_a_provider_id(world, db) -> None:  # type: ignore[no-untyped-def]
    # Web widget and API messages carry no provider id and are stored by the fast path (one INSERT, no
    # flush): subscribers still get them.
    from niaga.messaging import service as messaging

    with Receiver() as rx:
        events.create_subscription(db, business_id=world.a.id, url=rx.url, events=["message.received"])
        c = f.make_customer(db, business=world.a, phone="6281200000002")
        conv = messaging.get_or_open(
            db, business_id=world.a.id, customer_id=c.id, channel="web", chat_id="v-1"
        )
        db.commit()
        messaging.record_inbound(db, conversation=conv, text="halo kak, masih buka?")
        db.commit()
        drain()
        assert [json.loads(r["body"])["data"]["text"] for r in rx.requests] == ["halo kak, masih buka?"]
        assert json.loads(rx.requests[0]["body"])["data"]["channel"] == "web"
