"""`POST /webhooks/midtrans/{business_slug}`: verify the signature, store the notification, answer 200.

Midtrans signs nothing in the headers; authenticity is `signature_key` in the body, checked against the
business's server key with the fields exactly as received. A bad signature is refused (403) and nothing is
stored. Processing happens in the inbox job (`niaga.integrations.midtrans.tasks.handle`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from niaga.db.engine import new_session, session_scope
from niaga.integrations.inbox import store_event
from niaga.integrations.midtrans import payments
from niaga.integrations.midtrans.client import verify_signature
from niaga.kit.envelope import fail, ok
from niaga.kit.errors import NotFound
from niaga.ops.logging import get_logger

log = get_logger("niaga.midtrans.webhook")
router = APIRouter(tags=["webhooks"])


def _lookup(slug: str) -> tuple[int, str | None] | None:
    with new_session(readonly=True) as db:
        try:
            business = payments.business_for_slug(db, slug)
        except NotFound:
            return None
        cfg = payments.get_settings_for(db, business_id=business.id)
        return business.id, cfg.server_key if cfg is not None else None


def _store(business_id: int, payload: dict[str, Any], headers: dict[str, str]) -> bool:
    with session_scope(immediate=True) as db:
        event = store_event(
            db,
            provider="midtrans",
            external_id=payments.external_id(business_id, payload),
            payload=payload,
            business_id=business_id,
            event_type=str(payload.get("transaction_status") or "")[:60] or None,
            headers=headers,
        )
        return event is not None


@router.post("/webhooks/midtrans/{business_slug}", include_in_schema=False)
async def midtrans_notification(business_slug: str, request: Request) -> Any:
    raw = await request.body()
    found = await run_in_threadpool(_lookup, business_slug)
    if found is None:
        return JSONResponse(fail("not_found", "Bisnis tidak ditemukan."), status_code=404)
    business_id, server_key = found
    if not server_key:
        log.warning("midtrans.webhook_unconfigured", business_id=business_id)
        return JSONResponse(
            fail("midtrans_not_configured", "Midtrans belum diatur untuk toko ini."), status_code=404
        )
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return JSONResponse(fail("malformed_json", "Body bukan JSON yang valid."), status_code=400)
    if not isinstance(payload, dict):
        return JSONResponse(fail("bad_payload", "Notifikasi harus berupa objek JSON."), status_code=400)
    if not verify_signature(payload, server_key):
        log.warning(
            "midtrans.bad_signature", business_id=business_id, order_id=str(payload.get("order_id"))[:60]
        )
        return JSONResponse(
            fail("invalid_signature", "Tanda tangan notifikasi tidak valid."), status_code=403
        )
    stored = await run_in_threadpool(_store, business_id, payload, dict(request.headers))
    return JSONResponse(ok({"received": True, "duplicate": not stored}))
