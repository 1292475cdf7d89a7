"""`niaga printer add|list|test|requests|retry`: a business's IPP printers (CUPS queues or IPP Everywhere)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import typer

printer_app = typer.Typer(
    help="Printers of a business (IPP / CUPS) and their print requests.", no_args_is_help=True
)


def _echo(data: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
    elif isinstance(data, list):
        for row in data:
            typer.echo("  ".join(f"{k}={v}" for k, v in row.items()))
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {v}")


def _run(fn: Callable[[], Any], as_json: bool) -> Any:
    from niaga.kit.errors import AppError

    try:
        return fn()
    except AppError as exc:
        _echo({"ok": False, "error": exc.code, "message": exc.message}, as_json)
        raise typer.Exit(2) from None


def printer_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "uri": p.uri,
        "default": p.is_default,
        "color": p.color,
        "duplex": p.duplex,
        "active": p.is_active,
        "state": p.state,
        "reasons": list(p.state_reasons or []),
        "checked_at": p.checked_at.isoformat() if p.checked_at else None,
    }


def request_out(r: Any) -> dict[str, Any]:
    from niaga.printshop.printing import reason_text

    return {
        "id": r.id,
        "source": r.source,
        "title": r.title,
        "printer_id": r.printer_id,
        "state": r.state,
        "reason": r.reason,
        "reason_text": reason_text(r.reason),
        "ipp_job_id": r.ipp_job_id,
        "attempts": r.attempts,
        "options": r.options,
        "created_at": r.created_at.isoformat() if r.created_at else None,
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
    }


@printer_app.command("add")
def add(
    name: str = typer.Argument(..., help="A name staff recognise, e.g. 'Epson L3110'."),
    business: str = typer.Option(..., "--business", help="Business slug."),
    uri: str = typer.Option(
        ..., "--uri", help="ipp://host:631/printers/QUEUE or ipp://printer.local/ipp/print"
    ),
    default: bool = typer.Option(False, "--default", help="Use it when a print request names no printer."),
    color: bool = typer.Option(False, "--color/--mono", help="Can it print in colour?"),
    duplex: bool = typer.Option(False, "--duplex/--simplex", help="Can it print both sides?"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a printer (or update the one with that name). The first printer becomes the default."""
    from niaga.db.engine import session_scope
    from niaga.printshop import printing
    from niaga.tenancy.service import get_business_by_slug

    def body() -> dict[str, Any]:
        with session_scope() as db:
            biz = get_business_by_slug(db, business)
            p = printing.add_printer(
                db, business_id=biz.id, name=name, uri=uri, default=default, color=color, duplex=duplex
            )
            return printer_out(p)

    _echo(_run(body, as_json), as_json)


@printer_app.command("list")
def list_(
    business: str = typer.Option(..., "--business", help="Business slug."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The business's printers with the state they reported last."""
    from niaga.db.engine import session_scope
    from niaga.printshop import printing
    from niaga.tenancy.service import get_business_by_slug

    def body() -> list[dict[str, Any]]:
        with session_scope() as db:
            biz = get_business_by_slug(db, business)
            return [printer_out(p) for p in printing.list_printers(db, business_id=biz.id)]

    _echo(_run(body, as_json), as_json)


def _test_pdf(path: Any, printer_name: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from niaga.kit.timeutil import local_now

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 20)
    c.drawString(72, 760, "Halaman uji niaga")
    c.setFont("Helvetica", 12)
    c.drawString(72, 730, f"Printer: {printer_name}")
    c.drawString(72, 712, f"Waktu: {local_now():%Y-%m-%d %H:%M}")
    c.showPage()
    c.save()


@printer_app.command("test")
def test(
    name: str = typer.Argument(None, help="Printer name (default: the business's default printer)."),
    business: str = typer.Option(..., "--business", help="Business slug."),
    page: bool = typer.Option(False, "--page", help="Also print a one-page test sheet and wait for it."),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for the test page."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Ask the printer for its state (and with --page print a test sheet); exit 1 when it is not ready."""
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.kit.errors import NotFound
    from niaga.printshop import printing
    from niaga.settings import get_settings
    from niaga.tenancy.service import get_business_by_slug

    def body() -> dict[str, Any]:
        with session_scope() as db:
            biz = get_business_by_slug(db, business)
            if name:
                p = db.scalars(
                    sa.select(printing.Printer).where(
                        printing.Printer.business_id == biz.id, printing.Printer.name == name
                    )
                ).first()
            else:
                p = printing.default_printer(db, business_id=biz.id)
            if p is None:
                raise NotFound("Printer tidak ditemukan. Tambahkan dengan `niaga printer add`.")
            result = {"printer": p.name, **printing.check_printer(db, p)}
            if not page or not result["ok"]:
                return result
            folder = get_settings().files_dir / "printer-test"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d%H%M%S")
            pdf = folder / f"test-{p.id}-{stamp}.pdf"
            _test_pdf(pdf, p.name)
            req = printing.submit(
                db,
                business_id=biz.id,
                pdf_path=pdf,
                options=printing.PrintOptions(),
                title="Halaman uji niaga",
                source=f"printer_test:{p.id}-{stamp}",
                printer_id=p.id,
            )
            request_id = req.id
        result["request"] = _wait(request_id, timeout)
        result["ok"] = result["request"]["state"] == "completed"
        return result

    data = _run(body, as_json)
    _echo(data, as_json)
    if not data.get("ok"):
        raise typer.Exit(1)


def _wait(request_id: int, timeout: float) -> dict[str, Any]:
    """Run the request's chain in this process until it ends (the CLI has no worker of its own)."""
    from niaga.db.engine import session_scope
    from niaga.jobs.runner import drain
    from niaga.printshop.printing_models import TERMINAL_STATES, PrintRequest

    deadline = time.monotonic() + timeout
    while True:
        drain(names={"printing.advance"})
        with session_scope() as db:
            req = db.get(PrintRequest, request_id)
            assert req is not None
            out = request_out(req)
        if out["state"] in TERMINAL_STATES or time.monotonic() > deadline:
            return out
        time.sleep(0.5)


@printer_app.command("requests")
def requests(
    business: str = typer.Option(..., "--business", help="Business slug."),
    state: str = typer.Option(None, "--state", help="Only this state (pending, error, failed, …)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recent print requests with their state and the printer's reason (offline, media-empty, …)."""
    from niaga.db.engine import session_scope
    from niaga.printshop import printing
    from niaga.tenancy.service import get_business_by_slug

    def body() -> list[dict[str, Any]]:
        with session_scope() as db:
            biz = get_business_by_slug(db, business)
            return [request_out(r) for r in printing.list_requests(db, business_id=biz.id, state=state)]

    _echo(_run(body, as_json), as_json)


@printer_app.command("retry")
def retry(
    request_id: int,
    business: str = typer.Option(..., "--business", help="Business slug."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print a failed request again (after checking the printer's tray for a lost job)."""
    from niaga.db.engine import session_scope
    from niaga.printshop import printing
    from niaga.tenancy.service import get_business_by_slug

    def body() -> dict[str, Any]:
        with session_scope() as db:
            biz = get_business_by_slug(db, business)
            req = printing.retry(db, printing.get_request(db, business_id=biz.id, request_id=request_id))
            return request_out(req)

    _echo(_run(body, as_json), as_json)
