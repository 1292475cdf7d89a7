"""The one shape of every provider webhook: store-then-ack.

`add_webhook(router, spec)` makes `POST {spec.path}` that, in this order:
1. reads the raw body, refusing more than `settings.max_webhook_bytes` (413) without reading further;
2. resolves the business and the provider's configuration from the URL slug (404 when either is missing);
3. verifies the signature on the exact raw bytes (`verify_raw`) — or, for providers that sign fields of the
   body (Midtrans), on the parsed fields (`verify_payload`) — answering 401 `invalid_signature` otherwise;
4. bounds the JSON nesting depth before parsing (400 `json_too_deep`), parses (400 `malformed_json`) and
   applies the provider's own consistency check (`check`, 400);
5. stores the event in the inbox once per provider idempotency key (`event_key`) and answers 200.

Nothing is stored when any step refuses. Processing happens later in job `inbox.process`, through the
provider's handler in `niaga.integrations.registry.WEBHOOK_HANDLERS`.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from niaga.db.engine import new_session
from niaga.integrations.inbox import KEEP_HEADERS, store_event_async
from niaga.kit.envelope import fail, ok
from niaga.kit.errors import AppError
from niaga.kit.jsonbounds import MAX_DEPTH, JsonTooLarge, loads_bounded
from niaga.messaging import channels
from niaga.ops import metrics
from niaga.ops.logging import get_logger
from niaga.settings import get_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.webhooks")


@dataclass(frozen=True)
class Target:
    """Whom a webhook is for: the business and the secrets its signature is checked with."""

    business_id: int
    secrets: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


Resolver = Callable[[str], Awaitable[Target | Refusal]]


def _default_ack(stored: bool) -> dict[str, Any]:
    return {"stored": stored}


@dataclass(frozen=True)
class WebhookSpec:
    provider: str
    path: str  # with a `{slug}` parameter
    resolve: Resolver
    event_key: Callable[[int, dict[str, Any]], str]
    event_type: Callable[[dict[str, Any]], str | None]
    verify_raw: Callable[[bytes, Headers, Target], bool] | None = None
    verify_payload: Callable[[dict[str, Any], Target], bool] | None = None
    # (code, message) when a verified body is still not acceptable, else None
    check: Callable[[dict[str, Any]], tuple[str, str] | None] | None = None
    ack: Callable[[bool], dict[str, Any]] = _default_ack
    # the secret (in Target.secrets) a `{token}` path segment must equal (providers that sign nothing)
    token_secret: str | None = None
    # a parser for bodies that are not JSON (form posts): raw bytes + headers -> dict, AppError when bad
    parse: Callable[[bytes, Headers], Any] | None = None
    bad_signature: tuple[str, str] = ("invalid_signature", "Tanda tangan webhook tidak valid.")
    malformed_message: str = "Body bukan JSON yang valid."
    not_object: tuple[str, str] = ("malformed_json", "Body bukan JSON yang valid.")


def _reject(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(fail(code, message, details), status_code=status)


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> JsonTooLarge:
    return JsonTooLarge(
        f"Ukuran data melebihi batas {max(limit // 1024, 1)} KB.", details={"limit_bytes": limit}
    )


async def read_bounded(request: Request, limit: int) -> bytes:
    """The raw body, or `JsonTooLarge` as soon as it passes `limit` (Content-Length or streamed bytes)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


Answer = tuple[int, dict[str, Any]]


async def ingest(spec: WebhookSpec, params: Mapping[str, str], headers: Headers, raw: bytes) -> Answer:
    """Steps 2-5 of the module docstring for one already size-bounded body: (status, envelope)."""
    target = await spec.resolve(params["slug"])
    if isinstance(target, Refusal):
        return target.status, fail(target.code, target.message)
    if spec.token_secret is not None:
        # Providers that sign nothing (Fonnte, Starsender) carry an unguessable per-business token in the
        # path; a wrong one looks exactly like an unknown business.
        expected = str(target.secrets.get(spec.token_secret) or "")
        if not expected or not hmac.compare_digest(expected.encode(), params.get("token", "").encode()):
            log.warning("webhook.bad_token", provider=spec.provider, business_id=target.business_id)
            return 404, fail("not_found", "Bisnis tidak ditemukan.")
    # The signature is checked on the exact bytes before anything is parsed or stored.
    if spec.verify_raw is not None and not spec.verify_raw(raw, headers, target):
        log.warning("webhook.bad_signature", provider=spec.provider, business_id=target.business_id)
        metrics.webhooks_total.labels(spec.provider, "bad_signature").inc()
        return 401, fail(*spec.bad_signature)
    if spec.parse is not None:
        try:
            body: Any = spec.parse(raw, headers)
        except AppError as exc:
            return exc.status, fail(exc.code, exc.message, exc.details)
    else:
        try:
            body = loads_bounded(raw or b"null", max_depth=MAX_DEPTH)
        except AppError as exc:
            message = spec.malformed_message if exc.code == "malformed_json" else exc.message
            return exc.status, fail(exc.code, message, exc.details)
    if not isinstance(body, dict):
        return 400, fail(*spec.not_object)
    if spec.verify_payload is not None and not spec.verify_payload(body, target):
        log.warning("webhook.bad_signature", provider=spec.provider, business_id=target.business_id)
        metrics.webhooks_total.labels(spec.provider, "bad_signature").inc()
        return 401, fail(*spec.bad_signature)
    if spec.check is not None:
        problem = spec.check(body)
        if problem is not None:
            log.warning(
                "webhook.refused", provider=spec.provider, business_id=target.business_id, code=problem[0]
            )
            return 400, fail(*problem)
    stored = await store_event_async(
        provider=spec.provider,
        external_id=spec.event_key(target.business_id, body),
        # The body as received: stored verbatim (no re-serialising) when it is the JSON that was parsed.
        payload=body,
        raw=raw if spec.parse is None else None,
        business_id=target.business_id,
        event_type=(spec.event_type(body) or "")[:60] or None,
        headers={k: v for k, v in headers.items() if k in KEEP_HEADERS},
    )
    return 200, ok(spec.ack(stored))


# path segments -> spec, for the ASGI fast path (`WebhookFastPath`)
FAST_ROUTES: list[tuple[tuple[str, ...], WebhookSpec]] = []


def add_webhook(router: APIRouter, spec: WebhookSpec) -> None:
    """Register the store-then-ack endpoint of one provider on `router` (and on the ASGI fast path)."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            raw = await read_bounded(request, get_settings().max_webhook_bytes)
        except AppError as exc:
            return _reject(exc.status, exc.code, exc.message, exc.details)
        status, payload = await ingest(spec, request.path_params, request.headers, raw)
        return JSONResponse(payload, status_code=status)

    endpoint.__name__ = f"{spec.provider}_webhook"
    router.add_api_route(
        spec.path,
        endpoint,
        methods=["POST"],
        tags=["webhooks"],
        include_in_schema=False,
        name=endpoint.__name__,
    )
    segments = tuple(spec.path.strip("/").split("/"))
    FAST_ROUTES[:] = [(seg, sp) for seg, sp in FAST_ROUTES if seg != segments]
    FAST_ROUTES.append((segments, spec))


def _match(path: str) -> tuple[WebhookSpec, dict[str, str]] | None:
    parts = path.strip("/").split("/")
    for segments, spec in FAST_ROUTES:
        if len(segments) != len(parts):
            continue
        params: dict[str, str] = {}
        for want, got in zip(segments, parts, strict=True):
            if want.startswith("{"):
                if not got:
                    break
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return spec, params
    return None


class WebhookFastPath:
    """Serves `POST /webhooks/...` straight from the ASGI scope, ahead of the request middlewares and the
    router (hundreds of routes are matched one by one; the lock-retry, JSON-depth and body-limit layers
    buffer the body again). Everything they give a webhook is done here: the size bound while reading, the
    depth bound before parsing, request metrics. Other requests pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        hit = _match(path) if path.startswith("/webhooks/") and scope["method"] == "POST" else None
        if hit is None:
            await self.app(scope, receive, send)
            return
        spec, params = hit
        started = time.perf_counter()
        headers = Headers(scope=scope)
        limit = get_settings().max_webhook_bytes
        try:
            raw = await _read_limited(receive, headers, limit)
        except _TooLarge:
            status, payload = 413, _envelope(_too_large(limit))
        except _Disconnected:
            return
        else:
            status, payload = await ingest(spec, params, headers, raw)
        body = json.dumps(payload, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})
        template = "/" + "/".join(spec.path.strip("/").split("/"))
        metrics.http_requests.labels("POST", template, str(status)).inc()
        metrics.http_latency.labels("POST", template).observe(time.perf_counter() - started)


class _Disconnected(Exception):
    pass


def _envelope(exc: AppError) -> dict[str, Any]:
    return fail(exc.code, exc.message, exc.details)


async def _read_limited(receive: Receive, headers: Headers, limit: int) -> bytes:
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# --- resolving chat channels (WAHA, Telegram) ------------------------------------------------------

# slug -> (expires, business id | None): webhooks arrive in bursts; the lookup need not hit the database
# each time (a deactivated business stops being served within this many seconds).
_BUSINESS_TTL = 5.0
_business_cache: dict[str, tuple[float, int | None]] = {}
_business_lock = threading.Lock()
_NO_HIT = object()
# Every resolver cache of this process (tests and a restore clear them all).
CACHES: list[dict[Any, Any]] = [_business_cache]


def clear_caches() -> None:
    for cache in CACHES:
        cache.clear()


def _cached_business_id(slug: str) -> int | object | None:
    with _business_lock:
        hit = _business_cache.get(slug)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return _NO_HIT


def business_id_for_slug(slug: str) -> int | None:
    """The active business of `slug` (cached for a few seconds)."""
    now = time.monotonic()
    hit = _cached_business_id(slug)
    if hit is not _NO_HIT:
        return hit  # type: ignore[return-value]
    with new_session(readonly=True) as db:
        bid = db.scalar(sa.select(Business.id).where(Business.slug == slug, Business.is_active.is_(True)))
    with _business_lock:
        _business_cache[slug] = (now + _BUSINESS_TTL, bid)
    return bid


def _enabled_config(business_id: int, kind: str) -> channels.ChannelConfig | None:
    with new_session(readonly=True) as db:
        cfg = channels.load(db, business_id=business_id, kind=kind, cached=True)
    return cfg if cfg is not None and cfg.is_enabled else None


def channel_resolver(kind: str, not_configured: str) -> Resolver:
    """Business and enabled channel config of a chat channel; from the in-process caches when warm (no
    thread hop), else from the database in the thread pool."""

    async def resolve(slug: str) -> Target | Refusal:
        bid = _cached_business_id(slug)
        if bid is _NO_HIT:
            bid = await run_in_threadpool(business_id_for_slug, slug)
        if bid is None:
            return Refusal(404, "not_found", "Bisnis tidak ditemukan.")
        assert isinstance(bid, int)
        cached = channels.cached_config(bid, kind)
        if cached is channels.MISS:
            cfg = await run_in_threadpool(_enabled_config, bid, kind)
        else:
            assert cached is None or isinstance(cached, channels.ChannelConfig)
            cfg = cached if cached is not None and cached.is_enabled else None
        if cfg is None:
            return Refusal(404, "channel_not_configured", not_configured)
        return Target(business_id=bid, secrets=cfg.secrets)

    return resolve
