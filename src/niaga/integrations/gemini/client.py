"""Gemini's native `generateContent` with functionDeclarations: the `agent.llm.LLMClient` port."""

from __future__ import annotations

import json
from typing import Any

import httpx

from niaga.agent import llm
from niaga.agent import tools as agent_tools
from niaga.agent.llm import DEFAULT_TIMEOUT_S, Completion, LLMError, ToolCall
from niaga.integrations.base import raise_for_llm


class GeminiClient:
    kind = "gemini"

    def __init__(
        self, *, base_url: str, api_key: str, model: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    @staticmethod
    def _to_contents(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        system = []
        contents: list[dict[str, Any]] = []
        for m in messages:
            role = m["role"]
            if role == "system":
                system.append(m["content"])
            elif role == "user":
                contents.append({"role": "user", "parts": [{"text": m["content"]}]})
            elif role == "assistant":
                if m.get("_gemini_parts"):
                    contents.append({"role": "model", "parts": m["_gemini_parts"]})
                else:
                    contents.append({"role": "model", "parts": [{"text": m.get("content") or ""}]})
            elif role == "tool":
                contents.append(
                    {
                        "role": "user",
                        "parts": [
                            {"functionResponse": {"name": m["name"], "response": json.loads(m["content"])}}
                        ],
                    }
                )
        return "\n\n".join(system), contents

    def complete(
        self, messages: list[dict[str, Any]], tool_specs: list[dict[str, Any]], *, timeout: float
    ) -> Completion:
        system, contents = self._to_contents(messages)
        body = {
            "systemInstruction": {"parts": [{"text": system}]},
            "contents": contents,
            "tools": [{"functionDeclarations": tool_specs}],
            "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
            "generationConfig": {"temperature": 0.3, "maxOutputTokens": 500},
        }
        url = f"{self.base_url}/models/{self.model}:generateContent"
        try:
            with httpx.Client(transport=llm.transport, timeout=timeout) as c:
                resp = c.post(url, json=body, headers={"x-goog-api-key": self.api_key})
        except httpx.TimeoutException as exc:
            raise LLMError(f"gemini timeout: {exc}", retryable=True, provider="gemini") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"gemini connection: {exc}", retryable=True, provider="gemini") from exc
        raise_for_llm(resp, "gemini")
        try:
            data = resp.json()
            cands = data.get("candidates") or []
            if not cands:
                raise ValueError(f"no candidates ({data.get('promptFeedback')})")
            cand = cands[0]
            if cand.get("finishReason") in (
                "MALFORMED_FUNCTION_CALL",
                "SAFETY",
                "RECITATION",
                "BLOCKLIST",
                "PROHIBITED_CONTENT",
                "SPII",
            ):
                raise ValueError(f"finishReason {cand.get('finishReason')}")
            parts = (cand.get("content") or {}).get("parts") or []
            texts, calls = [], []
            for n, p in enumerate(parts):
                if "text" in p and not p.get("thought"):
                    texts.append(p["text"])
                if "functionCall" in p:
                    fc = p["functionCall"]
                    args = fc.get("args") or {}
                    if not isinstance(args, dict):
                        raise ValueError("functionCall args are not an object")
                    calls.append(ToolCall(id=fc.get("id") or f"fc_{n}", name=fc["name"], args=args))
            usage = data.get("usageMetadata") or {}
            return Completion(
                text="".join(texts) or None,
                tool_calls=calls,
                prompt_tokens=int(usage.get("promptTokenCount") or 0),
                completion_tokens=int(usage.get("candidatesTokenCount") or 0)
                + int(usage.get("thoughtsTokenCount") or 0),
                raw=parts,
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"gemini malformed response: {exc}", retryable=False, provider="gemini") from exc

    @staticmethod
    def assistant_message(c: Completion) -> dict[str, Any]:
        # Parts are echoed back unchanged (newer models attach thoughtSignature to them).
        return {"role": "assistant", "content": c.text, "_gemini_parts": c.raw}

    @staticmethod
    def tool_message(call: ToolCall, result: dict[str, Any]) -> dict[str, Any]:
        return {
            "role": "tool",
            "name": call.name,
            "tool_call_id": call.id,
            "content": agent_tools.dumps(result),
        }
