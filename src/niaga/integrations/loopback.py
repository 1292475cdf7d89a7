"""A loopback HTTP server for provider fakes: threaded, port 0, records every request, and can be scripted
to fail (`script(route, [500, 500])`), to hang, or to accept and then stall (a provider that acted but whose
answer never arrived)."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, list[str]] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"


class LoopbackServer:
    """Subclasses implement `route(req) -> Reply` (and may call `self.scripted(name)`)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[Any]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                rec = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    raw,
                )
                ctype = rec.headers.get("content-type", "")
                if "json" in ctype and raw:
                    try:
                        rec.json = json.loads(raw)
                    except ValueError:
                        rec.json = None
                elif "x-www-form-urlencoded" in ctype:
                    rec.form = parse_qs(raw.decode())
                elif "multipart/form-data" in ctype:
                    rec.form = _parse_multipart(raw, ctype)
                with fake._lock:
                    fake.requests.append(rec)
                try:
                    reply = fake.route(rec)
                except Exception as exc:  # a bug in the fake shows up as a 599 in the test
                    reply = Reply(599, {"fake_error": repr(exc)})
                data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting ---------------------------------------------------------------------------------
    def script(self, name: str, steps: list[Any]) -> None:
        """Queue behaviours for the next calls of `name`: an int status (with a default error body),
        a Reply, ("hang", seconds) or ("accept_then_hang", seconds)."""
        with self._lock:
            self._scripts[name].extend(steps)

    def scripted(self, name: str) -> Any:
        with self._lock:
            q = self._scripts.get(name)
            return q.popleft() if q else None

    def hang(self, seconds: float) -> None:
        self._release.wait(seconds)

    def route(self, req: Recorded) -> Reply:  # pragma: no cover - subclasses
        raise NotImplementedError

    # --- queries -----------------------------------------------------------------------------------
    def calls(self, suffix: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if suffix is None or r.path.endswith(suffix)]

    def wait_for(self, suffix: str, count: int = 1, timeout: float = 10.0) -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls(suffix)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} call(s) to {suffix}, got {len(self.calls(suffix))}")


def _parse_multipart(raw: bytes, ctype: str) -> dict[str, list[str]]:
    """Fields of a multipart body; file parts are kept as '<file:NAME:SIZE>'."""
    boundary = ctype.split("boundary=", 1)[-1].strip('"').encode()
    out: dict[str, list[str]] = defaultdict(list)
    for part in raw.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _, content = part.partition(b"\r\n\r\n")
        content = content.rstrip(b"\r\n-")
        disp = next(
            (
                h
                for h in head.decode(errors="replace").split("\r\n")
                if h.lower().startswith("content-disposition")
            ),
            "",
        )
        name = disp.split('name="', 1)[-1].split('"', 1)[0] if 'name="' in disp else ""
        if 'filename="' in disp:
            fname = disp.split('filename="', 1)[-1].split('"', 1)[0]
            out[name].append(f"<file:{fname}:{len(content)}>")
        elif name:
            out[name].append(content.decode(errors="replace"))
    return dict(out)


class JsonFake:
    """Plumbing for small JSON fakes that keep their own request log: a threaded loopback server on port 0
    whose requests go to `respond(method, path, headers, raw) -> (status, body)`; a context manager."""

    _server: ThreadingHTTPServer | None = None

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        raise NotImplementedError

    def start(self) -> Any:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body = fake.respond(self.command, self.path, dict(self.headers), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]
