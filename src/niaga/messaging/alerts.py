"""Alerts to the business's admins (the Telegram admin chat and the owner's WhatsApp number): one per topic
per 15 minutes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.jobs.runner import enqueue
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import utcnow
from niaga.messaging import channels
from niaga.messaging.channels import ChannelConfig
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


def _routes(business_id: int) -> list[tuple[str, ChannelConfig, str]]:
    """Where a business's alerts go: the Telegram admin chat and the owner's WhatsApp number (on the
    business's WhatsApp gateway), each when configured."""
    routes: list[tuple[str, ChannelConfig, str]] = []
    with session_scope() as db:
        tg = channels.load(db, business_id=business_id, kind="telegram")
        if tg is not None and tg.is_enabled and tg.get("admin_chat_id"):
            routes.append(("telegram", tg, str(tg.get("admin_chat_id"))))
        wa = channels.whatsapp_gateway(db, business_id=business_id)
        if wa is not None and wa.get("admin_number"):
            routes.append(("whatsapp", wa, f"{wa.get('admin_number')}@c.us"))
    return routes


def send_alert(business_id: int, text: str, only: list[str] | None = None) -> str:
    """Send an alert to the admin chats (job `channels.alert`): the Telegram admin chat and the owner's
    WhatsApp number. Without either it is only logged (the dead letter stays visible in the dashboard).
    A route that fails for now while another got the alert is retried alone by a new job, so the route
    that worked never gets it twice."""
    routes = [r for r in _routes(business_id) if only is None or r[0] in only]
    if not routes:
        log.warning("channel.alert_unrouted", business_id=business_id, text=text[:200])
        return "unrouted"
    sent: list[str] = []
    later: list[tuple[str, ProviderError]] = []
    refused: list[tuple[str, ProviderError]] = []
    for name, cfg, chat in routes:
        client = channels.make_sender(cfg)
        try:
            if name == "telegram":
                client.send_message(chat_id=chat, text=text)  # type: ignore[attr-defined]
            else:
                client.send_text(chat_id=chat, text=text)
            sent.append(name)
        except ProviderError as exc:
            (refused if exc.permanent else later).append((name, exc))
            log.warning("channel.alert_failed", business_id=business_id, route=name, error=str(exc))
        finally:
            client.close()
    if later and not sent:
        raise RetryLater("; ".join(f"{n}: {e}" for n, e in later), retry_after=later[0][1].retry_after)
    if later:
        with session_scope() as db:
            enqueue(
                db,
                "channels.alert",
                business_id=business_id,
                delay=30,
                for_business=business_id,
                text=text,
                only=[n for n, _ in later],
            )
        return "partial"
    if refused and not sent:
        raise PermanentError("; ".join(f"{n}: {e}" for n, e in refused))
    return "sent"
