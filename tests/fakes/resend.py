"""A loopback fake of the Resend email API (protocols.md §8): Bearer auth, `POST /emails`, Idempotency-Key
replay (same key + same body → the first answer; other body → 409), `{statusCode, message, name}` errors."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "re_fake_0123456789"


class FakeResend:
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.emails: list[dict[str, Any]] = []  # accepted sends (not replays)
        self.requests: list[dict[str, Any]] = []
        self._idem: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeResend:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake.handle(self.path, dict(self.headers), raw)
                self._send(status, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeResend:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        h = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests.append({"path": path, "headers": h})
        auth = h.get("authorization", "")
        if not auth.startswith("Bearer "):
            return 401, {"statusCode": 401, "message": "Missing API key in the authorization header.",
                         "name": "missing_api_key"}
        if auth != f"Bearer {self.api_key}":
            return 403, {"statusCode": 403, "message": "API key is invalid", "name": "invalid_api_key"}
        if path != "/emails":
            return 404, {"statusCode": 404, "message": "Not found", "name": "not_found"}
        try:
            body = json.loads(raw)
        except ValueError:
            return 422, {"statusCode": 422, "message": "Invalid JSON", "name": "validation_error"}
        for f in ("from", "to", "subject"):
            if not body.get(f):
                return 422, {"statusCode": 422, "message": f"Missing `{f}` field.", "name": "missing_required_field"}
        key = h.get("idempotency-key")
        with self._lock:
            if key and key in self._idem:
                first_id, first_body = self._idem[key]
                if first_body != body:
                    return 409, {"statusCode": 409, "message": "Same idempotency key used with a different "
                                 "request payload.", "name": "invalid_idempotent_request"}
                return 200, {"id": first_id}
            email_id = str(uuid.uuid4())
            if key:
                self._idem[key] = (email_id, body)
            self.emails.append({"id": email_id, **body})
        return 200, {"id": email_id}
