"""A fake Starsender V3 (protocols.md §4.2, shapes UNCONFIRMED upstream): `Authorization: <device key>`,
JSON `POST /api/send` for text and media-by-URL, `GET /api/whatsapp/groups`."""

from __future__ import annotations

import itertools
from typing import Any

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

_ids = itertools.count(1)


class FakeStarsender(LoopbackServer):
    def __init__(self, *, api_key: str = "starsender-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.sent: list[dict[str, Any]] = []

    def route(self, req: Recorded) -> Reply:
        if req.headers.get("authorization") != self.api_key:
            return Reply(401, {"status": False, "message": "Unauthorized: invalid api key"})
        if req.path == "/api/whatsapp/groups":
            return Reply(200, {"status": True, "data": []})
        if req.path == "/api/send" and req.method == "POST":
            step = self.scripted("send")
            if isinstance(step, int):
                return Reply(step, {"status": False, "message": f"scripted {step}"})
            body = req.json or {}
            if body.get("messageType") not in ("text", "media") or not str(body.get("to", "")).isdigit():
                return Reply(400, {"status": False, "message": "invalid request"})
            mid = f"ss-{next(_ids)}"
            with self._lock:
                self.sent.append({"id": mid, **body})
            return Reply(200, {"status": True, "message": "Success", "data": {"id": mid, "to": body["to"]}})
        return Reply(404, {"status": False, "message": "not found"})
