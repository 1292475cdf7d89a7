"""Tags: free-text labels on products, customers and knowledge documents, kept as JSON lists."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def json_list_contains(column: Any, value: str) -> Any:
    """Portable "JSON array contains this string" (SQLite and PostgreSQL), case-insensitive."""
    return sa.func.lower(sa.cast(column, sa.Text)).contains(f'"{value.strip().lower()}"', autoescape=True)


def clean_tags(tags: list[Any] | None) -> list[str]:
    out: list[str] = []
    for t in tags or []:
        s = str(t).strip()
        if s and s.lower() not in (x.lower() for x in out):
            out.append(s)
    return out
