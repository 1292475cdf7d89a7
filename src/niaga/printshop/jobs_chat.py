"""The print shop's side of a buffered chat turn. For a business with the `print` module, the customer's
files (WhatsApp media, Telegram documents/photos), together with the words sent in the same buffer window,
become one print job; answers to a job that waits on the customer ("ya", "bayar di kasir", "batal",
"3 rangkap saja", "hapus file saya") are handled here. Anything else returns None and the agent answers.

Payment goes through an ordinary order of kind `print`: its lines are the quote's lines, so the Midtrans
link, settlement, invoice and loyalty points are the orders domain's own (`PAID_LISTENERS` brings the job
to `paid → queued`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from niaga.kit.money import format_rupiah
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Conversation, Message
from niaga.orders import chat as order_chat
from niaga.orders import service as orders
from niaga.orders.models import Order, OrderItem
from niaga.orders.numbering import allocate_number
from niaga.printshop import jobs, jobs_notify
from niaga.printshop.jobs_models import PrintJob
from niaga.settings import get_settings
from niaga.tenancy.models import Business

YES = re.compile(r"^\s*(ya+|iya+|yes|ok(e|ay)?|oke+|siap|lanjut(kan)?|setuju|gas|boleh|mau|y)\b", re.I)
COUNTER = re.compile(r"bayar\s+(di\s+)?(kasir|toko|tempat)|\b(tunai|cash|cod|bayar\s+nanti)\b", re.I)
CANCEL = re.compile(r"^\s*(batal(kan)?|cancel|gak\s+jadi|nggak\s+jadi|tidak\s+jadi|ga\s+jadi)\b", re.I)
DELETE = re.compile(r"\bhapus\b.*\b(file|berkas|dokumen|data)\b", re.I)
SPEC_WORDS = re.compile(
    r"\d+\s*(rangkap|eksemplar|set|copy)|jilid|spiral|hard\s*cover|soft\s*cover|bolak|hitam\s*putih|warna|ekspres|express|kilat",
    re.I,
)


@dataclass
class ChatOutcome:
    """Quacks like the agent's Turn for the reply job: `reply` text and `intent`."""

    reply: str
    intent: str = "print_order"
    job_id: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def enabled(business: Business) -> bool:
    return bool(((business.settings or {}).get("modules") or {}).get("print"))


def _files_of(messages: list[Message]) -> tuple[list[tuple[Path, str]], list[dict[str, Any]]]:
    root = get_settings().files_dir
    files: list[tuple[Path, str]] = []
    rejected: list[dict[str, Any]] = []
    for m in messages:
        for item in m.media or []:
            if not isinstance(item, dict):
                continue
            name = str(item.get("filename") or "berkas")
            if item.get("path") and (root / item["path"]).is_file():
                files.append((root / item["path"], name))
            elif item.get("note") == "too_large":
                rejected.append({"name": name, "finding": "ukuran melebihi batas"})
            elif item.get("note"):
                rejected.append({"name": name, "finding": "file gagal diunduh, mohon kirim ulang"})
    return files, rejected


def take_turn(
    db: Session, *, business: Business, conversation: Conversation, messages: list[Message]
) -> ChatOutcome | None:
    """Handle the turn when it belongs to the print shop; None lets the agent answer."""
    if not enabled(business) or not messages:
        return None
    text = "\n".join(m.text.strip() for m in messages if (m.text or "").strip())
    files, rejected = _files_of(messages)
    customer = jobs.Actor("customer", conversation.customer_id)
    if files or rejected:
        job = jobs.open_job_for(
            db, business_id=business.id, conversation_id=conversation.id, states=jobs.OPEN_STATES
        )
        if job is not None:
            jobs.do_add_files(
                db, business=business, job=job, files=files, actor=customer, note=text, rejected=rejected
            )
            return ChatOutcome(jobs_notify.received_text(job, added=True), job_id=job.id)
        job = jobs.create(
            db,
            business=business,
            source=conversation.channel,
            files=files,
            rejected=rejected,
            actor=customer,
            note=text,
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
        )
        return ChatOutcome(jobs_notify.received_text(job), job_id=job.id)
    if not text:
        return None
    if DELETE.search(text):
        return _delete_request(db, business, conversation, customer)
    job = jobs.open_job_for(
        db,
        business_id=business.id,
        conversation_id=conversation.id,
        states=("quoted", "needs_customer", "awaiting_payment"),
    )
    if job is None:
        return None
    if CANCEL.search(text):
        return ChatOutcome(
            do_cancel(db, job=job, actor=customer, reason="dibatalkan pelanggan"), job_id=job.id
        )
    if job.status == "quoted":
        if COUNTER.search(text):
            return ChatOutcome(
                confirm(db, business=business, job=job, actor=customer, online=False), job_id=job.id
            )
        if YES.search(text):
            return ChatOutcome(
                confirm(db, business=business, job=job, actor=customer, online=True), job_id=job.id
            )
        if SPEC_WORDS.search(text):
            spec = jobs.parse_note(text)
            keys = (
                "copies",
                "binding",
                "cover_colour",
                "colour_mode",
                "duplex",
                "express",
                "paper_size",
                "pickup_text",
            )
            changes = {k: spec[k] for k in keys if k in spec}
            if changes:
                job.note = f"{job.note}\n{text}".strip()[:5000]
                jobs.do_update_spec(db, job=job, actor=customer, **changes)
                return ChatOutcome(
                    f"Baik kak, pesanan {job.number} kami hitung ulang dengan perubahan itu ya 🙏",
                    job_id=job.id,
                )
    if job.status == "awaiting_payment" and YES.search(text) and job.payment_method == "online":
        return ChatOutcome(
            f"Link pembayaran pesanan {job.number} sudah kami kirim di atas ya kak; pesanan diproses setelah "
            "pembayaran masuk 🙏",
            job_id=job.id,
        )
    return None


def with_upload_link(db: Session, *, business: Business, conversation: Conversation, text: str) -> str:
    """The agent's answer to a print request, plus the customer's own signed upload link (for files too
    large for chat, or many at once) when no job of theirs is waiting for files already."""
    from niaga.printshop import jobs_links

    if not enabled(business) or "/u/" in text:
        return text
    busy = jobs.open_job_for(
        db,
        business_id=business.id,
        conversation_id=conversation.id,
        states=("processing", "quoted", "awaiting_payment"),
    )
    if busy is not None:
        return text
    token = jobs_links.upload_token(
        business_id=business.id, customer_id=conversation.customer_id, conversation_id=conversation.id
    )
    hours = jobs.print_settings(business)["upload_link_hours"]
    return f"{text}\nFile besar atau banyak? Unggah lewat link ini (berlaku {hours} jam): {jobs_links.upload_url(token)}"


# --- quote accepted -----------------------------------------------------------------------------------


def _order_actor(actor: jobs.Actor) -> orders.Actor:
    return orders.Actor(actor.type, actor.id)


def create_order(db: Session, *, business: Business, job: PrintJob, actor: jobs.Actor) -> Order:
    """An order of kind `print` whose lines are the quote's lines (awaiting payment)."""
    now = utcnow()
    q = job.quote or {}
    with db.begin_nested():
        order = Order(
            business_id=business.id,
            number=allocate_number(db, business_id=business.id, timezone=business.timezone, now=now),
            customer_id=job.customer_id,
            conversation_id=job.conversation_id,
            kind="print",
            source="chat" if job.source in jobs_notify.CHAT_CHANNELS else "dashboard",
            status="draft",
            subtotal=int(q.get("total") or 0),
            total=int(q.get("total") or 0),
            print_spec={"print_job": job.number, **(job.spec or {}).get("quoted", {})},
            notes=f"Pesanan cetak {job.number}",
            created_by_user_id=actor.id if actor.type == "user" else None,
            shipping={"method": "pickup"},
            flags=[],
        )
        for item in q.get("items", []):
            order.items.append(
                OrderItem(
                    business_id=business.id,
                    product_id=None,
                    sku=str(item["code"])[:64],
                    name=str(item["label"])[:300],
                    quantity=int(item["qty"]),
                    unit_price=int(item["unit_price"]),
                    total=int(item["amount"]),
                )
            )
        db.add(order)
        db.flush()
        orders.record_event(
            db,
            order,
            "order.created",
            _order_actor(actor),
            to_status="draft",
            data={"total": order.total, "print_job": job.number},
        )
        orders.do_transition(db, order=order, to="awaiting_payment", actor=_order_actor(actor), now=now)
    return order


def confirm(db: Session, *, business: Business, job: PrintJob, actor: jobs.Actor, online: bool) -> str:
    """The customer (or staff) accepts the quote: the order, and a payment link when paying online and a
    gateway is set up; otherwise payment at the counter."""
    order = create_order(db, business=business, job=job, actor=actor)
    job.order_id = order.id
    link = online and order_chat.enqueue_payment_link(db, business=business, order=order)
    job.payment_method = "online" if link else "counter"
    jobs.do_transition(
        db, job=job, to="awaiting_payment", actor=actor, data={"order": order.number, "online": bool(link)}
    )
    total = format_rupiah(order.total)
    if link:
        return (
            f"Baik kak, pesanan cetak {job.number} kami lanjutkan. Total {total}. Silakan bayar lewat link "
            "berikut; pesanan langsung masuk antrean cetak setelah pembayaran diterima 🙏"
        )
    return (
        f"Baik kak, pesanan cetak {job.number} kami catat dengan pembayaran di kasir. Total {total}. Pesanan "
        "kami cetak setelah pembayaran di toko ya 🙏"
    )


def do_cancel(db: Session, *, job: PrintJob, actor: jobs.Actor, reason: str, expired: bool = False) -> str:
    if job.order_id:
        order = db.get(Order, job.order_id)
        if order is not None and order.status in ("draft", "awaiting_payment"):
            orders.do_transition(
                db, order=order, to="expired" if expired else "cancelled", actor=_order_actor(actor)
            )
    jobs.do_transition(db, job=job, to="cancelled", actor=actor, note=reason, data={"expired": expired})
    return (
        f"Baik kak, pesanan cetak {job.number} sudah dibatalkan. File-nya kami hapus otomatis dari sistem 🙏"
    )


def on_order_paid(db: Session, order: Order, actor: orders.Actor) -> None:
    """orders.PAID_LISTENERS: the print job of a paid print order is paid and joins the print queue."""
    if order.kind != "print":
        return
    job = jobs.get_by_order(db, business_id=order.business_id, order_id=order.id)
    if job is None or job.status != "awaiting_payment":
        return
    who = jobs.Actor(actor.type, actor.id)
    jobs.do_transition(
        db, job=job, to="paid", actor=who, data={"order": order.number, "amount": order.paid_amount}
    )
    jobs.do_transition(db, job=job, to="queued", actor=jobs.Actor.system())
    jobs_notify.send(db, job, jobs_notify.paid_text(job))


if on_order_paid not in orders.PAID_LISTENERS:
    orders.PAID_LISTENERS.append(on_order_paid)


# --- privacy ------------------------------------------------------------------------------------------


def _delete_request(
    db: Session, business: Business, conversation: Conversation, actor: jobs.Actor
) -> ChatOutcome:
    from niaga.printshop import jobs_retention

    n, active = jobs_retention.delete_customer_files(
        db, business_id=business.id, customer_id=conversation.customer_id, actor=actor
    )
    if n == 0 and not active:
        return ChatOutcome("Tidak ada file kakak yang tersimpan di sistem kami 🙏")
    text = f"Baik kak, file dari {n} pesanan cetak sudah kami hapus permanen 🙏" if n else ""
    if active:
        text += (
            f"{' ' if text else ''}Pesanan {', '.join(active)} masih berjalan; filenya kami hapus otomatis "
            "setelah selesai."
        )
    return ChatOutcome(text.strip())
