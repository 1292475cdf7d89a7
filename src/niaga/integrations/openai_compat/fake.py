"""Fake OpenAI-compatible Chat Completions server (protocols.md §5.1) on 127.0.0.1, port 0.

It checks what a real server checks (Bearer key, model, messages, tool messages answering the previous
assistant tool_calls by id) and answers from a script: each entry is a callable `fn(request_json) ->
Reply`, consumed in order; when the script is empty it answers a plain text "OK".
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeServer:
    """Threaded loopback server; subclasses implement `handle(path, headers, body) -> Reply`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[Callable[[dict[str, Any]], Reply]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                fake.requests.append({"path": self.path, "headers": headers, "json": body})
                reply = fake.handle(self.path, headers, body)
                if reply.delay:
                    time.sleep(reply.delay)
                data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_reply(self, body: dict[str, Any], default: Callable[[dict[str, Any]], Reply]) -> Reply:
        fn = self.script.pop(0) if self.script else default
        return fn(body)

    def handle(self, path: str, headers: dict[str, str], body: Any) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError


def _error(status: int, message: str, code: str | None, type_: str = "invalid_request_error") -> Reply:
    return Reply(status, {"error": {"message": message, "type": type_, "param": None, "code": code}})


class FakeOpenAI(FakeServer):
    """Chat completions from the script; `/embeddings` from `embedder(text) -> vector` (None: 404, as a
    chat-only server answers). `embed_failure` (a Reply) makes every embeddings request fail with it."""

    def __init__(
        self, api_key: str = "sk-test", embedder: Callable[[str], list[float]] | None = None
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.embedder = embedder
        self.embed_failure: Reply | None = None

    def handle(self, path: str, headers: dict[str, str], body: Any) -> Reply:
        if path.endswith("/embeddings") and self.embedder is not None:
            if headers.get("authorization") != f"Bearer {self.api_key}":
                return _error(401, "Incorrect API key provided.", "invalid_api_key")
            return self.embeddings(body)
        if not path.endswith("/chat/completions"):
            return _error(404, "Not found", None)
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
            return _error(400, "model and messages are required", None)
        msgs = body["messages"]
        for i, m in enumerate(msgs):
            if m.get("role") == "tool":
                prev_calls = {
                    tc["id"]
                    for j in range(i - 1, -1, -1)
                    if msgs[j].get("role") == "assistant"
                    for tc in (msgs[j].get("tool_calls") or [])
                }
                if not m.get("tool_call_id") or m["tool_call_id"] not in prev_calls or "content" not in m:
                    return _error(400, "tool message must answer a preceding tool_call", None)
        return self.next_reply(body, lambda b: text_reply("OK"))

    def embeddings(self, body: Any) -> Reply:
        if self.embed_failure is not None:
            return self.embed_failure
        if not isinstance(body, dict) or not body.get("model") or "input" not in body:
            return _error(400, "model and input are required", None)
        inputs = body["input"]
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) and t for t in inputs):
            return _error(400, "input must be a non-empty string or array of strings", None)
        assert self.embedder is not None
        data = [
            {"object": "embedding", "index": i, "embedding": self.embedder(t)} for i, t in enumerate(inputs)
        ]
        n = sum(len(t.split()) for t in inputs)
        return Reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": n, "total_tokens": n},
            },
        )


def completion(
    message: dict[str, Any], finish: str = "stop", prompt: int = 50, completion_tokens: int = 20
) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
    }


def text_reply(text: str, **kw: Any) -> Reply:
    return Reply(200, completion({"role": "assistant", "content": text, "refusal": None}, **kw))


def tool_call_reply(name: str, args: dict[str, Any], call_id: str = "call_abc123") -> Reply:
    return Reply(
        200,
        completion(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                ],
            },
            finish="tool_calls",
        ),
    )


def rate_limited(retry_after: str | None = None, retry_after_ms: str | None = None) -> Reply:
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    r = _error(429, "Rate limit reached for requests", "rate_limit_exceeded", "requests")
    r.headers = headers
    return r


def server_error(status: int = 500) -> Reply:
    return _error(status, "The server had an error while processing your request.", None, "server_error")
