"""Language-model providers: phrasing on top of the grounded pipeline, never the source of facts.

- `niaga.integrations.openai_compat.client.OpenAICompatClient`: `POST {base_url}/chat/completions` with tools
  (OpenAI, Groq, Ollama, vLLM, llama.cpp server, Gemini's OpenAI endpoint).
- `niaga.integrations.gemini.client.GeminiClient`: native `POST {base_url}/models/{model}:generateContent`
  with functionDeclarations.
Both implement the `LLMClient` port below and are registered in `LLM_CLIENTS` at start-up.

Configuration per business: `ProviderConfig(kind="openai"|"gemini", config={base_url, model, timeout,
input_cost_per_mtok_usd, output_cost_per_mtok_usd}, secrets={api_key})` and the business settings
`agent.provider` / `agent.backup_provider` / `agent.daily_token_budget`.

Fallback chain primary → backup → offline on timeout, 429 (a short retry hint is honoured once, never
blocking a turn for more than `TURN_BUDGET_S`), 5xx, or malformed output. The guard then checks every
money amount and stock figure in the model's text against the numbers this turn's tools produced; any
other number sends the grounded offline reply instead (`agent.guard_override`). Tokens and cost are
recorded in `AiUsage` per business per day.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from niaga.agent import tools as agent_tools
from niaga.agent.models import AiUsage
from niaga.kit.crypto import decrypt_json
from niaga.kit.ports import Port
from niaga.kit.providers import LLMError as LLMError  # re-export
from niaga.kit.timeutil import local_today
from niaga.ops.logging import get_logger
from niaga.tenancy.models import ProviderConfig

log = get_logger("niaga.agent")

TURN_BUDGET_S = 8.0  # the most a turn may spend on models, retries included
MAX_RETRY_WAIT_S = 2.0  # a longer retry hint moves on to the next provider
MAX_TOOL_ROUNDS = 3
DEFAULT_TIMEOUT_S = 6.0
DEFAULT_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com/v1beta",
}

# Test seam: an httpx transport used by every client (None = real network).
transport: httpx.BaseTransport | None = None


@dataclass
class ToolCall:
    id: str
    name: str
    args: dict[str, Any]


@dataclass
class Completion:
    text: str | None
    tool_calls: list[ToolCall]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    raw: Any = None


@dataclass
class Phrased:
    text: str
    tokens: int
    provider: str
    guard_override: bool = False
    handoff: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)


class LLMClient(Protocol):
    """What a turn needs from a language model (the port; adapters in niaga.integrations.openai_compat and
    niaga.integrations.gemini). Failures raise `LLMError`."""

    kind: str
    model: str
    timeout: float

    def complete(
        self, messages: list[dict[str, Any]], tool_specs: list[dict[str, Any]], *, timeout: float
    ) -> Completion: ...

    def assistant_message(self, c: Completion) -> dict[str, Any]: ...

    def tool_message(self, call: ToolCall, result: dict[str, Any]) -> dict[str, Any]: ...


# "openai_compat" | "gemini" -> factory(base_url=, api_key=, model=, timeout=) -> LLMClient; filled by
# niaga.integrations.registry at start-up.
LLM_CLIENTS: Port[Callable[..., LLMClient]] = Port("language model")


Client = LLMClient


def client_for(
    db: Session, *, business_id: int, kind: str, model: str = ""
) -> tuple[Client, ProviderConfig] | None:
    cfg = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id,
            ProviderConfig.kind == kind,
            ProviderConfig.is_enabled.is_(True),
        )
    ).first()
    if cfg is None:
        return None
    secrets = decrypt_json(cfg.secrets)
    conf = cfg.config or {}
    cls = LLM_CLIENTS.get("gemini" if kind == "gemini" else "openai_compat")
    client = cls(
        base_url=conf.get("base_url") or DEFAULT_BASE_URLS.get(kind, ""),
        api_key=str(secrets.get("api_key") or ""),
        model=conf.get("model") or model or "",
        timeout=float(conf.get("timeout") or DEFAULT_TIMEOUT_S),
    )
    return client, cfg


# --- usage ----------------------------------------------------------------------------------------


def record_usage(
    db: Session,
    *,
    business_id: int,
    timezone: str | None,
    provider: str,
    model: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    failures: int = 0,
    requests: int = 1,
    config: dict[str, Any] | None = None,
) -> None:
    conf = config or {}
    cost = prompt_tokens * float(conf.get("input_cost_per_mtok_usd") or 0) + completion_tokens * float(
        conf.get("output_cost_per_mtok_usd") or 0
    )  # micro-USD
    day = local_today(timezone)
    key = (
        AiUsage.business_id == business_id,
        AiUsage.day == day,
        AiUsage.provider == provider,
        AiUsage.model == (model or "")[:100],
    )
    row = db.scalars(sa.select(AiUsage).where(*key)).first()
    if row is None:
        try:
            with db.begin_nested():
                row = AiUsage(
                    business_id=business_id,
                    day=day,
                    provider=provider,
                    model=(model or "")[:100],
                    requests=0,
                    failures=0,
                    prompt_tokens=0,
                    completion_tokens=0,
                    cost_micro_usd=0,
                )
                db.add(row)
                db.flush()
        except IntegrityError:
            row = db.scalars(sa.select(AiUsage).where(*key)).one()
    row.requests += requests
    row.failures += failures
    row.prompt_tokens += prompt_tokens
    row.completion_tokens += completion_tokens
    row.cost_micro_usd += round(cost)
    db.flush()


def tokens_today(db: Session, *, business_id: int, timezone: str | None) -> int:
    return int(
        db.scalar(
            sa.select(
                sa.func.coalesce(sa.func.sum(AiUsage.prompt_tokens + AiUsage.completion_tokens), 0)
            ).where(AiUsage.business_id == business_id, AiUsage.day == local_today(timezone))
        )
        or 0
    )


# --- guard ----------------------------------------------------------------------------------------

_MONEY_RES = [
    re.compile(r"(?:Rp\.?|IDR)\s*([0-9][0-9.,]*)", re.I),
    re.compile(r"\b([0-9][0-9.,]*)\s*(?:rb|ribu|k)\b", re.I),
    re.compile(r"\b([0-9]{1,3}(?:\.[0-9]{3})+)(?:,[0-9]{1,2})?\b"),
]
_STOCK_RES = [
    re.compile(
        r"\b(?:stok|stock|sisa|tersisa|tinggal|available|left|tersedia|ready)\D{0,12}?([0-9]+)\b", re.I
    ),
    re.compile(
        r"\b([0-9]+)\s*(?:pcs|buah|unit|eksemplar|item|items|left|lagi|in stock|tersedia|biji)\b", re.I
    ),
]


def _amount(raw: str, thousands: bool = False) -> int | None:
    s = raw.strip(".,")
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]{1,2})?", s):
        v = float(s.split(",")[0].replace(".", ""))
    elif re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?", s):
        v = float(s.split(".")[0].replace(",", ""))
    else:
        try:
            v = float(s.replace(",", "."))
        except ValueError:
            return None
    return round(v * 1000) if thousands else round(v)


def figures_in(text: str) -> set[int]:
    """Money amounts and stock figures a reply states."""
    out: set[int] = set()
    for i, rx in enumerate(_MONEY_RES):
        for m in rx.finditer(text):
            v = _amount(m.group(1), thousands=(i == 1))
            if v is not None:
                out.add(v)
    for rx in _STOCK_RES:
        for m in rx.finditer(text):
            out.add(int(m.group(1)))
    return out


def check_guard(
    text: str, *, calls: list[dict[str, Any]], customer_text: str, offline_reply: str
) -> list[int]:
    """Figures in `text` that no tool produced this turn (empty list = grounded)."""
    allowed = agent_tools.numbers_in_results(calls)
    allowed |= {int(x) for x in re.findall(r"\d+", customer_text or "")}
    allowed |= figures_in(offline_reply) | {
        int(x) for x in re.findall(r"\d+", offline_reply.replace(".", ""))
    }
    return sorted(v for v in figures_in(text) if v not in allowed)


# --- the phrasing loop ----------------------------------------------------------------------------


def _system_prompt(
    *,
    business: Any,
    settings: dict[str, Any],
    language: str,
    ctx: agent_tools.ToolContext,
    offline_reply: str,
    summary: str,
    earlier: list[dict[str, Any]],
) -> str:
    agent = settings.get("agent", {})
    lang = "English" if language == "en" else "Bahasa Indonesia (santai, sopan)"
    parts = [
        f"Kamu adalah {agent.get('persona_name') or 'asisten'} dari toko {business.name}. Balas dalam {lang}, "
        f"singkat seperti chat WhatsApp, panggil pelanggan '{agent.get('address_customer_as') or 'kak'}', "
        f"gaya {agent.get('tone') or 'ramah'}. Salam khas toko: {agent.get('greeting') or 'Halo'}.",
        "ATURAN: Semua harga, stok, ongkir, status pesanan dan kebijakan HANYA boleh dari hasil tool. Jangan "
        "mengarang angka. Jika data tidak ada, katakan tidak tersedia atau tawarkan bantuan admin. Format uang "
        "seperti Rp150.000.",
        "Hasil tool untuk pesan ini (JSON): "
        + json.dumps(
            [{"tool": c["name"], "result": c["result"]} for c in ctx.calls], ensure_ascii=False, default=str
        )[:6000],
        "Draf balasan yang sudah benar secara fakta (boleh diperhalus, jangan menambah angka):\n"
        + offline_reply,
    ]
    if summary:
        parts.append("Ringkasan percakapan sejauh ini:\n" + summary[-1500:])
    if earlier:
        parts.append("Percakapan pelanggan ini sebelumnya: " + json.dumps(earlier, ensure_ascii=False)[:1000])
    return "\n\n".join(parts)


def _history_messages(history: list[Any], message: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in history:
        if not m.text:
            continue
        if m.direction == "in":
            out.append({"role": "user", "content": m.text[:2000]})
        else:
            prefix = "[Admin] " if m.sender_type == "staff" else ""
            out.append({"role": "assistant", "content": prefix + m.text[:2000]})
    if not out or out[-1]["role"] != "user":
        out.append({"role": "user", "content": (message or "")[:2000]})
    return out


ToolRunner = Callable[[str, dict[str, Any]], tuple[dict[str, Any], list[dict[str, Any]]]]
"""Runs one model tool call: (name, args) -> (result, the calls it recorded)."""


def _run(
    client: Client,
    run_tool: ToolRunner,
    calls: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    deadline: float,
    usage: dict[str, int],
) -> tuple[str, bool]:
    """The tool-calling loop against one provider. Returns (text, handoff_requested)."""
    handoff = False
    for _ in range(MAX_TOOL_ROUNDS + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0.2:
            raise LLMError("turn budget spent", retryable=False)
        attempt = 0
        while True:
            try:
                c = client.complete(messages, agent_tools.TOOL_SPECS, timeout=min(client.timeout, remaining))
                break
            except LLMError as exc:
                usage["failures"] += 1
                wait = exc.retry_after
                remaining = deadline - time.monotonic()
                if (
                    attempt == 0
                    and exc.retryable
                    and exc.status == 429
                    and wait is not None
                    and wait <= MAX_RETRY_WAIT_S
                    and wait < remaining - 0.5
                ):
                    attempt += 1
                    time.sleep(max(wait, 0.0))
                    remaining = deadline - time.monotonic()
                    continue
                raise
        usage["requests"] += 1
        usage["prompt"] += c.prompt_tokens
        usage["completion"] += c.completion_tokens
        if c.tool_calls:
            messages.append(client.assistant_message(c))
            for call in c.tool_calls:
                if call.name == "handoff":
                    handoff = True
                result, recorded = run_tool(call.name, call.args)
                calls.extend(recorded)
                messages.append(client.tool_message(call, result))
            continue
        if c.text and c.text.strip():
            return c.text.strip(), handoff
        raise LLMError("empty answer", retryable=False)
    raise LLMError("too many tool rounds", retryable=False)


@dataclass
class ProviderSpec:
    """One provider of the chain, as plain data (no database object crosses the phrase step)."""

    kind: str
    base_url: str
    api_key: str
    model: str
    timeout: float
    config: dict[str, Any]


@dataclass
class PhraseRequest:
    """Everything the phrase step needs, read in the plan step; it holds no session and no ORM object."""

    business_id: int
    timezone: str | None
    chain: list[ProviderSpec]
    messages: list[dict[str, Any]]
    calls: list[dict[str, Any]]  # the tool calls of the offline turn (the facts the draft states)
    customer_text: str
    offline_reply: str


@dataclass
class Usage:
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    failures: int
    requests: int
    config: dict[str, Any]


@dataclass
class Prephrased:
    """What the phrase step produced, handed to the record step (which checks it again)."""

    request: PhraseRequest
    phrased: Phrased | None
    usage: list[Usage]


def _chain(settings: dict[str, Any]) -> list[str]:
    agent = settings.get("agent", {})
    chain = [k for k in (agent.get("provider"), agent.get("backup_provider")) if k and k != "offline"]
    return list(dict.fromkeys(chain))


def wants_model(settings: dict[str, Any]) -> bool:
    """Whether turns of a business with these settings may ask a language model."""
    return bool(_chain(settings))


def prepare(
    db: Session,
    *,
    business: Any,
    settings: dict[str, Any],
    ctx: agent_tools.ToolContext,
    history: list[Any],
    message: str,
    offline_reply: str,
    language: str,
    earlier: list[dict[str, Any]],
) -> PhraseRequest | None:
    """Read what phrasing needs (providers, prompt, this turn's facts); None = the offline reply stands
    (no provider configured or the daily token budget is spent)."""
    agent = settings.get("agent", {})
    chain = _chain(settings)
    if not chain:
        return None
    budget = int(agent.get("daily_token_budget") or 0)
    if budget and tokens_today(db, business_id=business.id, timezone=business.timezone) >= budget:
        log.warning("agent.token_budget_spent", business_id=business.id)
        return None
    specs: list[ProviderSpec] = []
    for kind in chain:
        cfg = db.scalars(
            sa.select(ProviderConfig).where(
                ProviderConfig.business_id == business.id,
                ProviderConfig.kind == kind,
                ProviderConfig.is_enabled.is_(True),
            )
        ).first()
        if cfg is None:
            continue
        conf = dict(cfg.config or {})
        specs.append(
            ProviderSpec(
                kind=kind,
                base_url=conf.get("base_url") or DEFAULT_BASE_URLS.get(kind, ""),
                api_key=str(decrypt_json(cfg.secrets).get("api_key") or ""),
                model=conf.get("model") or agent.get("model") or "",
                timeout=float(conf.get("timeout") or DEFAULT_TIMEOUT_S),
                config=conf,
            )
        )
    if not specs:
        return None
    system = _system_prompt(
        business=business,
        settings=settings,
        language=language,
        ctx=ctx,
        offline_reply=offline_reply,
        summary=getattr(ctx.conversation, "summary", "") or "",
        earlier=earlier,
    )
    return PhraseRequest(
        business_id=business.id,
        timezone=business.timezone,
        chain=specs,
        messages=[{"role": "system", "content": system}, *_history_messages(history, message)],
        calls=[dict(c) for c in ctx.calls],
        customer_text=message,
        offline_reply=offline_reply,
    )


def generate(req: PhraseRequest, run_tool: ToolRunner) -> Prephrased:
    """Ask the chain to phrase the reply. Touches no database itself: the model's tool calls go through
    `run_tool`, which opens its own short read. Returns the phrasing (None = every provider failed) and the
    usage to record."""
    deadline = time.monotonic() + TURN_BUDGET_S
    usage_rows: list[Usage] = []
    for spec in req.chain:
        cls = LLM_CLIENTS.get("gemini" if spec.kind == "gemini" else "openai_compat")
        client = cls(base_url=spec.base_url, api_key=spec.api_key, model=spec.model, timeout=spec.timeout)
        messages = [dict(m) for m in req.messages]
        usage = {"requests": 0, "failures": 0, "prompt": 0, "completion": 0}
        new_calls: list[dict[str, Any]] = []
        try:
            text, handoff = _run(client, run_tool, new_calls, messages, deadline, usage)
        except LLMError as exc:
            log.warning(
                "agent.provider_failed", business_id=req.business_id, provider=spec.kind, error=str(exc)[:300]
            )
            usage_rows.append(
                Usage(
                    spec.kind,
                    client.model,
                    usage["prompt"],
                    usage["completion"],
                    max(usage["failures"], 1),
                    max(usage["requests"], 1),
                    spec.config,
                )
            )
            continue
        usage_rows.append(
            Usage(
                spec.kind,
                client.model,
                usage["prompt"],
                usage["completion"],
                usage["failures"],
                usage["requests"],
                spec.config,
            )
        )
        tokens = usage["prompt"] + usage["completion"]
        bad = check_guard(
            text,
            calls=req.calls + new_calls,
            customer_text=req.customer_text,
            offline_reply=req.offline_reply,
        )
        if bad:
            log.warning(
                "agent.guard_override", business_id=req.business_id, provider=spec.kind, figures=bad[:10]
            )
            phrased = Phrased(
                text=req.offline_reply,
                tokens=tokens,
                provider=spec.kind,
                guard_override=True,
                calls=new_calls,
            )
        else:
            phrased = Phrased(text=text, tokens=tokens, provider=spec.kind, handoff=handoff, calls=new_calls)
        return Prephrased(req, phrased, usage_rows)
    return Prephrased(req, None, usage_rows)


def record(db: Session, *, business: Any, done: Prephrased) -> None:
    for u in done.usage:
        record_usage(
            db,
            business_id=business.id,
            timezone=business.timezone,
            provider=u.provider,
            model=u.model,
            prompt_tokens=u.prompt_tokens,
            completion_tokens=u.completion_tokens,
            failures=u.failures,
            requests=u.requests,
            config=u.config,
        )


def accept(
    db: Session,
    *,
    business: Any,
    done: Prephrased,
    ctx: agent_tools.ToolContext,
    offline_reply: str,
    message: str,
) -> Phrased | None:
    """The record step of a split turn: record the usage, then check the phrasing against this
    transaction's facts. When the offline reply recomputed now differs from the draft the model phrased
    (a price, stock or the conversation changed meanwhile), the fresh offline reply is sent instead."""
    record(db, business=business, done=done)
    p = done.phrased
    if p is None:
        return None
    if done.request.offline_reply != offline_reply:
        log.warning("agent.phrase_stale", business_id=business.id, provider=p.provider)
        return Phrased(text=offline_reply, tokens=p.tokens, provider=p.provider, guard_override=True)
    ctx.calls.extend(p.calls)
    if p.guard_override:
        return p
    bad = check_guard(p.text, calls=ctx.calls, customer_text=message, offline_reply=offline_reply)
    if bad:
        log.warning("agent.guard_override", business_id=business.id, provider=p.provider, figures=bad[:10])
        return Phrased(text=offline_reply, tokens=p.tokens, provider=p.provider, guard_override=True)
    return p


def inline_runner(ctx: agent_tools.ToolContext) -> ToolRunner:
    """Model tool calls over the turn's own session (the one-transaction path)."""

    def run(name: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        before = len(ctx.calls)
        result = agent_tools.run_tool(ctx, name, args)
        recorded = ctx.calls[before:]
        del ctx.calls[before:]
        return result, recorded

    return run


def phrase(
    db: Session,
    *,
    business: Any,
    settings: dict[str, Any],
    ctx: agent_tools.ToolContext,
    history: list[Any],
    message: str,
    offline_reply: str,
    plan: Any,
    language: str,
    memory: dict[str, Any],
    earlier: list[dict[str, Any]],
) -> Phrased | None:
    """Ask the configured models to phrase the reply inside the caller's transaction; None = use the
    offline reply (no provider, budget spent, or every provider failed). The reply job splits this into
    prepare → generate (no transaction) → accept instead."""
    req = prepare(
        db,
        business=business,
        settings=settings,
        ctx=ctx,
        history=history,
        message=message,
        offline_reply=offline_reply,
        language=language,
        earlier=earlier,
    )
    if req is None:
        return None
    done = generate(req, inline_runner(ctx))
    record(db, business=business, done=done)
    if done.phrased is not None:
        ctx.calls.extend(done.phrased.calls)
    return done.phrased


def _offer_to_content() -> None:
    """The content studio (niaga.marketing.content, a lower layer) uses this chain through its port."""
    import sys

    from niaga.marketing import content

    content.MODEL_ACCESS.register("llm", sys.modules[__name__])


_offer_to_content()
