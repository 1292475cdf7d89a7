"""Acceptance for an order of several products named in one chat message: one order with a line for each,
charged by Midtrans line by line with the shipping of their total weight, paid, its stock taken per line, and
an invoice listing every line."""

from __future__ import annotations

import base64
import io

import sqlalchemy as sa
from pypdf import PdfReader

from niaga.catalog.models import Product
from niaga.orders.models import Invoice, Order
from tests.channels import conftest as channels_conftest
from tests.orders.test_e2e import CHAT, _fresh, _say, midtrans, rizquna, waha  # noqa: F401  (fixtures)


def test_one_message_of_two_products_to_one_paid_order_and_invoice(db, client, rizquna, waha, midtrans):  # type: ignore[no-untyped-def]  # noqa: F811
    _say(client, rizquna, "mau pesan peci nasional 2 sama sajadah turki 1 kak")
    draft = waha.texts_to(CHAT)[-1]
    assert "2 × Peci Hitam Polos Nasional" in draft and "1 × Sajadah Turki Tebal" in draft, draft
    assert "Subtotal: Rp175.000" in draft, draft
    _say(client, rizquna, "kirim ke surabaya ya")
    _say(client, rizquna, "Jl. Melati No. 9, Wonokromo")
    _say(client, rizquna, "Sinta")
    summary = waha.texts_to(CHAT)[-1]
    assert "Ongkir JNE REG ke Surabaya (2 kg): Rp28.000" in summary and "Total: Rp203.000" in summary, summary

    _say(client, rizquna, "ya")
    (create,) = midtrans.creates()
    db = _fresh(db)
    order = db.scalars(sa.select(Order).where(Order.business_id == rizquna.id)).one()
    assert create["body"]["transaction_details"] == {"order_id": order.number, "gross_amount": 203000}
    ids = {d["id"]: (d["price"], d["quantity"]) for d in create["body"]["item_details"]}
    assert ids["RQ-PECI-001"] == (40000, 2) and ids["SHIPPING"] == (28000, 1), ids
    assert sorted((it.sku, it.quantity) for it in order.items) == [("RQ-PECI-001", 2), ("RQ-SAJ-001", 1)]

    stock0 = {p.sku: p.stock for p in db.scalars(sa.select(Product).where(Product.business_id == rizquna.id))}
    resp = client.post(
        f"/webhooks/midtrans/{rizquna.slug}", json=midtrans.notification(order.number, "settlement")
    )
    assert resp.status_code == 200
    channels_conftest.drain_all(ahead=1)
    db = _fresh(db)
    assert db.get(Order, order.id).status == "paid"
    stock = {p.sku: p.stock for p in db.scalars(sa.select(Product).where(Product.business_id == rizquna.id))}
    assert (
        stock["RQ-PECI-001"] == stock0["RQ-PECI-001"] - 2 and stock["RQ-SAJ-001"] == stock0["RQ-SAJ-001"] - 1
    )
    inv = db.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).one()
    files = [m for m in waha.sent if m["route"] == "sendFile" and m["to"] == CHAT]
    spec = files[-1]["request"]["file"]
    pdf = base64.b64decode(spec["data"]) if spec.get("data") else None
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf) if pdf else inv.path).pages)
    for needle in ("Peci Hitam Polos Nasional", "Sajadah Turki Tebal", "Rp80.000", "Rp95.000", "Rp203.000"):
        assert needle in text, needle
