from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from niaga.db.session import SessionDep
from niaga.jobs import service
from niaga.jobs.models import DeadLetter
from niaga.kit.envelope import Page, ok, page_params
from niaga.tenancy.auth import AdminDep

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


def _out(dl: DeadLetter) -> dict:
    return {
        "id": dl.id,
        "job_id": dl.job_id,
        "name": dl.name,
        "args": dl.args,
        "error": dl.error,
        "error_class": dl.error_class,
        "permanent": dl.permanent,
        "attempts": dl.attempts,
        "status": dl.status,
        "created_at": dl.created_at.isoformat(),
        "resolved_at": dl.resolved_at.isoformat() if dl.resolved_at else None,
    }


@router.get("/failed")
def list_failed(
    principal: AdminDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    status: str | None = Query("dead", pattern="^(dead|replayed|discarded)$"),
) -> dict:
    rows, total = service.list_dead_letters(
        db, business_id=principal.business_id, status=status, offset=page.offset, limit=page.limit
    )
    return ok([_out(r) for r in rows], page.meta(total))


@router.get("/failed/{dead_letter_id}")
def get_failed(dead_letter_id: int, principal: AdminDep, db: SessionDep) -> dict:
    return ok(
        _out(service.get_dead_letter(db, business_id=principal.business_id, dead_letter_id=dead_letter_id))
    )


@router.post("/failed/{dead_letter_id}/replay")
def replay(dead_letter_id: int, principal: AdminDep, db: SessionDep) -> dict:
    dl = service.get_dead_letter(db, business_id=principal.business_id, dead_letter_id=dead_letter_id)
    job = service.do_replay(db, dl, user_id=principal.user_id)
    return ok({"dead_letter": _out(dl), "job_id": job.id, "status": job.status})


@router.post("/failed/{dead_letter_id}/discard")
def discard(dead_letter_id: int, principal: AdminDep, db: SessionDep) -> dict:
    dl = service.get_dead_letter(db, business_id=principal.business_id, dead_letter_id=dead_letter_id)
    return ok(_out(service.do_discard(db, dl, user_id=principal.user_id)))
