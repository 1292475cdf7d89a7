"""REST API v1 of customer intelligence (envelope `{success, data, error, meta}`).

- `POST /api/v1/rfm/calculate` scores every customer now (or as of a date) and stores a snapshot.
- `GET /api/v1/rfm/analysis` the latest snapshot: counts and revenue per segment and per R/F cell.
- `GET /api/v1/rfm/segments/{name}` the customers of a segment in the latest snapshot (paginated, sortable).
- `GET /api/v1/rfm/movements` segment changes since the snapshot a week before; `GET /api/v1/rfm/snapshots`.
- `GET /api/v1/customers/{id}/rfm` a customer's current scores and history.
- `POST /api/v1/transactions/{id}/refund|cancel` (admin) change an imported transaction.
Every query is scoped to the caller's business.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from niaga.customers import service as customers
from niaga.db.session import SessionDep
from niaga.kit.envelope import Page, ok, page_params
from niaga.kit.errors import NotFound
from niaga.marketing import aggregates, service
from niaga.marketing.schemas import RfmCalculateIn, RfmSettingsIn, TransactionRefundIn
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.service import audit, get_business

router = APIRouter(prefix="/api/v1", tags=["marketing"])

SORT_HELP = "monetary, frequency, recency_days, name, customer_ref, r, f, m; prefix '-' for descending"


def _latest(db, business_id: int):  # type: ignore[no-untyped-def]
    snap = service.latest_snapshot(db, business_id=business_id)
    if snap is None:
        raise NotFound(
            "Belum ada analisis RFM. Jalankan perhitungan dulu (POST /api/v1/rfm/calculate).",
            code="rfm_not_calculated",
        )
    return snap


@router.get("/rfm/settings")
def get_settings(principal: StaffDep, db: SessionDep) -> dict:
    """Method, bin edges, weekly schedule and report recipients of the caller's business."""
    return ok(service.marketing_settings(get_business(db, principal.business_id)))


@router.put("/rfm/settings")
def put_settings(body: RfmSettingsIn, principal: AdminDep, db: SessionDep) -> dict:
    """Replace the marketing settings (admin). Every invalid field is named in `error.details`."""
    business = get_business(db, principal.business_id)
    saved = service.save_marketing_settings(db, business=business, data=body.model_dump(exclude_none=True))
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="rfm.settings",
        entity_type="business",
        entity_id=principal.business_id,
        data={"rfm_method": saved["rfm_method"], "weekly": saved["weekly"]},
    )
    return ok(saved)


@router.post("/rfm/calculate")
def calculate(body: RfmCalculateIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    result = service.do_run(db, business=business, as_of=body.as_of, method=body.method, kind="api")
    snap = service.get_snapshot(db, business_id=principal.business_id, snapshot_id=result.snapshot_id or 0)
    data = service.snapshot_out(snap)
    if body.include_customers:
        data["customers"] = result.as_dict()["customers"]
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="rfm.calculate",
        entity_type="rfm_snapshot",
        entity_id=snap.id,
        data={"as_of": data["as_of"], "method": data["method"]},
    )
    return ok(data)


@router.get("/rfm/analysis")
def analysis(principal: StaffDep, db: SessionDep) -> dict:
    return ok(service.snapshot_out(_latest(db, principal.business_id)))


@router.get("/rfm/snapshots")
def snapshots(principal: StaffDep, db: SessionDep, limit: int = Query(26, ge=1, le=200)) -> dict:
    """One snapshot per as-of date, oldest first (segment sizes over time)."""
    rows = service.list_snapshots(db, business_id=principal.business_id, limit=limit)
    return ok([service.snapshot_out(s) for s in rows])


@router.get("/rfm/segments/{name}")
def segment_customers(
    name: str,
    principal: StaffDep,
    db: SessionDep,
    page: Page = Depends(page_params),
    sort: str = Query("-monetary", description=SORT_HELP),
    search: str | None = Query(None, max_length=200),
) -> dict:
    service.check_segment(name)
    snap = _latest(db, principal.business_id)
    rows, total = service.segment_rows(
        db, snapshot=snap, segment=name, search=search, sort=sort, offset=page.offset, limit=page.limit
    )
    return ok([service.row_out(r, c) for r, c in rows], page.meta(total))


@router.get("/rfm/movements")
def movements(principal: StaffDep, db: SessionDep) -> dict:
    prev, latest, moves = service.movements_since_last_week(db, business_id=principal.business_id)
    return ok(
        {
            "from_snapshot": prev.id if prev else None,
            "to_snapshot": latest.id if latest else None,
            "from_as_of": prev.as_of.isoformat() if prev else None,
            "to_as_of": latest.as_of.isoformat() if latest else None,
            "movements": moves,
        }
    )


@router.get("/customers/{id}/rfm")
def customer_rfm(id: int, principal: StaffDep, db: SessionDep) -> dict:
    customers.get_customer(db, business_id=principal.business_id, customer_id=id)
    history = service.customer_history(db, business_id=principal.business_id, customer_id=id)
    return ok({"customer_id": id, "current": history[0] if history else None, "history": history})


@router.post("/transactions/{id}/refund")
def refund_transaction(id: int, body: TransactionRefundIn, principal: AdminDep, db: SessionDep) -> dict:
    tx = aggregates.do_change_transaction(
        db, business_id=principal.business_id, transaction_id=id, action="refund", amount=body.amount
    )
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="transaction.refund",
        entity_type="transaction",
        entity_id=tx.id,
        data={"amount": body.amount},
    )
    return ok({"id": tx.id, "ref": tx.ref, "status": tx.status, "amount": tx.amount})


@router.post("/transactions/{id}/cancel")
def cancel_transaction(id: int, principal: AdminDep, db: SessionDep) -> dict:
    tx = aggregates.do_change_transaction(
        db, business_id=principal.business_id, transaction_id=id, action="cancel"
    )
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="transaction.cancel",
        entity_type="transaction",
        entity_id=tx.id,
    )
    return ok({"id": tx.id, "ref": tx.ref, "status": tx.status, "amount": tx.amount})
