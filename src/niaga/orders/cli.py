"""`niaga payment ...` (payment provider setup) and `niaga order ...` (orders upkeep)."""

from __future__ import annotations

import json

import typer

payment_app = typer.Typer(help="Payment providers (Midtrans).", no_args_is_help=True)
orders_app = typer.Typer(help="Orders: list, show, expire overdue, reconcile payments.", no_args_is_help=True)


def _echo(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@payment_app.command("set")
def payment_set(slug: str, provider: str = typer.Argument(..., help="midtrans"),
                server_key: str = typer.Option(None, "--server-key", help="Midtrans server key (kept encrypted)."),
                client_key: str = typer.Option(None, "--client-key", help="Midtrans client key."),
                mode: str = typer.Option("sandbox", "--mode", help="sandbox|production"),
                base_url: str = typer.Option(None, "--base-url", help="Override the Midtrans API base URL."),
                disable: bool = typer.Option(False, "--disable", help="Keep the keys but stop using them.")) -> None:
    """Connect a business to a payment provider: `niaga payment set SLUG midtrans --server-key K ...`."""
    from niaga.db.engine import session_scope
    from niaga.orders import payments
    from niaga.tenancy.service import audit, get_business_by_slug

    if provider != "midtrans":
        typer.echo("error: only 'midtrans' is supported", err=True)
        raise typer.Exit(2)
    with session_scope(immediate=True) as db:
        business = get_business_by_slug(db, slug)
        payments.do_configure(db, business_id=business.id, server_key=server_key, client_key=client_key,
                              mode=mode, base_url=base_url, is_enabled=not disable)
        audit(db, business_id=business.id, actor_type="system", actor_id=None, action="payments.midtrans.update",
              entity_type="provider_config", data={"mode": mode, "base_url": base_url, "via": "cli"})
        info = payments.public_config(db, business_id=business.id)
    typer.echo(f"midtrans configured for {slug} ({info['mode']}); notification URL: {info['notification_url']}")


@payment_app.command("show")
def payment_show(slug: str) -> None:
    """Show the payment configuration (never the keys)."""
    from niaga.db.engine import session_scope
    from niaga.orders import payments
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        _echo(payments.public_config(db, business_id=get_business_by_slug(db, slug).id))


@orders_app.command("list")
def order_list(slug: str, status: str = typer.Option(None, "--status"),
               limit: int = typer.Option(20, "--limit")) -> None:
    from niaga.db.engine import session_scope
    from niaga.kit.money import format_rupiah
    from niaga.orders import service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        rows, total = service.list_orders(db, business_id=get_business_by_slug(db, slug).id, status=status,
                                          limit=limit)
        for o in rows:
            flag = " [!]" if o.flags else ""
            typer.echo(f"{o.id}\t{o.number}\t{o.status}\t{format_rupiah(o.total)}\tpaid {format_rupiah(o.paid_amount)}"
                       f"{flag}")
        typer.echo(f"{total} order(s)")


@orders_app.command("show")
def order_show(slug: str, number: str) -> None:
    from niaga.db.engine import session_scope
    from niaga.orders import service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        order = service.get_by_number(db, business_id=get_business_by_slug(db, slug).id, number=number)
        if order is None:
            typer.echo("error: order not found", err=True)
            raise typer.Exit(1)
        typer.echo(service.describe_status(order))
        for e in service.timeline(db, order):
            typer.echo(f"  {e.created_at:%Y-%m-%d %H:%M} {e.event} {e.from_status or ''}->{e.to_status or ''} "
                       f"by {e.actor_type} {e.note}")


@orders_app.command("expire-overdue")
def order_expire_overdue() -> None:
    """Expire unpaid orders past their payment deadline (the worker does this every 5 minutes)."""
    from niaga.orders.tasks import expire_overdue

    typer.echo(f"expired {expire_overdue()} order(s)")


@orders_app.command("reconcile")
def order_reconcile() -> None:
    """Ask Midtrans about pending payment links now (the worker does this every 10 minutes)."""
    from niaga.orders.tasks import reconcile_payments

    _echo(reconcile_payments())


email_app = typer.Typer(help="Email delivery of invoices (Resend or SMTP).", no_args_is_help=True)


@email_app.command("set")
def email_set(slug: str, kind: str = typer.Argument(..., help="resend | smtp"),
              sender: str = typer.Option(..., "--from", help="Sender address, e.g. 'Toko <toko@contoh.id>'."),
              api_key: str = typer.Option(None, "--api-key", help="Resend API key."),
              base_url: str = typer.Option(None, "--base-url", help="Resend API address (default the public one)."),
              host: str = typer.Option(None, "--host", help="SMTP host."),
              port: int = typer.Option(587, "--port", help="SMTP port."),
              username: str = typer.Option(None, "--username", help="SMTP user."),
              password: str = typer.Option(None, "--password", help="SMTP password."),
              security: str = typer.Option("starttls", "--security", help="starttls | ssl | none")) -> None:
    """Send invoices by email to customers who came by email or the website (secrets stored encrypted)."""
    from niaga.db.engine import session_scope
    from niaga.orders import invoices
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        invoices.configure_email(db, business_id=business.id, kind=kind, sender=sender, api_key=api_key,
                                 base_url=base_url, host=host, port=port, username=username, password=password,
                                 security=security)
    typer.echo(f"{kind} configured for {slug} (from {sender})")
