"""Shared plumbing of the channel clients: one request helper that turns transport failures into
`ProviderError(permanent=False)` and bounded streaming downloads."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from niaga.integrations.base import ProviderError, raise_for_provider


class TooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is {size} bytes, limit {limit}")
        self.size = size
        self.limit = limit


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.hostname or "").lower(), port


def unsafe_url_problem(url: str, *, trusted: tuple[str, ...] = ()) -> str | None:
    """Why niaga must not fetch `url` given by an unsigned webhook (server-side request forgery), or None.
    Only http(s) to public addresses is fetched; a private, loopback, link-local or reserved address (the
    VPS's own services, a cloud metadata endpoint) only when it is the host and port of one of the `trusted`
    URLs, i.e. the gateway the business itself configured (a self-hosted gateway on the same machine).
    The name is resolved here and every address it resolves to must be public; a name that does not resolve
    now is left to the download (a temporary failure, retried)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "URL bukan http(s)"
    host, port = _host_port(url)
    if not host:
        return "URL tanpa nama host"
    if (host, port) in {_host_port(t) for t in trusted if t}:
        return None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global:
            return f"alamat {address} bukan alamat publik"
    return None


def request(client: httpx.Client, provider: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send a request; network failures are temporary errors. A read timeout is marked `ambiguous`:
    the provider may have acted on the request before we stopped waiting."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        err = ProviderError(f"{provider}: timeout ({type(exc).__name__})", provider=provider, permanent=False)
        err.ambiguous = not isinstance(exc, httpx.ConnectTimeout)  # type: ignore[attr-defined]
        raise err from exc
    except httpx.HTTPError as exc:
        raise ProviderError(
            f"{provider}: {type(exc).__name__}: {exc}", provider=provider, permanent=False
        ) from exc


def download(
    client: httpx.Client,
    provider: str,
    url: str,
    dest: Path,
    *,
    limit: int,
    headers: dict[str, str] | None = None,
) -> int:
    """Stream `url` into `dest` (atomically), stopping at `limit` bytes. Returns the size.
    Raises TooLarge (nothing kept) or ProviderError."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with client.stream("GET", url, headers=headers or {}) as resp:
            if resp.status_code >= 400:
                resp.read()
                raise_for_provider(resp, provider)
            declared = int(resp.headers.get("content-length") or 0)
            if declared > limit:
                raise TooLarge(declared, limit)
            size = 0
            with tmp.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(size, limit)
                    fh.write(chunk)
        tmp.replace(dest)
        return size
    except httpx.HTTPError as exc:
        raise ProviderError(
            f"{provider}: download failed: {type(exc).__name__}", provider=provider, permanent=False
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
