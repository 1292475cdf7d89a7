"""What staff do to a print job from the queue board (operator role and up): send the quote, ask the
customer, take payment at the counter, print, mark ready, hand over, cancel; staff upload at the counter;
and the printer's status listener. Each is a service verb that flushes, never commits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.service import get_or_create_by_identity
from niaga.kit.errors import Conflict, ValidationFailed
from niaga.messaging import service as conversations
from niaga.messaging.alerts import queue_alert
from niaga.messaging.delivery import do_send
from niaga.ops.logging import get_logger
from niaga.orders import service as orders
from niaga.orders.models import LoyaltyEntry, Order
from niaga.printshop import jobs, jobs_chat, jobs_notify
from niaga.printshop.jobs_models import PrintJob
from niaga.tenancy.models import Business

log = get_logger("niaga.printshop.jobs")


def _order(db: Session, job: PrintJob) -> Order | None:
    return db.get(Order, job.order_id) if job.order_id else None


def do_send_quote(db: Session, *, business: Business, job: PrintJob, actor: jobs.Actor) -> PrintJob:
    """Staff approve a job that waits on them (needs_customer with pages to print): the quote goes out."""
    if job.status != "needs_customer" or not job.quote:
        raise Conflict("Belum ada penawaran yang bisa dikirim; proses ulang berkasnya dulu.", code="no_quote")
    jobs.do_transition(db, job=job, to="quoted", actor=actor)
    jobs_notify.send_quote(db, business, job)
    return job


def do_reprocess(db: Session, *, job: PrintJob, actor: jobs.Actor) -> PrintJob:
    jobs.do_transition(db, job=job, to="processing", actor=actor, note="diproses ulang oleh staf")
    jobs._enqueue_processing(db, job)
    return job


def do_ask_customer(db: Session, *, job: PrintJob, actor: jobs.Actor, text: str) -> PrintJob:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Tulis pertanyaan untuk pelanggan.", details={"text": "kosong"})
    conv = jobs_notify.conversation_of(db, job)
    if conv is None:
        raise Conflict("Pelanggan ini tidak punya percakapan chat; hubungi lewat telepon.", code="no_chat")
    do_send(
        db, conversation=conv, text=f"[{job.number}] {text}", sender_type="staff", sender_user_id=actor.id
    )
    if job.status == "quoted":
        jobs.do_transition(db, job=job, to="needs_customer", actor=actor, note=text)
    else:
        jobs.record_event(db, job, "print_job.asked", actor, note=text)
    return job


def do_accept_at_counter(db: Session, *, business: Business, job: PrintJob, actor: jobs.Actor) -> PrintJob:
    """The customer agreed in person: the order, paid at the counter."""
    if job.status != "quoted":
        raise Conflict("Hanya penawaran yang bisa disetujui.", code="invalid_transition")
    jobs_chat.confirm(db, business=business, job=job, actor=actor, online=False)
    return job


def do_record_cash(db: Session, *, job: PrintJob, actor: jobs.Actor, tendered: int | None = None) -> PrintJob:
    """Cash (or QRIS at the counter) for the job's order: the order becomes paid, the job paid → queued
    (through the orders domain's paid listener)."""
    order = _order(db, job)
    if job.status != "awaiting_payment" or order is None:
        raise Conflict("Pesanan cetak ini tidak sedang menunggu pembayaran.", code="not_awaiting_payment")
    orders.do_record_payment(
        db,
        order=order,
        method="cash",
        actor=orders.Actor(actor.type, actor.id),
        amount=max(order.total - order.paid_amount, 0),
        tendered=tendered,
        note=f"Kasir, pesanan cetak {job.number}",
    )
    return job


def do_print(db: Session, *, job: PrintJob, actor: jobs.Actor, printer_id: int | None = None) -> Any:
    """Send the processed PDF to the printer (CUPS/IPP module) with the job's copies, sides and colour.
    Submissions are idempotent per attempt: pressing Cetak twice never prints twice."""
    from niaga.printshop import printing

    if job.status != "queued":
        raise Conflict(
            f"Pesanan {job.number} berstatus {jobs.STATE_LABELS_ID.get(job.status)}; hanya antrean yang bisa dicetak.",
            code="invalid_transition",
        )
    if not job.output_path:
        raise Conflict("Berkas siap cetak tidak ada (sudah dihapus?). Proses ulang dulu.", code="no_output")
    spec = (job.spec or {}).get("quoted") or {}
    colour = bool(job.pages_colour)
    options = printing.PrintOptions(
        copies=max(int(job.copies or 1), 1),
        sides="two-sided-long-edge" if spec.get("duplex") else "one-sided",
        color=colour,
        media={"A3": "iso_a3_297x420mm", "F4": "om_folio_210x330mm"}.get(
            str(spec.get("paper_size")), "iso_a4_210x297mm"
        ),
    )
    job.print_attempts = (job.print_attempts or 0) + 1
    source = f"print_job:{job.id}" if job.print_attempts == 1 else f"print_job:{job.id}:{job.print_attempts}"
    request = printing.submit(
        db,
        business_id=job.business_id,
        pdf_path=jobs.absolute(job.output_path),
        options=options,
        title=job.number,
        source=source,
        printer_id=printer_id,
    )
    job.print_request_id = request.id
    job.alert = None
    jobs.do_transition(
        db, job=job, to="printing", actor=actor, data={"request": request.id, "source": source}
    )
    return request


def _job_of_request(db: Session, request: Any) -> PrintJob | None:
    m = re.match(r"print_job:(\d+)", str(getattr(request, "source", "")))
    if not m:
        return None
    job = db.get(PrintJob, int(m.group(1)))
    if job is None or job.business_id != getattr(request, "business_id", job.business_id):
        return None
    if job.print_request_id is not None and job.print_request_id != request.id:
        return None  # an older attempt's news
    return job


def on_print_status(db: Session, request: Any) -> None:
    """The printer's news: completed → ready (customer told); a transient error is shown on the board
    while the printing module retries; failed/cancelled → back to the queue with an alert (the file is
    kept; pressing Cetak again is a new, deliberate attempt)."""
    job = _job_of_request(db, request)
    if job is None or job.status != "printing":
        return
    from niaga.printshop.printing import reason_text

    state = str(request.state)
    reason = str(getattr(request, "reason", "") or "")
    why = reason_text(reason) if reason else ""
    if state == "completed":
        do_mark_ready(db, business=_business(db, job), job=job, actor=jobs.Actor("system"))
    elif state == "error" and reason == "job-lost":
        # The printer restarted and lost an accepted job: it may have printed. Back to the queue for a
        # person to look at the tray; printing again is their decision (a new attempt).
        job.alert = f"{why} Periksa hasil cetak; bila belum tercetak, tekan Cetak lagi."[:300]
        jobs.do_transition(db, job=job, to="queued", actor=jobs.Actor("provider"), note=reason)
        queue_alert(
            db,
            business_id=job.business_id,
            topic=f"print-{job.id}",
            text=f"⚠️ Pesanan cetak {job.number}: {why} Periksa printer; pesanan kembali ke antrean.",
        )
    elif state == "error":
        job.alert = f"Printer bermasalah: {why or 'tidak diketahui'} Dicoba ulang otomatis."[:300]
        jobs.record_event(db, job, "print_job.printer_error", jobs.Actor("provider"), note=reason)
    elif state in ("failed", "cancelled"):
        job.alert = f"Gagal cetak: {why or state} Periksa printer lalu tekan Cetak lagi."[:300]
        jobs.do_transition(db, job=job, to="queued", actor=jobs.Actor("provider"), note=reason or state)
        queue_alert(
            db,
            business_id=job.business_id,
            topic=f"print-{job.id}",
            text=f"⚠️ Pesanan cetak {job.number} gagal dicetak ({reason or state}); kembali ke antrean.",
        )
    elif state in ("sent", "printing"):
        job.alert = None
    db.flush()


def _business(db: Session, job: PrintJob) -> Business:
    b = db.get(Business, job.business_id)
    assert b is not None
    return b


def do_mark_ready(db: Session, *, business: Business, job: PrintJob, actor: jobs.Actor) -> PrintJob:
    jobs.do_transition(db, job=job, to="ready", actor=actor)
    job.alert = None
    order = _order(db, job)
    if order is not None and order.status in ("paid", "processing"):
        orders.do_transition(db, order=order, to="ready", actor=orders.Actor(actor.type, actor.id))
    jobs_notify.send(db, job, jobs_notify.ready_text(business, job))
    return job


def do_picked_up(db: Session, *, job: PrintJob, actor: jobs.Actor) -> PrintJob:
    jobs.do_transition(db, job=job, to="picked_up", actor=actor)
    order = _order(db, job)
    points = None
    if order is not None:
        oa = orders.Actor(actor.type, actor.id)
        if order.status in ("paid", "processing", "ready"):
            orders.do_transition(db, order=order, to="picked_up", actor=oa)
        if order.status == "picked_up":
            orders.do_transition(db, order=order, to="completed", actor=oa)
        points = db.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0)).where(
                LoyaltyEntry.business_id == job.business_id,
                LoyaltyEntry.order_id == order.id,
                LoyaltyEntry.kind == "earn",
            )
        )
    jobs.do_transition(db, job=job, to="completed", actor=jobs.Actor.system())
    jobs_notify.send(db, job, jobs_notify.picked_up_text(job, int(points or 0)))
    return job


def do_cancel(db: Session, *, job: PrintJob, actor: jobs.Actor, reason: str = "dibatalkan staf") -> PrintJob:
    if job.status not in ("received", "processing", "needs_customer", "quoted", "awaiting_payment", "failed"):
        raise Conflict(
            "Pesanan yang sudah dibayar tidak bisa dibatalkan di sini; lakukan refund.", code="paid"
        )
    jobs_chat.do_cancel(db, job=job, actor=actor, reason=reason)
    return job


def create_at_counter(
    db: Session,
    *,
    business: Business,
    files: list[tuple[Path, str]],
    actor: jobs.Actor,
    note: str = "",
    name: str = "",
    phone: str = "",
) -> PrintJob:
    """A walk-in (USB stick): files uploaded by staff. With a phone number the customer gets the quote and
    the ready message on WhatsApp, like any chat order."""
    customer_id = conversation_id = None
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if digits:
        chat_id = f"{digits}@c.us"
        customer = get_or_create_by_identity(
            db,
            business_id=business.id,
            channel="whatsapp",
            external_id=chat_id,
            name=name or None,
            phone=digits,
        )
        conv = conversations.get_or_open(
            db, business_id=business.id, customer_id=customer.id, channel="whatsapp", chat_id=chat_id
        )
        customer_id, conversation_id = customer.id, conv.id
    return jobs.create(
        db,
        business=business,
        source="counter",
        files=files,
        actor=actor,
        note=note,
        customer_id=customer_id,
        conversation_id=conversation_id,
    )
