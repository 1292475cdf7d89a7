"""Alerts to the business's admins (the Telegram admin chat): one per topic per 15 minutes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.jobs.runner import enqueue
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import utcnow
from niaga.messaging import channels
from niaga.ops.logging import get_logger

log = get_logger("niaga.channels")


# --- alerts ----------------------------------------------------------------------------------------

ALERT_BUCKET_SECONDS = 900


def queue_alert(db: Session, *, business_id: int, topic: str, text: str) -> None:
    """Tell the business's admins (Telegram admin chat). One alert per topic per 15 minutes."""
    bucket = int(utcnow().timestamp() // ALERT_BUCKET_SECONDS)
    enqueue(
        db,
        "channels.alert",
        business_id=business_id,
        idempotency_key=f"alert:{business_id}:{topic}:{bucket}",
        for_business=business_id,
        text=text,
    )


def send_alert(business_id: int, text: str) -> str:
    """Send an alert to the admin chat (job `channels.alert`). Without a Telegram admin chat it is only
    logged (the dead letter stays visible in the dashboard)."""
    with session_scope() as db:
        cfg = channels.load(db, business_id=business_id, kind="telegram")
    if cfg is None or not cfg.is_enabled or not cfg.get("admin_chat_id"):
        log.warning("channel.alert_unrouted", business_id=business_id, text=text[:200])
        return "unrouted"
    client = channels.make_sender(cfg)
    try:
        client.send_message(chat_id=cfg.get("admin_chat_id"), text=text)  # type: ignore[attr-defined]
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    finally:
        client.close()
    return "sent"
