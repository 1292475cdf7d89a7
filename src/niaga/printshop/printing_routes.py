"""Printers and print requests API (admin): `/api/v1/printers…`, `/api/v1/print-requests…`. Another
business's ids answer 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import Field

from niaga.db.session import SessionDep, WriteSessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import BadRequest
from niaga.kit.strict import StrictIn
from niaga.printshop import printing
from niaga.printshop.printing_cli import printer_out, request_out
from niaga.printshop.printing_models import REQUEST_STATES
from niaga.tenancy.auth import AdminDep
from niaga.tenancy.service import record as audit_api

router = APIRouter(prefix="/api/v1", tags=["printing"])


class PrinterIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)
    uri: str = Field(..., min_length=6, max_length=500, description="ipp://host:631/printers/QUEUE")
    default: bool = False
    color: bool = False
    duplex: bool = False


@router.get("/printers")
def list_printers(principal: AdminDep, db: SessionDep) -> dict:
    return ok([printer_out(p) for p in printing.list_printers(db, business_id=principal.business_id)])


@router.post("/printers", status_code=201)
def add_printer(body: PrinterIn, principal: AdminDep, db: WriteSessionDep) -> dict:
    p = printing.add_printer(
        db,
        business_id=principal.business_id,
        name=body.name,
        uri=body.uri,
        default=body.default,
        color=body.color,
        duplex=body.duplex,
    )
    audit_api(
        db, principal, action="printer.save", entity_type="printer", entity_id=p.id, data=body.model_dump()
    )
    return ok(printer_out(p))


@router.post("/printers/{printer_id}/test")
def test_printer(printer_id: int, principal: AdminDep, db: WriteSessionDep) -> dict:
    """Ask the printer for its state (Get-Printer-Attributes)."""
    p = printing.get_printer(db, business_id=principal.business_id, printer_id=printer_id)
    result = printing.check_printer(db, p, timeout=5.0)
    return ok({"printer": printer_out(p), **result})


@router.get("/print-requests")
def list_requests(
    principal: AdminDep,
    db: SessionDep,
    state: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict:
    if state is not None and state not in REQUEST_STATES:
        raise BadRequest(f"Status tidak dikenal. Pilih salah satu: {', '.join(REQUEST_STATES)}.")
    rows = printing.list_requests(db, business_id=principal.business_id, state=state, limit=limit)
    return ok([request_out(r) for r in rows])


@router.get("/print-requests/{request_id}")
def get_request(request_id: int, principal: AdminDep, db: SessionDep) -> dict:
    return ok(request_out(printing.get_request(db, business_id=principal.business_id, request_id=request_id)))


@router.post("/print-requests/{request_id}/{action}")
def act_on_request(request_id: int, action: str, principal: AdminDep, db: WriteSessionDep) -> dict[str, Any]:
    """`retry` (print again after a failure or a lost job) or `cancel`."""
    req = printing.get_request(db, business_id=principal.business_id, request_id=request_id)
    before = {"state": req.state, "reason": req.reason}
    if action == "retry":
        printing.retry(db, req)
    elif action == "cancel":
        printing.cancel(db, req)
    else:
        raise BadRequest("Aksi tidak dikenal: gunakan retry atau cancel.")
    audit_api(
        db,
        principal,
        action=f"print_request.{action}",
        entity_type="print_request",
        entity_id=req.id,
        data={"before": before, "after": {"state": req.state, "reason": req.reason}},
    )
    return ok(request_out(req))
