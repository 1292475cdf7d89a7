"""Dashboard → Pemasaran: the R/F heatmap, segment cards with suggested actions, movements since last
week, the trend of segment sizes, a segment's customers (search, sort, CSV/XLSX export) and the weekly
report downloads. Staff and above; every query is scoped to the logged-in business."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.kit.errors import AppError
from niaga.marketing import reports, rfm, service
from niaga.tenancy import service as tenancy
from niaga.web.core import FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render
from niaga.web.forms import Form

router = APIRouter()
PAGE_SIZE = 25
SORTS = (
    ("-monetary", "Total belanja terbesar"),
    ("recency_days", "Paling baru belanja"),
    ("-frequency", "Paling sering belanja"),
    ("name", "Nama"),
)


def compact_rupiah(value: int) -> str:
    """Short money for small cells: Rp950rb, Rp1,2jt, Rp3,4M."""
    v = int(value or 0)
    if v >= 1_000_000_000:
        return f"Rp{v / 1_000_000_000:.1f}M".replace(".", ",")
    if v >= 1_000_000:
        return f"Rp{v / 1_000_000:.1f}jt".replace(".", ",")
    if v >= 1_000:
        return f"Rp{v // 1_000}rb"
    return f"Rp{v}"


def _trend(db: Any, business_id: int) -> dict[str, Any]:
    snaps = service.list_snapshots(db, business_id=business_id, limit=12)
    return {
        "labels": [s.as_of.strftime("%d/%m") for s in snaps],
        "series": [
            {
                "label": rfm.label_of(seg),
                "color": reports.SEGMENT_COLORS[seg],
                "values": [int((s.segments.get(seg) or {}).get("count", 0)) for s in snaps],
            }
            for seg in rfm.SEGMENT_ORDER
        ],
    }


@router.get("/app/pemasaran", response_class=HTMLResponse)
def marketing_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    snap = service.latest_snapshot(db, business_id=ctx.business_id)
    data: dict[str, Any] = {"snap": None}
    if snap is not None:
        out = service.snapshot_out(snap)
        prev, _, moves = service.movements_since_last_week(db, business_id=ctx.business_id)
        grid = {(c["r"], c["f"]): c for c in out["grid"]}
        top = max((c["count"] for c in out["grid"]), default=0) or 1
        data = {
            "snap": out,
            "grid": grid,
            "top": top,
            "prev": prev,
            "moves": moves[:10],
            "trend": _trend(db, ctx.business_id),
            "revenue": sum(s["revenue"] for s in out["segments"]),
        }
    weekly = service.marketing_settings(ctx.business)["weekly"]
    schedule = (
        f"{service.WEEKDAYS_ID[int(weekly.get('weekday', 1)) - 1]} pukul {int(weekly.get('hour', 7)):02d}.00"
        if weekly.get("enabled", True)
        else ""
    )
    return render(
        ctx,
        request,
        "marketing/index.html",
        schedule=schedule,
        active="marketing",
        title="Pemasaran",
        colors=reports.SEGMENT_COLORS,
        short=compact_rupiah,
        segment_labels={s: rfm.label_of(s) for s in rfm.SEGMENT_ORDER},
        **data,
    )


@router.post("/app/pemasaran/hitung", response_class=HTMLResponse)
def calculate(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    business = ctx.business
    try:
        result = service.do_run(db, business=business, method=(form_data.get("method") or None))
        flash(request, f"Analisis selesai: {len(result.rows)} pelanggan dinilai.")
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
    return redirect("/app/pemasaran", request)


def _settings_values(business: Any) -> dict[str, Any]:
    cfg = service.marketing_settings(business)
    return {
        "rfm_method": cfg["rfm_method"],
        **{k: ", ".join(str(e) for e in cfg["rfm_bins"][k]) for k in ("recency", "frequency", "monetary")},
        "weekly_enabled": bool(cfg["weekly"].get("enabled", True)),
        "weekday": cfg["weekly"].get("weekday", 1),
        "hour": cfg["weekly"].get("hour", 7),
        "email": ", ".join(cfg["report"].get("email") or []),
        "telegram": bool(cfg["report"].get("telegram", True)),
        "whatsapp": cfg["report"].get("whatsapp") or "",
    }


def _render_settings(ctx: Any, request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return render(
        ctx,
        request,
        "marketing/settings.html",
        active="marketing",
        title="Pengaturan pemasaran",
        values=values,
        errors=errors,
        weekdays=service.WEEKDAYS_ID,
        tzname=ctx.business.timezone,
        status_code=422 if errors else 200,
    )


@router.get("/app/pemasaran/pengaturan", response_class=HTMLResponse)
def settings_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _render_settings(ctx, request, _settings_values(ctx.business), {})


def _edges(text: str) -> list[Any]:
    """'30, 60, 90, 180' (also '100.000; 500.000 …') → the numbers, or the raw parts for the validator."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    return [int(p.replace(".", "")) if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", p) else p for p in parts]


@router.post("/app/pemasaran/pengaturan", response_class=HTMLResponse)
def settings_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    values = {
        "rfm_method": form.raw("rfm_method"),
        **{k: form.raw(k) for k in ("recency", "frequency", "monetary")},
        "weekly_enabled": form.checkbox("weekly_enabled"),
        "weekday": form.raw("weekday"),
        "hour": form.raw("hour"),
        "email": form.raw("email"),
        "telegram": form.checkbox("telegram"),
        "whatsapp": form.raw("whatsapp"),
    }
    data = {
        "rfm_method": values["rfm_method"],
        "rfm_bins": {k: _edges(str(values[k])) for k in ("recency", "frequency", "monetary")},
        "weekly": {"enabled": values["weekly_enabled"], "weekday": values["weekday"], "hour": values["hour"]},
        "report": {"email": values["email"], "telegram": values["telegram"], "whatsapp": values["whatsapp"]},
    }
    try:
        service.save_marketing_settings(db, business=ctx.business, data=data)
    except AppError as exc:
        db.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        errors = {str(k).split(".")[-1]: str(v) for k, v in details.items()} or {"__all__": exc.message}
        return _render_settings(ctx, request, values, errors)
    tenancy.audit(
        db,
        business_id=ctx.business_id,
        actor_type="user",
        actor_id=ctx.user.id,
        action="rfm.settings",
        entity_type="business",
        entity_id=ctx.business_id,
        data={"rfm_method": data["rfm_method"]},
    )
    flash(request, "Pengaturan pemasaran disimpan.")
    return redirect("/app/pemasaran", request)


def _segment_query(request: Request) -> dict[str, Any]:
    qp = request.query_params
    sort = qp.get("sort") or "-monetary"
    raw_page = qp.get("page", "1")
    return {
        "q": (qp.get("q") or "").strip()[:200],
        "sort": sort if sort in dict(SORTS) else "-monetary",
        "page": max(int(raw_page), 1) if raw_page.isdigit() else 1,
    }


@router.get("/app/pemasaran/segmen/{name}", response_class=HTMLResponse)
def segment_page(name: str, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    service.check_segment(name)
    f = _segment_query(request)
    snap = service.latest_snapshot(db, business_id=ctx.business_id)
    rows: list[Any] = []
    total = 0
    if snap is not None:
        rows, total = service.segment_rows(
            db,
            snapshot=snap,
            segment=name,
            search=f["q"] or None,
            sort=f["sort"],
            offset=(f["page"] - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    return render(
        ctx,
        request,
        "marketing/segment.html",
        active="marketing",
        title=rfm.label_of(name),
        name=name,
        info=rfm.SEGMENTS[name],
        rows=[service.row_out(r, c) for r, c in rows],
        total=total,
        page=f["page"],
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        f=f,
        sorts=SORTS,
        snap=snap,
    )


EXPORT_COLUMNS = (
    ("customer_ref", "Kode"),
    ("name", "Nama"),
    ("phone", "Telepon"),
    ("email", "Email"),
    ("city", "Kota"),
    ("recency_days", "Hari sejak belanja"),
    ("frequency", "Jumlah transaksi"),
    ("monetary", "Total belanja"),
    ("r", "R"),
    ("f", "F"),
    ("m", "M"),
    ("segment_label", "Segmen"),
)


@router.get("/app/pemasaran/segmen/{name}/ekspor.{fmt}")
def segment_export(name: str, fmt: str, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    service.check_segment(name)
    if fmt not in ("csv", "xlsx"):
        from niaga.kit.errors import NotFound

        raise NotFound("Format ekspor harus csv atau xlsx.")
    f = _segment_query(request)
    snap = service.latest_snapshot(db, business_id=ctx.business_id)
    rows = []
    if snap is not None:
        found, _ = service.segment_rows(
            db, snapshot=snap, segment=name, search=f["q"] or None, sort=f["sort"], limit=None
        )
        rows = [service.row_out(r, c) for r, c in found]
    stem = f"pelanggan-{name}-{snap.as_of.isoformat() if snap else 'kosong'}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([h for _, h in EXPORT_COLUMNS])
        for row in rows:
            w.writerow([row[k] if row[k] is not None else "" for k, _ in EXPORT_COLUMNS])
        return Response(
            ("\ufeff" + buf.getvalue()).encode(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = rfm.label_of(name)[:31]
    reports._header(ws, [h for _, h in EXPORT_COLUMNS], [12, 26, 16, 24, 14, 10, 10, 16, 5, 5, 5, 20])
    for row in rows:
        ws.append([row[k] for k, _ in EXPORT_COLUMNS])
        ws.cell(row=ws.max_row, column=8).number_format = reports.RUPIAH_FORMAT
    ws.auto_filter.ref = f"A1:L{max(ws.max_row, 1)}"
    out = io.BytesIO()
    wb.save(out)
    return Response(
        out.getvalue(),
        media_type=reports_xlsx_type(),
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )


def reports_xlsx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/app/pemasaran/laporan.{fmt}")
def report_download(fmt: str, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    if fmt not in ("pdf", "xlsx"):
        from niaga.kit.errors import NotFound

        raise NotFound("Format laporan harus pdf atau xlsx.")
    data = reports.report_data(db, business=ctx.business)
    stem = f"laporan-pelanggan-{data.business_slug}-{data.as_of.isoformat()}"
    if fmt == "pdf":
        return Response(
            reports.render_pdf(data),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'},
        )
    return Response(
        reports.render_xlsx(data),
        media_type=reports_xlsx_type(),
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )
