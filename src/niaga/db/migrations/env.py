from __future__ import annotations

from alembic import context

from niaga.catalog.fts import is_search_object
from niaga.db.engine import get_engine
from niaga.db.models import metadata


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    # The product search index (FTS5 tables, trigram index) is managed by niaga.catalog.fts, not by models.
    return not is_search_object(name) and name != "ix_products_search_trgm"


config = context.config


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    with get_engine().connect() as connection:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
