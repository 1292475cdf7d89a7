"""Signed, expiring download links for files the server wrote, for channels that can only send a file by
URL (Starsender): `GET /files/s/{token}` serves the file without a login while the link is valid.

The token is `<base64url(JSON {p: path under files_dir, e: expiry unix time, n: file name})>.<HMAC-SHA256>`
keyed with the instance secret; a changed path or expiry breaks the signature, an expired link answers 410,
anything else 404. Only paths inside files_dir are ever served.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from niaga.kit.errors import AppError, NotFound
from niaga.settings import get_settings

DEFAULT_TTL_SECONDS = 3 * 24 * 3600  # long enough for a gateway that fetches late; short enough to expire


class LinkExpired(AppError):
    status = 410
    code = "link_expired"


def _key() -> bytes:
    return hashlib.sha256(b"niaga.files.links:" + get_settings().resolved_secret_key().encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(
    path: Path | str, *, filename: str | None = None, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    """The token of a file under files_dir (absolute or relative path)."""
    root = get_settings().files_dir.resolve()
    p = Path(path)
    full = (p if p.is_absolute() else root / p).resolve()
    if not full.is_relative_to(root):
        raise ValueError("only files under files_dir can be linked")
    claims = {"p": full.relative_to(root).as_posix(), "e": int((now or time.time()) + ttl)}
    if filename:
        claims["n"] = filename[:200]
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest()[:24])
    return f"{body}.{mac}"


def signed_url(path: Path | str, *, filename: str | None = None, ttl: int = DEFAULT_TTL_SECONDS) -> str:
    """An absolute URL (settings.public_url) that serves the file until it expires."""
    return f"{get_settings().public_url.rstrip('/')}/files/s/{sign(path, filename=filename, ttl=ttl)}"


def resolve(token: str, *, now: float | None = None) -> tuple[Path, str | None]:
    """The file a token names and its download name; `NotFound` for a bad token or a missing file,
    `LinkExpired` once it has expired."""
    gone = NotFound("Tautan file tidak ditemukan.", code="not_found")
    body, _, mac = token.partition(".")
    if not body or not mac or len(token) > 2000:
        raise gone
    expected = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest()[:24])
    if not hmac.compare_digest(expected, mac):
        raise gone
    try:
        claims: dict[str, Any] = json.loads(_unb64(body))
        rel, expires = str(claims["p"]), int(claims["e"])
    except (ValueError, KeyError, TypeError):
        raise gone from None
    if (now or time.time()) > expires:
        raise LinkExpired("Tautan file sudah kedaluwarsa.")
    root = get_settings().files_dir.resolve()
    full = (root / rel).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise gone
    name = claims.get("n")
    return full, str(name) if name else None
