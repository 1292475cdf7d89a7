"""Dashboard buttons for personal data and event webhooks: an admin downloads a customer's data and erases it
from the customer page (staff see no buttons and are refused), and replays a webhook delivery from the log."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa

from niaga.jobs.models import Job
from niaga.messaging.models import Message
from niaga.operations.events import create_subscription
from niaga.ops.models import EventDelivery
from niaga.tenancy.models import AuditLog
from tests import factories as f
from tests.web.helpers import login, post_form


def _customer_with_message(db, world):  # type: ignore[no-untyped-def]
    from niaga.messaging import service as messaging

    c = f.make_customer(db, business=world.a, name="Sari Wulandari")
    conv = messaging.get_or_open(
        db, business_id=world.a.id, channel="whatsapp", chat_id="6281299990000@c.us", customer_id=c.id
    )
    messaging.record_inbound(
        db, conversation=conv, text="alamat saya Jl. Melati 7", provider_message_id="m-1"
    )
    db.commit()
    return c


def test_admin_exports_and_erases_a_customer(client, db, world):  # type: ignore[no-untyped-def]
    c = _customer_with_message(db, world)
    login(client, world.admin.email)
    page = client.get(f"/app/pelanggan/{c.id}")
    assert 'id="privacy-export"' in page.text and 'id="privacy-erase"' in page.text

    r = post_form(client, f"/app/pelanggan/{c.id}", f"/app/pelanggan/{c.id}/ekspor", {})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(r.content)).read("data.json"))
    assert data["customer"]["name"] == "Sari Wulandari"
    assert [m["text"] for m in data["messages"]] == ["alamat saya Jl. Melati 7"]

    # without the confirmation word nothing is erased
    r = post_form(client, f"/app/pelanggan/{c.id}", f"/app/pelanggan/{c.id}/hapus-data", {"confirm": "ya"})
    assert r.status_code == 303
    db.rollback()
    assert (
        db.scalar(sa.select(Message.text).where(Message.provider_message_id == "m-1"))
        == "alamat saya Jl. Melati 7"
    )
    r = post_form(client, f"/app/pelanggan/{c.id}", f"/app/pelanggan/{c.id}/hapus-data", {"confirm": "HAPUS"})
    assert r.status_code == 303
    assert "Data pribadi pelanggan dihapus" in client.get(r.headers["location"]).text
    db.rollback()
    assert "Melati" not in (
        db.scalar(sa.select(Message.text).where(Message.provider_message_id == "m-1")) or ""
    )
    actions = set(db.scalars(sa.select(AuditLog.action).where(AuditLog.entity_type == "customer")))
    assert {"customer.export", "customer.erase"} <= actions


def test_staff_see_no_privacy_buttons_and_are_refused(client, db, world):  # type: ignore[no-untyped-def]
    c = _customer_with_message(db, world)
    login(client, world.staff.email)
    page = client.get(f"/app/pelanggan/{c.id}")
    assert page.status_code == 200 and "privacy-erase" not in page.text
    r = post_form(client, f"/app/pelanggan/{c.id}", f"/app/pelanggan/{c.id}/hapus-data", {"confirm": "HAPUS"})
    assert r.status_code == 403
    db.rollback()
    assert (
        db.scalar(sa.select(Message.text).where(Message.provider_message_id == "m-1"))
        == "alamat saya Jl. Melati 7"
    )


def _delivery(delivery_id: int) -> tuple[str, int]:
    """Read in a fresh session: the test's own session keeps what it loaded before the request."""
    from niaga.db.engine import session_scope

    with session_scope() as fresh:
        row = fresh.get(EventDelivery, delivery_id)
        assert row is not None
        return row.status, row.attempts


def test_admin_replays_a_webhook_delivery(client, db, world):  # type: ignore[no-untyped-def]
    sub, _ = create_subscription(db, business_id=world.a.id, url="https://n8n.example/hook", events=["*"])
    d = EventDelivery(
        business_id=world.a.id,
        subscription_id=sub.id,
        event_id="evt-1",
        event_type="order.paid",
        payload={},
        status="failed",
        attempts=8,
    )
    db.add(d)
    other_sub, _ = create_subscription(db, business_id=world.b.id, url="https://b.example/hook", events=["*"])
    other = EventDelivery(
        business_id=world.b.id,
        subscription_id=other_sub.id,
        event_id="evt-b",
        event_type="order.paid",
        payload={},
        status="failed",
    )
    db.add(other)
    db.commit()
    login(client, world.admin.email)
    page = client.get("/app/pengaturan/webhook")
    assert page.status_code == 200 and f'data-delivery="{d.id}"' in page.text and "evt-b" not in page.text
    r = post_form(client, "/app/pengaturan/webhook", f"/app/pengaturan/webhook/pengiriman/{d.id}/ulang", {})
    assert r.status_code == 303
    assert "dijadwalkan ulang" in client.get(r.headers["location"]).text
    db.rollback()
    jobs = db.scalars(sa.select(Job).where(Job.name == "ops.deliver_event")).all()
    assert _delivery(d.id) == ("pending", 0)
    assert [j.args["delivery_id"] for j in jobs] == [d.id]
    # another business's delivery is not replayed
    post_form(client, "/app/pengaturan/webhook", f"/app/pengaturan/webhook/pengiriman/{other.id}/ulang", {})
    db.rollback()
    assert _delivery(other.id) == ("failed", 0)
    assert len(db.scalars(sa.select(Job).where(Job.name == "ops.deliver_event")).all()) == 1
    login(client, world.staff.email)
    assert client.get("/app/pengaturan/webhook").status_code == 403
