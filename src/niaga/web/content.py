"""Dashboard → Konten: the content calendar (week or month), items awaiting approval (owner/admin approve,
reject or ask for a revision with a reason), the studio (generate a caption grounded in the catalogue, with
an optional poster, into a draft), an item's page (poster, caption, targets, time, publish state per
platform), usage and quota, and WhatsApp broadcasts to a segment (preview, start, statistics). Staff and
above; every query is scoped to the logged-in business."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.catalog.models import Product
from niaga.kit.errors import AppError
from niaga.kit.timeutil import MONTHS_ID, local_now, tz
from niaga.marketing import content, content_media, rfm
from niaga.publishing import broadcast, media, service
from niaga.publishing.models import PLATFORMS, ContentItem
from niaga.web.core import FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render

router = APIRouter()
DAY_NAMES = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")


def _day(raw: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else fallback
    except ValueError:
        return fallback


def _media_url(business_id: int, item: ContentItem) -> str | None:
    first = next((m for m in item.media or [] if isinstance(m, dict) and m.get("token")), None)
    if first is None:
        return None
    return "/" + media.public_url(business_id, first).split("/", 3)[3]


def _choices(db: Any, business_id: int) -> dict[str, Any]:
    import sqlalchemy as sa

    products = db.scalars(
        sa.select(Product)
        .where(Product.business_id == business_id, Product.is_active.is_(True))
        .order_by(Product.name)
        .limit(300)
    ).all()
    return {
        "kinds": [(k, v["label"]) for k, v in content.KINDS.items()],
        "segments": [(s, rfm.label_of(s)) for s in rfm.SEGMENT_ORDER],
        "occasions": [(k, v["label"]) for k, v in content.OCCASIONS.items()],
        "products": [(p.sku, f"{p.name} ({p.sku})") for p in products],
        "platforms": [(p, service.PLATFORM_LABELS[p]) for p in PLATFORMS],
    }


@router.get("/app/konten", response_class=HTMLResponse)
def content_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    business = ctx.business
    today = local_now(business.timezone).date()
    view = "month" if request.query_params.get("view") == "month" else "week"
    anchor = _day(request.query_params.get("date"), today)
    if view == "week":
        days = service.week_days(business, anchor)
        prev_d, next_d = days[0] - timedelta(days=7), days[0] + timedelta(days=7)
        label = f"{days[0].day} {MONTHS_ID[days[0].month - 1]} – {days[-1].day} {MONTHS_ID[days[-1].month - 1]} {days[-1].year}"
    else:
        days = service.month_days(anchor.year, anchor.month)
        first = anchor.replace(day=1)
        prev_d = (first - timedelta(days=1)).replace(day=1)
        next_d = (first + timedelta(days=32)).replace(day=1)
        label = f"{MONTHS_ID[anchor.month - 1]} {anchor.year}"
    items = service.list_items(db, business=business, start=days[0], end=days[-1] + timedelta(days=1))
    zone = tz(business.timezone)
    by_day: dict[date, list[dict[str, Any]]] = {d: [] for d in days}
    unscheduled: list[dict[str, Any]] = []
    for it in items:
        row = {
            "id": it.id,
            "title": it.title,
            "status": it.status,
            "status_label": service.STATUS_LABELS[it.status],
            "time": it.scheduled_at.astimezone(zone).strftime("%H:%M") if it.scheduled_at else "",
            "targets": [service.PLATFORM_LABELS[t] for t in it.targets or []],
            "thumb": _media_url(business.id, it),
        }
        if it.scheduled_at is None:
            unscheduled.append(row)
        else:
            d = it.scheduled_at.astimezone(zone).date()
            if d in by_day:
                by_day[d].append(row)
    waiting = [
        {
            "id": it.id,
            "title": it.title,
            "caption": service.full_caption(it),
            "when": service.item_out(db, it, business)["scheduled_local"],
            "targets": ", ".join(service.PLATFORM_LABELS[t] for t in it.targets or []),
            "thumb": _media_url(business.id, it),
        }
        for it in service.list_items(
            db,
            business=business,
            start=today - timedelta(days=60),
            end=today + timedelta(days=400),
            status="awaiting_approval",
        )
    ]
    return render(
        ctx,
        request,
        "content/index.html",
        active="content",
        title="Konten",
        view=view,
        days=days,
        day_names=DAY_NAMES,
        by_day=by_day,
        unscheduled=unscheduled,
        today=today,
        anchor=anchor,
        label=label,
        prev_d=prev_d,
        next_d=next_d,
        waiting=waiting,
        can_approve=ctx.can("admin"),
        usage=content.usage_summary(db, business=business),
        recent=[
            content.generation_out(g, cached=False)
            for g in content.list_generations(db, business_id=business.id, limit=5)
        ],
        reasons=service.REJECT_REASONS,
        **_choices(db, business.id),
    )


@router.post("/app/konten/buat", response_class=HTMLResponse)
def create_from_studio(request: Request, db: WebDb, form_data: FormDep) -> Response:
    """Generate a caption (grounded in the catalogue), optionally a poster, into a draft on the calendar."""
    ctx = post_ctx(request, db, form_data)
    business = ctx.business
    g = form_data.get
    try:
        out = content.do_generate(
            db,
            business=business,
            kind=g("kind") or "ig_caption",
            segment=g("segment") or None,
            product_sku=g("product") or None,
            occasion=g("occasion") or None,
            instruction=(g("instruction") or "")[:500],
            regenerate=bool(g("regenerate")),
        )
        targets = [t for t in (form_data.getlist("targets") if hasattr(form_data, "getlist") else []) if t]
        item_media = []
        if g("poster") and g("product"):
            poster, _ = content_media.poster_for_product(
                db,
                business=business,
                sku=g("product"),
                fmt=g("format") or "feed",
                promo=(g("promo") or "")[:300],
                allow_without_photo=True,
            )
            item_media.append(media.store(business.id, poster.jpeg(), "image/jpeg"))
        item = service.do_create(
            db,
            business=business,
            caption=out["text"],
            hashtags=out["hashtags"],
            targets=targets or ["facebook"],
            media=item_media,
            scheduled_at=g("scheduled_at") or None,
            segment=out["segment"],
            product_sku=out["product"],
            occasion=out["occasion"],
        )
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
        return redirect("/app/konten", request)
    flash(request, "Draf konten dibuat" + (" (dari cache)." if out["cached"] else "."))
    return redirect(f"/app/konten/{item.id}", request)


@router.get("/app/konten/{item_id}", response_class=HTMLResponse)
def item_page(item_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    business = ctx.business
    item = service.get_item(db, business_id=business.id, item_id=item_id)
    out = service.item_out(db, item, business)
    when = (
        item.scheduled_at.astimezone(tz(business.timezone)).strftime("%Y-%m-%dT%H:%M")
        if item.scheduled_at
        else ""
    )
    return render(
        ctx,
        request,
        "content/item.html",
        active="content",
        title=item.title or f"Konten #{item.id}",
        item=out,
        thumb=_media_url(business.id, item),
        media_kind=(item.media or [{}])[0].get("kind") if item.media else None,
        when=when,
        can_approve=ctx.can("admin"),
        reasons=service.REJECT_REASONS,
        labels=service.PLATFORM_LABELS,
        editable=item.status in service.EDITABLE,
        limits=service.CAPTION_LIMITS,
        platforms=[(p, service.PLATFORM_LABELS[p]) for p in PLATFORMS],
    )


def _item_action(request: Request, db: Any, form_data: Any, item_id: int, fn: Any, ok: str) -> Response:
    ctx = post_ctx(request, db, form_data)
    item = service.get_item(db, business_id=ctx.business_id, item_id=item_id)  # another business's: 404
    try:
        fn(ctx, item)
        flash(request, ok)
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
    return redirect(request.headers.get("x-back") or f"/app/konten/{item_id}", request)


@router.post("/app/konten/{item_id}/ubah", response_class=HTMLResponse)
def edit_item(item_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    def fn(ctx: Any, item: ContentItem) -> None:
        tags = [t for t in (form_data.get("hashtags") or "").replace(",", " ").split() if t]
        targets = form_data.getlist("targets") if hasattr(form_data, "getlist") else []
        service.do_update(
            db,
            business=ctx.business,
            item=item,
            caption=form_data.get("caption") or "",
            hashtags=tags,
            targets=targets,
            scheduled_at=form_data.get("scheduled_at") or None,
        )

    return _item_action(request, db, form_data, item_id, fn, "Konten disimpan.")


@router.post("/app/konten/{item_id}/ajukan", response_class=HTMLResponse)
def submit_item(item_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    return _item_action(
        request,
        db,
        form_data,
        item_id,
        lambda ctx, item: service.do_submit(db, business=ctx.business, item=item),
        "Konten diajukan untuk disetujui.",
    )


@router.post("/app/konten/{item_id}/keputusan", response_class=HTMLResponse)
def decide_item(item_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    def fn(ctx: Any, item: ContentItem) -> None:
        service.check_dashboard_approver(ctx.role)
        code = form_data.get("reason_code") or ""
        reason = (form_data.get("reason") or "").strip() or service.REJECT_REASONS.get(code)
        service.do_decide(
            db,
            business=ctx.business,
            item=item,
            decision=form_data.get("decision") or "",
            reason=reason,
            actor=f"user:{ctx.user.id}",
        )

    ctx_back = request.query_params.get("back")
    resp = _item_action(request, db, form_data, item_id, fn, "Keputusan disimpan.")
    if ctx_back == "list":
        return redirect("/app/konten", request)
    return resp


@router.post("/app/konten/{item_id}/hapus", response_class=HTMLResponse)
def delete_item(item_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data)
    item = service.get_item(db, business_id=ctx.business_id, item_id=item_id)  # another business's: 404
    try:
        service.do_delete(db, item=item)
        flash(request, "Konten dihapus.")
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
        return redirect(f"/app/konten/{item_id}", request)
    return redirect("/app/konten", request)


# --- broadcasts ----------------------------------------------------------------------------------


@router.get("/app/konten-broadcast", response_class=HTMLResponse)
def broadcasts_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "staff")
    rows = [
        broadcast.broadcast_out(db, b) for b in broadcast.list_broadcasts(db, business_id=ctx.business_id)
    ]
    return render(
        ctx,
        request,
        "content/broadcasts.html",
        active="content",
        title="Broadcast WhatsApp",
        rows=rows,
        preview=None,
        form={},
        segments=[(s, rfm.label_of(s)) for s in rfm.SEGMENT_ORDER],
        can_send=ctx.can("admin"),
    )


@router.post("/app/konten-broadcast", response_class=HTMLResponse)
def broadcast_action(request: Request, db: WebDb, form_data: FormDep) -> Response:
    """`action=preview` shows who would receive it; `action=send` (admin) creates and starts it."""
    ctx = post_ctx(request, db, form_data)
    g = form_data.get
    audience = {"segment": g("segment") or None, "tag": g("tag") or None, "city": g("city") or None}
    consent = bool(g("consent"))
    text = g("text") or ""
    preview = None
    try:
        if g("action") == "send":
            ctx.require("admin")
            b = broadcast.do_create(
                db, business=ctx.business, text=text, audience=audience, name=g("name") or "",
                consent_confirmed=consent, user_id=ctx.user.id,
            )  # fmt: skip
            out = broadcast.do_start(db, business=ctx.business, broadcast=b)
            flash(request, f"Broadcast dimulai ke {out['recipients']} pelanggan, dikirim bertahap.")
            return redirect("/app/konten-broadcast", request)
        preview = broadcast.preview(
            db, business=ctx.business, audience=audience, text=text, consent_confirmed=consent
        )
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
    rows = [
        broadcast.broadcast_out(db, b) for b in broadcast.list_broadcasts(db, business_id=ctx.business_id)
    ]
    return render(
        ctx,
        request,
        "content/broadcasts.html",
        active="content",
        title="Broadcast WhatsApp",
        rows=rows,
        preview=preview,
        form={**audience, "text": text, "consent": consent, "name": g("name") or ""},
        segments=[(s, rfm.label_of(s)) for s in rfm.SEGMENT_ORDER],
        can_send=ctx.can("admin"),
    )


@router.post("/app/konten-broadcast/{broadcast_id}/{action}", response_class=HTMLResponse)
def broadcast_control(
    broadcast_id: int, action: str, request: Request, db: WebDb, form_data: FormDep
) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    b = broadcast.get(db, business_id=ctx.business_id, broadcast_id=broadcast_id)  # another business's: 404
    try:
        if action == "jeda":
            broadcast.do_pause(db, broadcast=b)
        elif action == "lanjut":
            broadcast.do_resume(db, business=ctx.business, broadcast=b)
        elif action == "batal":
            broadcast.do_cancel(db, broadcast=b)
        flash(request, "Broadcast diperbarui.")
    except AppError as exc:
        db.rollback()
        flash(request, exc.message, "error")
    return redirect("/app/konten-broadcast", request)
