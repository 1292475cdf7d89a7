"""A fake Telegram Bot API (protocols.md §2): token in the path, `{"ok": ...}` envelopes, 429 with
`parameters.retry_after`, getFile + `/file/bot<token>/<path>` downloads, and setWebhook."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

_ids = itertools.count(1)


def text_update(
    text: str, *, chat_id: int = 123456789, update_id: int | None = None, first_name: str = "Budi"
) -> dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": update_id or 900000000 + n,
        "message": {
            "message_id": 40 + n,
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "id"},
            "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def post_update(
    url: str, update: dict[str, Any], secret: str | None, *, client: Any = None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    raw = json.dumps(update).encode()
    if client is not None:
        return client.post(url, content=raw, headers=headers)
    return httpx.post(url, content=raw, headers=headers, timeout=10)


class FakeTelegram(LoopbackServer):
    def __init__(self, *, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.sent: list[dict[str, Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, data)
        self.webhook: dict[str, Any] | None = None

    def add_file(self, file_id: str, data: bytes, file_path: str = "documents/file_1.pdf") -> None:
        self.files[file_id] = (file_path, data)

    def messages_to(self, chat_id: Any) -> list[dict[str, Any]]:
        return [m for m in self.sent if str(m.get("chat_id")) == str(chat_id)]

    def route(self, req: Recorded) -> Reply:
        if req.path.startswith(f"/file/bot{self.token}/"):
            path = req.path[len(f"/file/bot{self.token}/") :]
            for fpath, data in self.files.values():
                if fpath == path:
                    return Reply(200, raw=data, content_type="application/octet-stream")
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if not req.path.startswith("/bot"):
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, _, method = req.path[4:].partition("/")
        if token != self.token:
            return Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        params: dict[str, Any] = dict(req.json or {})
        for k, v in req.form.items():
            params[k] = v[0]
        step = self.scripted(method)
        if isinstance(step, Reply):
            return step
        if step == "blocked":
            return Reply(
                403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            )
        if isinstance(step, tuple) and step[0] == "migrate":
            return Reply(
                400,
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": step[1]},
                },
            )
        if isinstance(step, int):
            body: dict[str, Any] = {"ok": False, "error_code": step, "description": f"scripted {step}"}
            if step == 429:
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 3",
                    "parameters": {"retry_after": 3},
                }
            return Reply(step, body)
        m = method.lower()
        if m == "getme":
            return Reply(
                200,
                {
                    "ok": True,
                    "result": {
                        "id": 5550001,
                        "is_bot": True,
                        "first_name": "ShopBot",
                        "username": "shop_bot",
                    },
                },
            )
        if m == "setwebhook":
            self.webhook = params
            return Reply(200, {"ok": True, "result": True, "description": "Webhook was set"})
        if m in ("sendmessage", "senddocument", "sendphoto", "sendvideo"):
            n = next(_ids)
            msg = {
                "message_id": 1000 + n,
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "date": int(time.time()),
                "method": method,
                **params,
            }
            with self._lock:
                self.sent.append(msg)
            return Reply(
                200,
                {
                    "ok": True,
                    "result": {
                        "message_id": msg["message_id"],
                        "chat": msg["chat"],
                        "date": msg["date"],
                        "text": params.get("text"),
                    },
                },
            )
        if m == "getfile":
            fid = params.get("file_id")
            if fid not in self.files:
                return Reply(
                    400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
                )
            fpath, data = self.files[fid]
            return Reply(
                200,
                {
                    "ok": True,
                    "result": {
                        "file_id": fid,
                        "file_unique_id": "u" + fid[:6],
                        "file_size": len(data),
                        "file_path": fpath,
                    },
                },
            )
        if m in (
            "answercallbackquery",
            "sendchataction",
            "editmessagereplymarkup",
            "editmessagetext",
            "editmessagecaption",
        ):
            return Reply(200, {"ok": True, "result": True})
        return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
