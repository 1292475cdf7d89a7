"""Print jobs: a customer's files and note become one job that moves through

    received → processing → needs_customer | quoted → awaiting_payment → paid → queued → printing → ready
    → picked_up | shipped → completed        (+ cancelled, failed)

Every move is a conditional UPDATE on the current state (two workers or two staff cannot both move a job)
and a `PrintJobEvent` naming the actor. Processing runs part 1's pipeline as the durable job
`printshop.process_job` (jobs_tasks.py); payment goes through an ordinary `Order` of kind `print`, so the
Midtrans link, settlement, invoice and loyalty points are the orders domain's own. Files live under
`files_dir/<business>/print/<job>/` and are only ever served through signed, expiring links.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.states import StateMachine
from niaga.jobs.runner import enqueue
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.messaging.events import publish_after_commit
from niaga.ops.logging import get_logger
from niaga.printshop.jobs_models import PrintJob, PrintJobEvent
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.printshop.jobs")

TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"processing", "cancelled"}),
    "processing": frozenset({"needs_customer", "quoted", "failed", "cancelled"}),
    "needs_customer": frozenset({"processing", "quoted", "cancelled"}),
    "quoted": frozenset({"awaiting_payment", "processing", "needs_customer", "cancelled"}),
    "awaiting_payment": frozenset({"paid", "quoted", "cancelled"}),
    "paid": frozenset({"queued"}),
    "queued": frozenset({"printing", "ready"}),
    "printing": frozenset({"ready", "queued", "failed"}),
    "ready": frozenset({"picked_up", "shipped"}),
    "picked_up": frozenset({"completed"}),
    "shipped": frozenset({"completed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "failed": frozenset({"processing", "queued", "cancelled"}),
}
# Before payment a new file joins the customer's open job (and it is priced again).
OPEN_STATES = ("received", "processing", "needs_customer", "quoted")
# Waiting on the customer: reminded once, then expired.
WAITING_STATES = ("needs_customer", "quoted", "awaiting_payment")
FINAL_STATES = ("completed", "cancelled")
ACTIVE_STATES = tuple(s for s in TRANSITIONS if s not in (*FINAL_STATES, "failed"))

STATE_LABELS_ID = {
    "received": "diterima",
    "processing": "diproses",
    "needs_customer": "menunggu pelanggan",
    "quoted": "penawaran terkirim",
    "awaiting_payment": "menunggu pembayaran",
    "paid": "lunas",
    "queued": "antre cetak",
    "printing": "sedang dicetak",
    "ready": "siap diambil",
    "picked_up": "sudah diambil",
    "shipped": "dikirim",
    "completed": "selesai",
    "cancelled": "dibatalkan",
    "failed": "gagal",
}
MACHINE = StateMachine(noun="Pesanan cetak", transitions=TRANSITIONS, labels=STATE_LABELS_ID)

PRINT_DEFAULTS: dict[str, Any] = {
    "remind_after_hours": 24,  # a customer who has not answered a quote/question is reminded once
    "expire_after_hours": 72,  # ...and the job is cancelled (expired) after this long without an answer
    "temp_retention_hours": 24,  # originals and previews, after the job is finished
    "archive_retention_days": 30,  # the processed PDF, after the job is finished
    "upload_link_hours": 48,  # how long a customer upload link stays valid
    "file_link_minutes": 30,  # how long a staff link to a processed PDF stays valid
    "preview_pages": 2,
}


def print_settings(business: Business) -> dict[str, Any]:
    cfg = dict(PRINT_DEFAULTS)
    cfg.update(business_settings(business).get("printshop", {}) or {})
    return cfg


@dataclass(frozen=True)
class Actor:
    """Who moved a job: user (staff), customer (chat/upload page), system (jobs), provider (payment/printer)."""

    type: str
    id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")


# --- files ---------------------------------------------------------------------------------------------


def job_dir(business_id: int, job_id: int) -> Path:
    return get_settings().files_dir / str(business_id) / "print" / str(job_id)


def rel(path: Path) -> str:
    return str(path.resolve().relative_to(get_settings().files_dir.resolve()))


def absolute(relpath: str) -> Path:
    """A stored relative path under files_dir; refuses anything that would leave it."""
    root = get_settings().files_dir.resolve()
    p = (root / relpath).resolve()
    if root not in p.parents:
        raise NotFound("Berkas tidak ditemukan.", code="file_not_found")
    return p


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._() -]+", "_", Path(name or "berkas").name).strip(" ._") or "berkas"
    return stem[:120]


def _store_files(job: PrintJob, files: list[tuple[Path, str]]) -> list[dict[str, Any]]:
    """Copy the files into the job's folder (unique names). Returns their entries."""
    folder = job_dir(job.business_id, job.id) / "in"
    folder.mkdir(parents=True, exist_ok=True)
    taken = {f["name"] for f in job.files or []}
    out: list[dict[str, Any]] = []
    for src, name in files:
        name = _safe_name(name)
        base, ext, n = Path(name).stem, Path(name).suffix, 1
        while name in taken:
            n += 1
            name = f"{base} ({n}){ext}"
        taken.add(name)
        dest = folder / name
        shutil.copyfile(src, dest)
        entry = {"name": name, "path": rel(dest), "size": dest.stat().st_size}
        try:  # the channel's own copy (inbound media) is purged with the job's files
            entry["origin"] = rel(src)
        except ValueError:
            pass
        out.append(entry)
    return out


# --- reads ---------------------------------------------------------------------------------------------


def get(db: Session, *, business_id: int, job_id: int) -> PrintJob:
    job = db.scalars(
        sa.select(PrintJob).where(PrintJob.business_id == business_id, PrintJob.id == job_id)
    ).first()
    if job is None:
        raise NotFound("Pesanan cetak tidak ditemukan.", code="print_job_not_found")
    return job


def get_by_order(db: Session, *, business_id: int, order_id: int) -> PrintJob | None:
    return db.scalars(
        sa.select(PrintJob).where(PrintJob.business_id == business_id, PrintJob.order_id == order_id)
    ).first()


def open_job_for(
    db: Session, *, business_id: int, conversation_id: int, states: tuple[str, ...]
) -> PrintJob | None:
    """The conversation's newest job in one of `states`."""
    return db.scalars(
        sa.select(PrintJob)
        .where(
            PrintJob.business_id == business_id,
            PrintJob.conversation_id == conversation_id,
            PrintJob.status.in_(states),
        )
        .order_by(PrintJob.id.desc())
        .limit(1)
    ).first()


def events_of(db: Session, job: PrintJob) -> list[PrintJobEvent]:
    return list(
        db.scalars(
            sa.select(PrintJobEvent)
            .where(PrintJobEvent.business_id == job.business_id, PrintJobEvent.job_id == job.id)
            .order_by(PrintJobEvent.id)
        )
    )


# --- state machine ---------------------------------------------------------------------------------------


def record_event(
    db: Session,
    job: PrintJob,
    event: str,
    actor: Actor,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> PrintJobEvent:
    ev = PrintJobEvent(
        business_id=job.business_id,
        job_id=job.id,
        from_status=from_status,
        to_status=to_status,
        event=event,
        actor_type=actor.type,
        actor_id=actor.id,
        note=note[:2000],
        data=dict(data or {}),
    )
    db.add(ev)
    return ev


def do_transition(
    db: Session,
    *,
    job: PrintJob,
    to: str,
    actor: Actor,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> PrintJob:
    """Move the job to `to` (conditional on its current state) and record the event. Raises Conflict when
    the move is not allowed or another process moved the job first."""
    MACHINE.check(number=job.number, status=job.status, to=to)
    now = now or utcnow()
    frm = job.status
    values: dict[str, Any] = {"status": to, "updated_at": now}
    if to in WAITING_STATES:
        values["waiting_since"] = now
        values["reminded_at"] = None
    elif to == "ready":
        values["ready_at"] = now
    elif to in FINAL_STATES:
        values["finished_at"] = now
    MACHINE.move(db, job, number=job.number, values=values)
    record_event(db, job, f"print_job.{to}", actor, from_status=frm, to_status=to, note=note, data=data)
    db.flush()
    log.info(
        "print_job.transition", business_id=job.business_id, job_id=job.id, frm=frm, to=to, actor=actor.type
    )
    publish_after_commit(db, job.business_id, "print_job.status", job_id=job.id, status=to, previous=frm)
    return job


# --- the print spec from a chat note ------------------------------------------------------------------

WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu")
DOC_TYPES = ("skripsi", "tesis", "disertasi", "makalah", "laporan", "proposal", "ktp", "pas foto", "akta")


def parse_note(text: str, *, cover_colours: list[str] | None = None) -> dict[str, Any]:
    """The print spec a customer wrote with their files ("cetak 3 rangkap jilid hard cover biru dongker,
    ambil senin"), on top of part 1's cover-letter parser."""
    from niaga.printshop.intake import parse_order_details

    spec = parse_order_details(text or "")
    low = (text or "").lower()
    if "cover_colour" not in spec:
        for colour in sorted(cover_colours or [], key=len, reverse=True):
            if re.search(rf"\b{re.escape(colour.lower())}\b", low):
                spec["cover_colour"] = colour.lower()
                break
    if "colour_mode" not in spec:
        if re.search(r"hitam\s*putih|\bbw\b|b/w|grayscale", low):
            spec["colour_mode"] = "bw"
        elif re.search(r"\bwarna\b|berwarna|full\s*colou?r", low):
            spec["colour_mode"] = "colour"
    m = re.search(
        r"\b(?:ambil|diambil|pickup|jemput)\s+(?:hari\s+|tgl\s+|tanggal\s+)?"
        r"((?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|besok|lusa|hari ini|nanti sore|sore|pagi|siang|malam)"
        r"(?:\s+(?:jam|pukul)\s*\d{1,2}(?:[.:]\d{2})?)?)",
        low,
    )
    if m and "pickup_date" not in spec:
        spec["pickup_text"] = m.group(1).strip().capitalize()
    for dt in DOC_TYPES:
        if re.search(rf"\b{dt}\b", low):
            spec["doc_type"] = dt
            break
    return spec


def _pickup_text(spec: dict[str, Any]) -> str:
    return str(spec.get("pickup_text") or spec.get("pickup_date") or "")[:100]


# --- creation and files ---------------------------------------------------------------------------------


def create(
    db: Session,
    *,
    business: Business,
    source: str,
    files: list[tuple[Path, str]],
    actor: Actor,
    note: str = "",
    customer_id: int | None = None,
    conversation_id: int | None = None,
    rejected: list[dict[str, Any]] | None = None,
) -> PrintJob:
    """A new job for `files` [(path, original name)] and the customer's note; processing is enqueued
    (it runs after the caller's transaction commits). `rejected`: files that never arrived (too large,
    download failed) — reported to the customer with the findings."""
    if not files and not rejected:
        raise ValidationFailed("Pesanan cetak harus berisi minimal satu berkas.", code="empty_print_job")
    job = PrintJob(
        business_id=business.id,
        number="CTK-PENDING",
        customer_id=customer_id,
        conversation_id=conversation_id,
        source=source,
        status="received",
        note=(note or "")[:5000],
        spec={},
        files=[],
        findings=[],
        quote={},
        previews=[],
    )
    db.add(job)
    db.flush()
    job.number = f"CTK-{job.id:05d}"
    job.files = [*_store_files(job, files), *[dict(r, kind="rejected") for r in rejected or []]]
    _apply_note(business, job)
    record_event(
        db,
        job,
        "print_job.received",
        actor,
        to_status="received",
        data={"files": [f["name"] for f in job.files]},
    )
    db.flush()
    _start_processing(db, job, actor)
    publish_after_commit(db, business.id, "print_job.created", job_id=job.id, status=job.status)
    return job


def _apply_note(business: Business, job: PrintJob) -> None:
    from niaga.printshop.pricing import DEFAULT_PRICES

    colours = list(DEFAULT_PRICES["cover_colours"])
    spec = parse_note(job.note, cover_colours=colours)
    job.spec = {**(job.spec or {}), "from_note": spec}
    job.express = bool(spec.get("express") or job.express)
    job.pickup_text = _pickup_text(spec) or job.pickup_text


def do_add_files(
    db: Session,
    *,
    business: Business,
    job: PrintJob,
    files: list[tuple[Path, str]],
    actor: Actor,
    note: str = "",
    rejected: list[dict[str, Any]] | None = None,
) -> PrintJob:
    """More files (and words) for a job not yet paid: it is processed and priced again."""
    if job.status not in OPEN_STATES:
        raise Conflict(f"Pesanan cetak {job.number} sudah tidak bisa ditambah berkas.", code="job_closed")
    job.files = [
        *(job.files or []),
        *_store_files(job, files),
        *[dict(r, kind="rejected") for r in rejected or []],
    ]
    if note.strip():
        job.note = f"{job.note}\n{note}".strip()[:5000]
        _apply_note(business, job)
    record_event(db, job, "print_job.files_added", actor, data={"files": [n for _p, n in files]})
    if job.status != "processing":
        do_transition(db, job=job, to="processing", actor=actor, note="berkas baru")
    _enqueue_processing(db, job)
    return job


def _start_processing(db: Session, job: PrintJob, actor: Actor) -> None:
    do_transition(db, job=job, to="processing", actor=actor)
    _enqueue_processing(db, job)


def _enqueue_processing(db: Session, job: PrintJob) -> None:
    # One key per (job, files seen): a second batch of files processes again; a retried enqueue does not.
    enqueue(
        db,
        "printshop.process_job",
        business_id=job.business_id,
        job_id=job.id,
        idempotency_key=f"print-process:{job.id}:{len(job.files or [])}",
    )


def do_update_spec(db: Session, *, job: PrintJob, actor: Actor, **changes: Any) -> PrintJob:
    """Staff correct the spec (copies, binding, colour mode, duplex, express, pickup) before payment; the
    job is priced again."""
    if job.status not in OPEN_STATES:
        raise Conflict(
            f"Pesanan cetak {job.number} sudah dibayar/diproses; spesifikasi terkunci.", code="job_locked"
        )
    clean = {k: v for k, v in changes.items() if v not in (None, "")}
    job.spec = {**(job.spec or {}), "staff": {**(job.spec or {}).get("staff", {}), **clean}}
    if "express" in clean:
        job.express = bool(clean["express"])
    if clean.get("pickup_text"):
        job.pickup_text = str(clean["pickup_text"])[:100]
    record_event(db, job, "print_job.spec_changed", actor, data=clean)
    if job.status != "processing":
        do_transition(db, job=job, to="processing", actor=actor, note="spesifikasi diubah")
    _enqueue_processing(db, job)
    return job


def effective_spec(job: PrintJob) -> dict[str, Any]:
    """Letter < chat note < staff: later, more deliberate statements win."""
    spec = dict((job.spec or {}).get("letter") or {})
    spec.update((job.spec or {}).get("from_note") or {})
    spec.update((job.spec or {}).get("staff") or {})
    return spec
