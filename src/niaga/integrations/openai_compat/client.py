"""OpenAI-compatible chat completions with tools (OpenAI, Groq, Ollama, vLLM, llama.cpp server, Gemini's
OpenAI endpoint): the `agent.llm.LLMClient` port; and `POST {base}/embeddings` (`OpenAIEmbeddingsClient`,
the `knowledge.embeddings.Embedder` port)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import httpx

from niaga.agent import llm
from niaga.agent import tools as agent_tools
from niaga.agent.llm import DEFAULT_TIMEOUT_S, Completion, LLMError, ToolCall
from niaga.integrations.base import raise_for_llm


class OpenAICompatClient:
    kind = "openai"

    def __init__(
        self, *, base_url: str, api_key: str, model: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def complete(
        self, messages: list[dict[str, Any]], tool_specs: list[dict[str, Any]], *, timeout: float
    ) -> Completion:
        body = {
            "model": self.model,
            "messages": messages,
            "temperature": 0.3,
            "max_tokens": 500,
        }
        if tool_specs:  # an empty tools list is refused by OpenAI ("[] is too short")
            body["tools"] = [{"type": "function", "function": t} for t in tool_specs]
            body["tool_choice"] = "auto"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.Client(transport=llm.transport, timeout=timeout) as c:
                resp = c.post(f"{self.base_url}/chat/completions", json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise LLMError(f"openai timeout: {exc}", retryable=True, provider="openai_compat") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"openai connection: {exc}", retryable=True, provider="openai_compat") from exc
        raise_for_llm(resp, "openai")
        try:
            data = resp.json()
            msg = data["choices"][0]["message"]
            calls: list[ToolCall] = []
            for tc in msg.get("tool_calls") or []:
                args = tc["function"].get("arguments") or "{}"
                parsed = json.loads(args) if isinstance(args, str) else args
                if not isinstance(parsed, dict):
                    raise ValueError("tool arguments are not an object")
                calls.append(
                    ToolCall(
                        id=tc.get("id") or f"call_{len(calls)}", name=tc["function"]["name"], args=parsed
                    )
                )
            usage = data.get("usage") or {}
            return Completion(
                text=msg.get("content"),
                tool_calls=calls,
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
                raw=msg,
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(
                f"openai malformed response: {exc}", retryable=False, provider="openai_compat"
            ) from exc

    @staticmethod
    def assistant_message(c: Completion) -> dict[str, Any]:
        return {
            "role": "assistant",
            "content": c.text,
            "tool_calls": [
                {
                    "id": t.id,
                    "type": "function",
                    "function": {"name": t.name, "arguments": json.dumps(t.args)},
                }
                for t in c.tool_calls
            ],
        }

    @staticmethod
    def tool_message(call: ToolCall, result: dict[str, Any]) -> dict[str, Any]:
        return {"role": "tool", "tool_call_id": call.id, "content": agent_tools.dumps(result)}


class OpenAIEmbeddingsClient:
    """`POST {base_url}/embeddings` {model, input: [texts]} -> {data: [{index, embedding}]}; vectors are
    returned in input order (sorted by `index`, as the protocol allows any order)."""

    def __init__(
        self, *, base_url: str, api_key: str, model: str, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def embed(self, texts: Sequence[str], *, timeout: float | None = None) -> list[list[float]]:
        if not texts:
            return []
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {"model": self.model, "input": list(texts), "encoding_format": "float"}
        try:
            with httpx.Client(transport=llm.transport, timeout=timeout or self.timeout) as c:
                resp = c.post(f"{self.base_url}/embeddings", json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise LLMError(f"embeddings timeout: {exc}", retryable=True, provider="embeddings") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"embeddings connection: {exc}", retryable=True, provider="embeddings") from exc
        raise_for_llm(resp, "embeddings")
        try:
            data = resp.json()["data"]
            rows = sorted(data, key=lambda d: int(d.get("index", 0)))
            out = [[float(x) for x in d["embedding"]] for d in rows]
            if len(out) != len(texts) or len({len(v) for v in out}) != 1 or not out[0]:
                raise ValueError(f"{len(out)} vectors for {len(texts)} texts or uneven sizes")
            if not all(math.isfinite(x) for v in out for x in v):
                raise ValueError("non-finite value in a vector")
            return out
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise LLMError(
                f"embeddings malformed response: {exc}", retryable=False, provider="embeddings"
            ) from exc
