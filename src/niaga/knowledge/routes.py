"""REST API v1: knowledge documents (store policies/FAQ the agent quotes) and their import.

Roles: reading, creating and editing is staff and above; deleting and bulk import are admin and above.
Every query is scoped to `principal.business_id`; another business's id answers 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from niaga.db.session import SessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.knowledge import service
from niaga.knowledge.schemas import KnowledgeIn, KnowledgeOut, KnowledgeUpdate
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.service import record

router = APIRouter(prefix="/api/v1/knowledge", tags=["knowledge"])


def _doc(d: Any) -> dict:
    return KnowledgeOut.model_validate(d).model_dump(mode="json")


@router.get("")
def list_documents(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    search: str | None = Query(None, max_length=200),
    category: str | None = None,
    tag: str | None = None,
    is_active: bool | None = None,
) -> dict:
    rows, total = service.list_documents(
        db,
        business_id=principal.business_id,
        search=search,
        category=category,
        tag=tag,
        is_active=is_active,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([_doc(d) for d in rows], page.meta(total))


@router.post("", status_code=201)
def create_document(body: KnowledgeIn, principal: StaffDep, db: SessionDep) -> dict:
    d = service.create_document(db, business_id=principal.business_id, **body.model_dump())
    record(db, principal, "knowledge.create", "knowledge", d.id, {"title": d.title})
    return ok(_doc(d))


@router.get("/{id}")
def get_document(id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(_doc(service.get_document(db, business_id=principal.business_id, document_id=id)))


@router.patch("/{id}")
def update_document(id: int, body: KnowledgeUpdate, principal: StaffDep, db: SessionDep) -> dict:
    d = service.get_document(db, business_id=principal.business_id, document_id=id)
    changes = body.model_dump(exclude_unset=True)
    service.update_document(db, d, **changes)
    record(db, principal, "knowledge.update", "knowledge", d.id, {"fields": sorted(changes)})
    return ok(_doc(d))


@router.delete("/{id}")
def delete_document(id: int, principal: AdminDep, db: SessionDep) -> dict:
    d = service.get_document(db, business_id=principal.business_id, document_id=id)
    title = d.title
    service.delete_document(db, d)
    record(db, principal, "knowledge.delete", "knowledge", id, {"title": title})
    return ok({"id": id, "deleted": True})
