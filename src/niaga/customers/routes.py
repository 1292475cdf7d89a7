"""REST API v1: customers (with channel identities), transactions and their imports.

Roles: reading, creating and editing customers is staff and above; deleting a customer (which also
removes their identities, conversations and transactions) and bulk imports are admin and above.
Every query is scoped to `principal.business_id`; another business's id answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query

from niaga.customers import service
from niaga.customers.schemas import CustomerDetailOut, CustomerIn, CustomerOut, CustomerUpdate, TransactionOut
from niaga.db.session import SessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.kit.errors import ValidationFailed
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.service import record

router = APIRouter(prefix="/api/v1", tags=["customers"])


def _customer(c: Any, *, detail: bool = False) -> dict:
    schema = CustomerDetailOut if detail else CustomerOut
    return schema.model_validate(c).model_dump(mode="json")


@router.get("/customers")
def list_customers(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    search: str | None = Query(None, max_length=200),
    tag: str | None = None,
    city: str | None = None,
    segment: str | None = Query(
        None, description="RFM segment in the latest analysis, e.g. champions, at_risk"
    ),
    sort: str = Query(
        "name",
        description="name, created_at, total_spent, total_orders, last_order_at; prefix '-' for descending",
    ),
) -> dict:
    ids_in = None
    if segment:
        segment_ids = service.SEGMENT_FILTERS.get("rfm")
        ids_in = segment_ids(db, business_id=principal.business_id, segment=segment)
        if ids_in is None:  # no analysis yet: nobody is in a segment
            return ok([], page.meta(0))
    rows, total = service.list_customers(
        db,
        business_id=principal.business_id,
        search=search,
        tag=tag,
        city=city,
        sort=sort,
        offset=page.offset,
        limit=page.limit,
        ids_in=ids_in,
    )
    return ok([_customer(c) for c in rows], page.meta(total))


@router.post("/customers", status_code=201)
def create_customer(body: CustomerIn, principal: StaffDep, db: SessionDep) -> dict:
    c = service.create_customer(db, business_id=principal.business_id, **body.model_dump())
    record(db, principal, "customer.create", "customer", c.id)
    return ok(_customer(c, detail=True))


@router.get("/customers/{id}")
def get_customer(id: int, principal: StaffDep, db: SessionDep) -> dict:
    """Customer detail with channel identities (WhatsApp number, Telegram chat id, …)."""
    return ok(
        _customer(service.get_customer(db, business_id=principal.business_id, customer_id=id), detail=True)
    )


@router.patch("/customers/{id}")
def update_customer(id: int, body: CustomerUpdate, principal: StaffDep, db: SessionDep) -> dict:
    c = service.get_customer(db, business_id=principal.business_id, customer_id=id)
    changes = body.model_dump(exclude_unset=True)
    service.update_customer(db, c, **changes)
    record(db, principal, "customer.update", "customer", c.id, {"fields": sorted(changes)})
    return ok(_customer(c, detail=True))


@router.delete("/customers/{id}")
def delete_customer(id: int, principal: AdminDep, db: SessionDep) -> dict:
    c = service.get_customer(db, business_id=principal.business_id, customer_id=id)
    service.delete_customer(db, c)
    record(db, principal, "customer.delete", "customer", id)
    return ok({"id": id, "deleted": True})


@router.get("/transactions")
def list_transactions(
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    customer_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = Query(None, pattern="^(completed|cancelled|refunded|pending)$"),
) -> dict:
    """Newest first; `date_from`/`date_to` are inclusive (yyyy-mm-dd)."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed(details={"date_to": "Tanggal akhir harus setelah tanggal awal."})
    if customer_id is not None:
        service.get_customer(db, business_id=principal.business_id, customer_id=customer_id)
    rows, total = service.list_transactions(
        db,
        business_id=principal.business_id,
        customer_id=customer_id,
        date_from=date_from,
        date_to=date_to,
        status=status,
        offset=page.offset,
        limit=page.limit,
    )
    return ok([TransactionOut.model_validate(t).model_dump(mode="json") for t in rows], page.meta(total))
