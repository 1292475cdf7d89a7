"""Pengaturan (owner/admin): business profile and persona, opening hours, print pricing, channel connections
with "test connection", Midtrans keys, AI provider, users and roles, API keys.

Secrets are write-only: a form shows whether one is stored, never its value; an empty field keeps it.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.catalog import embedding_tasks
from niaga.integrations.midtrans import payments
from niaga.integrations.models import ProviderConfig
from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.kit.errors import AppError, NotFound
from niaga.knowledge import embeddings
from niaga.messaging import config as integrations
from niaga.messaging.channels import CHANNEL_KINDS
from niaga.printshop import pricing as ps
from niaga.printshop.errors import PrintshopInputError
from niaga.settings import get_settings
from niaga.tenancy import providers
from niaga.tenancy import service as tenancy
from niaga.tenancy.defaults import business_profile, business_settings
from niaga.tenancy.models import ROLES, ApiKey, Membership, User
from niaga.web.core import (
    Ctx,
    FormDep,
    NoAccess,
    WebDb,
    flash,
    has_module,
    load_ctx,
    post_ctx,
    redirect,
    render,
)
from niaga.web.forms import Form

router = APIRouter()
DAYS = [
    ("1", "Senin", "Monday"),
    ("2", "Selasa", "Tuesday"),
    ("3", "Rabu", "Wednesday"),
    ("4", "Kamis", "Thursday"),
    ("5", "Jumat", "Friday"),
    ("6", "Sabtu", "Saturday"),
    ("7", "Minggu", "Sunday"),
]
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TONES = ("ramah", "formal", "santai")
AI_PROVIDERS = ("offline", "openai", "gemini")
CHANNEL_LABELS = {
    "waha": "WAHA (WhatsApp)",
    "fonnte": "Fonnte (WhatsApp)",
    "starsender": "Starsender (WhatsApp)",
    "telegram": "Telegram",
}
SECRET_LABELS = {
    "api_key": "API key",
    "hmac_key": "HMAC key webhook",
    "token": "Token",
    "bot_token": "Bot token",
    "secret_token": "Secret token webhook",
}
CONFIG_LABELS = {
    "base_url": "Base URL",
    "session": "Sesi",
    "admin_chat_id": "Chat id admin",
    "admin_number": "Nomor WhatsApp admin",
}


def _audit(db: Any, ctx: Ctx, action: str, **data: Any) -> None:
    tenancy.audit(
        db,
        business_id=ctx.business_id,
        actor_type="user",
        actor_id=ctx.user.id,
        action=action,
        entity_type="business",
        entity_id=ctx.business_id,
        data=data,
    )


# --- profile, persona, hours, pricing ----------------------------------------------------------------------


def _profile_values(ctx: Ctx) -> dict[str, Any]:
    profile = business_profile(ctx.business)
    s = business_settings(ctx.business)
    values: dict[str, Any] = {
        "name": ctx.business.name,
        **{k: profile.get(k, "") for k in ("address", "city", "phone", "email", "description")},
    }
    values.update(
        {
            f"agent_{k}": s["agent"].get(k, "")
            for k in ("persona_name", "greeting", "tone", "address_customer_as")
        }
    )
    for day, _, _ in DAYS:
        hours = s["hours"].get(day) or []
        values[f"open_{day}"] = hours[0] if len(hours) == 2 else ""
        values[f"close_{day}"] = hours[1] if len(hours) == 2 else ""
        values[f"closed_{day}"] = len(hours) != 2
    return values


# --- print prices: the price list the agent's quotes and the print-job pipeline use -----------------------

PRICE_MONEY_FIELDS = ("custom_cover_colour_surcharge", "photo_page", "minimum_charge")
PRICE_PCT_FIELDS = (("duplex_discount_pct", 100), ("express_surcharge_pct", 500))


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_")


def _price_list_view(db: Any, ctx: Ctx) -> dict[str, Any]:
    """The fields of the business's price list in use (`printshop.pricing.active_price_list`), or of the
    example list when there is none yet (saving the page creates it)."""
    row = ps.active_price_list(db, ctx.business_id)
    prices = ps.validate_prices(dict(row.prices) if row is not None else {})
    values: dict[str, Any] = {}
    for size, modes in prices["per_page"].items():
        for mode in ("bw", "colour"):
            values[f"pp_{_slug(size)}_{mode}"] = modes.get(mode, "")
    for name, price in prices["binding"].items():
        values[f"bind_{_slug(name)}"] = price
    for gsm, price in (prices.get("paper_gsm_surcharge_per_page") or {}).items():
        values[f"gsm_{_slug(gsm)}"] = price
    for key in PRICE_MONEY_FIELDS:
        values[key] = prices.get(key, "")
    for key, _ in PRICE_PCT_FIELDS:
        values[key] = prices.get(key, "")
    return {
        "exists": row is not None,
        "sizes": [(size, _slug(size)) for size in prices["per_page"]],
        "bindings": [(name, _slug(name)) for name in prices["binding"]],
        "gsms": [(gsm, _slug(gsm)) for gsm in prices.get("paper_gsm_surcharge_per_page") or {}],
        "values": values,
        "prices": prices,
    }


def _read_price_list(form: Form, current: dict[str, Any]) -> dict[str, Any]:
    """The price list from the form: `current` (the list in use, checked) with every field shown replaced.
    Keys the page does not show (the standard cover colours, other lists' extras) are kept as they are."""
    prices = dict(current)
    prices["per_page"] = {
        size: {
            mode: form.money(f"pp_{_slug(size)}_{mode}", required=True, label=f"harga {size}")
            for mode in ("bw", "colour")
        }
        for size in current["per_page"]
    }
    prices["binding"] = {
        name: form.money(f"bind_{_slug(name)}", required=True, label=f"harga jilid {name}")
        for name in current["binding"]
    }
    prices["paper_gsm_surcharge_per_page"] = {
        gsm: form.money(f"gsm_{_slug(gsm)}", required=True, label=f"tambahan kertas {gsm} gram")
        for gsm in current.get("paper_gsm_surcharge_per_page") or {}
    }
    for key in PRICE_MONEY_FIELDS:
        prices[key] = form.money(key, required=True, label="harga")
    for key, most in PRICE_PCT_FIELDS:
        pct = form.integer(key, required=True, label="persentase")
        if pct is not None and pct > most:
            form.errors[key] = f"Maksimal {most}%."
        prices[key] = pct
    return prices


@router.get("/app/pengaturan", response_class=HTMLResponse)
def profile_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    print_module = has_module(ctx.business, "print")
    price_list = _price_list_view(db, ctx) if print_module else None
    return render(
        ctx,
        request,
        "settings_profile.html",
        active="settings",
        title=ctx.t("set.title"),
        tab="profile",
        values={**_profile_values(ctx), **(price_list["values"] if price_list else {})},
        errors={},
        days=DAYS,
        tones=TONES,
        print_module=print_module,
        price_list=price_list,
    )


@router.post("/app/pengaturan", response_class=HTMLResponse)
def profile_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    name = form.text("name", required=True, max_len=200, label="nama bisnis")
    profile = {
        k: form.text(k, max_len=2000 if k in ("address", "description") else 200)
        for k in ("address", "city", "phone", "email", "description")
    }
    if profile["email"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", profile["email"]):
        form.errors["email"] = "Format email tidak valid."
    agent = {
        "persona_name": form.text("agent_persona_name", required=True, max_len=60, label="nama asisten"),
        "greeting": form.text("agent_greeting", max_len=100),
        "tone": form.raw("agent_tone"),
        "address_customer_as": form.text("agent_address_customer_as", max_len=30),
    }
    if agent["tone"] not in TONES:
        form.errors["agent_tone"] = "Pilih gaya bahasa."
    hours: dict[str, list[str]] = {}
    for day, _, _ in DAYS:
        closed = form.checkbox(f"closed_{day}")
        start, end = form.raw(f"open_{day}"), form.raw(f"close_{day}")
        if closed:
            hours[day] = []
            continue
        if not TIME_RE.match(start) or not TIME_RE.match(end):
            form.errors[f"open_{day}"] = "Isi jam buka dan tutup (JJ:MM) atau centang Tutup."
        elif end <= start:
            form.errors[f"open_{day}"] = "Jam tutup harus setelah jam buka."
        else:
            hours[day] = [start, end]
    print_module = has_module(ctx.business, "print")
    # A print shop's prices are its price list (what the agent quotes and the print-job pipeline charges).
    price_list = _price_list_view(db, ctx) if print_module else None
    prices = _read_price_list(form, price_list["prices"]) if price_list else None
    if prices is not None and form.ok:
        try:  # checked, then stored (nothing is written when it raises)
            ps.save_price_list(db, ctx.business_id, prices)
        except PrintshopInputError as exc:
            form.errors["price_list"] = exc.message
    if not form.ok:
        return render(
            ctx,
            request,
            "settings_profile.html",
            status_code=422,
            active="settings",
            title=ctx.t("set.title"),
            tab="profile",
            values={**_profile_values(ctx), **form.values},
            errors=form.errors,
            days=DAYS,
            tones=TONES,
            print_module=print_module,
            price_list=price_list,
        )
    tenancy.update_business(
        db,
        ctx.business,
        name=name,
        profile=profile,
        settings={
            "agent": agent,
            "hours": hours,
            "shipping": {
                "origin_city": business_settings(ctx.business)["shipping"].get("origin_city")
                or profile["city"]
            },
        },
    )
    _audit(db, ctx, "business.update")
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan", request)


# --- channels -------------------------------------------------------------------------------------------


def _channel_rows(db: Any, ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for kind, spec in CHANNEL_KINDS.items():
        row = integrations.get_config_row(db, business_id=ctx.business_id, kind=kind)
        stored = decrypt_json(row.secrets) if row is not None else {}
        out.append(
            {
                "kind": kind,
                "label": CHANNEL_LABELS.get(kind, kind),
                "row": row,
                "config": [
                    (k, CONFIG_LABELS.get(k, k), (row.config.get(k) if row else None) or (d or ""), d is None)
                    for k, d in spec["config"].items()
                ],
                "secrets": [(k, SECRET_LABELS.get(k, k), bool(stored.get(k))) for k in spec["secrets"]],
                "webhook_url": integrations.webhook_url(ctx.business.slug, kind)
                if kind in ("waha", "telegram")
                else "",
            }
        )
    return out


def _channels(
    ctx: Ctx,
    request: Request,
    db: Any,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
    test: dict[str, Any] | None = None,
    origins_text: str | None = None,
) -> Response:
    public = get_settings().public_url.rstrip("/")
    snippet = f'<script src="{public}/widget.js" data-business="{ctx.business.slug}" async></script>'
    if origins_text is None:
        origins_text = "\n".join(
            str(o) for o in business_settings(ctx.business)["channels"].get("allowed_origins") or []
        )
    return render(
        ctx,
        request,
        "settings_channels.html",
        status_code=status_code,
        active="settings",
        title=ctx.t("set.channels"),
        tab="channels",
        channels=_channel_rows(db, ctx),
        errors=errors or {},
        snippet=snippet,
        test=test,
        origins_text=origins_text,
    )


ORIGIN_RE = re.compile(r"^(https?)://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(:\d{1,5})?$")


def parse_origins(text: str) -> tuple[list[str], list[str]]:
    """Origins typed one per line (or comma-separated) → (normalised origins, the entries that are not an
    origin). An origin is scheme://host[:port] with nothing after it, as a browser sends it; a trailing `/`
    is forgiven."""
    good: list[str] = []
    bad: list[str] = []
    for raw in re.split(r"[\s,]+", text or ""):
        entry = raw.strip()
        if not entry:
            continue
        value = entry[:-1] if entry.endswith("/") else entry
        value = value.lower()
        m = ORIGIN_RE.match(value)
        if not m or (m.group(4) and not 0 < int(m.group(4)[1:]) < 65536):
            bad.append(entry)
        else:
            if (m.group(1), m.group(4)) in (("https", ":443"), ("http", ":80")):
                value = value[: -len(m.group(4))]  # a browser's Origin never names the default port
            if value not in good:
                good.append(value)
    return good, bad


@router.get("/app/pengaturan/kanal", response_class=HTMLResponse)
def channels_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _channels(ctx, request, db)


@router.post("/app/pengaturan/kanal/widget/situs", response_class=HTMLResponse)
def widget_origins_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    """The sites allowed to embed the chat widget: `channels.allowed_origins`, as the widget routes read it."""
    ctx = post_ctx(request, db, form_data, "admin")
    text = Form(form_data).raw("allowed_origins")
    origins, bad = parse_origins(text)
    if bad:
        message = (
            "Bukan alamat situs yang valid: "
            + ", ".join(bad[:5])
            + ". Tulis seperti https://tokoanda.com (tanpa jalur di belakangnya)."
        )
        return _channels(
            ctx,
            request,
            db,
            errors={"widget": {"allowed_origins": message}},
            status_code=422,
            origins_text=text,
        )
    if len(origins) > 50:
        return _channels(
            ctx,
            request,
            db,
            errors={"widget": {"allowed_origins": "Maksimal 50 situs."}},
            status_code=422,
            origins_text=text,
        )
    tenancy.update_business(db, ctx.business, settings={"channels": {"allowed_origins": origins}})
    _audit(db, ctx, "widget.allowed_origins", count=len(origins))
    flash(request, f"{ctx.t('set.widget')}: {ctx.t('common.saved')}")
    return redirect("/app/pengaturan/kanal#h-widget", request)


@router.post("/app/pengaturan/kanal/{kind}", response_class=HTMLResponse)
def channel_save(kind: str, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")

    spec = CHANNEL_KINDS.get(kind)
    if spec is None:
        raise NotFound()
    form = Form(form_data)
    config = {k: form.raw(f"config_{k}") for k in spec["config"]}
    secrets = {k: form.raw(f"secret_{k}") for k in spec["secrets"]}
    try:
        integrations.do_configure(
            db,
            business_id=ctx.business_id,
            kind=kind,
            config=config,
            secrets=secrets,
            is_enabled=form.checkbox("is_enabled"),
        )
    except AppError as exc:
        db.rollback()
        details = exc.details if isinstance(exc.details, dict) else {"__all__": exc.message}
        return _channels(
            ctx,
            request,
            db,
            errors={
                kind: {str(k).replace(".", "_").replace("secrets_", "secret_"): v for k, v in details.items()}
            },
            status_code=422,
        )
    _audit(db, ctx, "channel.configure", kind=kind)
    flash(request, f"{CHANNEL_LABELS.get(kind, kind)}: {ctx.t('common.saved')}")
    return redirect(f"/app/pengaturan/kanal#ch-{kind}", request)


@router.post("/app/pengaturan/kanal/{kind}/tes", response_class=HTMLResponse)
def channel_test(kind: str, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")

    try:
        result = integrations.do_test(db, business_id=ctx.business_id, kind=kind)
    except AppError as exc:
        result = {"ok": False, "kind": kind, "error": exc.message}
    if result.get("ok"):
        flash(request, f"{CHANNEL_LABELS.get(kind, kind)}: koneksi berhasil.")
    else:
        flash(request, f"{CHANNEL_LABELS.get(kind, kind)}: {result.get('error') or 'koneksi gagal'}", "error")
    return redirect(f"/app/pengaturan/kanal#ch-{kind}", request)


# --- payments (Midtrans) ----------------------------------------------------------------------------------


@router.get("/app/pengaturan/pembayaran", response_class=HTMLResponse)
def payments_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _payments(ctx, request, db, errors={})


def _payments(
    ctx: Ctx, request: Request, db: Any, *, errors: dict[str, str], status_code: int = 200
) -> Response:
    cfg = payments.public_config(db, business_id=ctx.business_id)
    return render(
        ctx,
        request,
        "settings_payments.html",
        status_code=status_code,
        active="settings",
        title=ctx.t("set.payments"),
        tab="payments",
        cfg=cfg,
        errors=errors,
        notification_url=payments.notification_url(ctx.business),
    )


@router.post("/app/pengaturan/pembayaran", response_class=HTMLResponse)
def payments_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")

    form = Form(form_data)
    try:
        payments.do_configure(
            db,
            business_id=ctx.business_id,
            server_key=form.raw("server_key") or None,
            client_key=form.raw("client_key") or None,
            mode="production" if form.checkbox("production") else "sandbox",
            base_url=form.raw("base_url") or None,
            is_enabled=form.checkbox("is_enabled"),
        )
    except AppError as exc:
        db.rollback()
        form.absorb(exc)
        if "__all__" not in form.errors:
            form.errors["__all__"] = exc.message
        return _payments(ctx, request, db, errors=form.errors, status_code=422)
    _audit(db, ctx, "payments.configure", provider="midtrans")
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan/pembayaran", request)


# --- AI provider ------------------------------------------------------------------------------------------


def _ai_row(db: Any, business_id: int, kind: str) -> ProviderConfig | None:
    return db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == kind
        )
    ).first()


@router.get("/app/pengaturan/ai", response_class=HTMLResponse)
def ai_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _ai(ctx, request, db, values=None, errors={})


def _ai(
    ctx: Ctx,
    request: Request,
    db: Any,
    *,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    status_code: int = 200,
    emb_values: dict[str, Any] | None = None,
) -> Response:
    agent = business_settings(ctx.business)["agent"]
    rows = {kind: _ai_row(db, ctx.business_id, kind) for kind in ("openai", "gemini", "embeddings")}
    has_key = {kind: bool(row and decrypt_json(row.secrets).get("api_key")) for kind, row in rows.items()}
    emb_row = rows["embeddings"]
    emb_values = emb_values or {
        "emb_base_url": (emb_row.config.get("base_url") if emb_row else "") or "",
        "emb_model": (emb_row.config.get("model") if emb_row else "") or "",
        "emb_enabled": bool(emb_row and emb_row.is_enabled),
    }
    if values is None:
        provider = agent.get("provider") or "offline"
        row = rows.get(provider)
        values = {
            "provider": provider,
            "model": agent.get("model") or "",
            "daily_token_budget": agent.get("daily_token_budget") or "",
            "base_url": (row.config.get("base_url") if row else "") or "",
        }
    return render(
        ctx,
        request,
        "settings_ai.html",
        status_code=status_code,
        active="settings",
        title=ctx.t("set.ai"),
        tab="ai",
        values=values,
        errors=errors,
        has_key=has_key,
        providers=AI_PROVIDERS,
        emb_values=emb_values,
    )


@router.post("/app/pengaturan/ai", response_class=HTMLResponse)
def ai_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    """Stores the choice in `settings.agent` and the endpoint/key in a ProviderConfig of kind openai|gemini
    (config: base_url, model; secrets: api_key) — the agent's LLM providers read those."""
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    provider = form.raw("provider")
    if provider not in AI_PROVIDERS:
        form.errors["provider"] = "Pilih penyedia AI."
    model = form.text("model", max_len=100)
    base_url = form.text("base_url", max_len=300)
    api_key = form.raw("api_key")
    form.values.pop("api_key", None)  # never echoed back
    budget = form.integer("daily_token_budget", required=True, label="batas token harian")
    if base_url and not re.match(r"^https?://[^\s/]+", base_url):
        form.errors["base_url"] = "Harus alamat http:// atau https://."
    row = _ai_row(db, ctx.business_id, provider) if provider in ("openai", "gemini") else None
    stored = decrypt_json(row.secrets) if row is not None else {}
    if provider in ("openai", "gemini"):
        if not model:
            form.errors["model"] = "Model wajib diisi, mis. gpt-4o-mini atau gemini-2.0-flash."
        if provider == "openai" and not base_url:
            form.errors["base_url"] = (
                "Base URL wajib diisi, mis. https://api.openai.com/v1 atau http://127.0.0.1:11434/v1."
            )
        if provider == "gemini" and not api_key and not stored.get("api_key"):
            form.errors["api_key"] = "API key wajib diisi."
    if not form.ok:
        return _ai(ctx, request, db, values=form.values, errors=form.errors, status_code=422)
    if provider in ("openai", "gemini"):
        if api_key:
            stored["api_key"] = api_key
        config = {"base_url": base_url or None, "model": model}
        if row is None:
            db.add(
                ProviderConfig(
                    business_id=ctx.business_id,
                    kind=provider,
                    config=config,
                    secrets=encrypt_json(stored),
                    is_enabled=True,
                )
            )
        else:
            row.config = {**row.config, **config}
            row.secrets = encrypt_json(stored)
            row.is_enabled = True
    tenancy.update_business(
        db,
        ctx.business,
        settings={"agent": {"provider": provider, "model": model, "daily_token_budget": budget}},
    )
    _audit(db, ctx, "ai.configure", provider=provider, model=model)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan/ai", request)


@router.post("/app/pengaturan/ai/embeddings", response_class=HTMLResponse)
def ai_embeddings_save(request: Request, db: WebDb, form_data: FormDep) -> Response:
    """The OpenAI-compatible `/embeddings` endpoint for hybrid retrieval (ProviderConfig kind "embeddings":
    config base_url, model; secrets api_key); saving it queues the embedding job."""
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    base_url = form.text("emb_base_url", max_len=300).rstrip("/")
    model = form.text("emb_model", max_len=200)
    api_key = form.raw("emb_api_key")
    form.values.pop("emb_api_key", None)  # never echoed back
    enabled = form.checkbox("emb_enabled")
    if not re.match(r"^https?://[^\s/]+", base_url):
        form.errors["emb_base_url"] = "Harus alamat http:// atau https://, mis. http://127.0.0.1:11434/v1."
    if not model:
        form.errors["emb_model"] = "Model embedding wajib diisi, mis. nomic-embed-text."
    if not form.ok:
        values = {**form.values, "emb_enabled": enabled}
        return _ai(ctx, request, db, values=None, errors=form.errors, status_code=422, emb_values=values)
    row = _ai_row(db, ctx.business_id, embeddings.PROVIDER_KIND)
    stored = decrypt_json(row.secrets) if row is not None else {}
    if api_key:
        stored["api_key"] = api_key
    providers.save(
        db,
        business_id=ctx.business_id,
        kind=embeddings.PROVIDER_KIND,
        config={**(row.config if row else {}), "base_url": base_url, "model": model},
        secrets=stored,
        is_enabled=enabled,
    )
    if enabled:
        embedding_tasks.request_sync(db, business_id=ctx.business_id)
    _audit(db, ctx, "ai.embeddings.configure", model=model, is_enabled=enabled)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan/ai", request)


# --- users and roles --------------------------------------------------------------------------------------


def _grantable(ctx: Ctx) -> tuple[str, ...]:
    return ROLES if ctx.can("owner") else tuple(r for r in ROLES if r != "owner")


@router.get("/app/pengaturan/pengguna", response_class=HTMLResponse)
def users_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _users(ctx, request, db, values={"role": "staff"}, errors={})


def _users(
    ctx: Ctx,
    request: Request,
    db: Any,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        ctx,
        request,
        "settings_users.html",
        status_code=status_code,
        active="settings",
        title=ctx.t("set.users"),
        tab="users",
        members=tenancy.list_members(db, business_id=ctx.business_id),
        roles=_grantable(ctx),
        values=values,
        errors=errors,
    )


@router.post("/app/pengaturan/pengguna", response_class=HTMLResponse)
def user_add(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    email = form.text("email", required=True, max_len=254).lower()
    name = form.text("name", max_len=200)
    role = form.raw("role")
    password = form.raw("password")
    form.values.pop("password", None)
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        form.errors["email"] = "Format email tidak valid."
    if role not in _grantable(ctx):
        form.errors["role"] = "Peran tidak boleh diberikan oleh akun Anda."
    user = tenancy.get_user_by_email(db, email) if email and "email" not in form.errors else None
    if user is None and len(password) < 8:
        form.errors["password"] = "Kata sandi awal minimal 8 karakter."
    if (
        user is not None
        and db.scalars(
            sa.select(Membership).where(
                Membership.user_id == user.id, Membership.business_id == ctx.business_id
            )
        ).first()
    ):
        form.errors["email"] = "Pengguna ini sudah anggota bisnis ini."
    if form.ok:
        try:
            if user is None:
                user = tenancy.create_user(db, email=email, password=password, name=name)
            tenancy.add_member(db, user=user, business=ctx.business, role=role)
            _audit(db, ctx, "member.add", user_id=user.id, role=role)
            flash(request, f"{email} ditambahkan sebagai {role}.")
            return redirect("/app/pengaturan/pengguna", request)
        except AppError as exc:
            db.rollback()
            form.absorb(exc)
    return _users(ctx, request, db, values=form.values, errors=form.errors, status_code=422)


def _owner_count(db: Any, business_id: int) -> int:
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.business_id == business_id, Membership.role == "owner")
        )
        or 0
    )


@router.post("/app/pengaturan/pengguna/{user_id:int}", response_class=HTMLResponse)
def user_role(user_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    membership = db.scalars(
        sa.select(Membership).where(Membership.user_id == user_id, Membership.business_id == ctx.business_id)
    ).first()
    if membership is None:
        raise NotFound()
    action = form_data.get("action")
    role = form_data.get("role")
    # Only an owner may touch an owner or make one; the last owner stays.
    if membership.role == "owner" and not ctx.can("owner"):
        raise NoAccess()
    if action == "remove":
        if membership.role == "owner" and _owner_count(db, ctx.business_id) <= 1:
            flash(request, "Pemilik terakhir tidak bisa dihapus.", "error")
            return redirect("/app/pengaturan/pengguna", request)
        db.delete(membership)
        _audit(db, ctx, "member.remove", user_id=user_id)
        flash(request, ctx.t("common.saved"))
        return redirect("/app/pengaturan/pengguna", request)
    if role not in _grantable(ctx):
        raise NoAccess()
    if membership.role == "owner" and role != "owner" and _owner_count(db, ctx.business_id) <= 1:
        flash(request, "Bisnis harus punya minimal satu pemilik.", "error")
        return redirect("/app/pengaturan/pengguna", request)
    user = db.get(User, user_id)
    assert user is not None
    tenancy.add_member(db, user=user, business=ctx.business, role=str(role))
    _audit(db, ctx, "member.role", user_id=user_id, role=role)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan/pengguna", request)


# --- API keys -----------------------------------------------------------------------------------------------


@router.get("/app/pengaturan/api-keys", response_class=HTMLResponse)
def keys_page(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, "admin")
    return _keys(ctx, request, db, new_key=None, errors={}, values={"role": "admin"})


def _keys(
    ctx: Ctx,
    request: Request,
    db: Any,
    *,
    new_key: str | None,
    errors: dict[str, str],
    values: dict[str, Any],
    status_code: int = 200,
) -> Response:
    return render(
        ctx,
        request,
        "settings_keys.html",
        status_code=status_code,
        active="settings",
        title=ctx.t("set.api_keys"),
        tab="keys",
        keys=tenancy.list_api_keys(db, business_id=ctx.business_id),
        new_key=new_key,
        errors=errors,
        values=values,
        roles=_grantable(ctx),
    )


@router.post("/app/pengaturan/api-keys", response_class=HTMLResponse)
def key_create(request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    form = Form(form_data)
    name = form.text("name", required=True, max_len=100, label="nama key")
    role = form.raw("role")
    if role not in _grantable(ctx):
        form.errors["role"] = "Peran tidak boleh diberikan oleh akun Anda."
    if not form.ok:
        return _keys(ctx, request, db, new_key=None, errors=form.errors, values=form.values, status_code=422)
    key, full = tenancy.create_api_key(
        db, business_id=ctx.business_id, name=name, role=role, created_by_id=ctx.user.id
    )
    _audit(db, ctx, "api_key.create", api_key_id=key.id, role=role)
    db.flush()
    # Shown once, on this response only (not stored in the session cookie, not in a redirect URL).
    return _keys(ctx, request, db, new_key=full, errors={}, values={"role": "admin"})


@router.post("/app/pengaturan/api-keys/{key_id:int}/cabut")
def key_revoke(key_id: int, request: Request, db: WebDb, form_data: FormDep) -> Response:
    ctx = post_ctx(request, db, form_data, "admin")
    key = db.scalars(
        sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.business_id == ctx.business_id)
    ).first()
    if key is None:
        raise NotFound()
    if key.role == "owner" and not ctx.can("owner"):
        raise NoAccess()
    tenancy.revoke_api_key(db, business_id=ctx.business_id, key_id=key_id)
    _audit(db, ctx, "api_key.revoke", api_key_id=key_id)
    flash(request, ctx.t("common.saved"))
    return redirect("/app/pengaturan/api-keys", request)
