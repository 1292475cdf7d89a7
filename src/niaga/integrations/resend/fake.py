"""A loopback fake of the Resend email API (protocols.md §8): Bearer auth, `POST /emails`, Idempotency-Key
replay (same key + same body → the first answer; other body → 409), `{statusCode, message, name}` errors."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from niaga.integrations.loopback import JsonFake

API_KEY = "re_fake_0123456789"


class FakeResend(JsonFake):
    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.emails: list[dict[str, Any]] = []  # accepted sends (not replays)
        self.requests: list[dict[str, Any]] = []
        self._idem: dict[str, tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def respond(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        return self.handle(path, headers, raw)

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        h = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests.append({"path": path, "headers": h})
        auth = h.get("authorization", "")
        if not auth.startswith("Bearer "):
            return 401, {
                "statusCode": 401,
                "message": "Missing API key in the authorization header.",
                "name": "missing_api_key",
            }
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
                return 422, {
                    "statusCode": 422,
                    "message": f"Missing `{f}` field.",
                    "name": "missing_required_field",
                }
        key = h.get("idempotency-key")
        with self._lock:
            if key and key in self._idem:
                first_id, first_body = self._idem[key]
                if first_body != body:
                    return 409, {
                        "statusCode": 409,
                        "message": "Same idempotency key used with a different request payload.",
                        "name": "invalid_idempotent_request",
                    }
                return 200, {"id": first_id}
            email_id = str(uuid.uuid4())
            if key:
                self._idem[key] = (email_id, body)
            self.emails.append({"id": email_id, **body})
        return 200, {"id": email_id}
