"""Publishing jobs: approval requests on Telegram, the decision shown there, publishing an item to each of
its platforms at its time, broadcasts, and the weekly batch of drafts.

`publishing.publish_item` is durable and idempotent: each platform has its own row whose state (container
or publish ids) is stored after every attempt, a published platform is never posted again, temporary
errors retry with backoff (or the provider's wait), video processing is polled, and permanent errors
(expired token, policy rejection) stop that platform and alert the owner. The item ends `published` when
every platform is, `failed` (saying which platforms did publish) when any failed for good.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.jobs.models import DeadLetter
from niaga.jobs.registry import PermanentError, RetryLater, periodic, task
from niaga.jobs.runner import dead_letter_hooks
from niaga.kit.crypto import decrypt_json
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import utcnow
from niaga.messaging.alerts import queue_alert
from niaga.ops.logging import get_logger
from niaga.publishing import approval, broadcast, media, service
from niaga.publishing.models import ContentItem, ContentPublication
from niaga.publishing.ports import APPROVAL, CONNECTION_OF, PUBLISHERS, PublishRequest
from niaga.settings import get_settings
from niaga.tenancy.models import Business, ProviderConfig

log = get_logger("niaga.publishing")

__all__ = ["ask_approval", "broadcast_send", "publish_item", "show_decision", "weekly_batch"]


# --- approval ------------------------------------------------------------------------------------


@task("publishing.ask_approval", max_attempts=6, base_delay=30.0)
def ask_approval(item_id: int) -> str:
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        if item is None or item.status != "awaiting_approval":
            return "not_awaiting"
        business = db.get(Business, item.business_id)
        assert business is not None
        text = approval.request_text(db, business, item)
        chats = service.approver_chats(db, business=business)
        image = next((m for m in item.media or [] if isinstance(m, dict) and m.get("kind") == "image"), None)
        photo = get_settings().files_dir / image["path"] if image else None
        business_id = business.id
    try:
        sent = APPROVAL.get("telegram").ask(
            business_id=business_id, chat_ids=chats, text=text, buttons=approval.buttons(item_id), photo=photo
        )
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    if not sent:
        log.info("content.approval_dashboard_only", business_id=business_id, item_id=item_id)
        return "dashboard_only"
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        if item is not None:
            item.approval_messages = [*list(item.approval_messages or []), *sent]
    return "sent"


@task("publishing.ask_reason", max_attempts=4)
def ask_reason(item_id: int, kind: str) -> str:
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        if item is None or item.status != "awaiting_approval" or not item.approval_messages:
            return "skipped"
        messages, business_id = list(item.approval_messages), item.business_id
    APPROVAL.get("telegram").replace_buttons(
        business_id=business_id, messages=messages, buttons=approval.reason_buttons(kind, item_id)
    )
    return "asked"


@task("publishing.show_decision", max_attempts=6, base_delay=30.0)
def show_decision(item_id: int) -> str:
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        if item is None or not item.approval_messages:
            return "skipped"
        business = db.get(Business, item.business_id)
        assert business is not None
        text = approval.decision_text(db, business, item)
        messages, business_id = list(item.approval_messages), business.id
    try:
        APPROVAL.get("telegram").show_decision(business_id=business_id, messages=messages, text=text)
    except ProviderError as exc:
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    return "shown"


# --- publishing ----------------------------------------------------------------------------------


def connection(db: Any, business: Business, platform: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    kind = CONNECTION_OF[platform]
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business.id,
            ProviderConfig.kind == kind,
            ProviderConfig.is_enabled.is_(True),
        )
    ).first()
    if row is None:
        return None
    config = dict(row.config or {})
    if platform == "telegram_channel":
        config["channel_id"] = service.publishing_settings(business)["telegram_channel_id"] or config.get(
            "channel_id"
        )
    return config, decrypt_json(row.secrets)


def _attempt(
    business_id: int, req: PublishRequest, conn: tuple[dict[str, Any], dict[str, Any]] | None
) -> Any:
    if conn is None:
        raise ProviderError(
            f"akun {service.PLATFORM_LABELS[req.platform]} belum disambungkan",
            provider=req.platform,
            permanent=True,
        )
    publisher = PUBLISHERS.get(req.platform)(*conn)
    try:
        return publisher.publish(req)
    finally:
        publisher.close()


@task("publishing.publish_item", max_attempts=30, base_delay=30.0, max_delay=1800.0)
def publish_item(item_id: int) -> str:
    now = utcnow()
    with session_scope(immediate=True) as db:
        item = db.get(ContentItem, item_id)
        if item is None:
            return "gone"
        if item.status not in ("scheduled", "publishing"):
            return f"skipped:{item.status}"  # edited back to draft, rejected, already finished
        if item.scheduled_at is not None and item.scheduled_at > now + timedelta(seconds=5):
            return "not_due"  # rescheduled later: the job of the new time publishes it
        business = db.get(Business, item.business_id)
        assert business is not None
        item.status = "publishing"
        todo = []
        for pub in service.publications(db, item.id):
            if pub.status == "published":
                continue
            if pub.status == "failed":
                continue
            pub.status, pub.attempts = "publishing", pub.attempts + 1
            todo.append(
                (
                    pub.id,
                    PublishRequest(
                        business_id=business.id,
                        item_id=item.id,
                        platform=pub.platform,
                        caption=service.full_caption(item),
                        media=media.as_media(business.id, list(item.media or [])),
                        state=dict(pub.state or {}),
                    ),
                    connection(db, business, pub.platform),
                )
            )
        business_id = business.id
    waits: list[float] = []
    for pub_id, req, conn in todo:
        outcome: dict[str, Any] = {}
        try:
            res = _attempt(business_id, req, conn)
            if res.done:
                outcome = {"status": "published", "remote_id": res.remote_id, "permalink": res.permalink}
            else:
                outcome = {"status": "pending", "error": None}
                waits.append(res.poll_after or 30.0)
        except ProviderError as exc:
            outcome = {"status": "failed" if exc.permanent else "pending", "error": str(exc)[:1000]}
            if not exc.permanent:
                waits.append(exc.retry_after or 0.0)
            log.warning(
                "content.publish_failed",
                item_id=item_id,
                platform=req.platform,
                permanent=exc.permanent,
                error=str(exc)[:300],
            )
        with session_scope() as db:
            row = db.get(ContentPublication, pub_id)
            assert row is not None
            pub = row
            pub.state = dict(req.state)
            pub.status = outcome["status"]
            pub.error = outcome.get("error")
            if outcome["status"] == "published":
                pub.remote_id, pub.permalink, pub.published_at = (
                    outcome.get("remote_id"),
                    outcome.get("permalink"),
                    utcnow(),
                )
                log.info("content.published", item_id=item_id, platform=req.platform, remote_id=pub.remote_id)
            if outcome["status"] == "failed":
                queue_alert(
                    db,
                    business_id=business_id,
                    topic=f"content:{item_id}:{req.platform}",
                    text=f"⚠️ Konten #{item_id} gagal terbit di {service.PLATFORM_LABELS[req.platform]}: "
                    f"{outcome['error']}",
                )
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        assert item is not None
        pubs = service.publications(db, item_id)
        pending = [p for p in pubs if p.status in ("pending", "publishing")]
        if pending:
            item.last_error = "; ".join(f"{p.platform}: {p.error}" for p in pending if p.error) or None
    if pending:  # outside the session: the item's note is committed before the retry is scheduled
        wait = max(waits) if waits else None
        raise RetryLater(f"{len(pending)} platform belum selesai", retry_after=wait or None)
    with session_scope() as db:
        item = db.get(ContentItem, item_id)
        assert item is not None
        pubs = service.publications(db, item_id)
        failed = [p for p in pubs if p.status == "failed"]
        done = [p for p in pubs if p.status == "published"]
        if failed:
            item.status = "failed"
            item.last_error = (
                (
                    "Sudah terbit di: " + ", ".join(service.PLATFORM_LABELS[p.platform] for p in done) + ". "
                    if done
                    else "Belum terbit di mana pun. "
                )
                + "Gagal di: "
                + "; ".join(f"{service.PLATFORM_LABELS[p.platform]} ({p.error})" for p in failed)
            )[:2000]
            return "failed"
        item.status, item.last_error = "published", None
    return "published"


def _on_dead_letter(dl: DeadLetter) -> None:
    """Out of attempts while a platform was still pending: the item says so."""
    if dl.name != "publishing.publish_item":
        return
    with session_scope() as db:
        item = db.get(ContentItem, int(dl.args.get("item_id") or 0))
        if item is None or item.status != "publishing":
            return
        for pub in service.publications(db, item.id):
            if pub.status in ("pending", "publishing"):
                pub.status = "failed"
                pub.error = pub.error or "batas percobaan habis"
        item.status = "failed"
        item.last_error = f"Gagal terbit setelah beberapa kali mencoba: {dl.error[:500]}"
        queue_alert(
            db,
            business_id=item.business_id,
            topic=f"content:{item.id}:dead",
            text=f"⚠️ Konten #{item.id} gagal terbit.",
        )


if _on_dead_letter not in dead_letter_hooks:
    dead_letter_hooks.append(_on_dead_letter)


# --- broadcasts ----------------------------------------------------------------------------------


@task("publishing.broadcast_send", max_attempts=40, base_delay=30.0)
def broadcast_send(recipient_id: int) -> str:
    return broadcast.send_one(recipient_id)


# --- the weekly batch ----------------------------------------------------------------------------


@periodic("publishing.weekly_batch", minute="17")
def weekly_batch(now: Any = None) -> dict[str, int]:
    """Hourly: each business whose batch time has come gets next week's drafts once (unique slots)."""
    from niaga.publishing import batch

    with session_scope() as db:
        ids = list(
            db.scalars(sa.select(Business.id).where(Business.is_active.is_(True)).order_by(Business.id))
        )
    out: dict[str, int] = {}
    for bid in ids:
        try:
            outcome = batch.run_if_due(bid, now=now)
        except Exception as exc:  # one business must not stop the others
            log.warning("content.weekly_batch_failed", business_id=bid, error=str(exc)[:300])
            outcome = "failed"
        out[outcome] = out.get(outcome, 0) + 1
    return out
