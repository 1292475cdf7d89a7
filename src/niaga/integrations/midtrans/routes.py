"""Midtrans configuration API (`/api/v1/payments/midtrans`): admin and above; keys are write-only."""

from __future__ import annotations

from fastapi import APIRouter

from niaga.db.session import SessionDep, WriteSessionDep
from niaga.integrations.midtrans import payments
from niaga.kit.envelope import ok
from niaga.orders.schemas import MidtransConfigIn
from niaga.tenancy.auth import AdminDep
from niaga.tenancy.service import audit

router = APIRouter(prefix="/api/v1", tags=["orders"])


@router.get("/payments/midtrans")
def get_midtrans(principal: AdminDep, db: SessionDep) -> dict:
    return ok(payments.public_config(db, business_id=principal.business_id))


@router.put("/payments/midtrans")
def put_midtrans(body: MidtransConfigIn, principal: AdminDep, db: WriteSessionDep) -> dict:
    payments.do_configure(
        db,
        business_id=principal.business_id,
        server_key=body.server_key,
        client_key=body.client_key,
        mode=body.mode,
        base_url=body.base_url,
        is_enabled=body.is_enabled,
    )
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="payments.midtrans.update",
        entity_type="provider_config",
        data={
            "mode": body.mode,
            "base_url": body.base_url,
            "server_key_changed": bool(body.server_key),
            "client_key_changed": bool(body.client_key),
        },
    )
    return ok(payments.public_config(db, business_id=principal.business_id))
