"""HTTP endpoints of the channels: provider webhooks (verify → store → ack), channel configuration for
admins, and the website widget (mounted from `niaga.integrations.widget.routes`)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from niaga.db.engine import new_session
from niaga.db.session import SessionDep
from niaga.integrations.inbox import store_event_async
from niaga.integrations.telegram import webhook as telegram_webhook
from niaga.integrations.waha import webhook as waha_webhook
from niaga.integrations.widget.routes import router as widget_router
from niaga.kit.envelope import fail, ok
from niaga.kit.strict import StrictIn
from niaga.messaging import channels
from niaga.messaging import delivery as service
from niaga.tenancy.auth import AdminDep
from niaga.tenancy.models import Business
from niaga.tenancy.service import audit

router = APIRouter()
router.include_router(widget_router)

# slug -> (expires, business id | None): webhooks arrive in bursts; the lookup need not hit the database
# each time (a deactivated business stops being served within this many seconds).
_BUSINESS_TTL = 5.0
_business_cache: dict[str, tuple[float, int | None]] = {}
_business_lock = threading.Lock()


def _cached_business_id(slug: str) -> int | object | None:
    with _business_lock:
        hit = _business_cache.get(slug)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return channels._MISS


async def _resolve(slug: str, kind: str) -> tuple[int | None, channels.ChannelConfig | None]:
    """Business id and enabled channel config; from the in-process caches when warm (no thread hop), else
    from the database in the thread pool."""
    bid = _cached_business_id(slug)
    if bid is channels._MISS:
        bid = await run_in_threadpool(_business_id, slug)
    if bid is None:
        return None, None
    assert isinstance(bid, int)
    cfg = channels.cached_config(bid, kind)
    if cfg is channels._MISS:
        return bid, await run_in_threadpool(_config, bid, kind)
    assert cfg is None or isinstance(cfg, channels.ChannelConfig)
    return bid, (cfg if cfg is not None and cfg.is_enabled else None)


def _business_id(slug: str) -> int | None:
    now = time.monotonic()
    with _business_lock:
        hit = _business_cache.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    with new_session(readonly=True) as db:
        bid = db.scalar(sa.select(Business.id).where(Business.slug == slug, Business.is_active.is_(True)))
    with _business_lock:
        _business_cache[slug] = (now + _BUSINESS_TTL, bid)
    return bid


def _config(business_id: int, kind: str) -> channels.ChannelConfig | None:
    with new_session(readonly=True) as db:
        cfg = channels.load(db, business_id=business_id, kind=kind, cached=True)
    return cfg if cfg is not None and cfg.is_enabled else None


def _reject(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(fail(code, message), status_code=status)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


# --- webhooks --------------------------------------------------------------------------------------


@router.post("/webhooks/waha/{slug}", tags=["webhooks"], include_in_schema=False)
async def waha_webhook_endpoint(slug: str, request: Request) -> JSONResponse:
    raw = await request.body()
    business_id, cfg = await _resolve(slug, "waha")
    if business_id is None:
        return _reject(404, "not_found", "Bisnis tidak ditemukan.")
    if cfg is None:
        return _reject(404, "channel_not_configured", "WhatsApp (WAHA) belum diatur untuk bisnis ini.")
    # The signature is checked on the exact bytes before anything is parsed or stored.
    if not waha_webhook.verify(
        raw,
        request.headers.get("x-webhook-hmac"),
        cfg.secrets.get("hmac_key", ""),
        request.headers.get("x-webhook-hmac-algorithm"),
    ):
        return _reject(401, "invalid_signature", "Tanda tangan webhook tidak valid.")
    body = _parse(raw)
    if body is None:
        return _reject(400, "malformed_json", "Body bukan JSON yang valid.")
    key = waha_webhook.event_key(business_id, body)
    stored = await store_event_async(
        provider="waha",
        external_id=key,
        payload=body,
        business_id=business_id,
        event_type=str(body.get("event") or "")[:60],
        headers=dict(request.headers),
    )
    return JSONResponse(ok({"stored": stored}))


@router.post("/webhooks/telegram/{slug}", tags=["webhooks"], include_in_schema=False)
async def telegram_webhook_endpoint(slug: str, request: Request) -> JSONResponse:
    raw = await request.body()
    business_id, cfg = await _resolve(slug, "telegram")
    if business_id is None:
        return _reject(404, "not_found", "Bisnis tidak ditemukan.")
    if cfg is None:
        return _reject(404, "channel_not_configured", "Telegram belum diatur untuk bisnis ini.")
    if not telegram_webhook.verify(
        request.headers.get("x-telegram-bot-api-secret-token"), cfg.secrets.get("secret_token", "")
    ):
        return _reject(401, "invalid_secret", "Secret token tidak valid.")
    body = _parse(raw)
    if body is None or "update_id" not in body:
        return _reject(400, "malformed_json", "Body bukan update Telegram yang valid.")
    kind = next((k for k in body if k != "update_id"), None)
    stored = await store_event_async(
        provider="telegram",
        external_id=telegram_webhook.event_key(business_id, body),
        payload=body,
        business_id=business_id,
        event_type=kind,
        headers=dict(request.headers),
    )
    return JSONResponse(ok({"stored": stored}))


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
