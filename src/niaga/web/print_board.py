"""Antrean cetak: the print shop's queue board (operator role and up), live over SSE; a job's page with its
files, findings, quote, payment, timeline and actions; staff upload at the counter; the signed links to a
processed PDF; and the customer's upload page `/u/<token>` (no login: the signed token is the key)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from niaga.customers.service import display_names
from niaga.db.engine import new_session
from niaga.kit.errors import AppError, NotFound
from niaga.kit.timeutil import utcnow
from niaga.messaging import events
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Conversation
from niaga.orders.models import Order
from niaga.printshop import jobs, jobs_actions, jobs_links, jobs_notify
from niaga.printshop.jobs_models import PrintJob
from niaga.tenancy.models import Business
from niaga.web.core import (
    Ctx,
    FormDep,
    LoginRequired,
    WebDb,
    flash,
    form_str,
    has_module,
    load_ctx,
    post_ctx,
    redirect,
    render,
)
from niaga.web.i18n import EN, print_state_label, t, tf

router = APIRouter()

# Columns of the board: (key, states); the title is `print.col.<key>` in i18n. Finished jobs show for a
# day, then leave the board.
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("masuk", ("received", "processing", "failed")),
    ("pelanggan", ("needs_customer", "quoted", "awaiting_payment")),
    ("antre", ("paid", "queued")),
    ("cetak", ("printing",)),
    ("siap", ("ready",)),
    ("selesai", ("picked_up", "shipped", "completed")),
)
PER_COLUMN = 60
MAX_UPLOAD_FILES = 20
ALLOWED_SUFFIXES = {
    ".pdf",
    ".docx",
    ".doc",
    ".odt",
    ".rtf",
    ".jpg",
    ".jpeg",
    ".png",
    ".heic",
    ".webp",
    ".zip",
}

# Actions a board button may ask for: name -> the job states in which it is offered.
ACTIONS: dict[str, tuple[str, ...]] = {
    "send_quote": ("needs_customer",),
    "reprocess": ("needs_customer", "failed", "quoted"),
    "accept_counter": ("quoted",),
    "cash": ("awaiting_payment",),
    "print": ("queued",),
    "ready": ("queued", "printing"),
    "picked_up": ("ready",),
    "cancel": ("received", "processing", "needs_customer", "quoted", "awaiting_payment", "failed"),
    "upload_link": tuple(jobs.TRANSITIONS),
}


def action_labels(lang: str) -> dict[str, str]:
    return {a: t(f"print.action.{a}", lang) for a in ACTIONS}


def error_text(exc: AppError, lang: str) -> str:
    """A domain error for staff: the domain's own (Indonesian) message, or its English by error code."""
    if lang == "en" and f"print.err.{exc.code}" in EN:
        return EN[f"print.err.{exc.code}"]
    return exc.message


def _require_print(ctx: Ctx) -> None:
    if not has_module(ctx.business, "print"):
        raise StarletteHTTPException(404)


def _actor(ctx: Ctx) -> jobs.Actor:
    return jobs.Actor("user", ctx.user.id)


def _sort_key(job: PrintJob) -> tuple[int, Any]:
    return (0 if job.express else 1, job.created_at)


def board_data(db: Any, business: Business, lang: str = "id") -> dict[str, Any]:
    """Jobs per column (express first, then oldest), with counts; bounded per column so the board stays
    fast with thousands of jobs."""
    since = utcnow() - timedelta(hours=24)
    counts = dict(
        db.execute(
            sa.select(PrintJob.status, sa.func.count())
            .where(PrintJob.business_id == business.id, PrintJob.status.not_in(("completed", "cancelled")))
            .group_by(PrintJob.status)
        ).all()
    )
    columns = []
    all_jobs: list[PrintJob] = []
    for key, states in COLUMNS:
        q = sa.select(PrintJob).where(PrintJob.business_id == business.id, PrintJob.status.in_(states))
        if key == "selesai":
            q = q.where(PrintJob.updated_at >= since)
            q = q.order_by(PrintJob.updated_at.desc())
        else:
            q = q.order_by(PrintJob.express.desc(), PrintJob.created_at, PrintJob.id)
        rows = list(db.scalars(q.limit(PER_COLUMN)))
        total = sum(int(counts.get(s, 0)) for s in states) if key != "selesai" else len(rows)
        columns.append(
            {
                "key": key,
                "title": t(f"print.col.{key}", lang),
                "jobs": rows,
                "total": total,
                "more": max(total - len(rows), 0),
            }
        )
        all_jobs += rows
    names = display_names(
        db, business_id=business.id, ids=list({j.customer_id for j in all_jobs if j.customer_id}), lang=lang
    )
    order_ids = [j.order_id for j in all_jobs if j.order_id]
    orders = (
        {
            o.id: o
            for o in db.scalars(
                sa.select(Order).where(Order.business_id == business.id, Order.id.in_(order_ids))
            )
        }
        if order_ids
        else {}
    )
    return {"columns": columns, "names": names, "orders": orders}


def _links(job: PrintJob) -> dict[str, Any]:
    pdf = (
        f"/cetak/berkas/{jobs_links.file_token(business_id=job.business_id, job_id=job.id, what='pdf')}"
        if job.output_path
        else None
    )
    previews = [
        f"/cetak/berkas/{jobs_links.file_token(business_id=job.business_id, job_id=job.id, what=f'preview:{n}')}"
        for n in range(len(job.previews or []))
    ]
    return {"pdf": pdf, "previews": previews}


def payment_label(job: PrintJob, order: Order | None, lang: str = "id") -> tuple[str, str]:
    if order is not None and order.status in (
        "paid",
        "processing",
        "ready",
        "picked_up",
        "completed",
        "shipped",
    ):
        return t("print.pay.paid", lang), "ok"
    if job.status == "awaiting_payment":
        return (
            (t("print.pay.counter", lang), "warn")
            if job.payment_method == "counter"
            else (t("print.pay.online", lang), "warn")
        )
    if job.status in ("cancelled",):
        return t("print.pay.cancelled", lang), "muted"
    return t("print.pay.unpaid", lang), "muted"


def timeline_label(event: str, lang: str = "id") -> str:
    """`print_job.<state>` events read as a status change; the others by name."""
    name = event.removeprefix("print_job.")
    if f"print.state.{name}" in EN and name != "received":
        return t("print.event.status", lang)
    key = f"print.event.{name}"
    return t(key, lang) if key in EN else name.replace("_", " ")


def source_label(source: str, lang: str = "id") -> str:
    key = f"print.source.{source}"
    return t(key, lang) if key in EN else source


def _template_helpers(lang: str) -> dict[str, Any]:
    return {
        "state_label": lambda status: print_state_label(status, lang),
        "actions_for": lambda job: [
            a for a, states in ACTIONS.items() if job.status in states and a != "upload_link"
        ],
        "action_labels": action_labels(lang),
        "payment_label": lambda job, order: payment_label(job, order, lang),
        "timeline_label": lambda event: timeline_label(event, lang),
        "source_label": lambda source: source_label(source, lang),
        "links": _links,
    }


@router.get("/app/cetak", response_class=HTMLResponse)
def print_queue(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "operator")
    _require_print(ctx)
    return render(
        ctx,
        request,
        "print_queue.html",
        active="print",
        title=ctx.t("print.title"),
        board=board_data(db, ctx.business, ctx.lang),
        **_template_helpers(ctx.lang),
    )


@router.get("/app/cetak/papan", response_class=HTMLResponse)
def print_board_fragment(request: Request, db: WebDb) -> Response:
    """The board alone (the live refresh swaps it in)."""
    ctx = load_ctx(request, db, "operator")
    _require_print(ctx)
    return render(
        ctx,
        request,
        "_print_board.html",
        board=board_data(db, ctx.business, ctx.lang),
        **_template_helpers(ctx.lang),
    )


def _sse_business(request: Request) -> int:
    db = new_session(readonly=True)
    try:
        ctx = load_ctx(request, db, "operator")
        _require_print(ctx)
        return ctx.business_id
    finally:
        db.close()


@router.get("/app/cetak/events")
async def print_events(request: Request) -> Response:
    """Server-sent events for the board: every print-job change of the business as `event: print`;
    a keep-alive comment every 15 s."""
    try:
        business_id = await asyncio.to_thread(_sse_business, request)
    except LoginRequired:
        return Response(status_code=401)

    async def stream() -> AsyncIterator[bytes]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=500)

        async def pump() -> None:
            async for event in events.subscribe(business_id):
                if str(event.get("type", "")).startswith(("print_job.", "order.")):
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.put_nowait(event)

        task = asyncio.create_task(pump())
        try:
            yield b"retry: 2000\n: connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    if await request.is_disconnected():
                        break
                    yield b": keep-alive\n\n"
                    continue
                data = {k: v for k, v in event.items() if k in ("type", "job_id", "status", "order_id")}
                yield f"event: print\ndata: {json.dumps(data, default=str)}\n\n".encode()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/app/cetak/{job_id:int}", response_class=HTMLResponse)
def print_job_page(job_id: int, request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "operator")
    _require_print(ctx)
    job = jobs.get(db, business_id=ctx.business_id, job_id=job_id)
    order = db.get(Order, job.order_id) if job.order_id else None
    names = display_names(
        db, business_id=ctx.business_id, ids=[job.customer_id] if job.customer_id else [], lang=ctx.lang
    )
    walk_in = ctx.t("print.walk_in")
    return render(
        ctx,
        request,
        "print_job.html",
        active="print",
        title=job.number,
        job=job,
        order=order,
        customer_name=names.get(job.customer_id, walk_in) if job.customer_id else walk_in,
        timeline=jobs.events_of(db, job),
        spec=jobs.effective_spec(job),
        **_template_helpers(ctx.lang),
    )


@router.post("/app/cetak/{job_id:int}/aksi")
def print_job_action(job_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form, role="operator")
    _require_print(ctx)
    job = jobs.get(db, business_id=ctx.business_id, job_id=job_id)
    action = form_str(form, "do")
    back = f"/app/cetak/{job.id}" if form_str(form, "back") == "job" else "/app/cetak"
    if action not in ACTIONS or job.status not in ACTIONS[action]:
        flash(request, ctx.t("print.flash.unavailable"), "error")
        return redirect(back, request)
    actor = _actor(ctx)
    try:
        if action == "send_quote":
            jobs_actions.do_send_quote(db, business=ctx.business, job=job, actor=actor)
        elif action == "reprocess":
            jobs_actions.do_reprocess(db, job=job, actor=actor)
        elif action == "accept_counter":
            jobs_actions.do_accept_at_counter(db, business=ctx.business, job=job, actor=actor)
        elif action == "cash":
            jobs_actions.do_record_cash(db, job=job, actor=actor)
        elif action == "print":
            printer = form_str(form, "printer_id")
            jobs_actions.do_print(
                db, job=job, actor=actor, printer_id=int(printer) if printer.isdigit() else None
            )
        elif action == "ready":
            jobs_actions.do_mark_ready(db, business=ctx.business, job=job, actor=actor)
        elif action == "picked_up":
            jobs_actions.do_picked_up(db, job=job, actor=actor)
        elif action == "cancel":
            jobs_actions.do_cancel(db, job=job, actor=actor)
        elif action == "upload_link":
            _send_upload_link(db, ctx, job)
    except ImportError:
        db.rollback()
        flash(request, ctx.t("print.flash.no_printer_module"), "error")
        return redirect(back, request)
    except AppError as exc:
        db.rollback()
        flash(request, error_text(exc, ctx.lang), "error")
        return redirect(back, request)
    flash(
        request,
        tf(
            "print.flash.done",
            ctx.lang,
            number=job.number,
            action=ctx.t(f"print.action.{action}"),
            state=print_state_label(job.status, ctx.lang),
        ),
    )
    return redirect(back, request)


@router.post("/app/cetak/{job_id:int}/tanya")
def print_job_ask(job_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form, role="operator")
    _require_print(ctx)
    job = jobs.get(db, business_id=ctx.business_id, job_id=job_id)
    try:
        jobs_actions.do_ask_customer(db, job=job, actor=_actor(ctx), text=form_str(form, "text")[:1000])
        flash(request, ctx.t("print.flash.asked"))
    except AppError as exc:
        db.rollback()
        flash(request, error_text(exc, ctx.lang), "error")
    return redirect(f"/app/cetak/{job.id}", request)


@router.post("/app/cetak/{job_id:int}/spesifikasi")
def print_job_spec(job_id: int, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form, role="operator")
    _require_print(ctx)
    job = jobs.get(db, business_id=ctx.business_id, job_id=job_id)
    copies = form_str(form, "copies")
    changes: dict[str, Any] = {
        "copies": int(copies) if copies.isdigit() and 1 <= int(copies) <= 1000 else None,
        "binding": form_str(form, "binding") or None,
        "colour_mode": form_str(form, "colour_mode")
        if form_str(form, "colour_mode") in ("bw", "colour", "mixed")
        else None,
        "duplex": form_str(form, "duplex") == "1",
        "express": form_str(form, "express") == "1",
        "pickup_text": form_str(form, "pickup_text")[:100] or None,
    }
    if copies and changes["copies"] is None:
        flash(request, ctx.t("print.flash.copies"), "error")
        return redirect(f"/app/cetak/{job.id}", request)
    try:
        jobs.do_update_spec(db, job=job, actor=_actor(ctx), **changes)
        flash(request, ctx.t("print.flash.spec_saved"))
    except AppError as exc:
        db.rollback()
        flash(request, error_text(exc, ctx.lang), "error")
    return redirect(f"/app/cetak/{job.id}", request)


def _send_upload_link(db: Any, ctx: Ctx, job: PrintJob) -> None:
    conv = jobs_notify.conversation_of(db, job)
    if conv is None:
        raise AppError("Pelanggan ini tidak punya percakapan chat.", code="no_chat")
    token = jobs_links.upload_token(
        business_id=ctx.business_id, customer_id=job.customer_id, conversation_id=conv.id
    )
    do_send(
        db,
        conversation=conv,
        text=tf(
            "print.up.link_msg",
            customer_lang(db, ctx.business, conv.id, job.customer_id),
            hours=jobs.print_settings(ctx.business)["upload_link_hours"],
            url=jobs_links.upload_url(token),
        ),
        sender_type="staff",
        sender_user_id=ctx.user.id,
    )


# --- staff upload at the counter --------------------------------------------------------------------------


def _save_uploads(
    uploads: list[Any], work: Path, lang: str = "id"
) -> tuple[list[tuple[Path, str]], list[str]]:
    files: list[tuple[Path, str]] = []
    refused: list[str] = []
    for up in uploads:
        if not isinstance(up, UploadFile) or not up.filename:
            continue
        name = Path(up.filename).name
        if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
            refused.append(f"{name} ({t('print.refused.type', lang)})")
            continue
        dest = work / f"{len(files)}-{jobs._safe_name(name)}"
        with dest.open("wb") as fh:
            shutil.copyfileobj(up.file, fh, 1024 * 1024)
        if dest.stat().st_size == 0:
            refused.append(f"{name} ({t('print.refused.empty', lang)})")
            continue
        files.append((dest, name))
    return files, refused


@router.get("/app/cetak/baru", response_class=HTMLResponse)
def counter_form(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "operator")
    _require_print(ctx)
    return render(ctx, request, "print_counter.html", active="print", title=ctx.t("print.counter"))


@router.post("/app/cetak/baru")
async def counter_upload(request: Request) -> Response:
    form = await request.form(max_files=MAX_UPLOAD_FILES, max_part_size=50 * 1024 * 1024)
    work = Path(tempfile.mkdtemp(prefix="niaga-counter-"))
    try:
        return await asyncio.to_thread(_counter_upload, request, form, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _counter_upload(request: Request, form: Any, work: Path) -> Response:
    from niaga.db.engine import session_scope

    with session_scope() as db:
        ctx = post_ctx(request, db, form, role="operator")
        _require_print(ctx)
        files, refused = _save_uploads(form.getlist("files"), work, ctx.lang)
        refused_text = tf("print.flash.refused", ctx.lang, names=", ".join(refused)) if refused else ""
        if not files:
            flash(
                request,
                ctx.t("print.flash.pick_files") + (f" {refused_text}" if refused else ""),
                "error",
            )
            return redirect("/app/cetak/baru", request)
        job = jobs_actions.create_at_counter(
            db,
            business=ctx.business,
            files=files,
            actor=_actor(ctx),
            note=form_str(form, "note")[:2000],
            name=form_str(form, "name")[:100],
            phone=form_str(form, "phone")[:20],
        )
        msg = tf("print.flash.created", ctx.lang, number=job.number)
        if refused:
            msg += f" {refused_text}."
        flash(request, msg)
        response = redirect(f"/app/cetak/{job.id}", request)
    return response


# --- signed file links ------------------------------------------------------------------------------------


@router.get("/cetak/berkas/{token}")
def signed_file(token: str, db: WebDb) -> Response:
    data = jobs_links.read_file_token(token, max_age_minutes=float(jobs.PRINT_DEFAULTS["file_link_minutes"]))
    job = db.get(PrintJob, int(data.get("j") or 0))
    if job is None or job.business_id != data.get("b"):
        raise NotFound("Berkas tidak ditemukan.")
    what = str(data.get("w") or "")
    if what == "pdf" and job.output_path:
        path, media = jobs.absolute(job.output_path), "application/pdf"
    elif what.startswith("preview:") and what[8:].isdigit() and int(what[8:]) < len(job.previews or []):
        path, media = jobs.absolute(job.previews[int(what[8:])]), "image/jpeg"
    else:
        raise NotFound("Berkas sudah dihapus sesuai kebijakan penyimpanan.")
    if not path.is_file():
        raise NotFound("Berkas sudah dihapus sesuai kebijakan penyimpanan.")
    return FileResponse(
        path,
        media_type=media,
        headers={
            "Content-Disposition": f'inline; filename="{job.number}{path.suffix}"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )


# --- the customer's upload page -------------------------------------------------------------------------


def _upload_target(db: Any, token: str) -> tuple[Business, dict[str, Any]]:
    data = jobs_links.read_upload_token(token, max_age_hours=24 * 365)
    business = db.get(Business, int(data.get("b") or 0))
    if business is None or not business.is_active or not has_module(business, "print"):
        raise jobs_links.LinkInvalid()
    hours = float(jobs.print_settings(business)["upload_link_hours"])
    jobs_links.read_upload_token(token, max_age_hours=hours)  # the business's own lifetime
    return business, data


def customer_lang(db: Any, business: Business | None, conversation_id: Any, customer_id: Any) -> str:
    """The language for a customer-facing print page or message: the language the agent detected in the
    customer's chat (conversation memory `lang`), else the customer's own `language` when it is English,
    else the business's language setting, else Indonesian."""
    if conversation_id:
        conv = db.get(Conversation, int(conversation_id))
        if conv is not None and (business is None or conv.business_id == business.id):
            lang = (conv.memory or {}).get("lang")
            if lang in ("id", "en"):
                return str(lang)
    if customer_id:
        from niaga.customers.models import Customer

        customer = db.get(Customer, int(customer_id))
        if (
            customer is not None
            and (business is None or customer.business_id == business.id)
            and customer.language == "en"
        ):
            return "en"
    if business is not None and (business.settings or {}).get("language") in ("id", "en"):
        return str(business.settings["language"])
    return "id"


def _asked_lang(value: str | None) -> str | None:
    """The customer's own choice on the page (`?lang=en` / `?lang=id`), which wins."""
    return value if value in ("id", "en") else None


def _public_page(
    request: Request, template: str, lang: str, status_code: int = 200, **data: Any
) -> HTMLResponse:
    from niaga.web.core import templates

    response = templates.TemplateResponse(
        request,
        template,
        {
            "request": request,
            "lang": lang,
            "t": lambda key: t(key, lang),
            "tf": lambda key, **fields: tf(key, lang, **fields),
            **data,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/u/{token}", response_class=HTMLResponse)
def upload_page(token: str, request: Request, db: WebDb) -> Response:
    asked = _asked_lang(request.query_params.get("lang"))
    try:
        business, data = _upload_target(db, token)
    except jobs_links.LinkInvalid:
        lang = asked or "id"
        return _public_page(
            request,
            "print_upload.html",
            lang,
            status_code=404,
            error=t("print.up.link_invalid", lang),
            business=None,
        )
    lang = asked or customer_lang(db, business, data.get("cv"), data.get("cu"))
    return _public_page(
        request,
        "print_upload.html",
        lang,
        business=business,
        error=None,
        token=token,
        max_files=MAX_UPLOAD_FILES,
        accept=",".join(sorted(ALLOWED_SUFFIXES)),
    )


@router.post("/u/{token}")
async def upload_submit(token: str, request: Request) -> Response:
    asked = _asked_lang(request.query_params.get("lang"))
    try:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_part_size=50 * 1024 * 1024)
    except Exception:
        return JSONResponse(
            {"ok": False, "message": tf("print.up.too_big", asked or "id", max=MAX_UPLOAD_FILES)},
            status_code=413,
        )
    work = Path(tempfile.mkdtemp(prefix="niaga-upload-"))
    try:
        return await asyncio.to_thread(_upload_submit, token, form, work, asked)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _upload_submit(token: str, form: Any, work: Path, asked: str | None = None) -> Response:
    from niaga.db.engine import session_scope

    with session_scope() as db:
        try:
            business, data = _upload_target(db, token)
        except jobs_links.LinkInvalid:
            return JSONResponse(
                {"ok": False, "message": t("print.up.link_invalid", asked or "id")}, status_code=404
            )
        lang = asked or customer_lang(db, business, data.get("cv"), data.get("cu"))
        files, refused = _save_uploads(form.getlist("files"), work, lang)
        if not files:
            return JSONResponse(
                {
                    "ok": False,
                    "message": t("print.up.nothing", lang),
                    "refused": refused,
                },
                status_code=422,
            )
        note = form_str(form, "note")[:2000]
        conv = db.get(Conversation, int(data.get("cv") or 0)) if data.get("cv") else None
        if conv is not None and conv.business_id != business.id:
            conv = None
        customer = jobs.Actor("customer", data.get("cu"))
        open_job = (
            jobs.open_job_for(db, business_id=business.id, conversation_id=conv.id, states=jobs.OPEN_STATES)
            if conv is not None
            else None
        )
        if open_job is not None:
            jobs.do_add_files(db, business=business, job=open_job, files=files, actor=customer, note=note)
            job = open_job
        else:
            job = jobs.create(
                db,
                business=business,
                source="upload",
                files=files,
                actor=customer,
                note=note,
                customer_id=data.get("cu"),
                conversation_id=conv.id if conv is not None else None,
            )
        if conv is not None:
            jobs_notify.send(db, job, jobs_notify.received_text(job, added=open_job is not None))
        return JSONResponse(
            {
                "ok": True,
                "number": job.number,
                "files": [n for _p, n in files],
                "refused": refused,
                "message": tf("print.up.thanks", lang, n=len(files), number=job.number),
            }
        )
