"""A fake Fonnte (protocols.md §4.1): `Authorization: <token>`, form bodies, HTTP 200 with `status:false`
on refusals, `POST /device` for the profile."""

from __future__ import annotations

import itertools
from typing import Any

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

_ids = itertools.count(142223099)


class FakeFonnte(LoopbackServer):
    def __init__(self, *, token: str = "fonnte-token") -> None:
        super().__init__()
        self.token = token
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
        if req.headers.get("authorization") != self.token:
            return Reply(200, {"reason": "invalid token", "status": False})
        if req.path == "/device":
            return Reply(
                200,
                {
                    "status": True,
                    "device": "6281200000000",
                    "device_status": "connect",
                    "name": "Toko",
                    "quota": "1000",
                },
            )
        if req.path == "/send":
            step = self.scripted("send")
            if isinstance(step, int):
                return Reply(step, {"status": False, "reason": f"scripted {step}"})
            if isinstance(step, str):
                return Reply(200, {"status": False, "reason": step})
            fields = {k: v[0] for k, v in req.form.items()}
            target = fields.get("target", "")
            if not target.isdigit():
                return Reply(200, {"status": False, "reason": "invalid target"})
            mid = next(_ids)
            with self._lock:
                self.sent.append({"id": mid, **fields})
            return Reply(
                200,
                {
                    "detail": "success! message in queue",
                    "id": [mid],
                    "process": "pending",
                    "requestid": mid + 7,
                    "status": True,
                    "target": [target],
                },
            )
        return Reply(404, {"status": False, "reason": "not found"})


def incoming(
    *,
    sender: str = "6281311112222",
    message: str = "halo",
    inboxid: str | None = None,
    name: str = "Budi",
    device: str = "6281200000000",
    url: str = "",
    filename: str = "",
    extension: str = "",
    isgroup: bool = False,
) -> dict[str, Any]:
    """A Fonnte incoming-message webhook body (the fields its webhook sends; see fonnte/webhook.py)."""
    body: dict[str, Any] = {
        "device": device,
        "sender": sender,
        "message": message,
        "text": "",
        "member": "",
        "name": name,
        "pushname": name,
        "location": "",
        "url": url,
        "filename": filename,
        "extension": extension,
        "isgroup": isgroup,
    }
    if inboxid is not None:
        body["inboxid"] = inboxid
    return body
