"""Fake Gemini `generateContent` server (protocols.md §5.2) on 127.0.0.1, port 0.

Checks the `x-goog-api-key` header (or `?key=`), accepts camelCase and snake_case fields, requires
functionResponse parts to answer an earlier functionCall by name, and answers from a script.
"""

from __future__ import annotations

from typing import Any

from niaga.integrations.openai_compat.fake import FakeServer, Reply


def _err(code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> Reply:
    return Reply(
        code, {"error": {"code": code, "message": message, "status": status, "details": details or []}}
    )


class FakeGemini(FakeServer):
    def __init__(self, api_key: str = "gm-test") -> None:
        super().__init__()
        self.api_key = api_key

    def handle(self, path: str, headers: dict[str, str], body: Any) -> Reply:
        base, _, query = path.partition("?")
        if not (base.startswith("/v1beta/models/") and base.endswith(":generateContent")):
            return _err(404, "NOT_FOUND", "Method not found.")
        if headers.get("x-goog-api-key") != self.api_key and f"key={self.api_key}" not in query:
            return _err(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            )
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list) or not body["contents"]:
            return _err(400, "INVALID_ARGUMENT", "contents is not specified")
        called: set[str] = set()
        for c in body["contents"]:
            if c.get("role") not in ("user", "model"):
                return _err(400, "INVALID_ARGUMENT", "Please use a valid role: user, model.")
            for p in c.get("parts") or []:
                if "functionCall" in p:
                    called.add(p["functionCall"]["name"])
                fr = p.get("functionResponse") or p.get("function_response")
                if fr is not None and fr.get("name") not in called:
                    return _err(400, "INVALID_ARGUMENT", "functionResponse without a matching functionCall")
        return self.next_reply(body, lambda b: text_reply("OK"))


def generate(
    parts: list[dict[str, Any]], finish: str = "STOP", prompt: int = 40, out: int = 12
) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": {
            "promptTokenCount": prompt,
            "candidatesTokenCount": out,
            "totalTokenCount": prompt + out,
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "resp-test",
    }


def text_reply(text: str) -> Reply:
    return Reply(200, generate([{"text": text}]))


def function_call_reply(name: str, args: dict[str, Any]) -> Reply:
    return Reply(200, generate([{"functionCall": {"name": name, "args": args}}]))


def exhausted(retry_delay: str = "1s", per_day: bool = False) -> Reply:
    quota = (
        "GenerateRequestsPerDayPerProjectPerModel"
        if per_day
        else "GenerateRequestsPerMinutePerProjectPerModel"
    )
    return _err(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaId": quota}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay},
        ],
    )


def unavailable() -> Reply:
    return _err(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
