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
        # Media of incoming messages, served without auth at public URLs like the gateway's CDN.
        self.files: dict[str, tuple[bytes, str]] = {}

    def add_file(self, name: str, data: bytes, mimetype: str = "application/pdf") -> str:
        self.files[name] = (data, mimetype)
        return f"{self.url}/media/{name}"

    def route(self, req: Recorded) -> Reply:
        if req.method == "GET" and req.path.startswith("/media/"):
            item = self.files.get(req.path.rsplit("/", 1)[-1])
            if item is None:
                return Reply(404, {"status": False, "reason": "file not found"})
            return Reply(200, raw=item[0], content_type=item[1])
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


def incoming(
    *,
    sender: str = "6281311112222",
    message: str = "halo",
    message_id: str | None = None,
    pushname: str = "Budi",
    media_url: str = "",
    filename: str = "",
    mimetype: str = "",
) -> dict[str, Any]:
    """A Starsender incoming-message webhook body in the shape niaga accepts (starsender/webhook.py)."""
    body: dict[str, Any] = {
        "from": sender,
        "message": message,
        "pushname": pushname,
        "timestamp": 1741249702,
        "isGroup": False,
        "fromMe": False,
    }
    if message_id is not None:
        body["message_id"] = message_id
    if media_url:
        body.update(media_url=media_url, filename=filename, mimetype=mimetype)
    return body
