"""Invoices: an Indonesian PDF (reportlab) made when an order is paid, stored under files_dir and sent to the
customer on their chat channel (WhatsApp file / Telegram document) or by email (Resend or SMTP)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import sqlalchemy as sa
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from niaga.customers.models import Customer
from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import MONTHS_ID, tz, utcnow
from niaga.messaging.email import EMAIL_SENDERS, Attachment, Email, EmailSender
from niaga.ops.logging import get_logger
from niaga.orders import notify
from niaga.orders import service as orders
from niaga.orders.models import Invoice, Order, Payment
from niaga.settings import get_settings
from niaga.tenancy import providers
from niaga.tenancy.defaults import business_profile
from niaga.tenancy.models import Business, ProviderConfig

log = get_logger("niaga.orders.invoices")

METHOD_LABELS = {
    "midtrans": "Midtrans",
    "cash": "Tunai",
    "transfer": "Transfer bank",
    "qris": "QRIS",
    "other": "Lainnya",
}
MIDTRANS_TYPES = {
    "bank_transfer": "Virtual Account",
    "gopay": "GoPay",
    "qris": "QRIS",
    "credit_card": "Kartu kredit",
    "shopeepay": "ShopeePay",
    "cstore": "Gerai retail",
    "echannel": "Mandiri Bill",
    "permata": "Permata VA",
}
PAYABLE_STATES = orders.SOLD_STATES | {"refunded"}


def invoice_number(order: Order) -> str:
    return (
        "INV-" + order.number.split("-", 1)[1] if order.number.startswith("ORD-") else f"INV-{order.number}"
    )


def long_date(dt: datetime, zone: str | None) -> str:
    local = dt.astimezone(tz(zone))
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year}"


def _method_label(p: Payment) -> str:
    label = METHOD_LABELS.get(p.method, p.method)
    if p.method == "midtrans" and p.raw.get("payment_type"):
        label += f" ({MIDTRANS_TYPES.get(p.raw['payment_type'], p.raw['payment_type'])})"
    return label


@dataclass
class InvoiceData:
    business: Business
    order: Order
    customer: Customer | None
    payments: list[Payment]
    number: str


def render_pdf(data: InvoiceData) -> bytes:
    """The invoice as PDF bytes (A4, Indonesian)."""
    b, o = data.business, data.order
    profile = business_profile(b)
    zone = b.timezone
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=9, leading=12)
    right = ParagraphStyle("right", parent=small, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=20, alignment=TA_RIGHT, spaceAfter=0)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Invoice {data.number}",
        author=b.name,
        subject=f"Invoice pesanan {o.number}",
    )
    paid = [p for p in data.payments if p.status == "paid" and p.amount > 0]
    fully_paid = o.paid_amount >= o.total and o.status in PAYABLE_STATES

    contact = [
        escape(x)
        for x in (profile.get("address"), profile.get("city"), profile.get("phone"), profile.get("email"))
        if x
    ]
    head = Table(
        [
            [
                Paragraph(f"<b>{escape(b.name)}</b><br/>" + "<br/>".join(contact), small),
                Paragraph("INVOICE", title),
            ]
        ],
        colWidths=[100 * mm, 74 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    cust_lines = []
    if data.customer is not None:
        c = data.customer
        cust_lines = [escape(x) for x in (c.name, ("+" + c.phone) if c.phone else None, c.email) if x]
    if o.shipping.get("address"):
        cust_lines.append(escape(o.shipping["address"]))
    if o.shipping.get("city"):
        cust_lines.append(escape(o.shipping["city"]))
    issued = paid[-1].paid_at if paid and paid[-1].paid_at else (o.paid_at or utcnow())
    meta = Table(
        [
            [
                Paragraph("<b>Kepada:</b><br/>" + ("<br/>".join(cust_lines) or "Pelanggan umum"), small),
                Paragraph(
                    f"No. Invoice: <b>{escape(data.number)}</b><br/>No. Pesanan: <b>{escape(o.number)}</b><br/>"
                    f"Tanggal: {long_date(issued, zone)}",
                    right,
                ),
            ],
        ],
        colWidths=[100 * mm, 74 * mm],
    )
    meta.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    rows: list[list[Any]] = [["No", "Produk", "Jml", "Harga", "Subtotal"]]
    for n, item in enumerate(o.items, 1):
        rows.append(
            [
                str(n),
                Paragraph(f"{escape(item.name)}<br/><font size=7>{escape(item.sku)}</font>", small),
                str(item.quantity),
                format_rupiah(item.unit_price),
                format_rupiah(item.total),
            ]
        )
    summary: list[tuple[str, str]] = [("Subtotal", format_rupiah(o.subtotal))]
    if o.shipping:
        label = " ".join(
            x for x in ("Ongkos kirim", o.shipping.get("courier"), o.shipping.get("service")) if x
        )
        if o.shipping.get("kg"):
            label += f" ({o.shipping['kg']} kg)"
        summary.append((label, "Gratis" if o.shipping.get("free") else format_rupiah(o.shipping_cost)))
    if o.discount:
        summary.append(("Diskon", "-" + format_rupiah(o.discount)))
    if o.points_discount:
        summary.append((f"Tukar {o.points_redeemed} poin", "-" + format_rupiah(o.points_discount)))
    summary.append(("TOTAL", format_rupiah(o.total)))
    first_summary = len(rows)
    for label, value in summary:
        rows.append(["", label, "", "", value])
    table = Table(rows, colWidths=[10 * mm, 86 * mm, 14 * mm, 30 * mm, 34 * mm], repeatRows=1)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, first_summary - 1), (-1, first_summary - 1), 0.6, colors.grey),
        ("SPAN", (1, first_summary), (3, first_summary)),
        ("FONTNAME", (0, len(rows) - 1), (-1, len(rows) - 1), "Helvetica-Bold"),
        ("LINEABOVE", (1, len(rows) - 1), (-1, len(rows) - 1), 0.6, colors.black),
    ]
    for r in range(first_summary, len(rows)):
        style.append(("SPAN", (1, r), (3, r)))
        style.append(("ALIGN", (1, r), (3, r), "RIGHT"))
    table.setStyle(TableStyle(style))

    pay_lines = []
    for p in paid:
        when = p.paid_at.astimezone(tz(zone)).strftime("%d-%m-%Y %H:%M") if p.paid_at else "-"
        extra = ""
        if p.method == "cash" and p.tendered:
            extra = f" (diterima {format_rupiah(p.tendered)}, kembali {format_rupiah(p.change or 0)})"
        pay_lines.append(
            f"{escape(_method_label(p))}: {format_rupiah(p.amount)} pada {when} WIB{escape(extra)}"
        )
    refunds = [p for p in data.payments if p.amount < 0]
    for p in refunds:
        pay_lines.append(f"Refund {escape(_method_label(p))}: {format_rupiah(-p.amount)}")
    status_text = (
        "LUNAS" if fully_paid else f"Terbayar {format_rupiah(o.paid_amount)} dari {format_rupiah(o.total)}"
    )
    story = [
        head,
        Spacer(1, 6 * mm),
        meta,
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph("<b>Pembayaran</b>", small),
        Paragraph("<br/>".join(pay_lines) or "-", small),
        Spacer(1, 2 * mm),
        Paragraph(f"Status: <b>{status_text}</b>", small),
        Spacer(1, 10 * mm),
        Paragraph(
            "Terima kasih telah berbelanja di " + escape(b.name) + ". Simpan invoice ini sebagai bukti "
            "pembayaran yang sah.",
            small,
        ),
    ]

    def stamp(canvas: Any, _doc: Any) -> None:
        if not fully_paid:
            return
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#1a7f37"))
        canvas.setFillColor(colors.HexColor("#1a7f37"))
        canvas.translate(150 * mm, 200 * mm)
        canvas.rotate(18)
        canvas.setLineWidth(3)
        canvas.roundRect(-32 * mm, -9 * mm, 64 * mm, 20 * mm, 4 * mm)
        canvas.setFont("Helvetica-Bold", 30)
        canvas.drawCentredString(0, -2 * mm, "LUNAS")
        canvas.restoreState()

    doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return buf.getvalue()


def _abs(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else get_settings().files_dir / p


def get_invoice(db: Session, *, order: Order) -> Invoice | None:
    return db.scalars(
        sa.select(Invoice).where(Invoice.business_id == order.business_id, Invoice.order_id == order.id)
    ).first()


def invoice_data(db: Session, order: Order) -> InvoiceData:
    business = orders.get_business(db, order.business_id)
    customer = db.get(Customer, order.customer_id) if order.customer_id else None
    return InvoiceData(
        business=business,
        order=order,
        customer=customer,
        payments=orders.payments_of(db, order),
        number=invoice_number(order),
    )


def do_generate(db: Session, *, order: Order, force: bool = False) -> Invoice:
    """Render and store the invoice of a paid order (once; `force` re-renders the file)."""
    if order.status not in PAYABLE_STATES:
        raise ValidationFailed(
            "Invoice dibuat setelah pesanan dibayar.", code="order_not_paid", details={"status": order.status}
        )
    inv = get_invoice(db, order=order)
    if inv is not None and not force and _abs(inv.path).exists():
        return inv
    data = invoice_data(db, order)
    rel = f"invoices/{order.business_id}/{data.number}.pdf"
    target = _abs(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(render_pdf(data))
    tmp.replace(target)
    if inv is None:
        inv = Invoice(business_id=order.business_id, order_id=order.id, number=data.number, path=rel)
        try:
            with db.begin_nested():
                db.add(inv)
                db.flush()
        except IntegrityError:
            inv = get_invoice(db, order=order)
            assert inv is not None
    else:
        inv.path = rel
    log.info("invoice.generated", business_id=order.business_id, order_id=order.id, number=data.number)
    return inv


def read_pdf(db: Session, *, order: Order) -> tuple[str, bytes]:
    """(filename, bytes) for download: the stored file, or one rendered now for a paid order."""
    inv = get_invoice(db, order=order)
    if inv is not None and _abs(inv.path).exists():
        return f"{inv.number}.pdf", _abs(inv.path).read_bytes()
    if order.status not in PAYABLE_STATES:
        raise NotFound("Invoice belum tersedia: pesanan belum dibayar.", code="invoice_not_ready")
    data = invoice_data(db, order)
    return f"{data.number}.pdf", render_pdf(data)


# --- email configuration ------------------------------------------------------------------------------


def configure_email(
    db: Session,
    *,
    business_id: int,
    kind: str,
    sender: str,
    api_key: str | None = None,
    base_url: str | None = None,
    host: str | None = None,
    port: int = 587,
    username: str | None = None,
    password: str | None = None,
    security: str = "starttls",
) -> ProviderConfig:
    """Resend (`api_key`) or SMTP (`host`, `port`, `username`, `password`) to send invoices by email."""
    if kind not in ("resend", "smtp"):
        raise ValidationFailed("Jenis email harus resend atau smtp.", details={"kind": "tidak valid"})
    if kind == "resend" and not api_key:
        raise ValidationFailed("API key Resend wajib diisi.", details={"api_key": "wajib"})
    if kind == "smtp" and not host:
        raise ValidationFailed("Host SMTP wajib diisi.", details={"host": "wajib"})
    config: dict[str, Any] = {"from": sender}
    secrets: dict[str, Any] = {}
    if kind == "resend":
        config["base_url"] = base_url
        secrets["api_key"] = api_key
    else:
        config.update(host=host, port=port, username=username, security=security)
        secrets["password"] = password or ""
    return providers.save(db, business_id=business_id, kind=kind, config=config, secrets=secrets)


def _email_sender(db: Session, business_id: int) -> tuple[str, EmailSender, str] | None:
    """(kind, sender object, from address) of the business's email provider, Resend before SMTP."""
    rows = providers.enabled_rows(db, business_id=business_id, kinds=("resend", "smtp"))
    for kind in ("resend", "smtp"):
        if kind in rows:
            row = rows[kind]
            factory = EMAIL_SENDERS.get(kind)
            return kind, factory(dict(row.config or {}), providers.secrets_of(row)), row.config["from"]
    return None


email_sender = _email_sender  # public: the marketing reports send through the same provider

# --- sending ------------------------------------------------------------------------------------------


def caption(order: Order, business: Business) -> str:
    return (
        f"Terima kasih, pembayaran pesanan {order.number} sebesar {format_rupiah(order.total)} sudah kami "
        f"terima. Berikut invoice Anda dari {business.name}."
    )


def do_send(order_id: int) -> str:
    """Make and deliver the invoice of a paid order. Idempotent: a sent invoice is not sent again.
    Returns the channel used, "none" when the customer cannot be reached, "skipped" when not applicable."""
    with session_scope(immediate=True) as db:
        order = db.get(Order, order_id)
        if order is None or order.status not in PAYABLE_STATES:
            return "skipped"
        inv = do_generate(db, order=order)
        if inv.sent_at is not None:
            return "already_sent"
        business = orders.get_business(db, order.business_id)
        conv = notify.conversation_for(db, order, channels=("whatsapp", "telegram"))
        path = _abs(inv.path)
        if conv is not None:
            msg = notify.send_to_customer(
                db,
                order,
                conversation=conv,
                text=caption(order, business),
                media=[{"path": str(path), "mimetype": "application/pdf", "filename": f"{inv.number}.pdf"}],
            )
            if msg is not None:
                inv.sent_at, inv.sent_via = utcnow(), conv.channel
                orders.record_event(
                    db,
                    order,
                    "invoice.sent",
                    orders.Actor.system("orders.send_invoice"),
                    data={"invoice": inv.number, "via": conv.channel, "message_id": msg.id},
                )
                return conv.channel
        customer = db.get(Customer, order.customer_id) if order.customer_id else None
        email_to = customer.email if customer is not None else None
        sender = _email_sender(db, order.business_id) if email_to else None
        if not email_to or sender is None:
            log.info(
                "invoice.not_delivered",
                business_id=order.business_id,
                order_id=order.id,
                reason="no channel" if not email_to else "no email provider",
            )
            return "none"
        kind, client, from_addr = sender
        email = Email(
            sender=from_addr,
            to=[email_to],
            subject=f"Invoice {inv.number} - {business.name}",
            text=caption(order, business) + "\n\nInvoice terlampir.",
            html=f"<p>{escape(caption(order, business))}</p><p>Invoice terlampir.</p>",
            attachments=[Attachment(f"{inv.number}.pdf", path.read_bytes(), "application/pdf")],
            headers={"X-Entity-Ref-ID": order.number},
        )
        inv_id, number, business_id = inv.id, inv.number, order.business_id
    # The email goes out with no transaction open; Resend's idempotency key covers a crash right after.
    try:
        ref = client.send(email, idempotency_key=f"invoice/{business_id}/{number}")
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    with session_scope(immediate=True) as db:
        inv2 = db.get(Invoice, inv_id)
        order = db.get(Order, order_id)
        assert inv2 is not None and order is not None
        inv2.sent_at, inv2.sent_via = utcnow(), "email"
        orders.record_event(
            db,
            order,
            "invoice.sent",
            orders.Actor.system("orders.send_invoice"),
            data={"invoice": number, "via": "email", "provider": kind, "ref": ref},
        )
    log.info("invoice.emailed", business_id=business_id, order_id=order_id, provider=kind)
    return "email"
