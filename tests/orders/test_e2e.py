"""Acceptance: WhatsApp chat → order → Midtrans link → signed settlement → paid, stock, invoice on WhatsApp,
points; the notification again changes nothing. Needs the agent and channels domains."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

import niaga.agent.service
import niaga.demo
import niaga.messaging.delivery
from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer
from niaga.integrations.midtrans.fake import CLIENT_KEY, SERVER_KEY, FakeMidtrans
from niaga.integrations.waha import fake as waha_fake
from niaga.orders.models import Invoice, Order
from tests import factories as f
from tests.channels import conftest as channels_conftest

# The project's own copy of the shared catalogue fixture (always present, also in a clean clone).
CATALOGUE = Path(niaga.demo.__file__).parent / "rizquna_products.csv"
CHAT = "6281399998888@c.us"


def _load_catalogue(db, business) -> None:  # type: ignore[no-untyped-def]
    with CATALOGUE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            f.make_product(
                db,
                business=business,
                sku=row["sku"],
                name=row["name"],
                category=row["category"],
                description=row["description"],
                price=int(row["price"]),
                sale_price=int(row["sale_price"]) if row["sale_price"] else None,
                stock=int(row["stock"]) if row["stock"] else None,
                weight_g=int(row["weight_g"]) if row["weight_g"] else None,
                tags=[t for t in row["tags"].split(";") if t],
                attributes=json.loads(row["attributes"]) if row["attributes"] else {},
            )


@pytest.fixture
def waha() -> Iterator[object]:
    with waha_fake.FakeWaha() as fake:
        yield fake


@pytest.fixture
def midtrans() -> Iterator[FakeMidtrans]:
    with FakeMidtrans() as fake:
        yield fake


@pytest.fixture
def rizquna(db, waha, midtrans):  # type: ignore[no-untyped-def]
    from niaga.integrations.midtrans import payments

    b = f.make_business(
        db,
        slug="rizquna-e2e",
        name="Rizquna",
        profile={"address": "Jl. Kaliurang Km 5", "city": "Yogyakarta", "phone": "6281200000000"},
        settings={"channels": {"buffer_seconds": 0.2}, "shipping": {"origin_city": "Yogyakarta"}},
    )
    _load_catalogue(db, b)
    db.add(
        ShippingRate(
            business_id=b.id,
            origin_city="Yogyakarta",
            destination_city="Surabaya",
            courier="JNE",
            service="REG",
            price_per_kg=14000,
            etd_days="2",
        )
    )
    channels_conftest.configure(
        db,
        b,
        "waha",
        base_url=waha.url,
        api_key=waha.api_key,
        session="default",
        hmac_key=channels_conftest.HMAC_KEY,
    )
    payments.do_configure(
        db, business_id=b.id, server_key=SERVER_KEY, client_key=CLIENT_KEY, base_url=midtrans.base_url
    )
    db.commit()
    return b


def _say(client, business, text: str) -> None:  # type: ignore[no-untyped-def]
    ev = waha_fake.message_event(text=text, chat_id=CHAT)
    resp = waha_fake.post_webhook(
        f"/webhooks/waha/{business.slug}", ev, channels_conftest.HMAC_KEY, client=client
    )
    assert resp.status_code == 200, resp.text
    channels_conftest.drain_all(ahead=1)


def _fresh(db):  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db


def test_whatsapp_order_to_paid_invoice_and_points(db, client, rizquna, waha, midtrans):  # type: ignore[no-untyped-def]
    book = (
        _fresh(db)
        .scalars(sa.select(Product).where(Product.business_id == rizquna.id, Product.sku == "RQ-ANAK-001"))
        .one()
    )
    stock0 = book.stock

    _say(client, rizquna, "pesan 2 kisah 25 nabi")
    draft_reply = waha.texts_to(CHAT)[-1]
    assert "Rp298.000" in draft_reply, draft_reply
    # Delivery before YA: one courier to Surabaya (chosen at once), the address, the name.
    _say(client, rizquna, "kirim ke surabaya ya")
    assert "Alamat lengkap" in waha.texts_to(CHAT)[-1], waha.texts_to(CHAT)[-1]
    _say(client, rizquna, "Jl. Mawar No. 5, Gubeng")
    _say(client, rizquna, "Budi")
    summary = waha.texts_to(CHAT)[-1]
    assert "Ongkir JNE REG ke Surabaya (3 kg): Rp42.000" in summary and "Total: Rp340.000" in summary, summary

    _say(client, rizquna, "ya")
    (create,) = midtrans.creates()
    order = _fresh(db).scalars(sa.select(Order).where(Order.business_id == rizquna.id)).one()
    assert create["body"]["transaction_details"] == {"order_id": order.number, "gross_amount": 340000}
    assert {"id": "SHIPPING", "price": 42000, "quantity": 1, "name": "Ongkir JNE REG"} in create["body"][
        "item_details"
    ]
    assert (order.status, order.total, order.shipping_cost, order.source) == (
        "awaiting_payment",
        340000,
        42000,
        "chat",
    )
    link = midtrans.transactions[order.number].redirect_url
    assert any(link in t for t in waha.texts_to(CHAT)), waha.texts_to(CHAT)
    assert db.get(Product, book.id).reserved == 2

    settlement = midtrans.notification(order.number, "settlement")
    resp = client.post(f"/webhooks/midtrans/{rizquna.slug}", json=settlement)
    assert resp.status_code == 200
    channels_conftest.drain_all(ahead=1)

    db = _fresh(db)
    order = db.get(Order, order.id)
    book = db.get(Product, book.id)
    assert (order.status, order.paid_amount) == ("paid", 340000)
    assert (book.stock, book.reserved) == (stock0 - 2, 0)
    files = [m for m in waha.sent if m["route"] == "sendFile" and m["to"] == CHAT]
    assert len(files) == 1
    spec = files[0]["request"]["file"]
    assert spec["mimetype"] == "application/pdf"
    pdf = base64.b64decode(spec["data"]) if spec.get("data") else None
    inv = db.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).one()
    assert inv.sent_via == "whatsapp"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf) if pdf else inv.path).pages)
    for needle in (
        "Rizquna",
        order.number,
        inv.number,
        "Seri Kisah 25 Nabi",
        "Rp149.000",
        "Rp298.000",
        "LUNAS",
        "Ongkos kirim JNE REG (3 kg)",
        "Rp42.000",
        "Rp340.000",
        "Jl. Mawar No. 5, Gubeng",
    ):
        assert needle in text, needle
    customer = db.get(Customer, order.customer_id)
    assert customer.points_balance == 298 and customer.total_orders == 1

    sent_before = len(waha.sent)
    again = client.post(f"/webhooks/midtrans/{rizquna.slug}", json=settlement)
    assert again.status_code == 200 and again.json()["data"]["duplicate"] is True
    channels_conftest.drain_all(ahead=1)
    db = _fresh(db)
    assert db.get(Order, order.id).paid_amount == 340000
    assert db.get(Product, book.id).stock == stock0 - 2
    assert db.get(Customer, customer.id).points_balance == 298
    assert len(waha.sent) == sent_before
