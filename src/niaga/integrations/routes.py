"""HTTP endpoints of the channels: channel configuration for admins and the website widget (mounted from
`niaga.integrations.widget.routes`). The provider webhooks are each adapter's `webhook.py`, all made by the
shared store-then-ack factory `niaga.integrations.webhooks`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from niaga.db.session import SessionDep
from niaga.integrations.webhooks import _business_cache as _business_cache  # tests clear it
from niaga.integrations.widget.routes import router as widget_router
from niaga.kit.envelope import ok
from niaga.kit.strict import StrictIn
from niaga.messaging import channels
from niaga.messaging import config as service
from niaga.tenancy.auth import AdminDep
from niaga.tenancy.models import Business
from niaga.tenancy.service import audit

router = APIRouter()
router.include_router(widget_router)

# --- configuration (admins) ------------------------------------------------------------------------


class ChannelIn(StrictIn):
    config: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    is_enabled: bool | None = None


@router.get("/api/v1/channels", tags=["channels"])
def list_channels(principal: AdminDep, db: SessionDep) -> dict:
    business = db.get(Business, principal.business_id)
    return ok(
        [
            service.channel_out(
                kind,
                service.get_config_row(db, business_id=principal.business_id, kind=kind),
                business=business,
            )
            for kind in channels.CHANNEL_KINDS
        ]
    )


@router.get("/api/v1/channels/{kind}", tags=["channels"])
def get_channel(kind: str, principal: AdminDep, db: SessionDep) -> dict:
    row = service.get_config_row(db, business_id=principal.business_id, kind=kind)
    return ok(service.channel_out(kind, row, business=db.get(Business, principal.business_id)))


@router.put("/api/v1/channels/{kind}", tags=["channels"])
def put_channel(kind: str, body: ChannelIn, principal: AdminDep, db: SessionDep) -> dict:
    row = service.do_configure(
        db,
        business_id=principal.business_id,
        kind=kind,
        config=body.config,
        secrets=body.secrets,
        is_enabled=body.is_enabled,
    )
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="channel.configure",
        entity_type="provider_config",
        entity_id=row.id,
        data={
            "kind": kind,
            "config_keys": sorted(body.config),
            "secrets_changed": sorted(k for k, v in body.secrets.items() if v),
        },
    )
    return ok(service.channel_out(kind, row, business=db.get(Business, principal.business_id)))


@router.post("/api/v1/channels/{kind}/test", tags=["channels"])
def test_channel(kind: str, principal: AdminDep, db: SessionDep) -> dict:
    return ok(service.do_test(db, business_id=principal.business_id, kind=kind))


@router.post("/api/v1/channels/{kind}/webhook-token", tags=["channels"])
def rotate_webhook_token(kind: str, principal: AdminDep, db: SessionDep) -> dict:
    """A new secret token in the Fonnte/Starsender webhook URL (the old URL stops working at once)."""
    row = service.do_rotate_webhook_token(db, business_id=principal.business_id, kind=kind)
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="channel.rotate_webhook_token",
        entity_type="provider_config",
        entity_id=row.id,
        data={"kind": kind},
    )
    return ok(service.channel_out(kind, row, business=db.get(Business, principal.business_id)))
