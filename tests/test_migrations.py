"""Alembic migrations produce exactly the schema the models describe (the suite builds its schema from the
models, so this is what keeps `niaga migrate` honest), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from niaga.db.migrate import alembic_config
from niaga.db.models import metadata


def _fresh_engine(tmp_path):  # type: ignore[no-untyped-def]
    admin = os.environ.get("NIAGA_TEST_DATABASE_URL")
    if not admin:
        return sa.create_engine(f"sqlite:///{tmp_path / 'migrations.db'}"), None
    url = sa.engine.make_url(admin)
    name = f"niaga_mig_{uuid.uuid4().hex[:8]}"
    a = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with a.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return sa.create_engine(url.set(database=name)), (a, name)


def test_upgrade_head_matches_models_and_downgrade_works(tmp_path):
    engine, cleanup = _fresh_engine(tmp_path)
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
        assert diff == [], f"models and migrations differ (run `make migration`): {diff}"
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
        if cleanup:
            admin, name = cleanup
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
