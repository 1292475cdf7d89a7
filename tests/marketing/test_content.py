"""Content generation: grounded offline text, the cache, the daily quota, the model chain with its guard,
usage and cost."""

from __future__ import annotations

import re

import pytest

from niaga.agent import llm
from niaga.kit.crypto import encrypt_json
from niaga.kit.errors import NotFound, RateLimited, ValidationFailed
from niaga.marketing import content
from niaga.tenancy.models import ProviderConfig
from tests import factories as f


def _shop(db):  # type: ignore[no-untyped-def]
    b = f.make_business(db, slug="batik-sari", name="Batik Sari")
    f.make_product(db, business=b, sku="BTK-01", name="Kemeja Batik Parang", price=185000, stock=7)
    f.make_product(
        db, business=b, sku="BTK-02", name="Kain Batik Tulis", price=450000, sale_price=399000, stock=3
    )
    f.make_product(db, business=b, sku="BTK-03", name="Selendang Batik", price=95000, stock=0)
    return b


def _prices(text: str) -> set[int]:
    return {int(x.replace(".", "")) for x in re.findall(r"Rp([0-9.]+)", text)}


def test_offline_caption_is_grounded_in_the_catalogue(db) -> None:  # type: ignore[no-untyped-def]
    b = _shop(db)
    out = content.do_generate(
        db, business=b, kind="ig_caption", segment="at_risk", occasion="Harbolnas 12.12"
    )
    db.commit()
    assert out["provider"] == "offline" and out["cached"] is False
    assert _prices(out["text"]) <= {185000, 399000, 450000}
    assert "Kemeja Batik Parang" in out["text"] or "Kain Batik Tulis" in out["text"]
    assert "Selendang" not in out["text"]  # out of stock is not promoted
    assert out["hashtags"] and all(t.startswith("#") for t in out["hashtags"])
    assert "at_risk" not in out["text"] and "Berisiko" not in out["text"]


def test_cache_then_regenerate_and_variety(db) -> None:  # type: ignore[no-untyped-def]
    b = _shop(db)
    first = content.do_generate(
        db, business=b, kind="wa_broadcast", segment="champions", product_sku="BTK-01"
    )
    again = content.do_generate(
        db, business=b, kind="wa_broadcast", segment="champions", product_sku="BTK-01"
    )
    assert again["cached"] is True and again["id"] == first["id"] and again["text"] == first["text"]
    assert "{nama}" in first["text"] and "Rp185.000" in first["text"]
    texts = {first["text"]}
    for _ in range(4):
        texts.add(
            content.do_generate(
                db,
                business=b,
                kind="wa_broadcast",
                segment="champions",
                product_sku="BTK-01",
                regenerate=True,
            )["text"]
        )
    assert len(texts) >= 3  # real variety, not one template
    # another segment is another cache entry
    other = content.do_generate(db, business=b, kind="wa_broadcast", segment="lost", product_sku="BTK-01")
    assert other["cached"] is False


def test_daily_quota(db) -> None:  # type: ignore[no-untyped-def]
    b = _shop(db)
    b.settings = {"content": {"daily_quota": 3}}
    db.commit()
    for occ in ("ramadan", "payday", "hari_batik"):
        content.do_generate(db, business=b, kind="promo_idea", occasion=occ)
    # cached answers stay free
    assert content.do_generate(db, business=b, kind="promo_idea", occasion="ramadan")["cached"] is True
    with pytest.raises(RateLimited) as exc:
        content.do_generate(db, business=b, kind="promo_idea", occasion="lebaran")
    assert "Kuota" in exc.value.message and exc.value.status == 429


def test_bad_inputs(db) -> None:  # type: ignore[no-untyped-def]
    b = _shop(db)
    with pytest.raises(ValidationFailed, match="Jenis konten"):
        content.do_generate(db, business=b, kind="poem")
    with pytest.raises(ValidationFailed, match="Segmen"):
        content.do_generate(db, business=b, kind="ig_caption", segment="vip")
    with pytest.raises(ValidationFailed, match="Momen"):
        content.do_generate(db, business=b, kind="ig_caption", occasion="natal-di-bulan")
    with pytest.raises(NotFound, match="SKU"):
        content.do_generate(db, business=b, kind="product_description", product_sku="NOPE")
    empty = f.make_business(db)
    with pytest.raises(ValidationFailed, match="produk"):
        content.do_generate(db, business=empty, kind="ig_caption")


def _with_model(db, b, fake_url: str, **conf):  # type: ignore[no-untyped-def]
    db.add(
        ProviderConfig(
            business_id=b.id,
            kind="openai",
            config={
                "base_url": fake_url,
                "model": "gpt-test",
                "input_cost_per_mtok_usd": 0.5,
                "output_cost_per_mtok_usd": 1.5,
                **conf,
            },
            secrets=encrypt_json({"api_key": "sk-test"}),
        )
    )
    b.settings = {"agent": {"provider": "openai"}}
    db.commit()


def test_model_text_used_and_cost_recorded(db) -> None:  # type: ignore[no-untyped-def]
    from niaga.integrations.openai_compat import fake as ofake

    b = _shop(db)
    with ofake.FakeOpenAI() as fake:
        _with_model(db, b, fake.url)
        fake.script.append(
            lambda body: ofake.text_reply(
                "Kemeja Batik Parang cuma Rp185.000, yuk order!\n#batiksari #batik",
                prompt=1000,
                completion_tokens=200,
            )
        )
        out = content.do_generate(db, business=b, kind="ig_caption", product_sku="BTK-01")
        db.commit()
        sent = fake.requests[-1]["json"]["messages"]
        assert "Rp185.000" in sent[1]["content"]  # the catalogue facts go to the model
    assert out["provider"] == "openai" and out["text"].startswith("Kemeja Batik Parang cuma Rp185.000")
    assert out["hashtags"] == ["#batiksari", "#batik"]
    assert out["tokens"] == 1200
    # 1000 x 0.5 + 200 x 1.5 = 800 micro-USD x 16.000 = Rp13 (rounded)
    assert out["cost_idr"] == 13
    usage = content.usage_summary(db, business=b)
    assert usage["by_provider"] == [
        {"provider": "openai", "model": "gpt-test", "generations": 1, "tokens": 1200, "cost_idr": 13}
    ]
    assert llm.tokens_today(db, business_id=b.id, timezone=b.timezone) == 1200


def test_model_inventing_a_price_or_empty_falls_back(db) -> None:  # type: ignore[no-untyped-def]
    from niaga.integrations.openai_compat import fake as ofake

    b = _shop(db)
    with ofake.FakeOpenAI() as fake:
        _with_model(db, b, fake.url)
        fake.script.append(
            lambda body: ofake.text_reply("Diskon! Kemeja Batik Parang sekarang Rp99.000 saja")
        )
        out = content.do_generate(db, business=b, kind="ig_caption", product_sku="BTK-01")
        assert out["provider"] == "offline" and out["note"] == "guard_override"
        assert "Rp99.000" not in out["text"] and "Rp185.000" in out["text"]
        assert out["tokens"] == 70  # the refused answer's tokens are still counted
        fake.script.append(lambda body: ofake.text_reply(""))
        out = content.do_generate(db, business=b, kind="tiktok_caption", product_sku="BTK-01")
        assert out["provider"] == "offline" and out["note"] == "empty_answer"
        fake.script.append(lambda body: ofake.server_error(500))
        out = content.do_generate(db, business=b, kind="wa_broadcast", product_sku="BTK-01")
        assert out["provider"] == "offline" and out["note"] == "provider_failed"


def test_monthly_budget_stops_model_calls(db) -> None:  # type: ignore[no-untyped-def]
    from niaga.integrations.openai_compat import fake as ofake

    b = _shop(db)
    with ofake.FakeOpenAI() as fake:
        _with_model(db, b, fake.url, input_cost_per_mtok_usd=100000.0)
        b.settings = {**b.settings, "content": {"monthly_budget_idr": 1000}}
        db.commit()
        first = content.do_generate(db, business=b, kind="ig_caption", product_sku="BTK-01")
        assert first["provider"] == "openai" and first["cost_idr"] >= 1000
        calls = len(fake.requests)
        second = content.do_generate(db, business=b, kind="tiktok_caption", product_sku="BTK-01")
        assert second["provider"] == "offline" and second["note"] == "budget_spent"
        assert len(fake.requests) == calls
