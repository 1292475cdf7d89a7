"""Alembic migrations produce exactly the schema the models describe (the suite builds its schema from the
models, so this is what keeps `niaga migrate` honest), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from niaga.catalog.fts import is_search_object
from niaga.db.migrate import alembic_config
from niaga.db.models import metadata


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    return not is_search_object(name) and name != "ix_products_search_trgm"


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
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(ctx, metadata)
        assert diff == [], f"models and migrations differ (run `make migration`): {diff}"
        with engine.connect() as conn:  # what autogenerate cannot see: the aggregates' cascade trigger
            if conn.dialect.name == "sqlite":
                trig = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            else:
                trig = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            names = set(conn.exec_driver_sql(trig).scalars())
            assert "customer_purchase_stats_cascade" in names
            assert "rfm_snapshot_rows_cascade" not in names  # its table went in 0015_rfm_snapshot
            if conn.dialect.name == "postgresql":  # snapshot blocks are stored uncompressed (see the model)
                storage = conn.exec_driver_sql(
                    "SELECT attstorage FROM pg_attribute WHERE attrelid = 'rfm_snapshot_blocks'::regclass "
                    "AND attname = 'data'"
                ).scalar_one()
                assert storage == "e"
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


def test_product_search_uses_every_word_and_stays_in_sync(db, client, world):
    from tests import factories as f

    f.make_product(db, business=world.a, sku="RQ-1", name="Al-Quran Tajwid Warna", tags=["promo"])
    p = f.make_product(
        db, business=world.a, sku="RQ-2", name="Sajadah Travel Lipat", description="pouch kecil"
    )
    f.make_product(db, business=world.b, sku="BS-1", name="Quran Tajwid lain toko")
    h = world.headers("owner")

    def skus(q: str) -> list[str]:
        return sorted(
            x["sku"] for x in client.get("/api/v1/products", params={"search": q}, headers=h).json()["data"]
        )

    assert skus("tajwid quran") == ["RQ-1"]  # every word, any order, other business excluded
    assert skus("QURAN") == ["RQ-1"]  # any case
    assert skus("pouch") == ["RQ-2"]  # description
    assert skus("promo") == ["RQ-1"]  # tags
    assert skus("rq-2") == ["RQ-2"]  # sku
    assert skus("al") == ["RQ-1"]  # short word: scan of name/sku
    assert skus("tajwid sajadah") == []
    r = client.patch(f"/api/v1/products/{p.id}", json={"name": "Sajadah Turki Tebal"}, headers=h)
    assert r.status_code == 200, r.text
    assert skus("turki") == ["RQ-2"] and skus("travel") == []  # the index follows updates
    assert client.delete(f"/api/v1/products/{p.id}", headers=h).status_code in (200, 204)
    assert skus("turki") == []
