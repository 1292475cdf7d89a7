"""Dashboard plumbing: the signed cookie session, CSRF, the page context (who, which business, which
language), template rendering and the HTML error pages.

The session is a cookie signed with the service's secret key (itsdangerous); it holds the user id, the
CSRF token, the language and when it was issued. Nothing secret lives in it, so it needs no encryption.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from niaga.customers.service import display_name
from niaga.db.engine import new_session
from niaga.db.session import SessionDep
from niaga.kit import chatmarkup
from niaga.kit.errors import AppError
from niaga.kit.money import format_rupiah
from niaga.kit.timeutil import format_local, utcnow
from niaga.settings import get_settings
from niaga.tenancy.auth import Principal, principal_for_user
from niaga.tenancy.models import Business, Membership, User
from niaga.web.i18n import (
    actor_label,
    delivery_label,
    event_label,
    event_note,
    intent_label,
    method_label,
    payment_flag_label,
    print_service_label,
    print_state_label_from_id,
    role_label,
    status_label,
    t,
    tf,
)

SESSION_COOKIE = "niaga_session"
BUSINESS_COOKIE = "niaga_business"  # also read by tenancy.auth for API calls made with the cookie
SESSION_MAX_AGE = 12 * 3600  # idle limit; the cookie is re-issued while in use
SESSION_REFRESH_AFTER = 15 * 60
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


# --- session --------------------------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Cookie timestamps from the injected clock (`kit.timeutil.clock`), so session expiry follows it."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        get_settings().resolved_secret_key(), salt="niaga.web.session", signer=_ClockSigner
    )


class SessionState:
    """`data` from the cookie; `expired` when a once-valid cookie ran out (so login can say so)."""

    def __init__(self, data: dict[str, Any] | None, expired: bool = False) -> None:
        self.data = data or {}
        self.expired = expired
        self.dirty = False

    @property
    def user_id(self) -> int | None:
        uid = self.data.get("uid")
        return int(uid) if isinstance(uid, int) else None

    @property
    def csrf(self) -> str:
        if not self.data.get("csrf"):
            self.data["csrf"] = secrets.token_urlsafe(24)
            self.dirty = True
        return str(self.data["csrf"])

    @property
    def lang(self) -> str:
        lang = self.data.get("lang")
        return lang if lang in ("id", "en") else get_settings().default_language

    def set(self, **values: Any) -> None:
        self.data.update(values)
        self.dirty = True


def read_session(request: Request) -> SessionState:
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    raw = request.cookies.get(SESSION_COOKIE)
    state = SessionState(None)
    if raw:
        try:
            data = _serializer().loads(raw, max_age=SESSION_MAX_AGE)
            state = SessionState(data if isinstance(data, dict) else None)
            if utcnow().timestamp() - float(state.data.get("iat", 0)) > SESSION_REFRESH_AFTER:
                state.data["iat"] = utcnow().timestamp()
                state.dirty = True
        except SignatureExpired:
            state = SessionState(None, expired=True)
        except BadSignature:
            state = SessionState(None)
    request.state.web_session = state
    return state


def write_session(response: Response, request: Request, state: SessionState) -> None:
    state.data.setdefault("iat", utcnow().timestamp())
    response.set_cookie(
        SESSION_COOKIE,
        _serializer().dumps(state.data),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(BUSINESS_COOKIE, path="/")


def cookie_user_id(request: Request) -> int | None:
    """For `tenancy.auth.cookie_user_resolver`: the API accepts the dashboard cookie, but a state-changing
    API call made with it must carry the CSRF token in `X-CSRF-Token` (a cookie alone is not consent)."""
    state = read_session(request)
    if state.user_id is None:
        return None
    with new_session(readonly=True) as db:
        version = db.scalar(sa.select(User.session_version).where(User.id == state.user_id))
    if version is None or state.data.get("sv", 0) != version:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, str(state.data.get("csrf", ""))):
            return None
    return state.user_id


def csrf_ok(request: Request, state: SessionState, form_value: str | None) -> bool:
    expected = str(state.data.get("csrf") or "")
    sent = form_value or request.headers.get(CSRF_HEADER, "")
    return bool(expected) and bool(sent) and hmac.compare_digest(sent, expected)


# --- page context ----------------------------------------------------------------------------------


class LoginRequired(Exception):
    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class NoAccess(Exception):
    pass


class CsrfFailed(Exception):
    pass


@dataclass
class Ctx:
    request: Request
    db: Session
    session: SessionState
    user: User
    principal: Principal
    business: Business
    businesses: list[tuple[Business, str]] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.session.lang

    @property
    def business_id(self) -> int:
        return self.principal.business_id

    @property
    def role(self) -> str:
        return self.principal.role

    def can(self, role: str) -> bool:
        return self.principal.has_role(role)

    def require(self, role: str) -> None:
        if not self.can(role):
            raise NoAccess()

    def t(self, key: str) -> str:
        return t(key, self.lang)


class Shell:
    """What the page frame needs (names, roles, nav), copied out of the ORM objects so that an error page
    can still draw the frame after the request's session was rolled back and closed."""

    def __init__(
        self,
        *,
        principal: Principal,
        business: Any,
        businesses: list[tuple[Any, str]],
        user: Any,
        session: SessionState,
    ) -> None:
        self.principal = principal
        self.business = business
        self.businesses = businesses
        self.user = user
        self.session = session

    @classmethod
    def of(cls, ctx: Ctx) -> Shell:
        from types import SimpleNamespace as NS

        def biz(b: Business) -> Any:
            return NS(id=b.id, name=b.name, slug=b.slug, timezone=b.timezone, modules=_modules(b))

        return cls(
            principal=ctx.principal,
            business=biz(ctx.business),
            businesses=[(biz(b), r) for b, r in ctx.businesses],
            user=NS(id=ctx.user.id, name=ctx.user.name, email=ctx.user.email),
            session=ctx.session,
        )

    role = Ctx.role
    lang = Ctx.lang
    can = Ctx.can
    t = Ctx.t


def load_ctx(request: Request, db: Session, role: str | None = None) -> Ctx:
    """The logged-in user's context, or LoginRequired (→ login page, then back) / NoAccess (→ 403 page)."""
    state = read_session(request)
    if state.user_id is None:
        raise LoginRequired(expired=state.expired)
    user = db.get(User, state.user_id)
    if user is None or not user.is_active:
        raise LoginRequired()
    if state.data.get("sv", 0) != user.session_version:
        raise LoginRequired(expired=True)  # logged out elsewhere, password or role changed
    rows = db.execute(
        sa.select(Business, Membership.role)
        .join(Membership, Membership.business_id == Business.id)
        .where(Membership.user_id == user.id, Business.is_active.is_(True))
        .order_by(Business.name)
    ).all()
    businesses = [(b, r) for b, r in rows]
    requested = request.cookies.get(BUSINESS_COOKIE)
    try:
        principal = principal_for_user(db, user, requested=requested, token_bid=None)
    except AppError:
        if not requested:
            raise NoAccess()
        try:  # a stale business cookie (membership removed): fall back to the first business
            principal = principal_for_user(db, user, requested=None, token_bid=None)
        except AppError:
            raise NoAccess()
    business = db.get(Business, principal.business_id)
    assert business is not None
    request.state.principal = principal
    ctx = Ctx(
        request=request,
        db=db,
        session=state,
        user=user,
        principal=principal,
        business=business,
        businesses=businesses,
    )
    request.state.web_shell = Shell.of(ctx)
    if role is not None:
        ctx.require(role)
    return ctx


# --- rendering -------------------------------------------------------------------------------------


def _rupiah(value: Any) -> str:
    try:
        return format_rupiah(int(value or 0))
    except (TypeError, ValueError):
        return str(value)


def _money(value: Any) -> Markup:
    """An amount in rupiah marked as money (`<span class="money">`): never clipped, never upper-cased."""
    return Markup('<span class="money">{}</span>').format(_rupiah(value))


@pass_context
def _local(context: Any, value: Any, zone: str = "Asia/Jakarta", fmt: str = "%d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    try:
        return format_local(value, zone, fmt, context.get("lang") or "id")
    except (AttributeError, ValueError):
        return str(value)


def _number(value: Any) -> str:
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


@pass_context
def _who(context: Any, customer: Any, channel: str | None = None) -> str:
    return display_name(customer, channel=channel, lang=context.get("lang") or "id")


templates.env.filters["who"] = _who
templates.env.filters["rupiah"] = _rupiah
templates.env.filters["money"] = _money
templates.env.filters["chat"] = chatmarkup.to_html
templates.env.filters["localtime"] = _local
templates.env.filters["number"] = _number
templates.env.globals["status_label"] = status_label
templates.env.globals["event_label"] = event_label
templates.env.globals.update(
    intent_label=intent_label,
    role_label=role_label,
    actor_label=actor_label,
    method_label=method_label,
    event_note=event_note,
    delivery_label=delivery_label,
    payment_flag_label=payment_flag_label,
    print_service_label=print_service_label,
    print_state_label_from_id=print_state_label_from_id,
)


def _modules(business: Any) -> dict[str, Any]:
    from niaga.tenancy.defaults import business_settings

    modules = business_settings(business).get("modules")
    return dict(modules) if isinstance(modules, dict) else {}


def has_module(business: Any, name: str) -> bool:
    """Optional modules a business turns on in its settings (`modules.print` for a print shop); `business`
    is the ORM row or the error page's copy of it."""
    modules = business.modules if not isinstance(business, Business) else _modules(business)
    return bool(modules.get(name))


def nav_items(ctx: Ctx) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    if ctx.can("staff"):
        items += [
            {"key": "overview", "href": "/app", "label": ctx.t("nav.overview"), "icon": "home"},
            {"key": "inbox", "href": "/app/inbox", "label": ctx.t("nav.inbox"), "icon": "chat"},
            {"key": "orders", "href": "/app/pesanan", "label": ctx.t("nav.orders"), "icon": "bag"},
            {"key": "catalog", "href": "/app/katalog", "label": ctx.t("nav.catalog"), "icon": "box"},
            {"key": "customers", "href": "/app/pelanggan", "label": ctx.t("nav.customers"), "icon": "users"},
            {"key": "marketing", "href": "/app/pemasaran", "label": ctx.t("nav.marketing"), "icon": "target"},
            {"key": "content", "href": "/app/konten", "label": ctx.t("nav.content"), "icon": "spark"},
        ]
    if ctx.can("operator") and has_module(ctx.business, "print"):
        items.append({"key": "print", "href": "/app/cetak", "label": ctx.t("nav.print"), "icon": "print"})
    if ctx.can("admin"):
        items += [
            {"key": "settings", "href": "/app/pengaturan", "label": ctx.t("nav.settings"), "icon": "gear"},
            {"key": "jobs", "href": "/app/jobs", "label": ctx.t("nav.jobs"), "icon": "alert"},
        ]
    return items


def render(
    ctx: Ctx | None,
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    active: str = "",
    title: str = "",
    **data: Any,
) -> HTMLResponse:
    state = read_session(request)
    lang = state.lang
    context: dict[str, Any] = {
        "request": request,
        "ctx": ctx,
        "lang": lang,
        "t": lambda key: t(key, lang),
        "tf": lambda key, **fields: tf(key, lang, **fields),
        "csrf": state.csrf,
        "active": active,
        "title": title,
        "nav": nav_items(ctx) if ctx else [],
        "tzname": ctx.business.timezone if ctx else "Asia/Jakarta",
        **data,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if state.dirty:
        write_session(response, request, state)
    return response


def redirect(url: str, request: Request | None = None, *, status_code: int = 303) -> Response:
    """A redirect that also works for HTMX requests (they follow `HX-Redirect`, not a 303 to a full page)."""
    if request is not None and request.headers.get("hx-request"):
        resp: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        resp = RedirectResponse(url, status_code=status_code)
    if request is not None:
        state = read_session(request)
        if state.dirty:
            write_session(resp, request, state)
    return resp


def flash(request: Request, message: str, kind: str = "ok") -> None:
    state = read_session(request)
    state.set(flash={"message": message, "kind": kind})


def pop_flash(request: Request) -> dict[str, str] | None:
    state = read_session(request)
    value = state.data.pop("flash", None)
    if value is not None:
        state.dirty = True
    return value


templates.env.globals["pop_flash"] = pop_flash


def page_url(request: Request, page: int) -> str:
    from urllib.parse import urlencode

    params = {k: v for k, v in request.query_params.items() if k != "page"}
    params["page"] = str(page)
    return request.url.path + "?" + urlencode(params)


templates.env.globals["page_url"] = page_url


def login_url(request: Request, *, expired: bool = False) -> str:
    target = request.url.path
    if request.method != "GET" or request.headers.get("hx-request"):
        # After a POST or a fragment request, come back to the page the user was on.
        referer = request.headers.get("hx-current-url") or request.headers.get("referer") or "/app"
        from urllib.parse import urlsplit

        parts = urlsplit(referer)
        target = parts.path + (("?" + parts.query) if parts.query else "")
    elif request.url.query:
        target += "?" + request.url.query
    url = "/login?next=" + quote(safe_next(target), safe="/")
    return url + ("&expired=1" if expired else "")


def safe_next(value: str | None) -> str:
    """Only local dashboard paths: never an open redirect to another host."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/app"
    return value


# --- forms -------------------------------------------------------------------------------------------


async def get_form(request: Request) -> Any:
    """The submitted form (urlencoded or multipart); an async dependency so handlers can stay sync."""
    return await request.form()


FormDep = Annotated[Any, Depends(get_form)]


# The shared request session: committed *before* the response goes out, so the GET a browser sends right
# after a POST's redirect sees what the POST wrote.
WebDb = SessionDep


def check_csrf(ctx: Ctx, form: Any) -> None:
    value = form.get(CSRF_FIELD) if form is not None else None
    if not csrf_ok(ctx.request, ctx.session, value if isinstance(value, str) else None):
        raise CsrfFailed()


def post_ctx(request: Request, db: Session, form: Any, role: str | None = "staff") -> Ctx:
    ctx = load_ctx(request, db, role)
    check_csrf(ctx, form)
    return ctx


def form_str(form: Any, name: str, default: str = "") -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else default
