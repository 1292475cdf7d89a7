"""LLM providers against local fake servers speaking their documented protocols: tool calling,
fallback primary → backup → offline, retry hints, the guard, and usage accounting."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from niaga.agent import llm
from niaga.agent.models import AiUsage
from niaga.integrations.gemini import fake as gfake
from niaga.integrations.models import ProviderConfig
from niaga.integrations.openai_compat import fake as ofake
from niaga.kit.crypto import encrypt_json
from tests.factories import auth, make_user


def _configure(
    db,
    business,
    *,
    primary: str,
    backup: str = "",
    openai_url: str = "",
    gemini_url: str = "",
    timeout: float = 2.0,
    budget: int = 200000,
) -> None:  # type: ignore[no-untyped-def]
    if openai_url:
        db.add(
            ProviderConfig(
                business_id=business.id,
                kind="openai",
                config={
                    "base_url": openai_url + "/v1",
                    "model": "gpt-test",
                    "timeout": timeout,
                    "input_cost_per_mtok_usd": 0.15,
                    "output_cost_per_mtok_usd": 0.6,
                },
                secrets=encrypt_json({"api_key": "sk-test"}),
            )
        )
    if gemini_url:
        db.add(
            ProviderConfig(
                business_id=business.id,
                kind="gemini",
                config={"base_url": gemini_url + "/v1beta", "model": "gemini-2.5-flash", "timeout": timeout},
                secrets=encrypt_json({"api_key": "gm-test"}),
            )
        )
    settings = dict(business.settings or {})
    settings["agent"] = {
        **settings.get("agent", {}),
        "provider": primary,
        "backup_provider": backup,
        "daily_token_budget": budget,
    }
    business.settings = settings
    db.commit()


def _usage(db) -> dict[str, AiUsage]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return {u.provider: u for u in db.scalars(sa.select(AiUsage)).all()}


def test_openai_tool_calls_are_run_and_answered(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}

    def final(body: dict[str, Any]) -> ofake.Reply:
        seen["tool_msg"] = next(m for m in body["messages"] if m["role"] == "tool")
        return ofake.text_reply("Ensiklopedia Muslim Cilik tinggal 9 kak, harganya Rp120.000 😊")

    with ofake.FakeOpenAI() as fake:
        _configure(db, rizquna, primary="openai", openai_url=fake.url)
        fake.script = [
            lambda b: ofake.tool_call_reply("check_stock", {"sku": "RQ-ANAK-005", "quantity": 1}),
            final,
        ]
        t = chat(rizquna, "6283000001", "ensiklopedia muslim cilik sisa berapa?")
    assert t.provider == "openai" and not t.guard_override
    assert t.reply == "Ensiklopedia Muslim Cilik tinggal 9 kak, harganya Rp120.000 😊"
    assert t.intent == "stock_check" and t.entities["sku"] == "RQ-ANAK-005"
    first = fake.requests[0]
    assert first["headers"]["authorization"] == "Bearer sk-test" and first["json"]["model"] == "gpt-test"
    assert {tl["function"]["name"] for tl in first["json"]["tools"]} >= {"check_stock", "shipping_quote"}
    assert (
        '"available": 9' in seen["tool_msg"]["content"] and seen["tool_msg"]["tool_call_id"] == "call_abc123"
    )
    assert any(c["name"] == "check_stock" and c["args"].get("quantity") == 1 for c in t.tool_calls)
    u = _usage(db)["openai"]
    assert u.requests == 2 and u.prompt_tokens == 100 and u.completion_tokens == 40 and t.tokens == 140
    assert u.cost_micro_usd == round(100 * 0.15 + 40 * 0.6)


def test_gemini_function_call_round_trip(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    def final(body: dict[str, Any]) -> gfake.Reply:
        parts = [p for c in body["contents"] for p in c["parts"] if "functionResponse" in p]
        assert parts and parts[0]["functionResponse"]["name"] == "price_quote"
        assert parts[0]["functionResponse"]["response"]["total"] == 80000
        return gfake.text_reply("Untuk 2 peci hitam totalnya Rp80.000 kak.")

    with gfake.FakeGemini() as fake:
        _configure(db, rizquna, primary="gemini", gemini_url=fake.url)
        fake.script = [
            lambda b: gfake.function_call_reply("price_quote", {"sku": "RQ-PECI-001", "quantity": 2}),
            final,
        ]
        t = chat(rizquna, "6283000002", "harga 2 peci hitam berapa?")
    assert t.provider == "gemini" and t.reply == "Untuk 2 peci hitam totalnya Rp80.000 kak."
    req = fake.requests[0]
    assert req["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert req["headers"]["x-goog-api-key"] == "gm-test"
    assert req["json"]["systemInstruction"]["parts"][0]["text"]
    assert req["json"]["tools"][0]["functionDeclarations"]
    assert _usage(db)["gemini"].requests == 2


@pytest.mark.parametrize("failure", ["429", "500", "timeout", "malformed", "bad_args"])
def test_fallback_to_backup_provider(rizquna, chat, db, failure: str) -> None:  # type: ignore[no-untyped-def]
    primary = {
        "429": lambda b: ofake.rate_limited(retry_after="30"),  # too long to wait inside a turn
        "500": lambda b: ofake.server_error(500),
        "timeout": lambda b: ofake.Reply(
            200, ofake.completion({"role": "assistant", "content": "late"}), delay=1.5
        ),
        "malformed": lambda b: ofake.Reply(200, {"choices": []}),
        "bad_args": lambda b: ofake.Reply(
            200,
            ofake.completion(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "check_stock", "arguments": "{not json"},
                        }
                    ],
                }
            ),
        ),
    }[failure]
    with ofake.FakeOpenAI() as o, gfake.FakeGemini() as g:
        _configure(
            db, rizquna, primary="openai", backup="gemini", openai_url=o.url, gemini_url=g.url, timeout=0.5
        )
        o.script = [primary]
        g.script = [lambda b: gfake.text_reply("Harga peci hitam Rp40.000 kak.")]
        started = time.monotonic()
        t = chat(rizquna, "6283000003", "harga peci hitam?")
    assert t.provider == "gemini" and t.reply == "Harga peci hitam Rp40.000 kak."
    assert len(o.requests) == 1 and time.monotonic() - started < llm.TURN_BUDGET_S
    assert _usage(db)["openai"].failures == 1


def test_retry_hint_is_honoured_once(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o:
        _configure(db, rizquna, primary="openai", openai_url=o.url)
        o.script = [
            lambda b: ofake.rate_limited(retry_after_ms="300"),
            lambda b: ofake.text_reply("Peci hitam Rp40.000 kak 👍"),
        ]
        started = time.monotonic()
        t = chat(rizquna, "6283000004", "harga peci hitam?")
    assert t.provider == "openai" and t.reply == "Peci hitam Rp40.000 kak 👍"
    assert len(o.requests) == 2 and time.monotonic() - started >= 0.3


def test_gemini_retry_info_then_offline(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with gfake.FakeGemini() as g:
        _configure(db, rizquna, primary="gemini", gemini_url=g.url)
        g.script = [lambda b: gfake.exhausted("0.2s"), lambda b: gfake.unavailable()]
        t = chat(rizquna, "6283000005", "harga peci hitam?")
    assert len(g.requests) == 2  # waited 0.2 s once, then gave up on the 503
    assert t.provider == "offline" and "40.000" in t.reply
    assert _usage(db)["gemini"].failures == 2


def test_guard_replaces_an_invented_price(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o:
        _configure(db, rizquna, primary="openai", openai_url=o.url)
        o.script = [lambda b: ofake.text_reply("Peci hitam cuma Rp35.000 kak, stok tinggal 3!")]
        t = chat(rizquna, "6283000006", "harga peci hitam?")
    assert t.guard_override and t.provider == "openai"
    assert "35.000" not in t.reply and "40.000" in t.reply  # the grounded offline reply


def test_guard_checks_stock_figures_too(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o:
        _configure(db, rizquna, primary="openai", openai_url=o.url)
        o.script = [lambda b: ofake.text_reply("Iqro masih ada kak, stok tinggal 7 pcs.")]
        t = chat(rizquna, "6283000007", "stok iqro masih ada?")
    assert t.guard_override and "150" in t.reply


def test_guard_figures() -> None:
    calls = [{"name": "price_quote", "args": {}, "result": {"unit_price": 40000, "total": 80000}}]
    assert (
        llm.check_guard(
            "Totalnya Rp80.000 (2 × Rp40.000)", calls=calls, customer_text="2 peci", offline_reply=""
        )
        == []
    )
    assert llm.check_guard("Totalnya 75rb", calls=calls, customer_text="", offline_reply="") == [75000]
    assert llm.check_guard("Harga IDR 1,250,000", calls=calls, customer_text="", offline_reply="") == [
        1250000
    ]


def test_all_providers_down_gives_offline_reply(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o, gfake.FakeGemini() as g:
        _configure(db, rizquna, primary="openai", backup="gemini", openai_url=o.url, gemini_url=g.url)
        o.script = [lambda b: ofake.server_error(503)]
        g.script = [lambda b: gfake.unavailable()]
        t = chat(rizquna, "6283000008", "ongkir 1 sajadah turki ke surabaya?")
    assert t.provider == "offline" and "13.000" in t.reply


def test_daily_token_budget_skips_the_model(rizquna, chat, db) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o:
        _configure(db, rizquna, primary="openai", openai_url=o.url, budget=100)
        llm.record_usage(
            db,
            business_id=rizquna.id,
            timezone=rizquna.timezone,
            provider="openai",
            model="gpt-test",
            prompt_tokens=90,
            completion_tokens=20,
        )
        db.commit()
        t = chat(rizquna, "6283000009", "harga peci hitam?")
    assert t.provider == "offline" and not o.requests


def test_usage_endpoint(rizquna, chat, db, client) -> None:  # type: ignore[no-untyped-def]
    with ofake.FakeOpenAI() as o:
        _configure(db, rizquna, primary="openai", openai_url=o.url)
        o.script = [lambda b: ofake.text_reply("Peci hitam Rp40.000 kak")]
        chat(rizquna, "6283000010", "harga peci hitam?")
    owner = make_user(db, business=rizquna, role="owner")
    r = client.get("/api/v1/ai/usage", headers=auth(owner, rizquna))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["totals"]["requests"] == 1 and data["totals"]["prompt_tokens"] == 50
    assert data["items"][0]["provider"] == "openai" and data["items"][0]["cost_usd"] > 0
    r = client.get("/api/v1/ai/usage?from=2026-12-01&to=2026-11-01", headers=auth(owner, rizquna))
    assert r.status_code == 422
