"""Operations API: outgoing event webhook subscriptions and their delivery log (with replay), the alert
status, and a customer's data export and erasure (admin). `/api/v1/...`; another business's rows are a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from niaga.db.session import SessionDep, WriteSessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import NotFound
from niaga.kit.strict import StrictIn
from niaga.operations import alerts, events, privacy
from niaga.ops.models import EventDelivery, EventSubscription
from niaga.tenancy.auth import AdminDep
from niaga.tenancy.service import record as audit_api

router = APIRouter(prefix="/api/v1", tags=["ops"])


class SubscriptionIn(StrictIn):
    url: str = Field(..., min_length=8, max_length=2000)
    events: list[str] = Field(..., min_length=1, max_length=20)
    description: str = Field("", max_length=200)


def _sub_out(s: EventSubscription) -> dict[str, Any]:
    return {
        "id": s.id,
        "url": s.url,
        "events": s.events,
        "description": s.description,
        "is_active": s.is_active,
        "consecutive_failures": s.consecutive_failures,
        "disabled_at": s.disabled_at.isoformat() if s.disabled_at else None,
        "disabled_reason": s.disabled_reason,
        "created_at": s.created_at.isoformat(),
    }


def _delivery_out(d: EventDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "subscription_id": d.subscription_id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "duration_ms": d.duration_ms,
        "created_at": d.created_at.isoformat(),
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }


@router.get("/webhooks/subscriptions")
def list_subscriptions(principal: AdminDep, db: SessionDep) -> dict:
    return ok([_sub_out(s) for s in events.list_subscriptions(db, business_id=principal.business_id)])


@router.post("/webhooks/subscriptions", status_code=201)
def create_subscription(body: SubscriptionIn, principal: AdminDep, db: WriteSessionDep) -> dict:
    sub, secret = events.create_subscription(
        db, business_id=principal.business_id, url=body.url, events=body.events, description=body.description
    )
    audit_api(
        db,
        principal,
        action="webhook.create",
        entity_type="event_subscription",
        entity_id=sub.id,
        data={"url": sub.url, "events": sub.events},
    )
    # The secret is shown once: the receiver needs it to check X-Niaga-Signature.
    return ok({**_sub_out(sub), "secret": secret})


@router.post("/webhooks/subscriptions/{subscription_id}/{action}")
def toggle_subscription(subscription_id: int, action: str, principal: AdminDep, db: WriteSessionDep) -> dict:
    sub = events.get_subscription(db, business_id=principal.business_id, subscription_id=subscription_id)
    if action == "test":
        deliveries = (
            events.emit(
                db, business_id=principal.business_id, event_type="ping", data={"subscription_id": sub.id}
            )
            if sub.is_active
            else []
        )
        return ok({"queued": [d.id for d in deliveries if d.subscription_id == sub.id]})
    if action not in ("enable", "disable"):
        raise NotFound("Aksi tidak dikenal.")
    before = sub.is_active
    events.set_active(db, sub, action == "enable")
    audit_api(
        db,
        principal,
        action=f"webhook.{action}",
        entity_type="event_subscription",
        entity_id=sub.id,
        data={"before": {"is_active": before}, "after": {"is_active": sub.is_active}},
    )
    return ok(_sub_out(sub))


@router.delete("/webhooks/subscriptions/{subscription_id}")
def delete_subscription(subscription_id: int, principal: AdminDep, db: WriteSessionDep) -> dict:
    sub = events.get_subscription(db, business_id=principal.business_id, subscription_id=subscription_id)
    audit_api(
        db,
        principal,
        action="webhook.delete",
        entity_type="event_subscription",
        entity_id=sub.id,
        data={"url": sub.url},
    )
    db.delete(sub)
    return ok({"deleted": subscription_id})


@router.get("/webhooks/deliveries")
def list_deliveries(
    principal: AdminDep,
    db: SessionDep,
    subscription_id: int | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict:
    rows = events.list_deliveries(
        db, business_id=principal.business_id, subscription_id=subscription_id, limit=limit
    )
    return ok([_delivery_out(d) for d in rows])


@router.post("/webhooks/deliveries/{delivery_id}/replay")
def replay_delivery(delivery_id: int, principal: AdminDep, db: WriteSessionDep) -> dict:
    d = db.get(EventDelivery, delivery_id)
    if d is None or d.business_id != principal.business_id:
        raise NotFound("Pengiriman webhook tidak ditemukan.")
    events.replay(db, d)
    audit_api(db, principal, action="webhook.replay", entity_type="event_delivery", entity_id=d.id)
    return ok(_delivery_out(d))


@router.get("/ops/alerts")
def alert_status(principal: AdminDep, db: SessionDep) -> dict:
    return ok(alerts.status_report(db, principal.business_id))


@router.get("/privacy/customers/{customer_id}/export")
def export_customer(customer_id: int, principal: AdminDep, db: WriteSessionDep) -> Response:
    data = privacy.export_customer(
        db,
        business_id=principal.business_id,
        customer_id=customer_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="pelanggan-{customer_id}.zip"'},
    )


@router.post("/privacy/customers/{customer_id}/erase")
def erase_customer(customer_id: int, principal: AdminDep, db: WriteSessionDep) -> dict:
    return ok(
        privacy.erase_customer(
            db,
            business_id=principal.business_id,
            customer_id=customer_id,
            actor_type=principal.actor_type,
            actor_id=principal.actor_id,
        )
    )
