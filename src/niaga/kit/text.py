"""Text hygiene for what arrives from outside (chat messages, webhook payloads)."""

from __future__ import annotations

from typing import Any


def strip_nul(value: Any) -> Any:
    """Remove NUL characters from strings, recursively through dicts and lists. PostgreSQL cannot store them
    in text or jsonb (SQLite can), and no customer meant to send one; everything else is kept as received."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value
