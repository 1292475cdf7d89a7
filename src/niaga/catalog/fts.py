"""Fast product search for the API and dashboard: every word of the query must appear (substring, any case)
in the SKU, name, category, tags or description.

SQLite: an FTS5 table with the trigram tokenizer, kept in sync by triggers (substring matches are answered
from the index). PostgreSQL: a pg_trgm GIN index over the same text, used by ILIKE. Words shorter than three
characters cannot use a trigram index and fall back to a scan of name and SKU.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from niaga.catalog.models import Product
from niaga.ops.logging import get_logger

log = get_logger("niaga.catalog.fts")

FTS_TABLE = "products_fts"
_COLS = "sku, name, category, tags, description"
PG_SEARCH_EXPR = (
    "lower(products.sku || ' ' || products.name || ' ' || coalesce(products.category, '') || ' ' || "
    "products.tags::text || ' ' || products.description)"
)

SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLS}, content='products', "
    "content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_ai AFTER INSERT ON products BEGIN
          INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, new.sku, new.name, new.category, new.tags,
                                                           new.description);
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_ad AFTER DELETE ON products BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, old.sku, old.name,
                                                                       old.category, old.tags, old.description);
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_au AFTER UPDATE OF {_COLS} ON products BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, old.sku, old.name,
                                                                       old.category, old.tags, old.description);
          INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, new.sku, new.name, new.category, new.tags,
                                                           new.description);
        END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS products_fts_ai",
    "DROP TRIGGER IF EXISTS products_fts_ad",
    "DROP TRIGGER IF EXISTS products_fts_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def install(conn: Connection) -> None:
    """Create the search index (idempotent); called by the migration and by the test schema setup."""
    if conn.dialect.name == "sqlite":
        for stmt in SQLITE_DDL:
            conn.exec_driver_sql(stmt)
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    elif conn.dialect.name == "postgresql":
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS ix_products_search_trgm ON products USING gin "
                f"(({PG_SEARCH_EXPR}) gin_trgm_ops)"
            )
        except sa.exc.DBAPIError as exc:  # no rights to create the extension: search still works, unindexed
            log.warning("catalog.fts_unavailable", error=str(exc).splitlines()[0])


def uninstall(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for stmt in SQLITE_DROP:
            conn.exec_driver_sql(stmt)
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_products_search_trgm")


def is_search_object(name: str | None) -> bool:
    """Alembic autogenerate must ignore the index's own tables."""
    return bool(name) and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))  # type: ignore[union-attr]


def words(query: str) -> list[str]:
    return [w for w in query.lower().split() if w][:8]


def search_condition(dialect: str, query: str) -> Any:
    """A WHERE clause for products matching every word of `query`."""
    conds: list[Any] = []
    long_words = [w for w in words(query) if len(w) >= 3]
    short_words = [w for w in words(query) if len(w) < 3]
    if dialect == "sqlite" and long_words:
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        conds.append(
            Product.id.in_(
                sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_q").bindparams(
                    fts_q=match
                )
            )
        )
    else:
        expr: sa.ColumnElement[Any] | None = None
        if dialect == "postgresql":
            expr = sa.literal_column(PG_SEARCH_EXPR)
        for w in long_words:
            if expr is not None:
                conds.append(expr.contains(w, autoescape=True))
            else:
                conds.append(_scan(w))
    for w in short_words:
        conds.append(_scan(w))
    return sa.and_(*conds) if conds else sa.true()


def _scan(word: str) -> Any:
    return sa.or_(Product.sku.icontains(word, autoescape=True), Product.name.icontains(word, autoescape=True))
