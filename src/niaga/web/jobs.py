"""Jobs: dead letters of this business with error, attempts, replay and discard (niaga.jobs.service)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.jobs import service as jobs
from niaga.kit.errors import AppError
from niaga.tenancy.service import audit
from niaga.web.core import FormDep, WebDb, flash, load_ctx, post_ctx, redirect, render

router = APIRouter()
PAGE_SIZE = 25
STATUSES = ("dead", "replayed", "discarded")


@router.get("/app/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    status = request.query_params.get("status") or "dead"
    status = status if status in STATUSES else "dead"
    raw_page = request.query_params.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isdigit() else 1
    rows, total = jobs.list_dead_letters(
        db, business_id=ctx.business_id, status=status, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render(
        ctx,
        request,
        "jobs.html",
        active="jobs",
        title=ctx.t("jobs.title"),
        rows=rows,
        total=total,
        status=status,
        statuses=STATUSES,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


@router.post("/app/jobs/{dead_letter_id:int}/{action}")
def job_action(dead_letter_id: int, action: str, request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = post_ctx(request, db, form, "admin")
    dl = jobs.get_dead_letter(db, business_id=ctx.business_id, dead_letter_id=dead_letter_id)
    try:
        if action == "ulang":
            jobs.do_replay(db, dl, user_id=ctx.user.id)
            flash(request, f"Job {dl.name} dijalankan ulang.")
        elif action == "buang":
            jobs.do_discard(db, dl, user_id=ctx.user.id)
            flash(request, f"Job {dl.name} dibuang.")
        else:
            from niaga.kit.errors import NotFound

            raise NotFound()
        audit(
            db,
            business_id=ctx.business_id,
            actor_type="user",
            actor_id=ctx.user.id,
            action=f"job.{'replay' if action == 'ulang' else 'discard'}",
            entity_type="dead_letter",
            entity_id=dl.id,
            data={"job": dl.name},
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(request, exc.message, "error")
    return redirect("/app/jobs", request)
