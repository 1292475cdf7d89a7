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


def test_the_print_price_list_and_budget_reads_are_tools_of_the_model_too(rizquna, db) -> None:  # type: ignore[no-untyped-def]
    """The reads the offline replies make for paper sizes, bindings, cover colours and a gift budget are offered
    to a language model too; odd arguments give an empty or 'not listed' result, never an error."""
    from tests.agent.demo_data import print_shop

    names = {t["name"] for t in TOOL_SPECS}
    assert {"print_paper_sizes", "print_bindings", "cover_colours", "products_within_budget"} <= names
    shop = print_shop(db, "print-uji-tools")
    ctx = ToolContext(db=db, business=shop)
    sizes = run_tool(ctx, "print_paper_sizes", {})["per_page"]
    assert "A4" in sizes and all(isinstance(v, int) for row in sizes.values() for v in row.values())
    assert run_tool(ctx, "print_bindings", {})["bindings"]["hard cover"] == 35000
    colours = run_tool(ctx, "cover_colours", {})["cover_colours"]
    assert colours
    asked = run_tool(ctx, "cover_colours", {"colour": colours[0]})
    assert asked["cover_colour_standard"] is True and asked["cover_colour_price"] == 0
    other = run_tool(ctx, "cover_colours", {"colour": "ungu metalik"})
    assert other["cover_colour_standard"] is False and other["cover_colour_price"] > 0

    shop_ctx = ToolContext(db=db, business=rizquna)  # no print price list
    assert run_tool(shop_ctx, "print_paper_sizes", {}) == {"per_page": {}}
    assert run_tool(shop_ctx, "print_bindings", {}) == {"bindings": {}}
    got = run_tool(shop_ctx, "products_within_budget", {"budget": 50000, "limit": 3})["products"]
    assert 0 < len(got) <= 3 and all(p["effective_price"] <= 50000 for p in got)
    assert run_tool(shop_ctx, "products_within_budget", {"budget": "x", "limit": -4})["products"] == []
