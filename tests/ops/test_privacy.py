"""Personal data (UU PDP): a customer's export (JSON + files) and erasure through the API, with audit entries;
orders stay for the books with the customer anonymised; retention purges old messages and files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from niaga.kit.timeutil import utcnow
from niaga.messaging import service as messaging
from niaga.messaging.models import Message
from niaga.orders import service as orders
from niaga.orders.models import Order
from niaga.orders.service import Actor
from niaga.settings import get_settings
from niaga.tenancy.models import AuditLog
from tests import factories as f


def _customer_with_history(db, world):  # type: ignore[no-untyped-def]
    p = f.make_product(db, business=world.a, sku="BK-1", price=15000)
    c = f.make_customer(
        db,
        business=world.a,
        name="Siti Aminah",
        phone="6281234567890",
        channel="whatsapp",
        external_id="6281234567890",
    )
    c.address = "Jl. Kaliurang 5"
    conv = messaging.get_or_open(
        db, business_id=world.a.id, customer_id=c.id, channel="whatsapp", chat_id="6281234567890"
    )
    media_dir = get_settings().files_dir / "media" / "wa"
    media_dir.mkdir(parents=True, exist_ok=True)
    photo = media_dir / f"ktp-{c.id}.jpg"
    photo.write_bytes(b"\xff\xd8foto-ktp")
    messaging.record_inbound(
        db,
        conversation=conv,
        text="kak saya Siti, kirim ke Jl. Kaliurang 5 ya",
        media=[{"path": str(photo.relative_to(get_settings().files_dir)), "mimetype": "image/jpeg"}],
        provider_message_id="wamid-priv-1",
    )
    order = orders.create(
        db,
        business_id=world.a.id,
        actor=Actor("user", world.owner.id),
        customer_id=c.id,
        items=[{"product_id": p.id, "quantity": 2}],
        notes="titip ke satpam",
    )
    db.commit()
    return c, photo, order


def test_export_then_erase_through_the_api(client, world, db) -> None:  # type: ignore[no-untyped-def]
    c, photo, order = _customer_with_history(db, world)
    h = world.headers("owner")
    # Staff cannot, another business gets a 404.
    assert (
        client.get(f"/api/v1/privacy/customers/{c.id}/export", headers=world.headers("staff")).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/privacy/customers/{c.id}/export", headers=world.headers("other")).status_code
        == 404
    )

    r = client.get(f"/api/v1/privacy/customers/{c.id}/export", headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    data = json.loads(z.read("data.json"))
    assert data["customer"]["name"] == "Siti Aminah" and data["customer"]["phone"] == "6281234567890"
    assert [m["text"] for m in data["messages"]] == ["kak saya Siti, kirim ke Jl. Kaliurang 5 ya"]
    assert [o["number"] for o in data["orders"]] == [order.number] and len(data["order_items"]) == 1
    assert data["identities"][0]["external_id"] == "6281234567890"
    files = [n for n in z.namelist() if n.startswith("files/")]
    assert len(files) == 1 and z.read(files[0]) == photo.read_bytes()

    r = client.post(f"/api/v1/privacy/customers/{c.id}/erase", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"messages": 1, "files": 1, "conversations": 1, "orders_kept": 1}
    db.commit()
    db.expire_all()
    assert not photo.exists()
    msg = db.scalars(sa.select(Message).where(Message.business_id == world.a.id)).one()
    assert "Siti" not in msg.text and msg.media == []
    kept = db.get(Order, order.id)
    assert kept is not None and kept.total == order.total and kept.notes == "" and kept.customer_id == c.id
    r = client.get(f"/api/v1/privacy/customers/{c.id}/export", headers=h)
    after = json.loads(zipfile.ZipFile(io.BytesIO(r.content)).read("data.json"))
    flat = json.dumps(after, ensure_ascii=False)
    for personal in ("Siti", "6281234567890", "Kaliurang", "satpam"):
        assert personal not in flat, personal
    db.commit()  # end the test session's read transaction: the requests' audit rows are visible after it
    actions = [
        (a.action, a.actor_id)
        for a in db.scalars(
            sa.select(AuditLog).where(AuditLog.entity_type == "customer").order_by(AuditLog.id)
        )
    ]
    assert actions == [
        ("customer.export", world.owner.id),
        ("customer.erase", world.owner.id),
        ("customer.export", world.owner.id),
    ]


def test_retention_purges_old_message_texts_and_files(world, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.operations.privacy import PURGED, purge_expired
    from niaga.settings import reset_settings_cache

    _c, photo, _order = _customer_with_history(db, world)
    conv_id = db.scalars(sa.select(Message.conversation_id)).one()
    fresh = Message(
        business_id=world.a.id,
        conversation_id=conv_id,
        channel="whatsapp",
        direction="in",
        sender_type="customer",
        text="pesan baru",
    )
    db.add(fresh)
    db.execute(
        sa.update(Message)
        .where(Message.text.like("kak saya%"))
        .values(created_at=utcnow() - timedelta(days=400))
    )
    db.commit()
    # Retention off (the default): nothing changes.
    assert purge_expired(db) == {"messages": 0, "files": 0}
    assert photo.exists()
    monkeypatch.setenv("NIAGA_RETENTION_MESSAGE_DAYS", "365")
    monkeypatch.setenv("NIAGA_RETENTION_FILE_DAYS", "90")
    reset_settings_cache()
    try:
        assert purge_expired(db) == {"messages": 1, "files": 1}
        db.commit()
        texts = sorted(m.text for m in db.scalars(sa.select(Message)))
        assert texts == sorted([PURGED, "pesan baru"])
        assert not photo.exists()
        assert purge_expired(db) == {"messages": 0, "files": 0}  # idempotent
    finally:
        monkeypatch.delenv("NIAGA_RETENTION_MESSAGE_DAYS")
        monkeypatch.delenv("NIAGA_RETENTION_FILE_DAYS")
        reset_settings_cache()
