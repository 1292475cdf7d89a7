"""Promotions, bestsellers, categories and a knowledge document are tools: the offline replies read them
through the tools (recorded on the turn) and a language model can call the same ones."""

from __future__ import annotations

from niaga.agent.tools import TOOL_SPECS, ToolContext, run_tool


def test_the_model_gets_the_same_reads(rizquna, db) -> None:  # type: ignore[no-untyped-def]
    ctx = ToolContext(db=db, business=rizquna)
    names = {t["name"] for t in TOOL_SPECS}
    assert {"promotions", "bestsellers", "categories", "knowledge_document"} <= names
    promo = run_tool(ctx, "promotions", {})
    assert {p["sku"] for p in promo["products"]} >= {"RQ-QURAN-002", "RQ-SAJ-002"}
    assert all(p["on_sale"] for p in promo["products"])
    best = run_tool(ctx, "bestsellers", {})
    assert "RQ-QURAN-001" in {p["sku"] for p in best["products"]}
    assert all("bestseller" in p["tags"] for p in best["products"])
    cats = run_tool(ctx, "categories", {})["categories"]
    assert "Sajadah" in cats and cats == sorted(cats)
    doc = run_tool(ctx, "knowledge_document", {"title": "Cetak skripsi"})
    assert doc["found"] and any("1 hari kerja" in s for s in doc["sentences"])
    assert run_tool(ctx, "knowledge_document", {"title": "nope"})["found"] is False


def test_offline_replies_state_what_the_tools_returned(rizquna, chat) -> None:  # type: ignore[no-untyped-def]
    t = chat(rizquna, "62819000001", "Ada promo apa minggu ini?")
    (call,) = [c for c in t.tool_calls if c["name"] == "promotions"]
    for p in call["result"]["products"][:3]:
        assert p["name"] in t.reply
    t = chat(rizquna, "62819000002", "Jual laptop gak?")
    (call,) = [c for c in t.tool_calls if c["name"] == "categories"]
    assert ", ".join(call["result"]["categories"][:8]) in t.reply


def test_the_reads_added_for_the_offline_replies_are_tools_of_the_model_too(rizquna, db) -> None:  # type: ignore[no-untyped-def]
    """What the offline replies read for "what do you sell", several products priced at once and points is
    offered to a language model as tools, and every tool offered can be called."""
    ctx = ToolContext(db=db, business=rizquna)
    names = {t["name"] for t in TOOL_SPECS}
    assert {"catalogue_overview", "quote_items", "loyalty_points", "points_for_spend"} <= names
    for name in names - {"handoff"}:  # handoff changes the conversation; the rest only read
        assert "unknown tool" not in str(run_tool(ctx, name, {}).get("error", "")), name

    cats = run_tool(ctx, "catalogue_overview", {})["categories"]
    assert [c["category"] for c in cats] == sorted(c["category"] for c in cats)
    assert any(c["category"] == "Sajadah" and c["examples"] for c in cats)

    items = [{"sku": "RQ-BUKU-001", "quantity": 2}, {"sku": "RQ-BUKU-002"}, {"quantity": 3}, "x"]
    q = run_tool(ctx, "quote_items", {"items": items})
    assert [(it["sku"], it["quantity"]) for it in q["items"]] == [("RQ-BUKU-001", 2), ("RQ-BUKU-002", 1)]
    assert q["total"] == sum(it["total"] for it in q["items"]) == 239000
    assert run_tool(ctx, "quote_items", {"items": "nonsense"})["total"] == 0

    assert run_tool(ctx, "points_for_spend", {"amount": 300000})["points"] == 300
    assert run_tool(ctx, "points_for_spend", {"amount": "abc"})["points"] == 0
    assert run_tool(ctx, "loyalty_points", {}) == {"available": False}  # no customer in this turn
