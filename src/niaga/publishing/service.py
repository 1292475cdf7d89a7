"""The content calendar: items go `draft -> awaiting_approval -> approved -> scheduled -> publishing ->
published | failed` (or `rejected`). Approval happens on the dashboard (owner/admin) or on the owner's
Telegram (inline buttons, only configured approvers); an approved item with a time is scheduled as a
durable job that publishes it to each target platform (see `tasks.publish_item`).

Services take the session first and flush, never commit; jobs are enqueued in the caller's transaction.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.jobs.runner import enqueue
from niaga.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from niaga.kit.timeutil import local_now, tz, utcnow
from niaga.ops.logging import get_logger
from niaga.publishing.models import PLATFORMS, ContentItem, ContentPublication
from niaga.tenancy.models import Business, Membership, User

log = get_logger("niaga.publishing")

PLATFORM_LABELS = {
    "instagram": "Instagram",
    "facebook": "Facebook Page",
    "tiktok": "TikTok",
    "telegram_channel": "Kanal Telegram",
}
STATUS_LABELS = {
    "draft": "Draf",
    "awaiting_approval": "Menunggu persetujuan",
    "approved": "Disetujui",
    "scheduled": "Terjadwal",
    "publishing": "Sedang terbit",
    "published": "Terbit",
    "failed": "Gagal",
    "rejected": "Ditolak",
}
# Caption limits per platform (characters; Instagram also 30 hashtags). Telegram's is the photo caption.
CAPTION_LIMITS = {"instagram": 2200, "facebook": 63206, "tiktok": 2200, "telegram_channel": 1024}
MAX_HASHTAGS = {"instagram": 30}
REJECT_REASONS = {
    "r1": "Isi atau harga perlu diperbaiki",
    "r2": "Gambar kurang menarik",
    "r3": "Waktu terbit kurang tepat",
    "r4": "Tidak sesuai untuk saat ini",
}
EDITABLE = ("draft", "awaiting_approval", "approved", "scheduled", "rejected", "failed")

DEFAULT_PUBLISHING: dict[str, Any] = {
    "telegram_channel_id": "",
    # Telegram user ids allowed to approve besides the owners' linked Telegram accounts
    "approver_telegram_ids": [],
    # weekly batch: on this ISO weekday/hour (business time) draft next week's posts
    "weekly_batch": {"enabled": True, "weekday": 5, "hour": 9, "posts": 3, "post_hour": 19},
    "targets": ["instagram", "facebook", "telegram_channel"],
}


def publishing_settings(business: Business) -> dict[str, Any]:
    raw = (business.settings or {}).get("publishing") or {}
    out = {**DEFAULT_PUBLISHING, **{k: v for k, v in raw.items() if k in DEFAULT_PUBLISHING}}
    out["weekly_batch"] = {**DEFAULT_PUBLISHING["weekly_batch"], **(raw.get("weekly_batch") or {})}
    return out


# --- checks --------------------------------------------------------------------------------------


def full_caption(item: ContentItem) -> str:
    tags = " ".join(str(t) for t in (item.hashtags or []) if str(t).strip())
    return (item.caption.rstrip() + ("\n\n" + tags if tags else "")).strip()


def check_targets(targets: list[str]) -> list[str]:
    out: list[str] = []
    for t in targets or []:
        t = str(t).strip().lower()
        if t not in PLATFORMS:
            raise ValidationFailed(
                f"Platform '{t}' tidak dikenal. Pilihan: {', '.join(PLATFORMS)}.",
                code="unknown_platform",
                details={"targets": "tidak dikenal"},
            )
        if t not in out:
            out.append(t)
    return out


def check_publishable(*, caption: str, hashtags: list[str], targets: list[str], media: list[Any]) -> None:
    """Platform rules that would make a publish fail later: limits, media each platform needs."""
    text = (caption.rstrip() + ("\n\n" + " ".join(hashtags) if hashtags else "")).strip()
    kinds = {str(m.get("kind")) for m in media if isinstance(m, dict)}
    errors: dict[str, str] = {}
    for t in targets:
        limit = CAPTION_LIMITS[t]
        if len(text) > limit:
            n, cap = f"{len(text):,}".replace(",", "."), f"{limit:,}".replace(",", ".")
            errors[t] = f"Caption terlalu panjang untuk {PLATFORM_LABELS[t]}: {n} karakter, batasnya {cap}."
            continue
        if t in MAX_HASHTAGS and text.count("#") > MAX_HASHTAGS[t]:
            errors[t] = f"{PLATFORM_LABELS[t]} menerima paling banyak {MAX_HASHTAGS[t]} hashtag."
        elif t == "instagram" and not kinds:
            errors[t] = "Instagram butuh gambar atau video: buat poster dulu."
        elif t == "tiktok" and "video" not in kinds:
            errors[t] = "TikTok hanya menerima video: buat video pendek dulu."
    if not text and not kinds:
        errors["caption"] = "Caption atau media wajib diisi."
    if errors:
        raise ValidationFailed(" ".join(errors.values()), code="not_publishable", details=errors)


def to_utc(business: Business, when: datetime | str | None) -> datetime | None:
    """A time from a form or the API: naive = business time."""
    if when is None or when == "":
        return None
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.strip())
        except ValueError:
            raise ValidationFailed(
                f"Waktu tidak valid: {when!r} (pakai YYYY-MM-DDTHH:MM).",
                code="invalid_time",
                details={"scheduled_at": "format salah"},
            ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz(business.timezone))
    return when.astimezone(tz("UTC"))


# --- reading -------------------------------------------------------------------------------------


def get_item(db: Session, *, business_id: int, item_id: int) -> ContentItem:
    item = db.get(ContentItem, item_id)
    if item is None or item.business_id != business_id:
        raise NotFound("Konten tidak ditemukan.", code="content_item_not_found")
    return item


def publications(db: Session, item_id: int) -> list[ContentPublication]:
    return list(
        db.scalars(
            sa.select(ContentPublication)
            .where(ContentPublication.item_id == item_id)
            .order_by(ContentPublication.id)
        )
    )


def list_items(
    db: Session, *, business: Business, start: date, end: date, status: str | None = None
) -> list[ContentItem]:
    """Items whose time falls in [start, end) business days, plus unscheduled drafts when start is today or
    earlier."""
    zone = tz(business.timezone)
    lo = datetime.combine(start, time(0), tzinfo=zone)
    hi = datetime.combine(end, time(0), tzinfo=zone)
    q = sa.select(ContentItem).where(
        ContentItem.business_id == business.id,
        sa.or_(
            sa.and_(ContentItem.scheduled_at >= lo, ContentItem.scheduled_at < hi),
            ContentItem.scheduled_at.is_(None),
        ),
    )
    if status:
        q = q.where(ContentItem.status == status)
    return list(
        db.scalars(q.order_by(ContentItem.scheduled_at.is_(None), ContentItem.scheduled_at, ContentItem.id))
    )


def item_out(db: Session, item: ContentItem, business: Business | None = None) -> dict[str, Any]:
    zone = tz(business.timezone if business else None)
    return {
        "id": item.id,
        "title": item.title,
        "caption": item.caption,
        "hashtags": list(item.hashtags or []),
        "media": [
            {k: v for k, v in m.items() if k in ("token", "mimetype", "kind", "size")}
            for m in (item.media or [])
            if isinstance(m, dict)
        ],
        "targets": list(item.targets or []),
        "scheduled_at": item.scheduled_at.isoformat() if item.scheduled_at else None,
        "scheduled_local": item.scheduled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if item.scheduled_at
        else None,
        "status": item.status,
        "status_label": STATUS_LABELS.get(item.status, item.status),
        "segment": item.segment,
        "product_sku": item.product_sku,
        "occasion": item.occasion,
        "decision_reason": item.decision_reason,
        "decided_by": item.decided_by,
        "last_error": item.last_error,
        "publications": [
            {
                "platform": p.platform,
                "status": p.status,
                "remote_id": p.remote_id,
                "permalink": p.permalink,
                "error": p.error,
                "attempts": p.attempts,
                "published_at": p.published_at.isoformat() if p.published_at else None,
            }
            for p in publications(db, item.id)
        ],
    }


# --- changes -------------------------------------------------------------------------------------


def do_create(
    db: Session,
    *,
    business: Business,
    caption: str,
    targets: list[str],
    title: str = "",
    hashtags: list[str] | None = None,
    media: list[dict[str, Any]] | None = None,
    scheduled_at: datetime | str | None = None,
    segment: str | None = None,
    product_sku: str | None = None,
    occasion: str | None = None,
    batch_slot: str | None = None,
) -> ContentItem:
    targets = check_targets(targets)
    if not targets:
        raise ValidationFailed(
            "Pilih minimal satu platform tujuan.", code="no_targets", details={"targets": "wajib"}
        )
    tags = [t if str(t).startswith("#") else f"#{t}" for t in (hashtags or []) if str(t).strip()]
    check_publishable(caption=caption or "", hashtags=tags, targets=targets, media=media or [])
    when = to_utc(business, scheduled_at)
    item = ContentItem(
        business_id=business.id,
        title=(title or (caption or "").split("\n")[0])[:200],
        caption=caption or "",
        hashtags=tags,
        media=list(media or []),
        targets=targets,
        scheduled_at=when,
        segment=segment,
        product_sku=product_sku,
        occasion=occasion,
        batch_slot=batch_slot,
        status="draft",
    )
    db.add(item)
    db.flush()
    return item


def do_update(
    db: Session,
    *,
    business: Business,
    item: ContentItem,
    caption: str | None = None,
    hashtags: list[str] | None = None,
    targets: list[str] | None = None,
    scheduled_at: datetime | str | None = None,
    title: str | None = None,
) -> ContentItem:
    """Edit an item that has not started publishing. An edit of an approved or scheduled item sends it back to
    draft: what is published is what was approved."""
    if item.status not in EDITABLE:
        raise Conflict(
            f"Konten berstatus '{STATUS_LABELS[item.status]}' tidak bisa diubah.", code="content_not_editable"
        )
    new_caption = item.caption if caption is None else caption
    new_tags = (
        list(item.hashtags or [])
        if hashtags is None
        else [t if t.startswith("#") else f"#{t}" for t in hashtags if t.strip()]
    )
    new_targets = list(item.targets or []) if targets is None else check_targets(targets)
    check_publishable(
        caption=new_caption, hashtags=new_tags, targets=new_targets, media=list(item.media or [])
    )
    item.caption, item.hashtags, item.targets = new_caption, new_tags, new_targets
    if title is not None:
        item.title = title[:200]
    if scheduled_at is not None:
        item.scheduled_at = to_utc(business, scheduled_at)
    if item.status in ("approved", "scheduled", "rejected", "failed"):
        item.status = "draft"
    db.flush()
    return item


def do_delete(db: Session, *, item: ContentItem) -> None:
    if item.status in ("publishing", "published"):
        raise Conflict("Konten yang sudah/ sedang terbit tidak bisa dihapus.", code="content_not_deletable")
    db.delete(item)
    db.flush()


def approver_chats(db: Session, *, business: Business) -> list[str]:
    """Telegram chats that receive approval requests: the owners' linked accounts, else the admin chat is
    used by the adapter."""
    rows = db.scalars(
        sa.select(User.telegram_chat_id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.business_id == business.id,
            Membership.role == "owner",
            User.is_active.is_(True),
            User.telegram_chat_id.is_not(None),
        )
    ).all()
    return [str(r) for r in rows if r]


def is_telegram_approver(db: Session, *, business: Business, telegram_user_id: int | str | None) -> bool:
    if telegram_user_id is None:
        return False
    allowed = {str(x) for x in publishing_settings(business)["approver_telegram_ids"]}
    allowed |= set(approver_chats(db, business=business))
    return str(telegram_user_id) in allowed


def do_submit(db: Session, *, business: Business, item: ContentItem) -> ContentItem:
    """Ask for approval (dashboard list + the owner's Telegram)."""
    if item.status not in ("draft", "rejected", "failed"):
        if item.status == "awaiting_approval":
            return item
        raise Conflict(
            f"Konten berstatus '{STATUS_LABELS[item.status]}' tidak perlu persetujuan lagi.",
            code="content_not_submittable",
        )
    check_publishable(
        caption=item.caption,
        hashtags=list(item.hashtags or []),
        targets=list(item.targets or []),
        media=list(item.media or []),
    )
    item.status = "awaiting_approval"
    item.decision_reason = None
    db.flush()
    enqueue(
        db,
        "publishing.ask_approval",
        business_id=business.id,
        idempotency_key=f"content-approval:{item.id}:{int(utcnow().timestamp())}",
        item_id=item.id,
    )
    return item


DECISIONS = ("approve", "reject", "revise")


def do_decide(
    db: Session,
    *,
    business: Business,
    item: ContentItem,
    decision: str,
    actor: str,
    reason: str | None = None,
) -> tuple[ContentItem, bool]:
    """Apply an owner's decision. Idempotent: a second identical decision (a double click) changes nothing
    and returns changed=False; a decision on an item no longer awaiting approval is refused."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"Keputusan '{decision}' tidak dikenal.", code="unknown_decision")
    target = {"approve": ("approved", "scheduled"), "reject": ("rejected",), "revise": ("draft",)}[decision]
    if item.status != "awaiting_approval":
        if item.status in target or (decision == "approve" and item.status in ("publishing", "published")):
            return item, False
        raise Conflict(
            f"Konten ini berstatus '{STATUS_LABELS[item.status]}', bukan menunggu persetujuan.",
            code="content_not_awaiting_approval",
        )
    if decision in ("reject", "revise") and not (reason or "").strip():
        raise ValidationFailed(
            "Tuliskan alasannya.", code="reason_required", details={"reason": "wajib diisi"}
        )
    item.decided_by, item.decided_at = actor[:100], utcnow()
    item.decision_reason = (reason or "").strip()[:1000] or None
    if decision == "approve":
        item.status = "approved"
        if item.scheduled_at is not None:
            do_schedule(db, business=business, item=item)
    else:
        item.status = "rejected" if decision == "reject" else "draft"
    db.flush()
    if item.approval_messages:
        enqueue(
            db,
            "publishing.show_decision",
            business_id=business.id,
            idempotency_key=f"content-decision:{item.id}:{item.status}:{int(item.decided_at.timestamp())}",
            item_id=item.id,
        )
    log.info("content.decided", business_id=business.id, item_id=item.id, decision=decision, actor=actor)
    return item, True


def do_schedule(db: Session, *, business: Business, item: ContentItem) -> ContentItem:
    """An approved item with a time becomes a publish job at that time (one job per item and time)."""
    if item.status not in ("approved", "scheduled"):
        raise Conflict(
            "Hanya konten yang sudah disetujui yang bisa dijadwalkan.", code="content_not_approved"
        )
    if item.scheduled_at is None:
        raise ValidationFailed(
            "Tentukan waktu terbit dulu.", code="time_required", details={"scheduled_at": "wajib"}
        )
    existing = {p.platform: p for p in publications(db, item.id)}
    for platform in item.targets or []:
        if platform not in existing:
            db.add(ContentPublication(business_id=business.id, item_id=item.id, platform=platform))
    item.status = "scheduled"
    db.flush()
    enqueue(
        db,
        "publishing.publish_item",
        business_id=business.id,
        run_at=max(item.scheduled_at, utcnow()),
        idempotency_key=f"publish:{item.id}:{item.scheduled_at.isoformat()}",
        item_id=item.id,
    )
    return item


def do_publish_now(db: Session, *, business: Business, item: ContentItem) -> ContentItem:
    if item.status not in ("approved", "scheduled"):
        raise Conflict("Konten harus disetujui dulu sebelum diterbitkan.", code="content_not_approved")
    item.scheduled_at = utcnow()
    item.status = "approved"
    return do_schedule(db, business=business, item=item)


def check_dashboard_approver(role: str) -> None:
    if role not in ("owner", "admin"):
        raise Forbidden("Hanya pemilik atau admin yang bisa menyetujui konten.", code="not_an_approver")


# --- the calendar --------------------------------------------------------------------------------


def week_days(business: Business, anchor: date | None = None) -> list[date]:
    today = anchor or local_now(business.timezone).date()
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    end = nxt + timedelta(days=(7 - nxt.weekday()) % 7)
    return [start + timedelta(days=i) for i in range((end - start).days)]


# --- platform accounts ---------------------------------------------------------------------------

ACCOUNT_KINDS: dict[str, dict[str, Any]] = {
    "meta": {
        "config": ("base_url", "ig_user_id", "page_id"),
        "secrets": ("access_token", "page_access_token"),
    },
    "tiktok": {"config": ("base_url", "privacy_level", "source"), "secrets": ("access_token",)},
}


def do_connect(
    db: Session,
    *,
    business: Business,
    kind: str,
    config: dict[str, Any],
    secrets: dict[str, str],
    is_enabled: bool = True,
) -> dict[str, Any]:
    """Store the Meta or TikTok connection (tokens encrypted). Unknown fields are refused."""
    from niaga.kit.crypto import decrypt_json, encrypt_json
    from niaga.tenancy.models import ProviderConfig

    spec = ACCOUNT_KINDS.get(kind)
    if spec is None:
        raise NotFound(f"Akun '{kind}' tidak dikenal. Pilihan: meta, tiktok.", code="unknown_account")
    extra = sorted((set(config) - set(spec["config"])) | (set(secrets) - set(spec["secrets"])))
    if extra:
        raise ValidationFailed(
            f"Isian tidak dikenal: {', '.join(extra)}.",
            code="unknown_fields",
            details=dict.fromkeys(extra, "tidak dikenal"),
        )
    row = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business.id, ProviderConfig.kind == kind
        )
    ).first()
    old = decrypt_json(row.secrets) if row is not None else {}
    merged = {**old, **{k: v for k, v in secrets.items() if v}}
    if not merged.get("access_token"):
        raise ValidationFailed(
            "Token akses wajib diisi.", code="token_required", details={"access_token": "wajib"}
        )
    if row is None:
        row = ProviderConfig(business_id=business.id, kind=kind)
        db.add(row)
    row.config = {k: str(v) for k, v in config.items() if v not in (None, "")}
    row.secrets = encrypt_json(merged)
    row.is_enabled = is_enabled
    db.flush()
    return {"kind": kind, "config": row.config, "secrets": sorted(merged), "is_enabled": row.is_enabled}
