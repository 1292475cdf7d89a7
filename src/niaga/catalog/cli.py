"""`niaga import {products,customers,transactions,knowledge,shipping-rates} FILE --business SLUG [--json]`.

Exit code 0 when the file was read (even with rejected rows — they are in the summary); 2 with a clear
message for an unknown business, an unreadable file or an unsupported format.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from niaga.kit.errors import AppError

import_app = typer.Typer(
    help="Import products, customers, transactions, knowledge or shipping rates "
    "from CSV/XLSX (knowledge also Markdown).",
    no_args_is_help=True,
)

FILE_ARG = typer.Argument(..., help="CSV or XLSX file (knowledge: also Markdown).", show_default=False)
BUSINESS_OPT = typer.Option(..., "--business", "-b", help="Business slug.")
JSON_OPT = typer.Option(False, "--json", help="Print only the summary as one JSON object.")
DRY_RUN_OPT = typer.Option(False, "--dry-run", help="Validate and report without saving.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def run_import(kind: str, path: Path, business: str, as_json: bool, dry_run: bool) -> None:
    import niaga.db.models  # noqa: F401  (every table, so foreign keys resolve in a fresh process)
    from niaga.catalog.importer import import_file
    from niaga.db.engine import session_scope
    from niaga.ops.logging import configure_logging
    from niaga.settings import get_settings
    from niaga.tenancy.service import get_business_by_slug

    settings = get_settings()
    # Logs go to stderr so that `--json` leaves exactly one object on stdout.
    configure_logging(settings.log_level, settings.log_json)
    if not path.is_file():
        _fail(f"file tidak ditemukan: {path}")
    data = path.read_bytes()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            report = import_file(
                db,
                kind=kind,
                business_id=b.id,
                data=data,
                filename=path.name,
                dry_run=dry_run,
                actor_type="system",
            )
    except AppError as exc:
        details = f" {json.dumps(exc.details, ensure_ascii=False)}" if exc.details else ""
        _fail(f"{exc.message}{details}")
    summary = report.as_dict()
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    verb = "diperiksa (dry run, tidak disimpan)" if dry_run else "diimpor"
    detail = "" if dry_run else f" ({report.created} baru, {report.updated} diperbarui)"
    typer.echo(
        f"{kind}: {summary['rows']} baris {verb}: {summary['accepted']} diterima{detail}, "
        f"{summary['rejected']} ditolak."
    )
    for err in summary["errors"]:
        typer.echo(f"  baris {err['row']}: {err['reason']}")


@import_app.command("products")
def products(
    file: Path = FILE_ARG, business: str = BUSINESS_OPT, as_json: bool = JSON_OPT, dry_run: bool = DRY_RUN_OPT
) -> None:
    """Products (upsert by SKU): sku,name,price[,category,description,sale_price,stock,weight_g,tags,attributes]."""
    run_import("products", file, business, as_json, dry_run)


@import_app.command("customers")
def customers(
    file: Path = FILE_ARG, business: str = BUSINESS_OPT, as_json: bool = JSON_OPT, dry_run: bool = DRY_RUN_OPT
) -> None:
    """Customers (upsert by customer_ref): customer_ref,name,phone[,email,city,address,tags]."""
    run_import("customers", file, business, as_json, dry_run)


@import_app.command("transactions")
def transactions(
    file: Path = FILE_ARG, business: str = BUSINESS_OPT, as_json: bool = JSON_OPT, dry_run: bool = DRY_RUN_OPT
) -> None:
    """Transactions: transaction_ref,customer_ref,transaction_date,amount[,status,products]."""
    run_import("transactions", file, business, as_json, dry_run)


@import_app.command("knowledge")
def knowledge(
    file: Path = FILE_ARG, business: str = BUSINESS_OPT, as_json: bool = JSON_OPT, dry_run: bool = DRY_RUN_OPT
) -> None:
    """Knowledge documents: Markdown (one `## ` section per document) or CSV/XLSX title,content[,category]."""
    run_import("knowledge", file, business, as_json, dry_run)


@import_app.command("shipping-rates")
def shipping_rates(
    file: Path = FILE_ARG, business: str = BUSINESS_OPT, as_json: bool = JSON_OPT, dry_run: bool = DRY_RUN_OPT
) -> None:
    """Shipping rates: origin_city,destination_city,courier,service,price_per_kg[,etd_days]."""
    run_import("shipping-rates", file, business, as_json, dry_run)
