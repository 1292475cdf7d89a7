"""A print shop's queue with a job in every state, for the language checks of the print pages: files with
findings and a cover letter, quotes, payments at the counter and online, an alert, express jobs, every
source (WhatsApp, Telegram, upload link, counter) and a timeline with every kind of event and actor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from niaga.kit.timeutil import utcnow
from niaga.printshop.jobs_models import JOB_STATES, PrintJob, PrintJobEvent
from tests import factories as f

SOURCES = ("whatsapp", "telegram", "upload", "counter")
EVENTS = (
    ("print_job.received", None, "received", "customer"),
    ("print_job.files_added", None, None, "customer"),
    ("print_job.quoted", "processing", "quoted", "system"),
    ("print_job.spec_changed", None, None, "user"),
    ("print_job.asked", None, None, "user"),
    ("print_job.reminded", None, None, "system"),
    ("print_job.printer_error", None, None, "provider"),
    ("print_job.files_deleted", None, None, "customer"),
)


def enable_print(db: Any, business: Any) -> None:
    settings = dict(business.settings or {})
    settings["modules"] = {**(settings.get("modules") or {}), "print": True}
    business.settings = settings
    db.flush()


def seed_print(db: Any, business: Any, *, note: str = "") -> list[PrintJob]:
    """One job per state (plus the columns' totals), returned in state order. `note`: what the customer
    wrote (their own words, in their language)."""
    enable_print(db, business)
    customer = f.make_customer(db, business=business, name="Siti Aminah", phone="6281234500077")
    now = utcnow()
    out: list[PrintJob] = []
    for i, state in enumerate(JOB_STATES):
        quoted = state not in ("received", "processing", "failed", "needs_customer")
        job = PrintJob(
            business_id=business.id,
            number=f"CTK-T{i:03d}",
            customer_id=customer.id if i % 4 != 3 else None,
            source=SOURCES[i % 4],
            status=state,
            note=note,
            spec={"copies": 2, "binding": "spiral", "colour_mode": "mixed", "duplex": True},
            files=[
                {"name": "Skripsi_Bab1.pdf", "path": "x/0.pdf", "size": 1000, "kind": "pdf", "pages": 40},
                {
                    "name": "Surat.docx",
                    "path": "x/1.docx",
                    "size": 100,
                    "kind": "docx",
                    "pages": 1,
                    "role": "cover_letter",
                    "finding": "Halaman 3 buram.",
                },
            ],
            findings=["Halaman 3 buram.", "2 halaman kosong dibuang."],
            quote={
                "items": [
                    {"code": "print_bw", "label": "Cetak hitam-putih 38 hlm × 2", "amount": 38000},
                    {"code": "print_colour", "label": "Cetak berwarna 2 hlm × 2", "amount": 8000},
                    {"code": "binding", "label": "Jilid spiral × 2", "amount": 10000},
                    {"code": "express", "label": "Ekspres", "amount": 5000},
                ]
            }
            if quoted
            else {},
            total=61000 if quoted else 0,
            pages_bw=38,
            pages_colour=2,
            copies=2,
            express=i % 3 == 0,
            pickup_text="15.00" if i % 2 else "",
            payment_method="counter" if i % 2 == 0 else "online",
            alert="Printer kehabisan kertas." if state == "printing" else None,
            waiting_since=now - timedelta(hours=5) if state in ("needs_customer", "quoted") else None,
            ready_at=now - timedelta(hours=1)
            if state in ("ready", "picked_up", "shipped", "completed")
            else None,
        )
        db.add(job)
        db.flush()
        for event, frm, to, actor in EVENTS:
            db.add(
                PrintJobEvent(
                    business_id=business.id,
                    job_id=job.id,
                    event=event,
                    from_status=frm,
                    to_status=to,
                    actor_type=actor,
                    note="",
                )
            )
        db.add(
            PrintJobEvent(
                business_id=business.id,
                job_id=job.id,
                event=f"print_job.{state}",
                from_status="received",
                to_status=state,
                actor_type="user",
            )
        )
        out.append(job)
    db.commit()
    return out
