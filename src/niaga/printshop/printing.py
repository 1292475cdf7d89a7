"""Printing through IPP (a CUPS queue or an IPP Everywhere printer).

`submit()` records a `PrintRequest` (idempotent on business + source) and enqueues the durable job
`printing.advance`, which sends the PDF with its options and follows the printer's job until it completes.

Never lost, never printed twice:
- before a Print-Job is sent the attempt is committed and the job carries a random token in its name; a
  rerun after a crash first asks the printer (Get-Jobs) for that token and adopts the job it finds;
- once the printer gave a job id, that job is followed (Get-Job-Attributes), never sent again by itself;
- a printer that does not answer leaves the request in `error` (reason `offline`) and it is tried again
  with backoff; a printer that lost an accepted job (restarted without its queue) leaves it in `error`
  with reason `job-lost`: only staff decide to print it again (`retry()`), because it may have printed.

States: pending → sent → printing → completed, with error (a temporary problem: offline, media-empty, …),
failed (the printer refused the document, or attempts ran out) and cancelled.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.jobs.runner import enqueue
from niaga.kit.errors import BadRequest, Conflict, NotFound
from niaga.kit.timeutil import utcnow
from niaga.ops.logging import get_logger
from niaga.printshop import printing_ipp as ipp
from niaga.printshop.printing_models import TERMINAL_STATES, Printer, PrintRequest

__all__ = [
    "PrintOptions",
    "PrintRequest",
    "Printer",
    "add_printer",
    "advance",
    "cancel",
    "check_printer",
    "get_printer",
    "list_printers",
    "on_status",
    "retry",
    "submit",
]

log = get_logger("niaga.printing")

SIDES = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
# Timing of the follow chain; module attributes so tests and operators can tune them.
POLL_INTERVAL = 2.0  # seconds between Get-Job-Attributes while a job prints
FOLLOW_WINDOW = 20.0  # how long one run of the job follows before handing over to the next run
BACKOFF_BASE = 5.0  # first retry after the printer did not answer; doubles up to BACKOFF_CAP
BACKOFF_CAP = 300.0
MAX_SEND_ATTEMPTS = 12  # Print-Job attempts against an unreachable printer before the request fails
TIMEOUT = 10.0
# printer-state-reasons that stop printing (the -error/-warning/-report suffix is stripped)
PROBLEM_REASONS = (
    "offline",
    "media-empty",
    "media-needed",
    "media-jam",
    "toner-empty",
    "marker-supply-empty",
    "door-open",
    "cover-open",
    "input-tray-missing",
    "output-area-full",
    "paused",
    "shutdown",
    "stopped",
)
REASON_TEXT = {
    "offline": "Printer tidak bisa dihubungi (mati atau kabel/jaringan lepas).",
    "media-empty": "Kertas printer habis.",
    "media-needed": "Printer meminta kertas.",
    "media-jam": "Kertas macet di printer.",
    "toner-empty": "Tinta/toner habis.",
    "marker-supply-empty": "Tinta/toner habis.",
    "door-open": "Pintu printer terbuka.",
    "cover-open": "Penutup printer terbuka.",
    "job-lost": "Printer kehilangan pekerjaan ini (dinyalakan ulang); periksa hasil lalu cetak ulang.",
    "file-missing": "Berkas PDF untuk dicetak tidak ditemukan.",
    "rejected": "Printer menolak dokumen ini.",
    "no-printer": "Printer tidak tersedia.",
}


@dataclass(frozen=True)
class PrintOptions:
    copies: int = 1
    sides: str = "one-sided"  # or "two-sided-long-edge" / "two-sided-short-edge"
    color: bool = False
    media: str = "iso_a4_210x297mm"
    page_ranges: tuple[tuple[int, int], ...] = ()

    def check(self) -> None:
        if not 1 <= self.copies <= 999:
            raise BadRequest("Jumlah salinan harus 1-999.", code="print_options")
        if self.sides not in SIDES:
            raise BadRequest(f"Sisi cetak tidak dikenal: {self.sides}.", code="print_options")
        if not self.media or len(self.media) > 100:
            raise BadRequest("Ukuran kertas tidak valid.", code="print_options")
        last = 0
        for low, high in self.page_ranges:
            if not (1 <= low <= high) or low <= last:
                raise BadRequest("Rentang halaman harus naik dan tidak tumpang tindih.", code="print_options")
            last = high

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["page_ranges"] = [list(r) for r in self.page_ranges]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrintOptions:
        return cls(
            copies=int(data.get("copies", 1)),
            sides=str(data.get("sides", "one-sided")),
            color=bool(data.get("color", False)),
            media=str(data.get("media", "iso_a4_210x297mm")),
            page_ranges=tuple((int(a), int(b)) for a, b in data.get("page_ranges", [])),
        )

    def ipp_attributes(self) -> list[tuple[str, int, Any]]:
        attrs: list[tuple[str, int, Any]] = [
            ("copies", ipp.T_INTEGER, self.copies),
            ("sides", ipp.T_KEYWORD, self.sides),
            ("print-color-mode", ipp.T_KEYWORD, "color" if self.color else "monochrome"),
            ("media", ipp.T_KEYWORD, self.media),
        ]
        if self.page_ranges:
            attrs.append(("page-ranges", ipp.T_RANGE, [tuple(r) for r in self.page_ranges]))
        return attrs


# --- listeners --------------------------------------------------------------------------------------

Listener = Callable[[Session, PrintRequest], None]
_LISTENERS: dict[str, list[Listener]] = {}


def on_status(kind: str) -> Callable[[Listener], Listener]:
    """Register `listener(db, request)`, called in the job's transaction whenever a request whose source
    starts with f"{kind}:" changes state or reason. A listener that raises rolls the change back and the
    job runs again, so listeners must be idempotent."""

    def deco(fn: Listener) -> Listener:
        _LISTENERS.setdefault(kind, [])
        if fn not in _LISTENERS[kind]:
            _LISTENERS[kind].append(fn)
        return fn

    return deco


def _set_state(db: Session, req: PrintRequest, state: str, reason: str | None = None) -> None:
    if req.state == state and req.reason == reason:
        return
    old = req.state
    req.state, req.reason = state, reason
    if state in TERMINAL_STATES and req.finished_at is None:
        req.finished_at = utcnow()
    db.flush()
    log.info("printing.state", request_id=req.id, source=req.source, state=state, reason=reason, was=old)
    kind = req.source.split(":", 1)[0]
    for fn in list(_LISTENERS.get(kind, ())):
        fn(db, req)


# --- printers ---------------------------------------------------------------------------------------


def add_printer(
    db: Session,
    *,
    business_id: int,
    name: str,
    uri: str,
    default: bool = False,
    color: bool = False,
    duplex: bool = False,
) -> Printer:
    """Add (or update, by name) a printer of the business. The first printer is the default."""
    name = name.strip()
    if not name or len(name) > 100:
        raise BadRequest("Nama printer wajib diisi (maks. 100 karakter).", code="printer_name")
    try:
        ipp.http_url(uri)
    except ValueError as exc:
        raise BadRequest(str(exc), code="printer_uri") from exc
    printer = db.scalars(
        sa.select(Printer).where(Printer.business_id == business_id, Printer.name == name)
    ).first()
    if printer is None:
        printer = Printer(business_id=business_id, name=name, uri=uri, state_reasons=[])
        db.add(printer)
    printer.uri, printer.color, printer.duplex, printer.is_active = uri, color, duplex, True
    others = db.scalar(
        sa.select(sa.func.count())
        .select_from(Printer)
        .where(Printer.business_id == business_id, Printer.is_default.is_(True), Printer.name != name)
    )
    if default or not others:
        db.execute(
            sa.update(Printer)
            .where(Printer.business_id == business_id, Printer.name != name)
            .values(is_default=False)
            .execution_options(synchronize_session=False)
        )
        printer.is_default = True
    db.flush()
    return printer


def list_printers(db: Session, *, business_id: int) -> list[Printer]:
    return list(
        db.scalars(sa.select(Printer).where(Printer.business_id == business_id).order_by(Printer.name)).all()
    )


def get_printer(db: Session, *, business_id: int, printer_id: int) -> Printer:
    printer = db.get(Printer, printer_id)
    if printer is None or printer.business_id != business_id:
        raise NotFound("Printer tidak ditemukan.")
    return printer


def default_printer(db: Session, *, business_id: int) -> Printer | None:
    return db.scalars(
        sa.select(Printer)
        .where(Printer.business_id == business_id, Printer.is_active.is_(True))
        .order_by(Printer.is_default.desc(), Printer.id)
    ).first()


def _reason_keyword(value: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if value.endswith(suffix):
            return value[: -len(suffix)]
    return value


def problems(reasons: list[Any]) -> list[str]:
    """The printer-state-reasons that stop printing, suffix-free, in the printer's order."""
    out = []
    for r in reasons:
        key = _reason_keyword(str(r))
        if key in PROBLEM_REASONS and not str(r).endswith("-report") and key not in out:
            out.append(key)
    return out


def check_printer(db: Session, printer: Printer, *, timeout: float | None = None) -> dict[str, Any]:
    """Ask the printer for its state (Get-Printer-Attributes) and store it. No database lock is held while
    the printer answers."""
    client = ipp.IppClient(printer.uri, timeout=timeout or TIMEOUT)
    db.commit()
    try:
        attrs = client.printer_attributes()
    except (ipp.IppUnreachable, ipp.IppError) as exc:
        printer.state, printer.state_reasons, printer.checked_at = "offline", ["offline"], utcnow()
        db.flush()
        return {"ok": False, "state": "offline", "reasons": ["offline"], "error": str(exc)}
    reasons = [str(r) for r in ipp.as_list(attrs.get("printer-state-reasons")) if str(r) != "none"]
    state = ipp.PRINTER_STATES.get(int(attrs.get("printer-state", 0) or 0), "unknown")
    printer.state, printer.state_reasons, printer.checked_at = state, reasons, utcnow()
    db.flush()
    return {
        "ok": not problems(reasons) and state != "stopped",
        "state": state,
        "reasons": reasons,
        "model": attrs.get("printer-make-and-model"),
        "sides": ipp.as_list(attrs.get("sides-supported")),
        "color": bool(attrs.get("color-supported")),
        "media": ipp.as_list(attrs.get("media-supported")),
    }


# --- requests ---------------------------------------------------------------------------------------


def submit(
    db: Session,
    *,
    business_id: int,
    pdf_path: Path,
    options: PrintOptions,
    title: str,
    source: str,
    printer_id: int | None = None,
) -> PrintRequest:
    """Record a print request and enqueue its job (dispatched when the caller's transaction commits).
    Submitting the same (business, source) again returns the first request unchanged. `printer_id` None
    means the business's default printer. Flushes, never commits."""
    if not source or ":" not in source or len(source) > 120:
        raise BadRequest("Sumber cetak harus berbentuk 'jenis:id'.", code="print_source")
    existing = db.scalars(
        sa.select(PrintRequest).where(PrintRequest.business_id == business_id, PrintRequest.source == source)
    ).first()
    if existing is not None:
        return existing
    options.check()
    if printer_id is None:
        printer = default_printer(db, business_id=business_id)
        if printer is None:
            raise Conflict("Belum ada printer. Tambahkan dengan `niaga printer add`.", code="no_printer")
    else:
        printer = get_printer(db, business_id=business_id, printer_id=printer_id)
    if options.color and not printer.color:
        raise BadRequest(f"Printer {printer.name} tidak bisa cetak warna.", code="print_options")
    if options.sides != "one-sided" and not printer.duplex:
        raise BadRequest(f"Printer {printer.name} tidak bisa cetak bolak-balik.", code="print_options")
    req = PrintRequest(
        business_id=business_id,
        printer_id=printer.id,
        source=source,
        title=(title or Path(pdf_path).name)[:200],
        pdf_path=str(pdf_path),
        options=options.to_json(),
        state="pending",
        token=secrets.token_hex(8),
        attempts=0,
        step=0,
        failures=0,
    )
    try:
        with db.begin_nested():
            db.add(req)
            db.flush()
    except sa.exc.IntegrityError:  # a concurrent submit of the same source won
        found = db.scalars(
            sa.select(PrintRequest).where(
                PrintRequest.business_id == business_id, PrintRequest.source == source
            )
        ).first()
        assert found is not None
        return found
    _schedule(db, req, delay=0)
    return req


def get_request(db: Session, *, business_id: int, request_id: int) -> PrintRequest:
    req = db.get(PrintRequest, request_id)
    if req is None or req.business_id != business_id:
        raise NotFound("Permintaan cetak tidak ditemukan.")
    return req


def list_requests(
    db: Session, *, business_id: int, state: str | None = None, limit: int = 100
) -> list[PrintRequest]:
    q = sa.select(PrintRequest).where(PrintRequest.business_id == business_id)
    if state:
        q = q.where(PrintRequest.state == state)
    return list(db.scalars(q.order_by(PrintRequest.id.desc()).limit(limit)).all())


def retry(db: Session, req: PrintRequest) -> PrintRequest:
    """Staff's decision to print again a request that failed or whose job the printer lost. A request the
    printer still holds is followed, not sent again."""
    if req.state not in ("error", "failed"):
        raise Conflict("Hanya cetakan yang gagal yang bisa dicetak ulang.", code="print_state")
    if req.state == "error" and req.reason != "job-lost":
        # the chain is still trying by itself: just make it try now
        _schedule(db, req, delay=0)
        return req
    req.ipp_job_id, req.attempts, req.failures, req.sent_at = None, 0, 0, None
    req.token = secrets.token_hex(8)  # the lost job must never be adopted by the lookup
    req.finished_at = None
    _set_state(db, req, "pending", None)
    _schedule(db, req, delay=0)
    return req


def cancel(db: Session, req: PrintRequest) -> PrintRequest:
    """Stop a request; a job the printer holds is cancelled there on the next run of the chain."""
    if req.state in TERMINAL_STATES:
        raise Conflict("Cetakan ini sudah selesai.", code="print_state")
    _set_state(db, req, "cancelled", "by-staff")
    if req.ipp_job_id is not None and req.printer_id is not None:
        _schedule(db, req, delay=0)
    return req


def _schedule(db: Session, req: PrintRequest, *, delay: float) -> None:
    req.step += 1
    db.flush()
    enqueue(
        db,
        "printing.advance",
        business_id=req.business_id,
        delay=delay,
        idempotency_key=f"printing.advance:{req.id}:{req.step}",
        request_id=req.id,
        step=req.step,
    )


def _backoff(failures: int) -> float:
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(failures - 1, 0)))


# --- the job ----------------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    uri: str
    token: str
    title: str
    pdf_path: str
    options: dict[str, Any]
    ipp_job_id: int | None
    attempts: int
    state: str


def _load(request_id: int, step: int) -> _Snapshot | None:
    with session_scope() as db:
        req = db.get(PrintRequest, request_id)
        if req is None or req.step != step:
            return None  # a newer run of the chain exists (or the request is gone)
        if req.state in TERMINAL_STATES and not (req.state == "cancelled" and req.ipp_job_id):
            return None
        printer = db.get(Printer, req.printer_id) if req.printer_id else None
        if printer is None:
            _set_state(db, req, "failed", "no-printer")
            return None
        return _Snapshot(
            printer.uri,
            req.token,
            req.title,
            req.pdf_path,
            dict(req.options),
            req.ipp_job_id,
            req.attempts,
            req.state,
        )


def _update(request_id: int, step: int, fn: Callable[[Session, PrintRequest], None]) -> bool:
    """Apply `fn` to the request if this run is still the chain's current step."""
    with session_scope() as db:
        req = db.get(PrintRequest, request_id)
        if req is None or req.step != step:
            return False
        fn(db, req)
        return True


def _unreachable(request_id: int, step: int, error: str, *, sending: bool) -> None:
    def change(db: Session, req: PrintRequest) -> None:
        req.failures += 1
        req.last_error = error[:2000]
        if sending and req.attempts >= MAX_SEND_ATTEMPTS:
            _set_state(db, req, "failed", "offline")
            return
        _set_state(db, req, "error", "offline")
        _schedule(db, req, delay=_backoff(req.failures))

    _update(request_id, step, change)
    log.warning("printing.unreachable", request_id=request_id, error=error)


def advance(request_id: int, step: int) -> str:
    """One run of a request's chain: send it if the printer has not got it, then follow it for up to
    FOLLOW_WINDOW seconds; a later run is scheduled while it is not finished."""
    snap = _load(request_id, step)
    if snap is None:
        return "stale"
    client = ipp.IppClient(snap.uri, timeout=TIMEOUT)
    if snap.state == "cancelled":
        try:
            client.cancel_job(int(snap.ipp_job_id or 0))
        except (ipp.IppUnreachable, ipp.IppError) as exc:
            log.warning("printing.cancel_failed", request_id=request_id, error=str(exc))
        return "cancelled"
    job_id = snap.ipp_job_id
    if job_id is None:
        outcome = _send(client, request_id, step, snap)
        if isinstance(outcome, str):
            return outcome
        job_id = outcome
    return _follow(client, request_id, step, job_id)


def _find_by_token(client: ipp.IppClient, token: str) -> int | None:
    for job in client.jobs(which="all"):
        if f"[{token}]" in str(job.get("job-name", "")):
            return int(job["job-id"])
    return None


def _send(client: ipp.IppClient, request_id: int, step: int, snap: _Snapshot) -> int | str:
    try:
        if snap.attempts > 0:
            # An earlier attempt may have reached the printer before this process died or the answer was
            # lost: adopt that job rather than print twice.
            found = _find_by_token(client, snap.token)
            if found is not None:
                _update(request_id, step, lambda db, r: _accepted(db, r, found))
                log.info("printing.adopted", request_id=request_id, ipp_job_id=found)
                return found
    except ipp.IppUnreachable as exc:
        _unreachable(request_id, step, str(exc), sending=False)
        return "offline"
    except ipp.IppError as exc:
        log.warning("printing.get_jobs_failed", request_id=request_id, error=str(exc))
    try:
        document = Path(snap.pdf_path).read_bytes()
    except OSError as exc:
        error = str(exc)

        def missing(db: Session, req: PrintRequest) -> None:
            req.last_error = error[:2000]
            _set_state(db, req, "failed", "file-missing")

        _update(request_id, step, missing)
        return "failed"

    def count_attempt(db: Session, req: PrintRequest) -> None:
        req.attempts += 1

    if not _update(request_id, step, count_attempt):
        return "stale"
    options = PrintOptions.from_json(snap.options)
    try:
        job = client.print_job(
            document,
            job_name=f"{snap.title[:150]} [{snap.token}]",
            user="niaga",
            job_attrs=options.ipp_attributes(),
        )
    except ipp.IppUnreachable as exc:
        _unreachable(request_id, step, str(exc), sending=True)
        return "offline"
    except ipp.IppError as exc:
        error = str(exc)
        if exc.permanent:

            def refused(db: Session, req: PrintRequest) -> None:
                req.last_error = error[:2000]
                _set_state(db, req, "failed", "rejected")

            _update(request_id, step, refused)
            return "failed"
        _unreachable(request_id, step, error, sending=True)
        return "retry"
    job_id = int(job.get("job-id", 0) or 0)
    if not job_id:
        _unreachable(request_id, step, "printer answered without a job-id", sending=True)
        return "retry"
    _update(request_id, step, lambda db, r: _accepted(db, r, job_id))
    return job_id


def _accepted(db: Session, req: PrintRequest, job_id: int) -> None:
    req.ipp_job_id, req.sent_at, req.failures, req.last_error = job_id, utcnow(), 0, None
    _set_state(db, req, "sent", None)


def _state_of(job: dict[str, Any], printer: dict[str, Any]) -> tuple[str, str | None]:
    job_state = ipp.JOB_STATES.get(int(job.get("job-state", 0) or 0), "unknown")
    reasons = problems(ipp.as_list(printer.get("printer-state-reasons")))
    if job_state == "completed":
        return "completed", None
    if job_state == "canceled":
        return "cancelled", "by-printer"
    if job_state == "aborted":
        job_reasons = [str(r) for r in ipp.as_list(job.get("job-state-reasons")) if str(r) != "none"]
        return "failed", (job_reasons[0] if job_reasons else "aborted")[:100]
    if reasons:
        return "error", reasons[0]
    if job_state in ("processing-stopped",):
        return "error", "stopped"
    if job_state == "processing":
        return "printing", None
    return "sent", None


def _follow(client: ipp.IppClient, request_id: int, step: int, job_id: int) -> str:
    deadline = time.monotonic() + FOLLOW_WINDOW
    while True:
        try:
            job = client.job_attributes(job_id)
            printer = client.printer_attributes()
        except ipp.IppUnreachable as exc:
            _unreachable(request_id, step, str(exc), sending=False)
            return "offline"
        except ipp.IppError as exc:
            if not exc.not_found:
                _unreachable(request_id, step, str(exc), sending=False)
                return "retry"
            # The printer no longer knows the job it accepted (restarted without its queue). It may have
            # printed: staff decide (retry()).
            error = str(exc)

            def lost(db: Session, req: PrintRequest, error: str = error) -> None:
                req.last_error = error[:2000]
                _set_state(db, req, "error", "job-lost")

            _update(request_id, step, lost)
            log.error("printing.job_lost", request_id=request_id, ipp_job_id=job_id)
            return "lost"
        state, reason = _state_of(job, printer)
        reasons = [str(r) for r in ipp.as_list(printer.get("printer-state-reasons")) if str(r) != "none"]

        def observe(
            db: Session,
            req: PrintRequest,
            printer: dict[str, Any] = printer,
            reasons: list[str] = reasons,
            state: str = state,
            reason: str | None = reason,
        ) -> None:
            req.failures = 0
            if req.printer_id:
                p = db.get(Printer, req.printer_id)
                if p is not None:
                    p.state = ipp.PRINTER_STATES.get(int(printer.get("printer-state", 0) or 0), "unknown")
                    p.state_reasons, p.checked_at = reasons, utcnow()
            _set_state(db, req, state, reason)

        if not _update(request_id, step, observe):
            return "stale"
        if state in TERMINAL_STATES:
            return state
        if time.monotonic() + POLL_INTERVAL > deadline:
            _update(request_id, step, lambda db, r: _schedule(db, r, delay=POLL_INTERVAL))
            return "following"
        time.sleep(POLL_INTERVAL)


def reason_text(reason: str | None) -> str:
    """The Indonesian sentence for a reason keyword (for the board and alerts)."""
    if not reason:
        return ""
    return REASON_TEXT.get(reason, reason)
