"""Test setup: one database per run (SQLite file, or PostgreSQL when NIAGA_TEST_DATABASE_URL is set),
migrated once with Alembic and emptied before each test; the job queue is Huey on SQLite or Redis
(NIAGA_TEST_REDIS_URL). Jobs are dispatched manually (`drain()`) unless a test starts a real worker.

We reset by emptying tables instead of wrapping each test in a rolled-back transaction because many tests
use several connections at once (a live server thread, worker processes, concurrent order creation).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

RUN_ID = uuid.uuid4().hex[:8]
OUTPUT_DIR = Path(os.environ.get("NIAGA_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output"))


N8N_TESTS = "tests/ops/test_n8n.py"
_n8n_install: subprocess.Popen[bytes] | None = None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """The n8n test needs n8n installed from npm (minutes on a fresh machine): when it is selected, start the
    install in the background now and run the test last, so the download overlaps the rest of the suite. The
    test's fixture runs the same script, which waits on the cache folder's lock for this one to finish."""
    global _n8n_install
    n8n = [item for item in items if item.nodeid.startswith(N8N_TESTS)]
    if not n8n:
        return
    items[:] = [item for item in items if not item.nodeid.startswith(N8N_TESTS)] + n8n
    if shutil.which("npm") is None or _n8n_install is not None:
        return  # the fixture reports the missing npm itself
    cache = Path(os.environ.get("NIAGA_N8N_CACHE", Path.home() / ".cache" / "niaga-n8n"))
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "install.log", "ab") as log:
        _n8n_install = subprocess.Popen(
            ["bash", str(Path(__file__).resolve().parent.parent / "scripts" / "n8n-install.sh")],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave nothing running: an install still going when the run ends (the n8n test was interrupted) is
    stopped; the next run resumes it (the cache is only marked complete at the very end)."""
    if _n8n_install is not None and _n8n_install.poll() is None:
        os.killpg(_n8n_install.pid, signal.SIGTERM)
        _n8n_install.wait(timeout=30)


def _pg_database(admin_url: str) -> str:
    """Create a fresh database for this run on the given server and return its URL."""
    url = sa.engine.make_url(admin_url)
    name = f"niaga_test_{RUN_ID}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("niaga-home")
    env = {
        "NIAGA_ENV": "test",
        "NIAGA_HOME": str(home),
        "NIAGA_SECRET_KEY": "test-" + secrets.token_hex(16),
        "NIAGA_JOBS_DISPATCH": "manual",
        "NIAGA_LOG_JSON": "false",
        "NIAGA_LOG_LEVEL": "WARNING",
        "NIAGA_PUBLIC_URL": "http://127.0.0.1:8000",
    }
    pg_admin = os.environ.get("NIAGA_TEST_DATABASE_URL")
    if pg_admin:
        env["NIAGA_DATABASE_URL"] = _pg_database(pg_admin)
    redis_url = os.environ.get("NIAGA_TEST_REDIS_URL")
    if redis_url:
        env["NIAGA_REDIS_URL"] = redis_url
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from niaga.db import engine as db_engine
    from niaga.db.models import metadata
    from niaga.jobs import queue
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    queue.reset()
    db_engine.configure()
    # The schema comes from the models; tests/test_migrations.py proves Alembic produces the same schema.
    metadata.create_all(db_engine.get_engine())
    from niaga.catalog import fts

    with db_engine.get_engine().begin() as conn:
        fts.install(conn)
    from alembic import command

    from niaga.db.migrate import alembic_config

    command.stamp(alembic_config(), "head")
    yield env
    db_engine.dispose()
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    reset_settings_cache()
    if pg_admin:
        engine = sa.create_engine(sa.engine.make_url(pg_admin), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "niaga_test_{RUN_ID}" WITH (FORCE)')
        engine.dispose()


def reset_database() -> None:
    from niaga.db.engine import get_engine
    from niaga.db.models import metadata

    engine = get_engine()
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
        else:
            for t in tables:
                conn.exec_driver_sql(f'DELETE FROM "{t}"')
            conn.exec_driver_sql("DELETE FROM sqlite_sequence") if conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'"
            ).first() else None


@pytest.fixture(autouse=True)
def _clean_state(_environment: dict[str, str]) -> Iterator[None]:
    reset_database()
    from niaga.integrations.webhooks import clear_caches

    clear_caches()  # the database was emptied: no business or key cached for a webhook is valid
    from niaga.jobs.queue import get_huey

    try:
        get_huey().flush()
    except Exception:
        pass
    yield


@pytest.fixture
def clock() -> Iterator:  # type: ignore[type-arg]
    """The injected clock (`niaga.kit.timeutil.clock`): `clock.advance(s)` instead of `time.sleep(s)`."""
    from niaga.kit.timeutil import clock as the_clock

    try:
        yield the_clock
    finally:
        the_clock.reset()


@pytest.fixture
def db() -> Iterator[sa.orm.Session]:
    from niaga.db.engine import new_session

    session = new_session()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    from niaga.app import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def live(app) -> Iterator:  # type: ignore[no-untyped-def]
    """The app served by uvicorn on a free loopback port, with due jobs run continuously."""
    from tests.live import LiveServer

    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """Two businesses and the named actors: owner, staff, outsider (no business), other (owner of B)."""
    from tests import factories as f

    return f.make_world(db)


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    path = OUTPUT_DIR / request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"system Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, live: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=live.url, locale="id-ID")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()
