"""Bounds on a JSON body checked on the raw bytes BEFORE it is parsed: size and nesting depth.

Python's parser recurses once per level, so a body of 10,000 opening brackets raises `RecursionError`
(a 500) instead of a parse error. `nesting_depth` scans the bytes without recursion (string contents are
skipped, so brackets inside strings do not count) and stops as soon as the bound is passed."""

from __future__ import annotations

import json
import re
from typing import Any

from niaga.kit.errors import AppError

# Deeper than any payload of a provider we speak (WAHA, Telegram, Midtrans: under 10) or of our API (under
# 6), far below the parser's recursion limit.
MAX_DEPTH = 64

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class JsonTooDeep(AppError):
    status = 400
    code = "json_too_deep"


class JsonTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class MalformedJson(AppError):
    status = 400
    code = "malformed_json"


def nesting_depth(raw: bytes, *, stop_after: int | None = None) -> int:
    """The deepest bracket nesting in `raw` (0 for a scalar); with `stop_after`, any number up to it means
    "within the bound" (possibly an upper bound), and counting stops once it is passed."""
    if stop_after is not None and raw.count(b"[") + raw.count(b"{") <= stop_after:
        return 0  # fewer brackets in all (strings included) than the bound: within it, no need to scan
    brackets = _STRING.sub(b'""', raw).translate(None, delete=_NOT_BRACKET)
    opens = brackets.count(b"[") + brackets.count(b"{")
    if stop_after is not None and opens <= stop_after:
        return opens  # an upper bound that is within the limit: no need to walk
    depth = deepest = 0
    for ch in brackets:
        if ch in (91, 123):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_after is not None and deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest


def check_bounds(raw: bytes, *, max_bytes: int | None = None, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonTooLarge` (413) or `JsonTooDeep` (400) before any parsing."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise JsonTooLarge(
            f"Ukuran data melebihi batas {max(max_bytes // 1024, 1)} KB.", details={"limit_bytes": max_bytes}
        )
    if nesting_depth(raw, stop_after=max_depth) > max_depth:
        raise JsonTooDeep(
            f"JSON terlalu dalam (lebih dari {max_depth} tingkat).", details={"max_depth": max_depth}
        )


def loads_bounded(raw: bytes, *, max_bytes: int | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` after `check_bounds`; a body that is not JSON raises `MalformedJson` (400)."""
    check_bounds(raw, max_bytes=max_bytes, max_depth=max_depth)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedJson("Body bukan JSON yang valid.") from None
