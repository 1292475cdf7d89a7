"""The weekly batch: on the configured weekday and hour (business time; default Friday 09:00) next week's
posts are drafted — a mix of the largest customer segments and the products with the fullest shelves, a
generated caption and a poster each, spread over the week at the posting hour — and sent for approval.
Each post has a unique slot (ISO week + index), so a second run or a second worker drafts nothing twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.kit.errors import AppError
from niaga.kit.timeutil import local_now, tz
from niaga.marketing import content, content_media
from niaga.marketing import service as rfm_service
from niaga.ops.logging import get_logger
from niaga.publishing import media, service
from niaga.publishing.models import ContentItem
from niaga.tenancy.models import Business

log = get_logger("niaga.publishing.batch")
DAY_OFFSETS = (0, 2, 4, 1, 3, 5, 6)  # Monday, Wednesday, Friday first


def segments_by_size(db: Session, business_id: int) -> list[str | None]:
    snap = rfm_service.latest_snapshot(db, business_id=business_id)
    if snap is None:
        return [None]
    sizes = [(int((v or {}).get("count", 0)), k) for k, v in (snap.segments or {}).items()]
    ordered = [k for n, k in sorted(sizes, key=lambda x: (-x[0], x[1])) if n > 0]
    return list(ordered) or [None]


def do_weekly_batch(db: Session, *, business: Business, week_start: date) -> list[ContentItem]:
    """Draft and submit the posts of the week starting `week_start` (a Monday). Stops early, keeping what it
    drafted, when the daily generation quota is spent."""
    cfg = service.publishing_settings(business)
    wb = cfg["weekly_batch"]
    n = max(0, min(int(wb.get("posts") or 0), 7))
    iso = week_start.isocalendar()
    products = content.featured_products(db, business_id=business.id, limit=n or 1)
    segments = segments_by_size(db, business.id)
    targets = [t for t in service.check_targets(list(cfg["targets"])) if t != "tiktok"]  # posters are images
    out: list[ContentItem] = []
    for i in range(n):
        slot = f"{iso[0]}-W{iso[1]:02d}:{i}"
        exists = db.scalar(
            sa.select(ContentItem.id).where(
                ContentItem.business_id == business.id, ContentItem.batch_slot == slot
            )
        )
        if exists:
            continue
        product = products[i % len(products)] if products else None
        segment = segments[i % len(segments)]
        try:
            gen = content.do_generate(
                db,
                business=business,
                kind="ig_caption",
                segment=segment,
                product_sku=product.sku if product else None,
            )
        except AppError as exc:
            log.warning("content.batch_stopped", business_id=business.id, reason=exc.message)
            break
        items_media: list[dict[str, Any]] = []
        if product is not None:
            poster, _ = content_media.poster_for_product(
                db,
                business=business,
                sku=product.sku,
                fmt="feed",
                promo=(gen["text"].split("\n")[0])[:120],
                allow_without_photo=True,
            )
            items_media.append(media.store(business.id, poster.jpeg(), "image/jpeg"))
        day = week_start + timedelta(days=DAY_OFFSETS[i])
        when = datetime.combine(day, time(int(wb.get("post_hour") or 19)), tzinfo=tz(business.timezone))
        item = service.do_create(
            db,
            business=business,
            caption=gen["text"],
            hashtags=gen["hashtags"],
            targets=targets if items_media else [t for t in targets if t != "instagram"],
            media=items_media,
            scheduled_at=when,
            segment=segment,
            product_sku=product.sku if product else None,
            batch_slot=slot,
            title=f"{product.name if product else business.name} — minggu {iso[1]}",
        )
        service.do_submit(db, business=business, item=item)
        out.append(item)
    log.info("content.batch_drafted", business_id=business.id, week=f"{iso[0]}-W{iso[1]:02d}", count=len(out))
    return out


def next_monday(d: date) -> date:
    return d + timedelta(days=7 - d.weekday())


def run_if_due(business_id: int, *, now: Any = None) -> str:
    try:
        with session_scope(immediate=True) as db:
            business = db.get(Business, business_id)
            if business is None or not business.is_active:
                return "skipped"
            wb = service.publishing_settings(business)["weekly_batch"]
            if not wb.get("enabled"):
                return "disabled"
            local = (now or local_now(business.timezone)).astimezone(tz(business.timezone))
            if local.isoweekday() != int(wb["weekday"]) or local.hour < int(wb["hour"]):
                return "not_due"
            items = do_weekly_batch(db, business=business, week_start=next_monday(local.date()))
    except IntegrityError:
        return "done"  # another worker drafted the same slot
    return "drafted" if items else "done"
