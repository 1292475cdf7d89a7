"""Shared plumbing of the channel clients: one request helper that turns transport failures into
`ProviderError(permanent=False)` and bounded streaming downloads."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from niaga.integrations.base import ProviderError, _shared_ssl_context, raise_for_provider


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


class UnsafeAddress(Exception):
    """A URL given by an unsigned webhook resolved, at connect time, to an address niaga must not reach."""


class _PublicOnly(httpcore.SyncBackend):
    """Connects only to public addresses (or to a trusted host and port), checking the addresses it actually
    connects to: a name re-resolved between `unsafe_url_problem` and the download (DNS rebinding) cannot
    lead the download into the VPS's own network."""

    def __init__(self, trusted: set[tuple[str, int | None]]) -> None:
        self._trusted = trusted

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        if (host.lower().strip("[]"), port) in self._trusted:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        addresses = []
        for info in infos:
            address = str(info[4][0])
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise UnsafeAddress(f"alamat {address} bukan alamat publik")
            addresses.append(address)
        failure: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in addresses:  # the checked address itself, not the name again (TLS still names the host)
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure


def public_only_client(*, trusted: tuple[str, ...] = (), timeout: float = 30.0) -> httpx.Client:
    """A client for URLs from unsigned webhooks: it connects only where `unsafe_url_problem` allows, checked
    on the address connected to (no redirects followed). A refused address raises `UnsafeAddress`."""
    transport = httpx.HTTPTransport(verify=_shared_ssl_context())
    pool = transport._pool  # httpcore's ConnectionPool: its network backend opens every connection
    assert hasattr(pool, "_network_backend")
    pool._network_backend = _PublicOnly({_host_port(t) for t in trusted if t})
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)


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
