"""`niaga` command line. Domain command groups live beside their domains and are mounted here."""

from __future__ import annotations

import importlib
import json
import os
import sys

import typer

from niaga.settings import get_settings

app = typer.Typer(
    help="niaga — AI staff for Indonesian small businesses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
business_app = typer.Typer(help="Manage businesses (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
events_app = typer.Typer(help="Inbound webhook events.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)
app.add_typer(business_app, name="business")
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(events_app, name="events")
app.add_typer(jobs_app, name="jobs")

# Domain command groups: (module, attribute, name). One table; a missing module is an error at start-up.
DOMAIN_COMMANDS = (
    ("niaga.catalog.cli", "import_app", "import"),
    ("niaga.integrations.cli", "channel_app", "channel"),
    ("niaga.integrations.midtrans.cli", "payment_app", "payment"),
    ("niaga.orders.cli", "orders_app", "order"),
    ("niaga.orders.cli", "email_app", "email"),
    ("niaga.printshop.cli", "printshop_app", "printshop"),
    ("niaga.printshop.printing_cli", "printer_app", "printer"),
    ("niaga.marketing.cli", "rfm_app", "rfm"),
    ("niaga.operations.cli", "backup_app", "backup"),
    ("niaga.operations.cli", "ops_app", "ops"),
    ("niaga.marketing.content_cli", "content_app", "content"),
)
for _mod, _attr, _name in DOMAIN_COMMANDS:
    app.add_typer(getattr(importlib.import_module(_mod), _attr), name=_name)

_agent_cli = importlib.import_module("niaga.agent.cli")
app.command("chat", help="Chat with a business's agent (interactive, or --jsonl for scripts).")(
    _agent_cli.chat
)


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest revision."""
    from niaga.db.migrate import upgrade

    upgrade()
    typer.echo("database is up to date")
    _refresh_search_docs()


def _refresh_search_docs() -> None:
    """The stored product search documents analysed again where this version analyses differently."""
    from niaga.catalog.search import refresh_docs
    from niaga.db.engine import session_scope

    with session_scope() as db:
        n = refresh_docs(db)
    if n:
        typer.echo(f"search documents refreshed: {n}")


@app.command()
def init(
    demo: bool = typer.Option(
        False, "--demo", help="Load the demo businesses rizquna, batik-sekar and smartcopy."
    ),
) -> None:
    """Create NIAGA_HOME, migrate the database and (with --demo) load the demo data. Safe to run again."""
    from niaga.db.migrate import upgrade

    s = get_settings()
    s.ensure_home()
    s.resolved_secret_key()
    upgrade()
    _refresh_search_docs()
    typer.echo(f"home: {s.home}")
    if demo:
        from niaga.demo.loader import load_demo

        report = load_demo()
        for line in report:
            typer.echo(line)


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default NIAGA_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default NIAGA_PORT, 8000)."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Do not run a job consumer in this process."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Web processes, each with its own webhook group committer (safe with SQLite WAL and "
        "PostgreSQL). With more than one, the job consumer runs as one `niaga worker` process beside them.",
    ),
    job_processes: int = typer.Option(
        None,
        "--job-processes",
        min=1,
        max=64,
        help="Job consumer processes (default NIAGA_WORKER_PROCESSES, 1). With more than one they run as "
        "`niaga worker --processes N` beside the web process, so that the agent's turns use several cores.",
    ),
) -> None:
    """Serve the web app and API; by default also runs a job consumer in-process."""
    import uvicorn

    from niaga.app import create_app
    from niaga.settings import reset_settings_cache

    # The options win over NIAGA_HOST/NIAGA_PORT everywhere in this process, so that the public URL derived
    # from them (when NIAGA_PUBLIC_URL is unset) names the port actually served.
    if host:
        os.environ["NIAGA_HOST"] = host
    if port:
        os.environ["NIAGA_PORT"] = str(port)
    reset_settings_cache()
    s = get_settings()
    consumers = job_processes or s.worker_processes
    if workers == 1 and consumers <= 1:
        application = create_app(run_worker=not no_worker)
        uvicorn.run(
            application,
            host=s.host,
            port=s.port,
            log_level="warning",
            proxy_headers=True,
            timeout_graceful_shutdown=10,
        )
        return
    # Several web or consumer processes: uvicorn imports the app in each web process; the consumers run as one
    # `niaga worker` beside them (periodic tasks run once), started again whenever it exits (a crash, or a
    # restart after a job stuck past its time limit).
    from niaga.jobs.runner import ConsumerProcesses

    os.environ["NIAGA_SERVE_RUN_WORKER"] = "0"
    consumer = (
        None
        if no_worker
        else ConsumerProcesses(
            1, None, command=[sys.executable, "-m", "niaga.cli", "worker", "--processes", str(consumers)]
        )
    )
    if consumer is not None:
        consumer.start()
    try:
        uvicorn.run(
            "niaga.app:create_served_app",
            factory=True,
            workers=workers,
            host=s.host,
            port=s.port,
            log_level="warning",
            proxy_headers=True,
            timeout_graceful_shutdown=10,
        )
    finally:
        if consumer is not None:
            consumer.stop()


@app.command()
def worker(
    threads: int = typer.Option(None, help="Worker threads (default NIAGA_WORKER_THREADS)."),
    processes: int = typer.Option(
        None,
        min=1,
        max=64,
        help="Consumer processes (default NIAGA_WORKER_PROCESSES, 1): this one runs periodic tasks and the "
        "sweeper and keeps the others running.",
    ),
    secondary: bool = typer.Option(
        False,
        "--secondary",
        hidden=True,
        help="A consumer started by another: no periodic tasks, no sweeper.",
    ),
) -> None:
    """Run a standalone job consumer (scale out on Redis + PostgreSQL). SIGTERM stops it gracefully."""
    import signal

    # Until the consumer installs its own handlers nothing runs yet: a SIGTERM now is a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from niaga.db.engine import get_engine
    from niaga.jobs.runner import run_standalone_worker
    from niaga.ops.logging import configure_logging

    s = get_settings()
    configure_logging(s.log_level, s.log_json)
    get_engine()
    run_standalone_worker(
        threads, processes=1 if secondary else (processes or s.worker_processes), primary=not secondary
    )


# --- business / user / apikey --------------------------------------------------------------------


@business_app.command("create")
def business_create(
    slug: str,
    name: str = typer.Option(..., "--name"),
    timezone: str = typer.Option("Asia/Jakarta", "--timezone"),
) -> None:
    from niaga.db.engine import session_scope
    from niaga.db.migrate import upgrade
    from niaga.tenancy import service

    # The first business on a fresh machine (or after an update) needs the schema: migrating is a no-op when
    # the database is already up to date.
    get_settings().ensure_home()
    upgrade()
    with session_scope() as db:
        b = service.create_business(db, slug=slug, name=name, timezone=timezone)
        typer.echo(f"created business {b.slug} (id {b.id})")


@business_app.command("list")
def business_list() -> None:
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.tenancy.models import Business

    with session_scope() as db:
        for b in db.scalars(sa.select(Business).order_by(Business.id)):
            typer.echo(f"{b.id}\t{b.slug}\t{b.name}")


@user_app.command("create")
def user_create(
    email: str,
    business: str = typer.Option(None, "--business", help="Business slug to join."),
    role: str = typer.Option("owner", "--role", help="owner|admin|staff|operator"),
    name: str = typer.Option("", "--name"),
    password: str = typer.Option(None, "--password", help="Default: NIAGA_USER_PASSWORD or generated."),
    super_admin: bool = typer.Option(False, "--super-admin"),
) -> None:
    """Create a user (or give an existing one a role in a business)."""
    import secrets

    from niaga.db.engine import session_scope
    from niaga.tenancy import service

    pw = password or os.environ.get("NIAGA_USER_PASSWORD")
    generated = pw is None
    pw = pw or secrets.token_urlsafe(10)
    with session_scope() as db:
        user = service.get_user_by_email(db, email)
        if user is None:
            user = service.create_user(db, email=email, password=pw, name=name, is_super_admin=super_admin)
            typer.echo(f"created user {user.email}" + (f" with password: {pw}" if generated else ""))
        elif super_admin:
            user.is_super_admin = True
        if business:
            b = service.get_business_by_slug(db, business)
            service.add_member(db, user=user, business=b, role=role)
            typer.echo(f"{user.email} is {role} of {b.slug}")


@apikey_app.command("create")
def apikey_create(
    business: str = typer.Option(..., "--business"),
    name: str = typer.Option("integration", "--name"),
    role: str = typer.Option("admin", "--role"),
) -> None:
    """Create an API key for integrations (n8n, scripts). The key is printed once."""
    from niaga.db.engine import session_scope
    from niaga.tenancy import service

    with session_scope() as db:
        b = service.get_business_by_slug(db, business)
        _key, full = service.create_api_key(db, business_id=b.id, name=name, role=role)
        typer.echo(full)


# --- events / jobs -------------------------------------------------------------------------------


@events_app.command("replay")
def events_replay(provider: str = typer.Option(None, "--provider")) -> None:
    """Re-queue inbound events whose processing failed."""
    from niaga.db.engine import session_scope
    from niaga.integrations.inbox import replay_failed

    with session_scope() as db:
        n = replay_failed(db, provider=provider)
    typer.echo(f"re-queued {n} event(s)")


@jobs_app.command("failed")
def jobs_failed(business: str = typer.Option(None, "--business")) -> None:
    """List dead letters."""
    from niaga.db.engine import session_scope
    from niaga.jobs import service
    from niaga.tenancy.service import get_business_by_slug

    with session_scope() as db:
        bid = get_business_by_slug(db, business).id if business else None
        rows, total = service.list_dead_letters(db, business_id=bid, limit=200)
        for r in rows:
            typer.echo(f"{r.id}\t{r.name}\tattempts={r.attempts}\t{r.error.splitlines()[0][:120]}")
        typer.echo(f"{total} dead letter(s)")


@jobs_app.command("replay")
def jobs_replay(dead_letter_id: int) -> None:
    from niaga.db.engine import session_scope
    from niaga.jobs import service

    with session_scope() as db:
        job = service.do_replay(
            db, service.get_dead_letter(db, business_id=None, dead_letter_id=dead_letter_id)
        )
        typer.echo(f"job {job.id} queued again")


@jobs_app.command("run-due")
def jobs_run_due() -> None:
    """Run every due job in the foreground, then exit (maintenance, cron without a worker)."""
    from niaga.jobs.registry import load_all
    from niaga.jobs.runner import drain

    load_all()
    outcomes = drain()
    _echo_json({k: outcomes.count(k) for k in set(outcomes)})


@jobs_app.command("selftest")
def jobs_selftest(timeout: float = typer.Option(30.0, help="Seconds to wait for a worker.")) -> None:
    """Enqueue a tiny job and wait until a worker has run it (is the worker alive?)."""
    import tempfile
    import time
    from pathlib import Path

    from niaga.db.engine import session_scope
    from niaga.jobs.models import Job
    from niaga.jobs.runner import enqueue

    marker = Path(tempfile.mkdtemp()) / "selftest.log"
    with session_scope() as db:
        job_id = enqueue(db, "jobs.selftest", path=str(marker)).id
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as db:
            job = db.get(Job, job_id)
            if job is not None and job.status == "done":
                typer.echo(f"ok: job {job_id} ran on a worker")
                return
        time.sleep(0.2)
    typer.echo(
        f"no worker ran job {job_id} within {timeout:.0f}s: is `niaga serve` or `niaga worker` running?",
        err=True,
    )
    raise typer.Exit(1)


def main() -> None:
    from niaga.kit.errors import AppError
    from niaga.settings import ConfigError

    try:
        app()
    except AppError as exc:
        typer.echo(
            f"error: {exc.message}"
            + (f" {json.dumps(exc.details, ensure_ascii=False)}" if exc.details else ""),
            err=True,
        )
        sys.exit(2)
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
