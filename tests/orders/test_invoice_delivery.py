"""Invoice delivery for customers without a chat channel: Resend, SMTP, or nothing (logged, not an error)."""

from __future__ import annotations

import base64
import io

import sqlalchemy as sa
from pypdf import PdfReader

from niaga.integrations.resend.fake import API_KEY, FakeResend
from niaga.integrations.smtp.fake import FakeSmtp
from niaga.orders import invoices
from niaga.orders import service as orders
from niaga.orders.models import Invoice, OrderEvent
from niaga.orders.service import Actor
from tests.orders.conftest import drain

STAFF = Actor("user", 1)


def _paid_order(db, shop):  # type: ignore[no-untyped-def]
    order = orders.create(
        db, business_id=shop.business.id, actor=STAFF, customer_id=shop.customer.id, items=[{"sku": "BK-001"}]
    )
    orders.do_record_payment(db, order=order, method="transfer", actor=STAFF, reference="BCA-778")
    db.commit()
    return order


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_email_via_resend_once(db, shop):  # type: ignore[no-untyped-def]
    with FakeResend() as resend:
        invoices.configure_email(
            db,
            business_id=shop.business.id,
            kind="resend",
            api_key=API_KEY,
            sender="Toko A <noreply@toko-a.test>",
            base_url=resend.base_url,
        )
        db.commit()
        order = _paid_order(db, shop)
        assert drain() == ["done"]
        assert invoices.do_send(order.id) == "already_sent"
        (email,) = resend.emails
        assert email["to"] == ["budi@contoh.id"] and order.number in email["text"]
        assert email["subject"].startswith("Invoice INV-")
        att = email["attachments"][0]
        assert att["filename"].endswith(".pdf")
        text = _pdf_text(base64.b64decode(att["content"]))
        assert "LUNAS" in text and "Transfer bank" in text and order.number in text
        assert resend.requests[0]["headers"]["idempotency-key"].startswith(f"invoice/{shop.business.id}/INV-")
    db.rollback()
    inv = db.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).one()
    assert inv.sent_via == "email" and inv.sent_at is not None
    assert (
        db.scalar(
            sa.select(sa.func.count()).select_from(OrderEvent).where(OrderEvent.event == "invoice.sent")
        )
        == 1
    )


def test_email_via_smtp(db, shop):  # type: ignore[no-untyped-def]
    with FakeSmtp() as smtp:
        invoices.configure_email(
            db,
            business_id=shop.business.id,
            kind="smtp",
            host="127.0.0.1",
            port=smtp.port,
            security="none",
            sender="Toko A <noreply@toko-a.test>",
        )
        db.commit()
        order = _paid_order(db, shop)
        assert drain() == ["done"]
        (msg,) = smtp.messages
        assert msg["to"] == ["budi@contoh.id"]
        ((name, data),) = FakeSmtp.attachments(msg["message"])
        assert name.endswith(".pdf") and order.number in _pdf_text(data)


def test_resend_rejection_is_permanent(db, shop):  # type: ignore[no-untyped-def]
    from niaga.jobs.models import DeadLetter

    with FakeResend() as resend:
        invoices.configure_email(
            db,
            business_id=shop.business.id,
            kind="resend",
            api_key="re_wrong",
            sender="Toko A <noreply@toko-a.test>",
            base_url=resend.base_url,
        )
        db.commit()
        _paid_order(db, shop)
        assert drain() == ["dead"]
        assert resend.emails == []
    db.rollback()
    assert db.scalars(sa.select(DeadLetter)).one().permanent


def test_no_channel_no_email_is_not_an_error(db, shop):  # type: ignore[no-untyped-def]
    shop.customer.email = None
    db.commit()
    order = _paid_order(db, shop)
    assert drain() == ["done"]
    db.rollback()
    inv = db.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).one()
    assert inv.sent_at is None and invoices._abs(inv.path).exists()
