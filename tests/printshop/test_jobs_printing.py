"""A print job at a real IPP printer (`ippeveprinter`): printer trouble shows on the job; a printer that
disappears mid-job leaves the job back in the queue with an alert, never lost nor printed twice; pressing
Cetak twice prints once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.runner import drain
from niaga.kit.errors import Conflict
from niaga.printshop import jobs, jobs_actions, printing
from niaga.printshop.jobs_models import PrintJob
from tests import factories as f
from tests.fakes.ipp_printer import IppPrinter
from tests.printshop.test_printing import fast, make_pdf  # noqa: F401 (fixture)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[IppPrinter]:
    with IppPrinter(tmp_path / "printer") as p:
        yield p


def queued_job(db, uri: str, *, copies: int = 2, pages: int = 3) -> PrintJob:  # type: ignore[no-untyped-def]
    b = f.make_business(db, slug="smartcopy-cetak", settings={"modules": {"print": True}})
    printing.add_printer(db, business_id=b.id, name="Epson", uri=uri)
    job = PrintJob(
        business_id=b.id, number="CTK-00001", source="counter", status="queued", copies=copies, pages_bw=pages
    )
    db.add(job)
    db.flush()
    out = jobs.job_dir(b.id, job.id) / "out" / "CTK-00001.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    make_pdf(out, pages)
    job.output_path = jobs.rel(out)
    job.spec = {"quoted": {"duplex": False, "paper_size": "A4"}}
    db.commit()
    return job


def state(job_id: int) -> tuple[str, str | None]:
    with session_scope() as db:
        job = db.get(PrintJob, job_id)
        assert job is not None
        return job.status, job.alert


def run_until(job_id: int, check, timeout: float = 40.0) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drain()
        current = state(job_id)
        if check(*current):
            return current
        time.sleep(0.05)
    raise AssertionError(f"job stuck in {state(job_id)}")


def press_print(job_id: int) -> None:
    with session_scope() as db:
        job = db.get(PrintJob, job_id)
        jobs_actions.do_print(db, job=job, actor=jobs.Actor("user", None))


def test_printer_lost_mid_job_back_to_queue_with_alert_then_printed_once(db, printer, fast):  # noqa: F811
    job = queued_job(db, printer.uri)
    printer.set_delay(30)
    press_print(job.id)
    # pressing Cetak again while printing is refused, nothing is sent twice
    with session_scope() as s, pytest.raises(Conflict, match="hanya antrean"):
        jobs_actions.do_print(s, job=s.get(PrintJob, job.id), actor=jobs.Actor("user", None))
    run_until(job.id, lambda st, _a: st == "printing")
    printer.kill()
    status, alert = run_until(job.id, lambda _s, a: bool(a))
    assert status == "printing" and "tidak bisa dihubungi" in (alert or "")
    printer.set_delay(0)
    printer.start()  # back without the job it had accepted
    status, alert = run_until(job.id, lambda st, _a: st == "queued")
    assert "Periksa hasil cetak" in (alert or "") and printer.records() == []
    press_print(job.id)  # staff checked the tray: a new, deliberate attempt
    status, alert = run_until(job.id, lambda st, _a: st == "ready")
    assert alert is None
    (rec,) = printer.records()
    assert rec["attrs"]["copies"] == "2" and rec["pages"] == 3
    with session_scope() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(printing.PrintRequest)) == 2
        events = [e.event for e in jobs.events_of(s, s.get(PrintJob, job.id))]
    assert events.count("print_job.printing") == 2 and events[-1] == "print_job.ready"


def test_out_of_paper_is_shown_then_the_job_completes(db, printer, fast):  # noqa: F811
    job = queued_job(db, printer.uri, copies=1, pages=1)
    printer.media_empty(True)
    press_print(job.id)
    status, alert = run_until(job.id, lambda _s, a: bool(a))
    assert status == "printing" and "Kertas printer habis" in (alert or "")
    printer.media_empty(False)
    assert run_until(job.id, lambda st, _a: st == "ready")[0] == "ready"
    assert len(printer.records()) == 1
