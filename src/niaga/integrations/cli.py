"""`niaga channel …`: configure a business's channels, prove the credentials, register the Telegram webhook."""

from __future__ import annotations

import json
from typing import Any

import typer

channel_app = typer.Typer(
    help="Channels of a business: WhatsApp (WAHA, Fonnte, Starsender), Telegram.", no_args_is_help=True
)
telegram_app = typer.Typer(help="Telegram bot helpers.", no_args_is_help=True)
channel_app.add_typer(telegram_app, name="telegram")

KINDS = ("waha", "fonnte", "starsender", "telegram")


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@channel_app.command("set")
def channel_set(
    slug: str = typer.Argument(..., help="Business slug."),
    kind: str = typer.Argument(..., help="waha | fonnte | starsender | telegram"),
    base_url: str = typer.Option(
        None, "--base-url", help="Provider address (WAHA required; others default)."
    ),
    api_key: str = typer.Option(None, "--api-key", help="WAHA X-Api-Key / Starsender device API key."),
    session: str = typer.Option(None, "--session", help="WAHA session name (default: default)."),
    hmac_key: str = typer.Option(None, "--hmac-key", help="WAHA webhook HMAC key."),
    token: str = typer.Option(None, "--token", help="Fonnte device token."),
    bot_token: str = typer.Option(None, "--bot-token", help="Telegram bot token."),
    secret_token: str = typer.Option(None, "--secret-token", help="Telegram webhook secret token."),
    admin_chat_id: str = typer.Option(
        None, "--admin-chat-id", help="Telegram chat for admin alerts/approvals."
    ),
    admin_number: str = typer.Option(
        None, "--admin-number", help="WhatsApp gateways: the owner's number for operations alerts (62…)."
    ),
    disable: bool = typer.Option(False, "--disable", help="Keep the settings but stop using the channel."),
) -> None:
    """Create or update a channel; secrets are stored encrypted and only shown masked."""
    from niaga.db.engine import session_scope
    from niaga.messaging import config as service
    from niaga.tenancy.service import audit, get_business_by_slug

    if kind not in KINDS:
        raise typer.BadParameter(f"kind must be one of {', '.join(KINDS)}")
    config: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    if base_url:
        config["base_url"] = base_url
    if admin_number is not None and kind != "telegram":
        config["admin_number"] = admin_number
    if kind == "waha":
        if session:
            config["session"] = session
        secrets.update(api_key=api_key or "", hmac_key=hmac_key or "")
    elif kind == "fonnte":
        secrets["token"] = token or ""
    elif kind == "starsender":
        secrets["api_key"] = api_key or ""
    else:
        if admin_chat_id is not None:
            config["admin_chat_id"] = admin_chat_id
        secrets.update(bot_token=bot_token or "", secret_token=secret_token or "")
    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        row = service.do_configure(
            db, business_id=business.id, kind=kind, config=config, secrets=secrets, is_enabled=not disable
        )
        audit(
            db,
            business_id=business.id,
            actor_type="system",
            actor_id=None,
            action="channel.configure",
            entity_type="provider_config",
            entity_id=row.id,
            data={"kind": kind, "via": "cli"},
        )
        out = service.channel_out(kind, row, business=business)
    _echo(out)


@channel_app.command("show")
def channel_show(slug: str, kind: str = typer.Argument(None)) -> None:
    """Show a business's channels (secrets masked)."""
    from niaga.db.engine import session_scope
    from niaga.messaging import config as service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        for k in [kind] if kind else KINDS:
            _echo(
                service.channel_out(
                    k, service.get_config_row(db, business_id=business.id, kind=k), business=business
                )
            )


@channel_app.command("test")
def channel_test(slug: str, kind: str) -> None:
    """Make a real call with the stored credentials (WAHA session status, Fonnte device, Telegram getMe)."""
    from niaga.db.engine import session_scope
    from niaga.messaging import config as service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        result = service.do_test(db, business_id=business.id, kind=kind)
    _echo(result)
    if not result.get("ok"):
        raise typer.Exit(1)


@telegram_app.command("set-webhook")
def telegram_set_webhook(
    slug: str, url: str = typer.Option(None, "--url", help="Default: from NIAGA_PUBLIC_URL.")
) -> None:
    """Point the bot at niaga: setWebhook with the secret token (message and callback_query updates)."""
    from niaga.db.engine import session_scope
    from niaga.integrations.base import ProviderError
    from niaga.integrations.telegram.client import TelegramClient
    from niaga.messaging import channels
    from niaga.messaging import config as service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        cfg = channels.load(db, business_id=business.id, kind="telegram")
    if cfg is None:
        typer.echo(
            "error: Telegram belum diatur. Jalankan dulu `niaga channel set SLUG telegram …`.", err=True
        )
        raise typer.Exit(2)
    target = url or service.webhook_url(slug, "telegram")
    with TelegramClient.from_config(cfg) as client:
        try:
            client.set_webhook(url=target, secret_token=cfg.secrets["secret_token"])
        except ProviderError as exc:
            typer.echo(f"error: setWebhook gagal: {exc}", err=True)
            raise typer.Exit(1)
    _echo({"ok": True, "url": target})
