"""Alert state: a condition alerts the business's admin chat at most once per `alert_repeat_minutes` while it
lasts (the `channels.alert` job of messaging sends it; an idempotency key per period keeps several workers from
sending it twice)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.jobs.runner import enqueue
from niaga.kit.timeutil import utcnow
from niaga.ops import metrics
from niaga.ops.models import OpsAlert
from niaga.settings import get_settings


def raise_alert(db: Session, *, business_id: int, condition: str, message: str) -> bool:
    """Mark `condition` active; queue a message to the admins when it was not sent within the repeat period.
    Returns True when a message was queued."""
    now = utcnow()
    with db.no_autoflush:
        row = db.scalars(
            sa.select(OpsAlert).where(OpsAlert.business_id == business_id, OpsAlert.condition == condition)
        ).first()
    if row is None:
        row = OpsAlert(business_id=business_id, condition=condition)
        db.add(row)
    repeat = timedelta(minutes=get_settings().alert_repeat_minutes)
    due = row.last_sent_at is None or now - row.last_sent_at >= repeat
    row.active = True
    row.message = message
    row.updated_at = now
    if due:
        row.last_sent_at = now
        period = int(now.timestamp() // max(repeat.total_seconds(), 1))
        enqueue(
            db,
            "channels.alert",
            business_id=business_id,
            idempotency_key=f"ops-alert:{business_id}:{condition}:{period}",
            for_business=business_id,
            text=f"⚠️ {message}",
        )
        metrics.alerts_sent.labels(condition.split(":", 1)[0]).inc()
    return due


def resolve_alert(db: Session, *, business_id: int, condition: str) -> None:
    db.execute(
        sa.update(OpsAlert)
        .where(
            OpsAlert.business_id == business_id, OpsAlert.condition == condition, OpsAlert.active.is_(True)
        )
        .values(active=False, updated_at=utcnow())
    )


def active_alerts(db: Session, *, business_id: int) -> list[OpsAlert]:
    return list(
        db.scalars(
            sa.select(OpsAlert)
            .where(OpsAlert.business_id == business_id, OpsAlert.active.is_(True))
            .order_by(OpsAlert.condition)
        )
    )
