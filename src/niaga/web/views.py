"""The staff dashboard: server-rendered pages (Jinja2 + HTMX) under /app, login at /login.

`router` collects the page routers; `setup_app()` mounts the vendored static files, lets the REST API
accept the dashboard cookie, and renders HTML error pages (login redirect, "tidak punya akses", not
found, server error without a stack trace) for dashboard paths while the API keeps its JSON envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from niaga.kit.errors import AppError, Unauthorized
from niaga.ops.logging import get_logger
from niaga.tenancy import auth as tenancy_auth
from niaga.tenancy import service as tenancy
from niaga.web import (
    catalog,
    customer_names,
    customers,
    inbox,
    jobs,
    order_shipping,
    orders,
    overview,
    print_board,
    settings,
)
from niaga.web.core import (
    BUSINESS_COOKIE,
    HERE,
    CsrfFailed,
    FormDep,
    LoginRequired,
    NoAccess,
    WebDb,
    clear_session,
    cookie_user_id,
    csrf_ok,
    form_str,
    load_ctx,
    login_url,
    read_session,
    redirect,
    render,
    safe_next,
    write_session,
)
from niaga.web.i18n import t

log = get_logger("niaga.web")

router = APIRouter(include_in_schema=False)
DASHBOARD_PREFIXES = ("/app", "/login", "/logout")


@router.get("/")
def root(request: Request) -> Response:
    return RedirectResponse("/app" if read_session(request).user_id else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/app", expired: int = 0, bye: int = 0) -> Response:
    state = read_session(request)
    if state.user_id is not None and not expired:
        return RedirectResponse(safe_next(next), status_code=303)
    notice = ""
    if expired:
        notice = t("login.expired", state.lang)
    elif bye:
        notice = t("login.logged_out", state.lang)
    elif next and next != "/app":
        notice = t("login.required", state.lang)
    return render(
        None,
        request,
        "login.html",
        title=t("login.title", state.lang),
        next=safe_next(next),
        notice=notice,
        error="",
        email="",
    )


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, db: WebDb, form: FormDep) -> Response:
    state = read_session(request)
    next_url = safe_next(form_str(form, "next", "/app"))
    email = form_str(form, "email")
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    if not csrf_ok(request, state, form_str(form, "csrf_token")):
        return render(
            None,
            request,
            "login.html",
            status_code=403,
            title=t("login.title", state.lang),
            next=next_url,
            notice="",
            error=t("error.csrf", state.lang),
            email=email,
        )
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Email wajib diisi." if state.lang == "id" else "Email is required."
    if not password:
        errors["password"] = "Kata sandi wajib diisi." if state.lang == "id" else "Password is required."
    if errors:
        return render(
            None,
            request,
            "login.html",
            status_code=422,
            title=t("login.title", state.lang),
            next=next_url,
            notice="",
            error="",
            errors=errors,
            email=email,
        )
    try:
        user = tenancy.check_login(
            db,
            email=email,
            password=str(password),
            address=request.client.host if request.client else "unknown",
        )
    except Unauthorized as exc:
        db.commit()  # the failure counter and the lockout must persist although the login fails
        log.info("web.login_failed", code=exc.code)
        return render(
            None,
            request,
            "login.html",
            status_code=exc.status,
            title=t("login.title", state.lang),
            next=next_url,
            notice="",
            error=exc.message,
            email=email,
        )
    memberships = tenancy.memberships_of(db, user.id)
    if not memberships and not user.is_super_admin:
        return render(
            None,
            request,
            "login.html",
            status_code=403,
            title=t("login.title", state.lang),
            next=next_url,
            notice="",
            email=email,
            error="Akun ini belum terhubung ke bisnis mana pun. Hubungi pemilik bisnis.",
        )
    # A fresh session (and CSRF token) on login: an attacker's pre-set cookie is never promoted.
    state.data = {
        "uid": user.id,
        "sv": user.session_version,
        "lang": state.lang if state.data.get("lang") else user.language,
    }
    state.dirty = True
    _ = state.csrf
    if next_url == "/app" and memberships and all(r == "operator" for _, r in memberships):
        next_url = "/app/cetak"
    log.info("web.login", user_id=user.id)
    response = RedirectResponse(next_url, status_code=303)
    write_session(response, request, state)
    return response


@router.post("/logout")
def logout(request: Request, db: WebDb, form: FormDep) -> Response:
    state = read_session(request)
    response = RedirectResponse("/login?bye=1", status_code=303)
    if state.user_id is None or csrf_ok(request, state, form_str(form, "csrf_token")):
        if state.user_id is not None:
            # Server-side end: a copy of this cookie (another tab, a stolen one) no longer opens anything.
            tenancy.end_sessions(db, user_id=state.user_id)
        clear_session(response)
    else:
        return RedirectResponse("/app", status_code=303)
    return response


@router.post("/app/bahasa")
def switch_language(request: Request, db: WebDb, form: FormDep) -> Response:
    state = read_session(request)
    if csrf_ok(request, state, form_str(form, "csrf_token")):
        lang = form_str(form, "lang")
        state.set(lang=lang if lang in ("id", "en") else "id")
    return redirect(safe_next(form_str(form, "next", "/app")), request)


@router.post("/app/bisnis")
def switch_business(request: Request, db: WebDb, form: FormDep) -> Response:
    ctx = load_ctx(request, db, None)
    if not csrf_ok(request, ctx.session, form_str(form, "csrf_token")):
        raise CsrfFailed()
    slug = form_str(form, "business")
    if slug not in {b.slug for b, _ in ctx.businesses}:
        raise NoAccess()
    response = redirect("/app", request)
    response.set_cookie(
        BUSINESS_COOKIE, slug, httponly=True, samesite="lax", path="/", secure=request.url.scheme == "https"
    )
    return response


for _module in (
    overview,
    inbox,
    customer_names,
    catalog,
    customers,
    orders,
    order_shipping,
    settings,
    jobs,
    print_board,
):
    router.include_router(_module.router)


# --- app wiring --------------------------------------------------------------------------------------


def _is_dashboard(request: Request) -> bool:
    path = request.url.path
    return path == "/" or any(path == p or path.startswith(p + "/") for p in DASHBOARD_PREFIXES)


def _error_page(request: Request, status: int, title_key: str, body: str) -> Response:
    ctx = getattr(request.state, "web_shell", None)
    lang = read_session(request).lang
    if request.headers.get("hx-request"):
        return HTMLResponse(
            f'<div class="alert alert-error" role="alert">{body}</div>',
            status_code=status,
            headers={"HX-Retarget": "#toast", "HX-Reswap": "innerHTML"},
        )
    return render(
        ctx,
        request,
        "error.html",
        status_code=status,
        title=t(title_key, lang),
        heading=t(title_key, lang),
        body=body,
        status=status,
    )


async def _delegate(
    handler: Callable[[Request, Any], Response | Awaitable[Response]] | None, request: Request, exc: Exception
) -> Response:
    """Hand an error to the handler that was registered before ours (app.py's envelope handlers)."""
    assert handler is not None
    result = handler(request, exc)
    if isinstance(result, Response):
        return result
    return await result


def setup_app(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    tenancy_auth.cookie_user_resolver = cookie_user_id

    original_app_error = app.exception_handlers.get(AppError)
    original_http = app.exception_handlers.get(StarletteHTTPException)
    original_unhandled = app.exception_handlers.get(Exception)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        url = login_url(request, expired=exc.expired)
        response = redirect(url, request)
        if exc.expired:
            clear_session(response)
        return response

    @app.exception_handler(NoAccess)
    async def _no_access(request: Request, exc: NoAccess) -> Response:
        lang = read_session(request).lang
        return _error_page(request, 403, "error.forbidden.title", t("error.forbidden.body", lang))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        lang = read_session(request).lang
        return _error_page(request, 403, "error.forbidden.title", t("error.csrf", lang))

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if _is_dashboard(request):
            lang = read_session(request).lang
            if exc.status == 404:
                return _error_page(request, 404, "error.notfound.title", t("error.notfound.body", lang))
            if exc.status == 403:
                return _error_page(request, 403, "error.forbidden.title", t("error.forbidden.body", lang))
            if exc.status == 401:
                return redirect(login_url(request), request)
            return _error_page(request, exc.status, "error.server.title", exc.message)
        return await _delegate(original_app_error, request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_dashboard(request):
            lang = read_session(request).lang
            if exc.status_code == 404:
                return _error_page(request, 404, "error.notfound.title", t("error.notfound.body", lang))
            if exc.status_code == 403:
                return _error_page(request, 403, "error.forbidden.title", t("error.forbidden.body", lang))
            return _error_page(request, exc.status_code, "error.server.title", str(exc.detail))
        return await _delegate(original_http, request, exc)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        if _is_dashboard(request):
            log.error(
                "web.unhandled", path=request.url.path, error=f"{type(exc).__name__}: {exc}", exc_info=exc
            )
            lang = read_session(request).lang
            try:
                return _error_page(request, 500, "error.server.title", t("error.server.body", lang))
            except Exception:  # the error page itself failed: plain text, still no stack trace
                return HTMLResponse(t("error.server.body", lang), status_code=500)
        return await _delegate(original_unhandled, request, exc)
