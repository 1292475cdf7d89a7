"""The FastAPI application: routers of every domain, one error envelope, request ids, limits, metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from niaga import __version__
from niaga.db.retry import is_lock_error, lock_backoff
from niaga.kit.envelope import fail
from niaga.kit.errors import AppError, Conflict, ValidationFailed
from niaga.kit.jsonbounds import check_bounds
from niaga.ops import metrics
from niaga.ops.logging import configure_logging, get_logger
from niaga.settings import get_settings

log = get_logger("niaga.http")

UPLOAD_PATH_MARKERS = ("/import", "/upload", "/files", "/webhooks/")


class BodyLimitMiddleware:
    """413 for bodies over the limit, checked on Content-Length and while streaming (chunked bodies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        s = get_settings()
        path = scope.get("path", "")
        limit = s.max_upload_bytes if any(m in path for m in UPLOAD_PATH_MARKERS) else s.max_body_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > limit:
                        await _send_413(send, limit)
                        return
                except ValueError:
                    pass
        received = 0
        too_big = False

        async def limited_receive() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_big = True
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _send_413(send, limit)


class _TooLarge(Exception):
    pass


LOCK_RETRY_HEADER = b"x-niaga-lock-retry"


class LockRetryMiddleware:
    """Replays a request whose unit of work hit SQLite's "database is locked" (answered 503 with a marker
    header by the error handler after its transaction rolled back), with backoff, up to ATTEMPTS times; the
    client sees the first real answer, or a temporary 503 with Retry-After — never a 500."""

    ATTEMPTS = 6
    replays = 0  # in this process (read by the contention tests)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            parts: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away before sending its body
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(parts)
        for attempt in range(1, self.ATTEMPTS + 1):
            retry = False
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            async def guarded_send(message: Message, _attempt: int = attempt) -> None:
                nonlocal retry
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    if any(k == LOCK_RETRY_HEADER for k, _ in headers):
                        if _attempt < self.ATTEMPTS:
                            retry = True
                            return
                        message = {
                            **message,
                            "headers": [(k, v) for k, v in headers if k != LOCK_RETRY_HEADER],
                        }
                    await send(message)
                elif not retry:
                    await send(message)

            await self.app(scope, replay, guarded_send)
            if not retry:
                return
            LockRetryMiddleware.replays += 1
            await asyncio.sleep(lock_backoff(attempt))


async def _send_413(send: Send, limit: int) -> None:
    import json

    body = json.dumps(
        fail("payload_too_large", f"Ukuran data melebihi batas {limit // 1024} KB.", {"limit_bytes": limit})
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class JsonDepthMiddleware:
    """400 `json_too_deep` for a JSON request body nested deeper than `kit.jsonbounds.MAX_DEPTH`, checked on
    the raw bytes before any endpoint parses it (the parser recurses per level: 10,000 brackets would be a
    RecursionError, a 500). The size is bounded by `BodyLimitMiddleware` around this one. Webhooks bound
    their bodies themselves (`niaga.integrations.webhooks`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE")
            or "/webhooks/" in scope.get("path", "")
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        first: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first.append(message)
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_bounds(body)
        except AppError as exc:
            await _send_json(send, exc.status, fail(exc.code, exc.message, exc.details))
            return
        replay: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *first]

        async def replayed_receive() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed_receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            ctype = value.split(b";")[0].strip().lower()
            return ctype == b"application/json" or ctype.endswith(b"+json")
    return False


async def _send_json(send: Send, status: int, payload: Any) -> None:
    import json

    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Request id (from X-Request-ID or new), bound into logs, echoed back; metrics per route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        rid = headers.get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex[:16]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            metrics.http_requests.labels(method, template, str(status_holder["status"])).inc()
            metrics.http_latency.labels(method, template).observe(elapsed)
            if not template.startswith(("/static", "/metrics", "/healthz")):
                log.info(
                    "http.request",
                    method=method,
                    path=scope.get("path"),
                    route=template,
                    status=status_holder["status"],
                    ms=round(elapsed * 1000, 1),
                )


def _field_errors(exc: RequestValidationError) -> dict[str, str]:
    details: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        key = ".".join(loc) or "body"
        details.setdefault(key, err.get("msg", "invalid"))
    return details


def _out_of_range() -> AppError:
    return ValidationFailed(
        "Angka atau tanggal di luar batas yang diizinkan.",
        code="out_of_range",
        details={"nilai": "di luar batas"},
    )


def classify_db_error(exc: StatementError) -> str | None:
    """`duplicate` for a unique violation, `out_of_range` for a number or date the column cannot hold (both
    are the caller's input, answered 409/422), None for anything else (a real server error)."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, OverflowError):
        return "out_of_range"
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    text = str(orig or exc)
    if state == "23505" or "UNIQUE constraint failed" in text:
        return "duplicate"
    if state in ("22003", "22008") or "too large to convert" in text or "out of range" in text:
        return "out_of_range"
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(fail(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return JSONResponse(fail("malformed_json", "Body bukan JSON yang valid."), status_code=400)
        return JSONResponse(
            fail("validation_error", "Data tidak valid.", _field_errors(exc)), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: ("not_found", "Tidak ditemukan."),
            405: ("method_not_allowed", "Metode tidak diizinkan."),
            401: ("unauthorized", "Perlu login."),
            403: ("forbidden", "Tidak punya akses."),
            413: ("payload_too_large", "Ukuran data melebihi batas."),
        }
        code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
        if isinstance(exc.detail, str) and exc.status_code not in codes:
            message = exc.detail
        return JSONResponse(
            fail(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    async def _as_app_error(request: Request, err: AppError) -> Any:
        # Through the AppError handler in force (the dashboard installs one that renders pages).
        handler = request.app.exception_handlers.get(AppError)
        return await handler(request, err) if handler else await _app_error(request, err)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Any:
        # An id, amount or date beyond what the database or the calendar holds: the caller's mistake.
        return await _as_app_error(request, _out_of_range())

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> Any:
        if is_lock_error(exc):
            # The unit of work rolled back; LockRetryMiddleware replays it (and strips the marker).
            log.info("http.db_locked", path=request.url.path)
            return JSONResponse(
                fail("busy", "Server sedang sibuk menyimpan data lain; coba lagi sebentar."),
                status_code=503,
                headers={"Retry-After": "1", LOCK_RETRY_HEADER.decode(): "1"},
            )
        kind = classify_db_error(exc)
        if kind == "out_of_range":
            return await _as_app_error(request, _out_of_range())
        if kind == "duplicate":
            return await _as_app_error(
                request, Conflict("Data yang sama sudah ada.", code="duplicate", details=None)
            )
        return await _unhandled(request, exc)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.error("http.unhandled", path=request.url.path, error=f"{type(exc).__name__}: {exc}", exc_info=exc)
        return JSONResponse(
            fail("internal_error", "Terjadi kesalahan pada server. Tim kami sudah dicatat."), status_code=500
        )


ROUTER_MODULES = (
    "niaga.web.health",
    "niaga.tenancy.routes",
    "niaga.catalog.routes",
    "niaga.knowledge.routes",
    "niaga.customers.routes",
    "niaga.messaging.routes",
    "niaga.messaging.inbox_routes",
    "niaga.agent.routes",
    "niaga.orders.routes",
    "niaga.files.routes",
    "niaga.jobs.routes",
    "niaga.integrations.routes",
    "niaga.integrations.waha.webhook",
    "niaga.integrations.telegram.webhook",
    "niaga.integrations.midtrans.webhook",
    "niaga.integrations.fonnte.webhook",
    "niaga.integrations.starsender.webhook",
    "niaga.integrations.midtrans.routes",
    "niaga.marketing.routes",
    "niaga.publishing.routes",
    "niaga.web.marketing",
    "niaga.operations.routes",
    "niaga.printshop.printing_routes",
    "niaga.web.content",
    "niaga.web.operations",
    "niaga.web.views",
)


def create_app(*, run_worker: bool = False) -> FastAPI:
    import importlib

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    settings.resolved_secret_key()  # fail fast on a placeholder secret outside development

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from niaga.db.engine import get_engine
        from niaga.jobs.registry import load_all

        get_engine()
        load_all()
        # Configure the ORM mappers now: otherwise the first query of the process (often a webhook's) pays
        # for it, seconds on a small machine while requests queue behind it.
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
        worker = None
        if run_worker:
            from niaga.jobs.runner import InProcessWorker

            worker = InProcessWorker()
            worker.start()
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="niaga API",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        description="REST API v1 of niaga. Every response uses the envelope "
        "`{success, data, error:{code,message,details}, meta:{page,limit,total}}`.",
    )
    install_error_handlers(app)
    for mod_name in ROUTER_MODULES:  # one table; a missing module is an error at start-up
        mod = importlib.import_module(mod_name)
        router: Any = getattr(mod, "router", None)
        if router is not None:
            app.include_router(router)
        setup = getattr(mod, "setup_app", None)
        if setup is not None:
            setup(app)
    app.add_middleware(LockRetryMiddleware)  # replays a write request whose transaction hit SQLite's lock
    app.add_middleware(JsonDepthMiddleware)  # inside the body limit: it buffers at most that much
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestContextMiddleware)
    # Outermost: provider webhooks are served before the layers above (it does their part itself).
    from niaga.integrations.webhooks import WebhookFastPath

    app.add_middleware(WebhookFastPath)
    return app


def create_served_app() -> FastAPI:
    """The app of one `niaga serve --workers N` process (uvicorn imports it by name in each worker)."""
    import os

    return create_app(run_worker=os.environ.get("NIAGA_SERVE_RUN_WORKER") == "1")
