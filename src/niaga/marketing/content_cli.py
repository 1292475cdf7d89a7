"""`niaga content generate|poster|video|usage` — the same services as the dashboard.

- `generate --business SLUG --kind KIND [--segment S] [--product SKU] [--occasion O] [--regenerate] --json`
  prints `{"text", "hashtags", "cached", "provider", "tokens", "cost_idr", ...}`; a second identical call
  answers from the cache with `"cached": true`.
- `poster --business SLUG --product SKU --format feed|story --out FILE.png [--promo TEXT] [--no-photo] --json`
- `video --business SLUG --products SKU,SKU --out FILE.mp4 [--music FILE] --json` (checked with ffprobe)
Exit code 2 with a clear message for bad input (unknown business/kind/segment/product, a product without a
photo, the daily quota spent).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

content_app = typer.Typer(help="Content studio: captions, posters, short videos.", no_args_is_help=True)
BUSINESS_OPT = typer.Option(..., "--business", "-b", help="Business slug.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _setup() -> None:
    import niaga.db.models  # noqa: F401  (every table, so foreign keys resolve in a fresh process)
    from niaga.jobs.registry import load_all
    from niaga.ops.logging import configure_logging
    from niaga.settings import get_settings

    s = get_settings()
    configure_logging(s.log_level, s.log_json)  # logs on stderr; stdout keeps the JSON
    load_all()


def _echo(data: dict[str, Any], as_json: bool, human: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False) if as_json else human)


@content_app.command("generate")
def generate(
    business: str = BUSINESS_OPT,
    kind: str = typer.Option(
        ..., "--kind", help="ig_caption|tiktok_caption|wa_broadcast|promo_idea|product_description"
    ),
    segment: str = typer.Option(None, "--segment", help="RFM segment, e.g. at_risk"),
    product: str = typer.Option(None, "--product", help="Product SKU"),
    occasion: str = typer.Option(None, "--occasion", help="ramadan, harbolnas, payday, hari_batik, ..."),
    instruction: str = typer.Option("", "--instruction", help="Extra wish for the text (max 500 characters)"),
    regenerate: bool = typer.Option(False, "--regenerate", help="Ignore the cache and write a new version"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Write a caption, broadcast text, promo idea or product description."""
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import content
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            out = content.do_generate(
                db,
                business=b,
                kind=kind,
                segment=segment,
                product_sku=product,
                occasion=occasion,
                instruction=instruction,
                regenerate=regenerate,
            )
    except AppError as exc:
        _fail(exc.message)
    tags = " ".join(out["hashtags"])
    _echo(
        out,
        as_json,
        out["text"] + (f"\n\n{tags}" if tags else "") + f"\n\n[{out['provider']}, cache: {out['cached']}]",
    )


@content_app.command("poster")
def poster(
    business: str = BUSINESS_OPT,
    product: str = typer.Option(..., "--product", help="Product SKU"),
    fmt: str = typer.Option("feed", "--format", help="feed (1080x1080) or story (1080x1920)"),
    out: Path = typer.Option(..., "--out", help="PNG (or .jpg) file to write"),
    promo: str = typer.Option("", "--promo", help="Promo line (max 300 characters)"),
    no_photo: bool = typer.Option(False, "--no-photo", help="Allow a typographic poster without a photo"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Render a poster of a catalogue product."""
    import time

    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import content_media
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    started = time.perf_counter()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            p, info = content_media.poster_for_product(
                db, business=b, sku=product, fmt=fmt, promo=promo, allow_without_photo=no_photo
            )
    except AppError as exc:
        _fail(exc.message)
    data = p.jpeg() if out.suffix.lower() in (".jpg", ".jpeg") else p.png()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        _fail(f"tidak bisa menulis {out}: {exc.strerror}")
    w, h = p.image.size
    result = {
        **info,
        "format": fmt,
        "out": str(out),
        "width": w,
        "height": h,
        "bytes": len(data),
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "texts": [
            {"name": t.name, "lines": t.lines, "size": t.size, "truncated": t.truncated} for t in p.boxes
        ],
    }
    _echo(result, as_json, f"Poster {w}x{h} ditulis ke {out}")


@content_app.command("video")
def video(
    business: str = BUSINESS_OPT,
    products: str = typer.Option(..., "--products", help="SKUs separated by commas"),
    out: Path = typer.Option(..., "--out", help="MP4 file to write"),
    music: Path = typer.Option(None, "--music", help="Optional music file"),
    seconds: float = typer.Option(3.0, "--seconds-per-slide", min=1.0, max=10.0),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Render a 9:16 slideshow video (H.264/AAC, at most 60 s) of products."""
    import time

    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import content_media
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    started = time.perf_counter()
    try:
        with session_scope() as db:
            b = get_business_by_slug(db, business)
            data, info = content_media.video_for_products(
                db, business=b, skus=products.split(","), music=music, seconds_per_slide=seconds
            )
    except AppError as exc:
        _fail(exc.message)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        _fail(f"tidak bisa menulis {out}: {exc.strerror}")
    result = {**info, "out": str(out), "seconds": round(time.perf_counter() - started, 2)}
    _echo(result, as_json, f"Video {info['duration_s']} detik ditulis ke {out}")


@content_app.command("usage")
def usage(business: str = BUSINESS_OPT, as_json: bool = typer.Option(False, "--json")) -> None:
    """Generations, tokens and cost per provider/model (30 days) and today's quota."""
    from niaga.db.engine import session_scope
    from niaga.kit.errors import AppError
    from niaga.marketing import content
    from niaga.tenancy.service import get_business_by_slug

    _setup()
    try:
        with session_scope() as db:
            out = content.usage_summary(db, business=get_business_by_slug(db, business))
    except AppError as exc:
        _fail(exc.message)
    lines = [f"Kuota hari ini: {out['quota']['used']}/{out['quota']['limit']}"]
    lines += [
        f"  {r['provider']} {r['model']}: {r['generations']}x, {r['tokens']} token, Rp{r['cost_idr']}"
        for r in out["by_provider"]
    ]
    _echo(out, as_json, "\n".join(lines))
