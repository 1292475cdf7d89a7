"""`niaga payment ...`: connect a business to Midtrans."""

from __future__ import annotations

import json

import typer

payment_app = typer.Typer(help="Payment providers (Midtrans).", no_args_is_help=True)


def _echo(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@payment_app.command("set")
def payment_set(
    slug: str,
    provider: str = typer.Argument(..., help="midtrans"),
    server_key: str = typer.Option(None, "--server-key", help="Midtrans server key (kept encrypted)."),
    client_key: str = typer.Option(None, "--client-key", help="Midtrans client key."),
    mode: str = typer.Option("sandbox", "--mode", help="sandbox|production"),
    base_url: str = typer.Option(None, "--base-url", help="Override the Midtrans API base URL."),
    disable: bool = typer.Option(False, "--disable", help="Keep the keys but stop using them."),
) -> None:
    """Connect a business to a payment provider: `niaga payment set SLUG midtrans --server-key K ...`."""
    from niaga.db.engine import session_scope
    from niaga.integrations.midtrans import payments
    from niaga.tenancy.service import audit, get_business_by_slug

    if provider != "midtrans":
        typer.echo("error: only 'midtrans' is supported", err=True)
        raise typer.Exit(2)
    with session_scope(immediate=True) as db:
        business = get_business_by_slug(db, slug)
        payments.do_configure(
            db,
            business_id=business.id,
            server_key=server_key,
            client_key=client_key,
            mode=mode,
            base_url=base_url,
            is_enabled=not disable,
        )
        audit(
            db,
            business_id=business.id,
            actor_type="system",
            actor_id=None,
            action="payments.midtrans.update",
            entity_type="provider_config",
            data={"mode": mode, "base_url": base_url, "via": "cli"},
        )
        info = payments.public_config(db, business_id=business.id)
    typer.echo(
        f"midtrans configured for {slug} ({info['mode']}); notification URL: {info['notification_url']}"
    )


@payment_app.command("show")
def payment_show(slug: str) -> None:
    """Show the payment configuration (never the keys)."""
    from niaga.db.engine import session_scope
    from niaga.integrations.midtrans import payments
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        _echo(payments.public_config(db, business_id=get_business_by_slug(db, slug).id))
