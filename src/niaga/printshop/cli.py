"""`niaga printshop check|format|render|intake|quote ... --json`. Heavy libraries load inside the commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

printshop_app = typer.Typer(
    help="Print shop: check, format, render and price customers' documents.", no_args_is_help=True
)


def _emit(data: dict, as_json: bool, code: int = 0) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}")
    if code:
        raise typer.Exit(code)


def _guard(fn, as_json: bool) -> None:
    """Run a command body; an input problem becomes a JSON finding with exit status 2, never a traceback."""
    from niaga.printshop.errors import PrintshopInputError

    try:
        data = fn()
    except PrintshopInputError as exc:
        _emit({"ok": False, **exc.as_finding()}, as_json, code=2)
        return
    except MemoryError:
        _emit(
            {"ok": False, "error": "too_large", "message": "Berkas terlalu besar untuk diproses."}, as_json, 2
        )
        return
    except Exception as exc:  # a damaged file can trip any parser: report it, keep the traceback for staff
        import traceback

        traceback.print_exc(file=sys.stderr)
        msg = f"Berkas tidak dapat diproses ({type(exc).__name__}). Staf kami akan memeriksanya."
        _emit({"ok": False, "error": "unexpected", "message": msg}, as_json, 3)
        return
    _emit(data, as_json)


@printshop_app.command("check")
def check(
    file: Path,
    as_json: bool = typer.Option(False, "--json"),
    template: str = typer.Option("skripsi", "--template"),
) -> None:
    """Check a PDF, DOCX or photo: pages, blank/blurred/rotated/colour pages, thesis formatting, photo skew."""
    from niaga.printshop.service import check_file

    _guard(lambda: check_file(file, template=template), as_json)


@printshop_app.command("format")
def format_cmd(
    src: Path,
    out: Path,
    template: str = typer.Option("skripsi", "--template"),
    business: str = typer.Option(None, "--business", help="Use this business's template override."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Apply an institution template to a thesis DOCX (page setup, fonts, spacing, chapter numbers)."""
    from niaga.printshop.service import format_file

    _guard(lambda: format_file(src, out, template=template, business=business), as_json)


@printshop_app.command("render")
def render(src: Path, out: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Render DOCX/DOC/ODT/XLSX/PPTX (LibreOffice), photos or PDFs to one PDF."""
    from niaga.printshop.service import render_file

    _guard(lambda: render_file(src, out), as_json)


@printshop_app.command("intake")
def intake(
    paths: list[Path],
    out: Path = typer.Option(None, "--out", help="Print-ready PDF (default: beside)."),
    separators: bool = typer.Option(False, "--separators", help="A title sheet before each file."),
    watermark: str = typer.Option(None, "--watermark", help="Diagonal watermark text on every page."),
    page_numbers: bool = typer.Option(
        None, "--page-numbers/--no-page-numbers", help="Default: when the cover letter asks for them."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Take in a customer's mixed order (folder or files) and build one print-ready PDF."""
    from niaga.printshop.intake import intake_order

    _guard(
        lambda: intake_order(
            paths, out, separators=separators, watermark=watermark, page_numbers=page_numbers
        ),
        as_json,
    )


@printshop_app.command("quote")
def quote(
    paths: list[Path] = typer.Argument(None),
    business: str = typer.Option("smartcopy", "--business"),
    pages: int = typer.Option(None, "--pages", help="B/W pages (instead of files)."),
    colour_pages: int = typer.Option(0, "--colour-pages"),
    copies: int = typer.Option(None, "--copies"),
    binding: str = typer.Option(None, "--binding"),
    paper: str = typer.Option(None, "--paper"),
    duplex: bool = typer.Option(False, "--duplex"),
    express: bool = typer.Option(False, "--express"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Itemised quote in rupiah from the business's price list (files are taken in first, or give --pages)."""
    from niaga.printshop.pricing import quote_cli

    _guard(
        lambda: quote_cli(
            paths or [],
            business=business,
            pages=pages,
            colour_pages=colour_pages,
            copies=copies,
            binding=binding,
            paper=paper,
            duplex=duplex,
            express=express,
        ),
        as_json,
    )


if __name__ == "__main__":  # pragma: no cover
    printshop_app(sys.argv[1:])
