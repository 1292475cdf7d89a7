"""The website chat widget: `/widget.js` and the public visitor API under `/widget/{slug}/…`.

A visitor is an anonymous random id kept in the browser's localStorage; it is the only key to the
visitor's conversation, so it must be long and random (checked). Cross-origin use is allowed from the
business's `channels.allowed_origins` (an empty list allows any site, for a quick start) and niaga's own
origin. Visitors and IP addresses are rate limited (per process, sliding window of one minute).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from niaga.customers.service import get_or_create_by_identity, normalize_phone
from niaga.db.engine import new_session, session_scope
from niaga.integrations.widget.ratelimit import SharedWindow
from niaga.kit.envelope import fail, ok
from niaga.kit.errors import AppError, Forbidden, NotFound, RateLimited, ValidationFailed
from niaga.kit.strict import StrictIn
from niaga.messaging.events import sse_stream
from niaga.messaging.inbound import Inbound, do_receive
from niaga.messaging.models import Conversation, Message
from niaga.messaging.serialize import message_out
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_profile, business_settings
from niaga.tenancy.models import Business

router = APIRouter(tags=["widget"])
WIDGET_JS = Path(__file__).with_name("widget.js")
VISITOR_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# --- rate limits -----------------------------------------------------------------------------------


# Shared by every web process when Redis is configured (niaga.integrations.widget.ratelimit).
limiter = SharedWindow()


# --- helpers ---------------------------------------------------------------------------------------


def _business(db: Any, slug: str) -> Business:
    b = db.scalars(sa.select(Business).where(Business.slug == slug, Business.is_active.is_(True))).first()
    if b is None:
        raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
    return b


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origin(business: Business, origin: str | None) -> str | None:
    """The value for Access-Control-Allow-Origin, or raise Forbidden for a site that may not embed."""
    if not origin:
        return None
    allowed = [
        _origin_of(o)
        for o in business_settings(business).get("channels", {}).get("allowed_origins") or []
        if isinstance(o, str) and o.strip()
    ]
    own = {_origin_of(get_settings().public_url), *(_origin_of(o) for o in get_settings().extra_origins)}
    if not allowed or origin.lower() in allowed or origin.lower() in own:
        return origin
    raise Forbidden("Situs ini tidak diizinkan memakai chat bisnis ini.", code="origin_not_allowed")


def _cors(resp: Response, origin: str | None) -> Response:
    if origin:
        resp.headers["Access-Control-Allow-Origin"] = origin
        resp.headers["Vary"] = "Origin"
    return resp


def _visitor(visitor_id: str) -> str:
    if not VISITOR_RE.match(visitor_id or ""):
        raise ValidationFailed(details={"visitor_id": "Id pengunjung tidak valid."})
    return visitor_id


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def _check_rate(business: Business, visitor_id: str, ip: str) -> None:
    cfg = business_settings(business).get("channels", {})
    per_visitor = int(cfg.get("widget_per_visitor_per_minute") or 12)
    per_ip = int(cfg.get("widget_per_ip_per_minute") or 60)
    wait = limiter.hit(f"v:{business.id}:{visitor_id}", per_visitor) or limiter.hit(f"ip:{ip}", per_ip)
    if wait is not None:
        raise RateLimited(
            f"Terlalu banyak pesan. Coba lagi dalam {int(wait) + 1} detik.",
            details={"retry_after": round(wait, 1)},
        )


def _conversation(db: Any, business_id: int, visitor_id: str) -> Conversation | None:
    return db.scalars(
        sa.select(Conversation).where(
            Conversation.business_id == business_id,
            Conversation.channel == "web",
            Conversation.chat_id == visitor_id,
        )
    ).first()


def _messages(db: Any, conv: Conversation | None, after: int, limit: int = 100) -> list[dict[str, Any]]:
    if conv is None:
        return []
    rows = db.scalars(
        sa.select(Message)
        .where(
            Message.business_id == conv.business_id,
            Message.conversation_id == conv.id,
            Message.id > after,
            Message.sender_type != "system",
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return [message_out(m, public=True) for m in rows]


# --- routes ----------------------------------------------------------------------------------------


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> Response:
    return Response(
        WIDGET_JS.read_bytes(),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@router.options("/widget/{slug}/{rest:path}", include_in_schema=False)
def preflight(slug: str, rest: str, request: Request) -> Response:
    with new_session(readonly=True) as db:
        business = _business(db, slug)
    origin = allowed_origin(business, request.headers.get("origin"))
    resp = Response(status_code=204)
    _cors(resp, origin)
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
    resp.headers["Access-Control-Max-Age"] = "600"
    return resp


@router.get("/widget/{slug}/config")
def widget_config(slug: str, request: Request) -> Response:
    with new_session(readonly=True) as db:
        business = _business(db, slug)
        origin = allowed_origin(business, request.headers.get("origin"))
        agent = business_settings(business).get("agent", {})
        data = {
            "name": business.name,
            "greeting": agent.get("greeting"),
            "language": business_settings(business).get("language", "id"),
            "phone": business_profile(business).get("phone"),
        }
    return _cors(JSONResponse(ok(data)), origin)


class WidgetMessageIn(StrictIn):
    visitor_id: str
    text: str = Field(min_length=1, max_length=2000)
    client_id: str | None = Field(None, max_length=64)


@router.post("/widget/{slug}/messages", status_code=201)
def post_message(slug: str, body: WidgetMessageIn, request: Request) -> Response:
    origin = request.headers.get("origin")
    try:
        return _post_message(slug, body, request)
    except AppError as exc:
        # Errors must carry CORS headers too, or the browser hides them from the widget.
        return _cors(
            JSONResponse(fail(exc.code, exc.message, exc.details), status_code=exc.status),
            origin if exc.code != "origin_not_allowed" else None,
        )


def _post_message(slug: str, body: WidgetMessageIn, request: Request) -> Response:
    visitor = _visitor(body.visitor_id)
    text = body.text.strip()
    if not text:
        raise ValidationFailed(details={"text": "Pesan tidak boleh kosong."})
    with session_scope(immediate=True) as db:
        business = _business(db, slug)
        origin = allowed_origin(business, request.headers.get("origin"))
        _check_rate(business, visitor, _client_ip(request))
        client_id = body.client_id if body.client_id and VISITOR_RE.match(body.client_id) else None
        msg = do_receive(
            db,
            business=business,
            inbound=Inbound(
                channel="web",
                chat_id=visitor,
                text=text,
                provider_message_id=f"{visitor}:{client_id}" if client_id else None,
            ),
        )
        if msg is None:
            return _cors(JSONResponse(ok({"message": None, "duplicate": True}), status_code=200), origin)
        db.flush()
        data = {"message": message_out(msg, public=True), "duplicate": False}
    return _cors(JSONResponse(ok(data), status_code=201), origin)


class WidgetProfileIn(StrictIn):
    visitor_id: str
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=24)


@router.post("/widget/{slug}/profile")
def post_profile(slug: str, body: WidgetProfileIn, request: Request) -> Response:
    """The visitor introduces themselves (name, optional WhatsApp number) before or during the first chat,
    so staff see "Budi" instead of "Pengunjung web #123"."""
    origin = request.headers.get("origin")
    try:
        return _post_profile(slug, body, request)
    except AppError as exc:
        return _cors(
            JSONResponse(fail(exc.code, exc.message, exc.details), status_code=exc.status),
            origin if exc.code != "origin_not_allowed" else None,
        )


def _post_profile(slug: str, body: WidgetProfileIn, request: Request) -> Response:
    visitor = _visitor(body.visitor_id)
    name = " ".join(body.name.split())
    if not name:
        raise ValidationFailed(details={"name": "Nama tidak boleh kosong."})
    phone = None
    if body.phone and body.phone.strip():
        try:
            phone = normalize_phone(body.phone)
        except ValueError:
            phone = None
        if phone is None:
            raise ValidationFailed(
                "Nomor WhatsApp tidak valid.",
                details={"phone": "Nomor WhatsApp tidak valid (contoh: 0812 3456 7890)."},
            )
    with session_scope(immediate=True) as db:
        business = _business(db, slug)
        origin = allowed_origin(business, request.headers.get("origin"))
        _check_rate(business, visitor, _client_ip(request))
        customer = get_or_create_by_identity(
            db, business_id=business.id, channel="web", external_id=visitor, name=name, phone=phone
        )
        customer.name = name  # the visitor's own statement of their name
        if phone and not customer.phone:
            customer.phone = phone
        db.flush()
        data = {"name": customer.name, "phone": customer.phone}
    return _cors(JSONResponse(ok(data)), origin)


@router.get("/widget/{slug}/messages")
def list_messages(
    slug: str, request: Request, visitor_id: str = Query(...), after: int = Query(0, ge=0)
) -> Response:
    visitor = _visitor(visitor_id)
    with new_session(readonly=True) as db:
        business = _business(db, slug)
        origin = allowed_origin(business, request.headers.get("origin"))
        rows = _messages(db, _conversation(db, business.id, visitor), after)
    return _cors(JSONResponse(ok(rows)), origin)


@router.get("/widget/{slug}/stream")
async def stream(
    slug: str, request: Request, visitor_id: str = Query(...), after: int = Query(0, ge=0)
) -> Response:
    visitor = _visitor(visitor_id)

    def load() -> tuple[int, str | None, int | None, list[dict[str, Any]]]:
        with new_session(readonly=True) as db:
            business = _business(db, slug)
            origin = allowed_origin(business, request.headers.get("origin"))
            conv = _conversation(db, business.id, visitor)
            return business.id, origin, conv.id if conv else None, _messages(db, conv, after)

    try:
        business_id, origin, conv_id, backlog = await run_in_threadpool(load)
    except (NotFound, Forbidden) as exc:
        return JSONResponse(fail(exc.code, exc.message), status_code=exc.status)
    state = {"conv_id": conv_id}

    def accept(ev: dict[str, Any]) -> dict[str, Any] | None:
        msg = ev.get("message")
        if ev.get("type") not in ("message.created", "message.updated") or not isinstance(msg, dict):
            return None
        if msg.get("channel") != "web" or msg.get("sender_type") == "system":
            return None
        if state["conv_id"] is None and ev.get("chat_id") == visitor:
            state["conv_id"] = ev.get("conversation_id")
        if state["conv_id"] is None or ev.get("conversation_id") != state["conv_id"]:
            return None
        safe = {
            k: msg.get(k)
            for k in (
                "id",
                "conversation_id",
                "channel",
                "direction",
                "sender_type",
                "text",
                "delivery_status",
                "intent",
                "created_at",
                "sent_at",
            )
        }
        safe["media"] = [
            {k: v for k, v in m.items() if k in ("filename", "mimetype", "size", "note", "url")}
            for m in msg.get("media") or []
            if isinstance(m, dict)
        ]
        return {"type": ev["type"], "message": safe}

    events = sse_stream(
        business_id,
        accept=accept,
        named=False,
        backlog=[{"type": "message.created", "message": m} for m in backlog],
        is_disconnected=request.is_disconnected,
    )
    resp = StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    return _cors(resp, origin)
