"""A fake WAHA speaking its documented protocol (protocols.md §1): X-Api-Key auth (401 JSON), send
endpoints returning a WAMessage, seen/typing, session info, chat history, media files, and signed webhook
deliveries to niaga."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

import httpx

from niaga.integrations.loopback import LoopbackServer, Recorded, Reply

SEND_ROUTES = ("sendText", "sendFile", "sendImage")
_ids = itertools.count(1)


def sign(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def message_event(
    *,
    text: str,
    chat_id: str = "6281311112222@c.us",
    msg_id: str | None = None,
    event_id: str | None = None,
    session: str = "default",
    from_me: bool = False,
    media: dict[str, Any] | None = None,
    has_media: bool = False,
) -> dict[str, Any]:
    n = next(_ids)
    return {
        "id": event_id or f"evt_01j{n:023d}",
        "timestamp": int(time.time() * 1000),
        "event": "message",
        "session": session,
        "engine": "WEBJS",
        "me": {"id": "6281200000000@c.us", "pushName": "Toko"},
        "payload": {
            "id": msg_id or f"false_{chat_id}_{n:032X}",
            "timestamp": int(time.time()),
            "from": chat_id,
            "fromMe": from_me,
            "source": "app",
            "to": "6281200000000@c.us",
            "participant": None,
            "body": text,
            "hasMedia": bool(media) or has_media,
            "media": media,
            "ack": 1,
            "ackName": "SERVER",
            "vCards": [],
            "replyTo": None,
            "_data": {},
        },
        "environment": {"tier": "CORE", "version": "2024.10.1"},
    }


def post_webhook(
    url: str, event: dict[str, Any], key: str, *, client: Any = None, tamper: bool = False
) -> httpx.Response:
    """Deliver an event as WAHA does: raw JSON bytes + X-Webhook-Hmac over exactly those bytes."""
    raw = json.dumps(event, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WAHA/2024.10.1",
        "X-Webhook-Request-Id": f"req_{next(_ids)}",
        "X-Webhook-Timestamp": str(int(time.time() * 1000)),
        "X-Webhook-Hmac": sign(raw + (b" " if tamper else b""), key),
        "X-Webhook-Hmac-Algorithm": "sha512",
    }
    if client is not None:
        return client.post(url, content=raw, headers=headers)
    return httpx.post(url, content=raw, headers=headers, timeout=10)


class FakeWaha(LoopbackServer):
    def __init__(self, *, api_key: str = "waha-key", session: str = "default") -> None:
        super().__init__()
        self.api_key = api_key
        self.session = session
        self.status = "WORKING"
        self.sent: list[dict[str, Any]] = []  # messages WAHA accepted, in order
        self.files: dict[str, tuple[bytes, str]] = {}

    def add_file(self, name: str, data: bytes, mimetype: str = "application/pdf") -> str:
        self.files[name] = (data, mimetype)
        return f"{self.url}/api/files/{name}"

    def texts_to(self, chat_id: str) -> list[str]:
        return [m["body"] for m in self.sent if m["to"] == chat_id]

    def route(self, req: Recorded) -> Reply:
        key = req.headers.get("x-api-key") or (req.query.get("x-api-key") or [""])[0]
        if key != self.api_key:
            return Reply(401, {"message": "Unauthorized", "statusCode": 401})
        path = req.path
        if path.startswith("/api/files/"):
            name = path.rsplit("/", 1)[-1]
            if name not in self.files:
                return Reply(
                    404,
                    {
                        "error": {
                            "code": 404,
                            "key": "FILE_NOT_FOUND",
                            "message": "File not found",
                            "details": name,
                        }
                    },
                )
            data, mimetype = self.files[name]
            return Reply(200, raw=data, content_type=mimetype)
        if req.method == "GET" and path == f"/api/sessions/{self.session}":
            return Reply(
                200,
                {
                    "name": self.session,
                    "status": self.status,
                    "me": {"id": "6281200000000@c.us", "pushName": "Toko"},
                    "engine": {"engine": "WEBJS"},
                },
            )
        if req.method == "GET" and path.startswith("/api/sessions/"):
            return Reply(404, {"statusCode": 404, "message": "Session not found", "error": "Not Found"})
        if (
            req.method == "GET"
            and path.startswith(f"/api/{self.session}/chats/")
            and path.endswith("/messages")
        ):
            chat = path[len(f"/api/{self.session}/chats/") : -len("/messages")]
            rows = [m for m in self.sent if m["to"] == chat]
            limit = int((req.query.get("limit") or ["100"])[0])
            return Reply(200, list(reversed(rows))[:limit])
        name = path.rsplit("/", 1)[-1]
        body = req.json or {}
        if name in (*SEND_ROUTES, "sendSeen", "startTyping", "stopTyping"):
            step = self.scripted(name)
            accepted = None
            if isinstance(step, int):
                return Reply(step, {"statusCode": step, "message": f"scripted {step}"})
            if isinstance(step, Reply):
                return step
            if isinstance(step, tuple) and step[0] == "hang":
                self.hang(step[1])
                return Reply(504, {"message": "late"})
            if name in SEND_ROUTES:
                accepted = self._accept(name, body)
            if isinstance(step, tuple) and step[0] == "accept_then_hang":
                self.hang(step[1])
            if self.status != "WORKING":
                return Reply(
                    422,
                    {
                        "error": "Session status is not as expected.",
                        "session": self.session,
                        "status": self.status,
                        "expected": ["WORKING"],
                    },
                )
            return Reply(200, accepted if accepted is not None else {"result": True})
        return Reply(404, {"statusCode": 404, "message": f"Cannot {req.method} {path}", "error": "Not Found"})

    def _accept(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        chat = body.get("chatId", "")
        msg = {
            "id": f"true_{chat}_3EB0{next(_ids):08X}",
            "timestamp": int(time.time()),
            "from": "6281200000000@c.us",
            "fromMe": True,
            "to": chat,
            "body": body.get("text") if name == "sendText" else body.get("caption", ""),
            "hasMedia": name != "sendText",
            "ack": 0,
            "route": name,
            "request": body,
        }
        with self._lock:
            self.sent.append(msg)
        return {k: v for k, v in msg.items() if k not in ("route", "request")}
