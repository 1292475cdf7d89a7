"""`niaga order ...` (orders upkeep) and `niaga email ...`."""

from __future__ import annotations

import json

import typer

orders_app = typer.Typer(help="Orders: list, show, expire overdue, reconcile payments.", no_args_is_help=True)


def _echo(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@orders_app.command("list")
def order_list(
    slug: str, status: str = typer.Option(None, "--status"), limit: int = typer.Option(20, "--limit")
) -> None:
    from niaga.db.engine import session_scope
    from niaga.kit.money import format_rupiah
    from niaga.orders import service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        rows, total = service.list_orders(
            db, business_id=get_business_by_slug(db, slug).id, status=status, limit=limit
        )
        for o in rows:
            flag = " [!]" if o.flags else ""
            typer.echo(
                f"{o.id}\t{o.number}\t{o.status}\t{format_rupiah(o.total)}\tpaid {format_rupiah(o.paid_amount)}"
                f"{flag}"
            )
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
            typer.echo(
                f"  {e.created_at:%Y-%m-%d %H:%M} {e.event} {e.from_status or ''}->{e.to_status or ''} "
                f"by {e.actor_type} {e.note}"
            )


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
def email_set(
    slug: str,
    kind: str = typer.Argument(..., help="resend | smtp"),
    sender: str = typer.Option(..., "--from", help="Sender address, e.g. 'Toko <toko@contoh.id>'."),
    api_key: str = typer.Option(None, "--api-key", help="Resend API key."),
    base_url: str = typer.Option(None, "--base-url", help="Resend API address (default the public one)."),
    host: str = typer.Option(None, "--host", help="SMTP host."),
    port: int = typer.Option(587, "--port", help="SMTP port."),
    username: str = typer.Option(None, "--username", help="SMTP user."),
    password: str = typer.Option(None, "--password", help="SMTP password."),
    security: str = typer.Option("starttls", "--security", help="starttls | ssl | none"),
) -> None:
    """Send invoices by email to customers who came by email or the website (secrets stored encrypted)."""
    from niaga.db.engine import session_scope
    from niaga.orders import invoices
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        business = get_business_by_slug(db, slug)
        invoices.configure_email(
            db,
            business_id=business.id,
            kind=kind,
            sender=sender,
            api_key=api_key,
            base_url=base_url,
            host=host,
            port=port,
            username=username,
            password=password,
            security=security,
        )
    typer.echo(f"{kind} configured for {slug} (from {sender})")
