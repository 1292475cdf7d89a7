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

    def route(self, req: Recorded) -> Reply:
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
