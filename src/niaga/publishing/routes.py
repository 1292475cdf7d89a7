"""REST API v1 of the content studio (envelope `{success, data, error, meta}`), and the public media URL.

- `POST /api/v1/content/generate`, `GET /api/v1/content/usage`
- `POST /api/v1/content/posters`, `POST /api/v1/content/videos` (stored; answer the media token and URL)
- `GET|POST /api/v1/content/items`, `GET|PATCH|DELETE /api/v1/content/items/{id}`,
  `POST /api/v1/content/items/{id}/submit|decision|publish-now`
- `PUT /api/v1/content/accounts/{meta|tiktok}` (admin)
- `POST /api/v1/broadcasts/preview`, `POST /api/v1/broadcasts`, `GET /api/v1/broadcasts/{id}`,
  `POST /api/v1/broadcasts/{id}/start|pause|resume|cancel`
- `GET /media/konten/{business}/{token}.{ext}`: generated media for the platforms (unguessable names)
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from niaga.db.session import SessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.marketing import content, content_media
from niaga.publishing import broadcast, media, service
from niaga.publishing.schemas import (
    AccountIn,
    BroadcastIn,
    DecisionIn,
    GenerateIn,
    ItemIn,
    ItemPatch,
    PosterIn,
    VideoIn,
)
from niaga.tenancy.auth import AdminDep, StaffDep
from niaga.tenancy.service import get_business

router = APIRouter(tags=["content"])


@router.post("/api/v1/content/generate")
def generate(body: GenerateIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    return ok(
        content.do_generate(
            db,
            business=business,
            kind=body.kind,
            segment=body.segment,
            product_sku=body.product,
            occasion=body.occasion,
            instruction=body.instruction,
            regenerate=body.regenerate,
        )
    )


@router.get("/api/v1/content/usage")
def usage(principal: StaffDep, db: SessionDep, days: int = Query(30, ge=1, le=366)) -> dict:
    return ok(content.usage_summary(db, business=get_business(db, principal.business_id), days=days))


@router.post("/api/v1/content/posters")
def poster(body: PosterIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    p, info = content_media.poster_for_product(
        db,
        business=business,
        sku=body.product,
        fmt=body.format,
        promo=body.promo,
        allow_without_photo=body.allow_without_photo,
    )
    entry = media.store(business.id, p.jpeg(), "image/jpeg")
    return ok({**info, "token": entry["token"], "url": media.public_url(business.id, entry)})


@router.post("/api/v1/content/videos")
def video(body: VideoIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    data, info = content_media.video_for_products(
        db, business=business, skus=body.products, seconds_per_slide=body.seconds_per_slide
    )
    entry = media.store(business.id, data, "video/mp4")
    return ok({**info, "token": entry["token"], "url": media.public_url(business.id, entry)})


def _media_entries(business_id: int, tokens: list[str]) -> list[dict]:
    out = []
    for t in tokens:
        found = next(
            (
                media.resolve(business_id, f"{t}.{ext}")
                for ext in ("jpg", "png", "mp4")
                if media.resolve(business_id, f"{t}.{ext}")
            ),
            None,
        )
        if found is None:
            raise ValidationFailed(
                f"Media '{t}' tidak ditemukan.", code="media_not_found", details={"media": t}
            )
        path, mime = found
        out.append(
            {
                "path": str(path.relative_to(path.parents[2])),
                "token": t,
                "mimetype": mime,
                "kind": "video" if mime.startswith("video/") else "image",
                "size": path.stat().st_size,
            }
        )
    return out


@router.get("/api/v1/content/items")
def list_items(
    principal: StaffDep,
    db: SessionDep,
    start: date | None = None,
    days: int = Query(7, ge=1, le=62),
    status: str | None = Query(None, max_length=20),
) -> dict:
    business = get_business(db, principal.business_id)
    first = start or service.week_days(business)[0]
    rows = service.list_items(
        db, business=business, start=first, end=first + timedelta(days=days), status=status
    )
    return ok([service.item_out(db, i, business) for i in rows])


@router.post("/api/v1/content/items")
def create_item(body: ItemIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    item = service.do_create(
        db,
        business=business,
        caption=body.caption,
        title=body.title,
        hashtags=body.hashtags,
        targets=body.targets,
        media=_media_entries(business.id, body.media),
        scheduled_at=body.scheduled_at,
        segment=body.segment,
        product_sku=body.product,
        occasion=body.occasion,
    )
    return ok(service.item_out(db, item, business))


@router.get("/api/v1/content/items/{item_id}")
def get_item(item_id: int, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    return ok(service.item_out(db, service.get_item(db, business_id=business.id, item_id=item_id), business))


@router.patch("/api/v1/content/items/{item_id}")
def patch_item(item_id: int, body: ItemPatch, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    item = service.get_item(db, business_id=business.id, item_id=item_id)
    service.do_update(
        db,
        business=business,
        item=item,
        caption=body.caption,
        title=body.title,
        hashtags=body.hashtags,
        targets=body.targets,
        scheduled_at=body.scheduled_at,
    )
    return ok(service.item_out(db, item, business))


@router.delete("/api/v1/content/items/{item_id}")
def delete_item(item_id: int, principal: StaffDep, db: SessionDep) -> dict:
    item = service.get_item(db, business_id=principal.business_id, item_id=item_id)
    service.do_delete(db, item=item)
    return ok({"deleted": item_id})


@router.post("/api/v1/content/items/{item_id}/submit")
def submit_item(item_id: int, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    item = service.do_submit(
        db, business=business, item=service.get_item(db, business_id=business.id, item_id=item_id)
    )
    return ok(service.item_out(db, item, business))


@router.post("/api/v1/content/items/{item_id}/decision")
def decide_item(item_id: int, body: DecisionIn, principal: StaffDep, db: SessionDep) -> dict:
    service.check_dashboard_approver(principal.role if not principal.is_super_admin else "owner")
    business = get_business(db, principal.business_id)
    item, changed = service.do_decide(
        db,
        business=business,
        item=service.get_item(db, business_id=business.id, item_id=item_id),
        decision=body.decision,
        reason=body.reason,
        actor=f"{principal.actor_type}:{principal.actor_id}",
    )
    return ok({**service.item_out(db, item, business), "changed": changed})


@router.post("/api/v1/content/items/{item_id}/publish-now")
def publish_now(item_id: int, principal: AdminDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    item = service.do_publish_now(
        db, business=business, item=service.get_item(db, business_id=business.id, item_id=item_id)
    )
    return ok(service.item_out(db, item, business))


@router.put("/api/v1/content/accounts/{kind}")
def connect_account(kind: str, body: AccountIn, principal: AdminDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    return ok(
        service.do_connect(
            db,
            business=business,
            kind=kind,
            config=body.config,
            secrets=body.secrets,
            is_enabled=body.is_enabled,
        )
    )


# --- broadcasts ----------------------------------------------------------------------------------


@router.post("/api/v1/broadcasts/preview")
def preview_broadcast(body: BroadcastIn, principal: StaffDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    return ok(
        broadcast.preview(
            db,
            business=business,
            audience=body.audience.model_dump(),
            text=body.text,
            consent_confirmed=body.consent_confirmed,
        )
    )


@router.post("/api/v1/broadcasts")
def create_broadcast(body: BroadcastIn, principal: AdminDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    b = broadcast.do_create(
        db,
        business=business,
        text=body.text,
        audience=body.audience.model_dump(),
        name=body.name,
        consent_confirmed=body.consent_confirmed,
        user_id=principal.user_id,
    )
    return ok(broadcast.broadcast_out(db, b))


@router.get("/api/v1/broadcasts/{broadcast_id}")
def get_broadcast(broadcast_id: int, principal: StaffDep, db: SessionDep) -> dict:
    return ok(
        broadcast.broadcast_out(
            db, broadcast.get(db, business_id=principal.business_id, broadcast_id=broadcast_id)
        )
    )


@router.post("/api/v1/broadcasts/{broadcast_id}/{action}")
def act_on_broadcast(broadcast_id: int, action: str, principal: AdminDep, db: SessionDep) -> dict:
    business = get_business(db, principal.business_id)
    b = broadcast.get(db, business_id=business.id, broadcast_id=broadcast_id)
    extra: dict = {}
    if action == "start":
        extra = broadcast.do_start(db, business=business, broadcast=b)
    elif action == "pause":
        broadcast.do_pause(db, broadcast=b)
    elif action == "resume":
        extra = {"rescheduled": broadcast.do_resume(db, business=business, broadcast=b)}
    elif action == "cancel":
        broadcast.do_cancel(db, broadcast=b)
    else:
        raise NotFound(f"Aksi '{action}' tidak dikenal.", code="unknown_action")
    return ok({**broadcast.broadcast_out(db, b), **extra})


# --- public media --------------------------------------------------------------------------------


@router.get("/media/konten/{business_id}/{filename}", include_in_schema=False)
def public_media(business_id: int, filename: str) -> FileResponse:
    found = media.resolve(business_id, filename)
    if found is None:
        raise NotFound("Media tidak ditemukan.", code="media_not_found")
    path, mime = found
    return FileResponse(path, media_type=mime, headers={"Cache-Control": "public, max-age=86400"})
