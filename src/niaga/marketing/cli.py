"""`niaga rfm run|rebuild|movements|report`.

`niaga rfm run --business SLUG [--as-of YYYY-MM-DD] [--method quantile|bins] --json` prints the object of
shared/design/RFM.md (and stores the run as a snapshot unless --no-save). Exit code 2 with a clear message for
an unknown business or a bad date/method.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

rfm_app = typer.Typer(
    help="Customer segments (RFM): run, rebuild aggregates, movements, weekly report.", no_args_is_help=True
)

BUSINESS_OPT = typer.Option(..., "--business", "-b", help="Business slug.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _setup() -> None:
    import niaga.db.models  # noqa: F401  (every table, so foreign keys resolve in a fresh process)
    from niaga.ops.logging import configure_logging
    from niaga.settings import get_settings

    s = get_settings()
    configure_logging(s.log_level, s.log_json)  # logs on stderr; stdout keeps the JSON


def _parse_day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        _fail(f"tanggal tidak valid: {raw!r} (pakai YYYY-MM-DD)")
    return None


@rfm_app.command("run")
def run(
    business: str = BUSINESS_OPT,
    as_of: str = typer.Option(None, "--as-of", help="YYYY-MM-DD; default today in the business's time zone."),
    method: str = typer.Option(None, "--method", help="quantile (default) or bins."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (the RFM.md contract)."),
    no_save: bool = typer.Option(False, "--no-save", help="Do not store the run as a snapshot."),
) -> None:
    """Score every customer and print the segments."""
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import rfm, service
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    day = _parse_day(as_of)
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            result = service.do_run(db, business=b, as_of=day, method=method, save=not no_save)
            out = result.as_dict(with_customers=as_json)
    except AppError as exc:
        _fail(exc.message)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    typer.echo(
        f"RFM {out['method']} per {out['as_of']}: {out['customers_scored']} pelanggan dinilai, "
        f"{out['customers_without_purchases']} belum pernah belanja."
    )
    for seg, n in out["segments"].items():
        typer.echo(f"  {rfm.label_of(seg):<22} {n}")


@rfm_app.command("rebuild")
def rebuild(
    business: str = typer.Option(None, "--business", "-b", help="Business slug; default all."),
    check: bool = typer.Option(False, "--check", help="Only compare; exit 1 when they differ."),
) -> None:
    """Recompute the per-customer purchase aggregates from the transactions (repair)."""
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import aggregates
    from niaga.tenancy.models import Business
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    try:
        with session_scope() as db:
            ids = (
                [get_business_by_slug(db, business).id]
                if business
                else list(db.scalars(sa.select(Business.id).order_by(Business.id)))
            )
            bad = 0
            for bid in ids:
                if check:
                    have = aggregates.snapshot_of(db, business_id=bid)
                    want = aggregates.computed_from_transactions(db, business_id=bid)
                    diff = sum(1 for k in set(have) | set(want) if have.get(k) != want.get(k))
                    bad += diff
                    typer.echo(f"business {bid}: {len(want)} customers, {diff} differ")
                else:
                    n = aggregates.rebuild(db, business_id=bid)
                    typer.echo(f"business {bid}: {n} customers rebuilt")
    except AppError as exc:
        _fail(exc.message)
    if check and bad:
        raise typer.Exit(1)


@rfm_app.command("movements")
def movements(business: str = BUSINESS_OPT, as_json: bool = typer.Option(False, "--json")) -> None:
    """Segment changes between the latest snapshot and the one a week before."""
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import service
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            prev, latest, moves = service.movements_since_last_week(db, business_id=b.id)
            out: dict[str, Any] = {
                "from_snapshot": prev.id if prev else None,
                "to_snapshot": latest.id if latest else None,
                "from_as_of": prev.as_of.isoformat() if prev else None,
                "to_as_of": latest.as_of.isoformat() if latest else None,
                "movements": moves,
            }
    except AppError as exc:
        _fail(exc.message)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    if not out["movements"]:
        typer.echo("Belum ada perpindahan segmen (perlu dua analisis).")
    for m in out["movements"]:
        typer.echo(f"{m['count']:>6}  {m['from_label']} -> {m['to_label']}")


@rfm_app.command("report")
def report(
    business: str = BUSINESS_OPT,
    out: Path = typer.Option(Path("."), "--out", help="Folder for the PDF and XLSX."),
    send: bool = typer.Option(False, "--send", help="Also send by email / Telegram / WhatsApp."),
) -> None:
    """Write the weekly owner report (PDF + XLSX) of the latest snapshot; with --send deliver it."""
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import reports
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            data = reports.report_data(db, business=b)
            pdf, xlsx = reports.render_pdf(data), reports.render_xlsx(data)
            bid = b.id
    except AppError as exc:
        _fail(exc.message)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"laporan-pelanggan-{data.business_slug}-{data.as_of.isoformat()}"
    (out / f"{stem}.pdf").write_bytes(pdf)
    (out / f"{stem}.xlsx").write_bytes(xlsx)
    typer.echo(f"{out / stem}.pdf\n{out / stem}.xlsx")
    if send:
        from niaga.marketing import delivery

        result = delivery.send_report(
            bid, filename_stem=stem, pdf=pdf, xlsx=xlsx, summary=data.summary_text()
        )
        typer.echo(json.dumps(result, ensure_ascii=False))
