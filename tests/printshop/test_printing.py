"""Printing through IPP against a real IPP printer (`ippeveprinter`): the options that reach the printer,
following the job to completion, printer trouble (offline, media-empty, killed mid-job) and never printing
twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.models import Job
from niaga.jobs.runner import drain
from niaga.kit.errors import BadRequest, Conflict
from niaga.kit.timeutil import utcnow
from niaga.printshop import printing
from niaga.printshop.printing import PrintOptions, PrintRequest
from tests import factories as f
from tests.fakes.ipp_printer import IppPrinter


def make_pdf(path: Path, pages: int) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(pages):
        c.drawString(72, 760, f"Halaman {i + 1} dari {pages}")
        c.showPage()
    c.save()
    return path


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "POLL_INTERVAL", 0.1)
    monkeypatch.setattr(printing, "FOLLOW_WINDOW", 3.0)
    monkeypatch.setattr(printing, "BACKOFF_BASE", 0.1)
    monkeypatch.setattr(printing, "BACKOFF_CAP", 0.2)
    monkeypatch.setattr(printing, "TIMEOUT", 2.0)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[IppPrinter]:
    with IppPrinter(tmp_path / "printer") as p:
        yield p


@pytest.fixture
def seen() -> Iterator[list[tuple[str, str, str | None]]]:
    events: list[tuple[str, str, str | None]] = []

    def listener(db: sa.orm.Session, req: PrintRequest) -> None:
        events.append((req.source, req.state, req.reason))

    printing.on_status("test_job")(listener)
    try:
        yield events
    finally:
        printing._LISTENERS["test_job"].remove(listener)


def state_of(request_id: int) -> tuple[str, str | None]:
    with session_scope() as db:
        req = db.get(PrintRequest, request_id)
        assert req is not None
        return req.state, req.reason


def run_until(request_id: int, states: set[str], timeout: float = 30.0) -> tuple[str, str | None]:
    """Run due jobs (in this thread, as a worker would) until the request reaches one of `states`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drain()
        current = state_of(request_id)
        if current[0] in states:
            return current
        time.sleep(0.05)
    raise AssertionError(f"request {request_id} stuck in {state_of(request_id)}, wanted {states}")


def setup_business(db: sa.orm.Session, uri: str, **kw: bool) -> tuple[int, int]:
    biz = f.make_business(db, slug="smartcopy-uji", name="SmartCopy Uji")
    p = printing.add_printer(db, business_id=biz.id, name="Epson L3110", uri=uri, **kw)
    db.commit()
    return biz.id, p.id


def test_options_and_pages_reach_the_printer(db, tmp_path, printer, fast, seen):
    biz_id, printer_id = setup_business(db, printer.uri, color=True, duplex=True)
    pdf = make_pdf(tmp_path / "skripsi.pdf", 5)
    opts = PrintOptions(
        copies=3,
        sides="two-sided-long-edge",
        color=True,
        media="iso_a4_210x297mm",
        page_ranges=((1, 2), (4, 5)),
    )
    req = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=opts, title="Skripsi Budi", source="test_job:7"
    )
    db.commit()
    assert req.printer_id == printer_id and req.state == "pending"

    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    records = printer.records()
    assert len(records) == 1
    attrs = records[0]["attrs"]
    assert attrs["copies"] == "3"
    assert attrs["sides"] == "two-sided-long-edge"
    assert attrs["print-color-mode"] == "color"
    assert attrs["media"] == "iso_a4_210x297mm"
    assert attrs["page-ranges"] == "1-2,4-5"
    assert "Skripsi Budi" in attrs["job-name"]
    assert records[0]["pages"] == 5
    assert records[0]["pdf"].read_bytes() == pdf.read_bytes()

    db.expire_all()
    stored = db.get(PrintRequest, req.id)
    assert stored is not None and stored.ipp_job_id and stored.attempts == 1 and stored.finished_at
    states = [s for src, s, _ in seen if src == "test_job:7"]
    assert states[0] == "sent" and states[-1] == "completed"

    # idempotent on (business, source): the same request, no new job, nothing printed again
    jobs_before = db.scalar(sa.select(sa.func.count()).select_from(Job))
    again = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=PrintOptions(), title="lain", source="test_job:7"
    )
    db.commit()
    assert again.id == req.id
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == jobs_before
    drain()
    assert len(printer.records()) == 1


def test_mono_one_sided_defaults(db, tmp_path, printer, fast):
    biz_id, _ = setup_business(db, printer.uri)
    pdf = make_pdf(tmp_path / "ktp.pdf", 1)
    req = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=PrintOptions(), title="KTP", source="test_job:1"
    )
    db.commit()
    assert run_until(req.id, {"completed", "failed"})[0] == "completed"
    (rec,) = printer.records()
    assert rec["attrs"]["copies"] == "1"
    assert rec["attrs"]["sides"] == "one-sided"
    assert rec["attrs"]["print-color-mode"] == "monochrome"
    assert "page-ranges" not in rec["attrs"]


def test_bad_options_and_missing_printer_are_clear_errors(db, tmp_path, printer, fast):
    biz = f.make_business(db, slug="tanpa-printer")
    pdf = make_pdf(tmp_path / "a.pdf", 1)
    with pytest.raises(Conflict) as no_printer:
        printing.submit(db, business_id=biz.id, pdf_path=pdf, options=PrintOptions(), title="a", source="x:1")
    assert "printer" in no_printer.value.message.lower()
    printing.add_printer(db, business_id=biz.id, name="Mono", uri=printer.uri)  # mono, one-sided
    for bad in (
        PrintOptions(copies=0),
        PrintOptions(sides="tiga-sisi"),
        PrintOptions(page_ranges=((3, 1),)),
        PrintOptions(color=True),
        PrintOptions(sides="two-sided-long-edge"),
    ):
        with pytest.raises(BadRequest):
            printing.submit(db, business_id=biz.id, pdf_path=pdf, options=bad, title="a", source="x:2")
    with pytest.raises(BadRequest):
        printing.add_printer(db, business_id=biz.id, name="Salah", uri="lpt1")


def test_printer_refuses_unsupported_media(db, tmp_path, printer, fast, seen):
    biz_id, _ = setup_business(db, printer.uri)
    pdf = make_pdf(tmp_path / "a.pdf", 1)
    req = printing.submit(
        db,
        business_id=biz_id,
        pdf_path=pdf,
        options=PrintOptions(media="na_ledger_11x17in"),
        title="A3",
        source="test_job:9",
    )
    db.commit()
    assert run_until(req.id, {"completed", "failed"}) == ("failed", "rejected")
    assert printer.records() == []
    assert seen[-1] == ("test_job:9", "failed", "rejected")


def test_offline_printer_is_retried_with_backoff(db, tmp_path, printer, fast, seen):
    biz_id, _ = setup_business(db, printer.uri)
    printer.kill()
    pdf = make_pdf(tmp_path / "a.pdf", 2)
    req = printing.submit(
        db,
        business_id=biz_id,
        pdf_path=pdf,
        options=PrintOptions(copies=2),
        title="Makalah",
        source="test_job:2",
    )
    db.commit()
    assert run_until(req.id, {"error"}) == ("error", "offline")
    time.sleep(0.3)
    drain()  # the second try also finds it off
    with session_scope() as s:
        stored = s.get(PrintRequest, req.id)
        assert stored is not None
        # one Print-Job tried; the next run asked the printer (Get-Jobs) before sending and found it off
        assert stored.attempts == 1 and stored.ipp_job_id is None and stored.failures >= 2
        pending = s.scalars(
            sa.select(Job).where(Job.name == "printing.advance", Job.status == "pending")
        ).all()
        assert len(pending) == 1  # one chain, with a due time in the future (backoff)
        assert pending[0].run_at > utcnow() - __import__("datetime").timedelta(seconds=1)
    assert ("test_job:2", "error", "offline") in seen

    printer.start()
    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    (rec,) = printer.records()
    assert rec["attrs"]["copies"] == "2" and rec["pages"] == 2


def test_media_empty_is_reported_then_completes(db, tmp_path, printer, fast, seen):
    biz_id, _ = setup_business(db, printer.uri)
    printer.media_empty(True)
    pdf = make_pdf(tmp_path / "a.pdf", 1)
    req = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=PrintOptions(), title="Surat", source="test_job:3"
    )
    db.commit()
    assert run_until(req.id, {"error"}) == ("error", "media-empty")
    assert printing.reason_text("media-empty") == "Kertas printer habis."
    with session_scope() as s:
        p = s.scalars(sa.select(printing.Printer)).one()
        assert any(r.startswith("media-empty") for r in p.state_reasons)
    printer.media_empty(False)
    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    assert len(printer.records()) == 1
    states = [(s, r) for src, s, r in seen if src == "test_job:3"]
    assert ("error", "media-empty") in states and states[-1] == ("completed", None)


def test_printer_killed_mid_job_is_never_lost_nor_printed_twice(db, tmp_path, printer, fast, seen):
    biz_id, _ = setup_business(db, printer.uri)
    printer.set_delay(30)  # the job stays "on the paper path" until the printer is killed
    pdf = make_pdf(tmp_path / "tesis.pdf", 4)
    req = printing.submit(
        db,
        business_id=biz_id,
        pdf_path=pdf,
        options=PrintOptions(copies=2),
        title="Tesis",
        source="test_job:4",
    )
    db.commit()
    assert run_until(req.id, {"printing"})[0] == "printing"
    printer.kill()  # power cut mid-job
    assert run_until(req.id, {"error"}) == ("error", "offline")
    printer.set_delay(0)
    printer.start()  # back, but without the job it had accepted
    # still ("error", "offline") until the next follow reaches the printer again: wait for the reason to change
    deadline = time.monotonic() + 20
    while state_of(req.id) != ("error", "job-lost") and time.monotonic() < deadline:
        drain()
        time.sleep(0.05)
    assert state_of(req.id) == ("error", "job-lost")
    for _ in range(5):  # the chain does not reprint by itself
        time.sleep(0.1)
        drain()
    assert state_of(req.id) == ("error", "job-lost")
    assert printer.records() == []

    # staff check the tray and decide to print it again: printed exactly once
    with session_scope() as s:
        printing.retry(s, printing.get_request(s, business_id=biz_id, request_id=req.id))
    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    (rec,) = printer.records()
    assert rec["attrs"]["copies"] == "2" and rec["pages"] == 4
    with pytest.raises(Conflict), session_scope() as s:
        printing.retry(s, printing.get_request(s, business_id=biz_id, request_id=req.id))


def test_crash_after_the_printer_accepted_adopts_the_job(db, tmp_path, printer, fast, monkeypatch):
    """The worker dies between the printer's "accepted, job 1" and storing it: the rerun finds the job by
    its token on the printer and follows it instead of sending it again."""
    biz_id, _ = setup_business(db, printer.uri)
    printer.set_delay(0.5)
    pdf = make_pdf(tmp_path / "a.pdf", 3)
    req = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=PrintOptions(), title="Laporan", source="test_job:5"
    )
    db.commit()
    real = printing._accepted
    crashed: list[int] = []

    def crash_once(s: sa.orm.Session, r: PrintRequest, job_id: int) -> None:
        if not crashed:
            crashed.append(job_id)
            raise RuntimeError("worker died")
        real(s, r, job_id)

    monkeypatch.setattr(printing, "_accepted", crash_once)
    assert drain() == ["retry"]
    assert state_of(req.id) == ("pending", None)
    # the runner's retry comes after its backoff; run it as the worker would then
    from datetime import timedelta

    assert drain(now=utcnow() + timedelta(seconds=120))[0] == "done"
    assert run_until(req.id, {"completed", "failed"}) == ("completed", None)
    with session_scope() as s:
        stored = s.get(PrintRequest, req.id)
        assert stored is not None and stored.ipp_job_id == crashed[0] and stored.attempts == 1
    assert len(printer.wait_for(1)) == 1
    time.sleep(0.6)
    assert len(printer.records()) == 1


def test_other_business_cannot_see_requests_or_printers(db, tmp_path, printer, fast):
    biz_id, printer_id = setup_business(db, printer.uri)
    other = f.make_business(db, slug="lain")
    pdf = make_pdf(tmp_path / "a.pdf", 1)
    req = printing.submit(
        db, business_id=biz_id, pdf_path=pdf, options=PrintOptions(), title="a", source="test_job:6"
    )
    db.commit()
    from niaga.kit.errors import NotFound

    with pytest.raises(NotFound):
        printing.get_request(db, business_id=other.id, request_id=req.id)
    with pytest.raises(NotFound):
        printing.get_printer(db, business_id=other.id, printer_id=printer_id)
    with pytest.raises(NotFound):
        printing.submit(
            db,
            business_id=other.id,
            pdf_path=pdf,
            options=PrintOptions(),
            title="a",
            source="test_job:6",
            printer_id=printer_id,
        )
