"""The agent's tools: plain functions over live data, always scoped to one business.

Every fact a reply states (price, stock, shipping cost, order state, policy) comes from a tool result;
the results are JSON-safe dicts so that the same functions serve the offline responder and LLM tool
calls. Each call is recorded on the context (`ctx.calls`) — the guard checks model replies against it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.agent.enums import OrderStatus
from niaga.catalog import search as catalog_search
from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer
from niaga.jobs.models import Job
from niaga.jobs.runner import enqueue
from niaga.kit.bizcache import BusinessCache
from niaga.kit.lang import normalize
from niaga.kit.money import format_rupiah
from niaga.knowledge import search as knowledge_search_mod
from niaga.knowledge.models import KnowledgeDocument
from niaga.messaging.models import Conversation
from niaga.orders import loyalty
from niaga.orders import service as orders
from niaga.orders.models import Order
from niaga.tenancy.defaults import business_profile, business_settings
from niaga.tenancy.models import Business

ORDER_STATUS_TEXT: dict[str, dict[str, str]] = {
    "id": {
        OrderStatus.DRAFT: "masih draf (belum dikonfirmasi)",
        OrderStatus.AWAITING_PAYMENT: "menunggu pembayaran",
        OrderStatus.PAID: "sudah dibayar",
        OrderStatus.PROCESSING: "sedang diproses",
        OrderStatus.READY: "sudah siap diambil/dikirim",
        OrderStatus.SHIPPED: "sudah dikirim",
        OrderStatus.PICKED_UP: "sudah diambil",
        OrderStatus.COMPLETED: "sudah selesai",
        OrderStatus.CANCELLED: "dibatalkan",
        OrderStatus.EXPIRED: "kedaluwarsa (tidak dibayar)",
        OrderStatus.REFUNDED: "sudah dikembalikan dananya",
    },
    "en": {
        OrderStatus.DRAFT: "a draft (not confirmed yet)",
        OrderStatus.AWAITING_PAYMENT: "awaiting payment",
        OrderStatus.PAID: "paid",
        OrderStatus.PROCESSING: "being processed",
        OrderStatus.READY: "ready",
        OrderStatus.SHIPPED: "shipped",
        OrderStatus.PICKED_UP: "picked up",
        OrderStatus.COMPLETED: "completed",
        OrderStatus.CANCELLED: "cancelled",
        OrderStatus.EXPIRED: "expired (unpaid)",
        OrderStatus.REFUNDED: "refunded",
    },
}


@dataclass
class ToolContext:
    db: Session
    business: Business
    conversation: Conversation | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    # Files attached to the customer's message (photos, PDFs), as stored by the channel.
    media: list[dict[str, Any]] = field(default_factory=list)
    # Products this context loaded, by SKU (the tools of one turn look the same products up repeatedly).
    loaded: dict[str, Product] = field(default_factory=dict)

    # Merged with the defaults on first use, once per context (a turn reads them many times).
    @cached_property
    def settings(self) -> dict[str, Any]:
        return business_settings(self.business)

    @cached_property
    def profile(self) -> dict[str, Any]:
        return business_profile(self.business)

    @property
    def business_id(self) -> int:
        return self.business.id

    @property
    def customer_id(self) -> int | None:
        return self.conversation.customer_id if self.conversation is not None else None

    def record(self, name: str, args: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        self.calls.append({"name": name, "args": args, "result": result})
        return result


def _unit(p: Product) -> tuple[int, str] | None:
    """(size, unit word) for products sold in packs: '(per 100 lembar)', attributes.unit '100 pcs'."""
    unit = str((p.attributes or {}).get("unit") or "")
    m = re.match(r"^\s*(\d+)\s*([a-zA-Z0-9]+)", unit) or re.search(
        r"per (?:box )?(\d+)\s*(lembar|pcs|buah)", p.name, re.I
    )
    if m:
        return int(m.group(1)), m.group(2).lower()
    return None


def product_summary(p: Product) -> dict[str, Any]:
    unit = _unit(p)
    return {
        "sku": p.sku,
        "name": p.name,
        "category": p.category,
        "price": p.price,
        "sale_price": p.sale_price,
        "effective_price": p.effective_price,
        "on_sale": p.effective_price < p.price,
        "stock_tracked": p.stock is not None,
        "available": p.available,
        "weight_g": p.weight_g,
        "unit": (p.attributes or {}).get("unit"),
        "pack_size": unit[0] if unit else None,
        "tags": list(p.tags or []),
        "attributes": dict(p.attributes or {}),
        "description": (p.description or "")[:300],
    }


def product_by_sku(ctx: ToolContext, sku: str) -> Product | None:
    """The business's active product with this SKU (a line of an order draft), or None."""
    return _product(ctx, sku)


def _product(ctx: ToolContext, sku: str) -> Product | None:
    # A product this turn already loaded is the session's same object: no second select for it.
    p = ctx.loaded.get(sku)
    if p is not None and p.is_active:
        return p
    p = ctx.db.scalars(
        sa.select(Product).where(
            Product.business_id == ctx.business_id, Product.sku == sku, Product.is_active.is_(True)
        )
    ).first()
    if p is not None:
        ctx.loaded[p.sku] = p
    return p


# Built once: every turn that names products runs it.
_BY_IDS = sa.select(Product).where(
    Product.business_id == sa.bindparam("business_id"),
    Product.id.in_(sa.bindparam("ids", expanding=True)),
    Product.is_active.is_(True),
)


def products_by_ids(ctx: ToolContext, ids: list[int]) -> list[Product]:
    if not ids:
        return []
    rows = ctx.db.scalars(_BY_IDS, {"business_id": ctx.business_id, "ids": list(ids)}).all()
    for p in rows:
        ctx.loaded[p.sku] = p
    order = {pid: n for n, pid in enumerate(ids)}
    return sorted(rows, key=lambda p: order.get(p.id, 0))


# --- catalogue ------------------------------------------------------------------------------------


def search_products(ctx: ToolContext, *, query: str, limit: int = 5) -> dict[str, Any]:
    hits = catalog_search.search_products(ctx.db, business_id=ctx.business_id, query=query, limit=limit)
    products = products_by_ids(ctx, [h.product_id for h in hits])
    return ctx.record(
        "search_products", {"query": query}, {"products": [product_summary(p) for p in products]}
    )


def get_product(ctx: ToolContext, *, sku: str) -> dict[str, Any]:
    p = _product(ctx, sku)
    return ctx.record(
        "get_product", {"sku": sku}, {"found": p is not None, "product": product_summary(p) if p else None}
    )


def check_stock(ctx: ToolContext, *, sku: str, quantity: int | None = None) -> dict[str, Any]:
    p = _product(ctx, sku)
    if p is None:
        return ctx.record("check_stock", {"sku": sku, "quantity": quantity}, {"found": False})
    orders = ctx.settings.get("orders", {})
    available = p.available
    want = quantity or 1
    result = {
        "found": True,
        "sku": p.sku,
        "name": p.name,
        "price": p.price,
        "effective_price": p.effective_price,
        "stock_tracked": p.stock is not None,
        "available": available,
        "quantity": quantity,
        "in_stock": available is None or available > 0,
        "enough": available is None or available >= want,
        "preorder_allowed": bool(orders.get("allow_preorder", True)),
        "preorder_dp_pct": orders.get("preorder_dp_pct", 50),
    }
    return ctx.record("check_stock", {"sku": sku, "quantity": quantity}, result)


def price_quote(
    ctx: ToolContext, *, sku: str, quantity: int = 1, unit_word: str | None = None
) -> dict[str, Any]:
    """Price for a quantity; the sale price wins. '200 lembar' of a per-100 product is 2 packs."""
    p = _product(ctx, sku)
    args = {"sku": sku, "quantity": quantity, "unit_word": unit_word}
    if p is None:
        return ctx.record("price_quote", args, {"found": False})
    quantity = max(int(quantity or 1), 1)
    unit = _unit(p)
    packs = quantity
    converted = False
    # A count of pieces of a product sold "per N pcs" is divided by N: with the pieces' unit word, and as a
    # bare count of at least N ("per 100 pcs brp? rencana cetak 300": 300 invitations, 3 packs) — so many
    # packs is no one's order, and a per-pack price is never multiplied by a piece count.
    bare_pieces = unit_word is None and unit is not None and unit[1] in ("lembar", "pcs", "buah")
    if (
        unit
        and unit[0] > 1
        and (bare_pieces or (unit_word and unit_word in (unit[1], "lembar", "pcs", "buah")))
        and quantity >= unit[0]
    ):
        packs = math.ceil(quantity / unit[0])
        converted = True
    result = {
        "found": True,
        "sku": p.sku,
        "name": p.name,
        "unit_price": p.effective_price,
        "normal_price": p.price,
        "on_sale": p.effective_price < p.price,
        "quantity": quantity,
        "packs": packs,
        "converted": converted,
        "pack_size": unit[0] if unit else None,
        "pack_unit": unit[1] if unit else None,
        "counted_unit": (unit_word or (unit[1] if unit else None)) if converted else unit_word,
        "total": packs * p.effective_price,
    }
    return ctx.record("price_quote", args, result)


def print_quote(
    ctx: ToolContext,
    *,
    document_type: str | None = None,
    pages: int | None = None,
    copies: int | None = None,
    color: bool | None = None,
    binding: str | None = None,
    express: bool = False,
    paper_size: str | None = None,
    duplex: bool = False,
    paper_gsm: int | None = None,
    cover_colour: str | None = None,
    photo: bool = False,
    colour_pages: int | None = None,
) -> dict[str, Any]:
    """Print-shop price: from the business's print price list when it has one (the print shop's own prices,
    `printshop.pricing`, with every item of it the request names: paper weight, cover colour), otherwise
    from its settings (per page B/W, colour, thesis rate, binding, express)."""
    price_list = _print_price_list(ctx)
    if price_list is not None:
        return _price_list_quote(
            ctx,
            price_list,
            document_type=document_type,
            pages=pages,
            copies=copies,
            color=color,
            binding=binding,
            express=express,
            paper_size=paper_size,
            duplex=duplex,
            paper_gsm=paper_gsm,
            cover_colour=cover_colour,
            photo=photo,
            colour_pages=colour_pages,
        )
    pricing = ctx.settings.get("pricing", {})
    args = {
        "document_type": document_type,
        "pages": pages,
        "copies": copies,
        "color": color,
        "binding": binding,
        "express": express,
    }
    thesis = document_type in ("skripsi", "tesis")
    if color:
        per_page, rate_name = int(pricing.get("print_color_per_page", 0)), "color"
    elif thesis:
        per_page, rate_name = int(pricing.get("print_thesis_per_page", 0)), "thesis"
    else:
        per_page, rate_name = int(pricing.get("print_bw_per_page", 0)), "bw"
    bindings = {k: int(v) for k, v in (pricing.get("binding") or {}).items()}
    copies_n = max(int(copies or 1), 1)
    result: dict[str, Any] = {
        "per_page": per_page,
        "rate": rate_name,
        "copies": copies_n,
        "binding": binding,
        "binding_price": bindings.get(binding or "none", 0),
        "rates": {
            "bw": int(pricing.get("print_bw_per_page", 0)),
            "color": int(pricing.get("print_color_per_page", 0)),
            "thesis": int(pricing.get("print_thesis_per_page", 0)),
        },
        "bindings": bindings,
        "express_surcharge_pct": int(pricing.get("express_surcharge_pct", 0)),
        "pages": pages,
        "complete": bool(pages),
    }
    # only some of the pages in colour ("10 halamannya berwarna"): those at the colour rate, the rest as plain
    part = int(colour_pages or 0)
    if pages and 0 < part < int(pages):
        rest_rate = "thesis" if thesis else "bw"
        rest = [int(pages) - part, result["rates"][rest_rate], rest_rate]
        lines = [rest, [part, result["rates"]["color"], "color"]]
        result.update(per_page=rest[1], rate=rest_rate)
        result["print_lines"] = [
            {"rate": r, "pages": n, "per_page": pp, "cost": n * copies_n * pp} for n, pp, r in lines
        ]
    if pages:
        print_cost = pages * copies_n * per_page
        if result.get("print_lines"):
            print_cost = sum(int(line["cost"]) for line in result["print_lines"])
        binding_cost = copies_n * result["binding_price"]
        surcharge = (print_cost * result["express_surcharge_pct"] // 100) if express else 0
        result.update(
            print_cost=print_cost,
            binding_cost=binding_cost,
            express_cost=surcharge,
            total=print_cost + binding_cost + surcharge,
        )
    return ctx.record("print_quote", args, result)


# The agent's binding names → the print price list's.
_LIST_BINDING = {
    "hardcover": "hard cover",
    "softcover": "soft cover",
    "spiral": "spiral",
    "staple": "staple",
    "none": "none",
}
# One-sheet documents (an ID card, a certificate): "fotokopi KTP 20 lembar" is 20 copies of one page.
SINGLE_SHEET_DOCUMENTS = ("ktp", "ijazah")


def _print_price_list(ctx: ToolContext) -> dict[str, Any] | None:
    """The price list in use: the one the print-job pipeline charges and Pengaturan edits."""
    from niaga.printshop.pricing import active_price_list

    row = active_price_list(ctx.db, ctx.business_id)
    return dict(row.prices or {}) if row is not None else None


def print_paper_sizes(ctx: ToolContext) -> dict[str, Any] | None:
    """The paper sizes of the print price list with each one's per-page rates; None when the shop has no print
    price list."""
    prices = _print_price_list(ctx)
    if not prices:
        return None
    from niaga.printshop import pricing as ps

    p = ps.validate_prices(prices)
    per_page = {
        str(size): {k: int(v) for k, v in row.items()} for size, row in (p.get("per_page") or {}).items()
    }
    if not per_page:
        return None
    return ctx.record("print_paper_sizes", {}, {"per_page": per_page})


def print_binding_list(ctx: ToolContext) -> dict[str, Any] | None:
    """The bindings of the print price list with each one's price per copy; None when the shop has no print
    price list or it has no binding."""
    prices = _print_price_list(ctx)
    if not prices:
        return None
    from niaga.printshop import pricing as ps

    p = ps.validate_prices(prices)
    bindings = {str(k): int(v) for k, v in (p.get("binding") or {}).items() if str(k) != "none"}
    if not bindings:
        return None
    return ctx.record("print_bindings", {}, {"bindings": bindings})


def cover_colour_standing(ctx: ToolContext, colour: str) -> dict[str, Any] | None:
    """Whether a cover colour the customer named is one of the print price list's standard colours (free) or
    another one (the list's surcharge per book); None when the shop has no print price list or no colours."""
    listed = cover_colour_list(ctx)
    if not listed:
        return None
    standard = listed["cover_colours"]
    named = {normalize(c): c for c in standard}
    match = named.get(normalize(colour)) or next((c for c in standard if _same_colour(colour, c)), None)
    return {
        "cover_colour": match or colour,
        "cover_colour_standard": match is not None,
        "cover_colours": standard,
        "cover_colour_price": 0 if match is not None else listed["custom_surcharge"],
    }


def cover_colour_list(ctx: ToolContext) -> dict[str, Any] | None:
    """The standard cover colours of the print price list, and the surcharge for any other colour; None when
    the shop has no print price list or it names no colours."""
    prices = _print_price_list(ctx)
    if not prices:
        return None
    from niaga.printshop import pricing as ps

    p = ps.validate_prices(prices)
    colours = [str(c) for c in p.get("cover_colours") or []]
    if not colours:
        return None
    result = {"cover_colours": colours, "custom_surcharge": int(p.get("custom_cover_colour_surcharge") or 0)}
    return ctx.record("cover_colours", {}, result)


def _colour_fold(word: str) -> str:
    """A colour word spelt as it sounds: "maroon" and "marun", "dongker" and "donker", "khaki" and "kaki"."""
    w = word.replace("oo", "u").replace("ou", "u").replace("ngk", "nk")
    return re.sub(r"([bcdgkpst])h", r"\1", w)


def _one_letter_apart(a: str, b: str) -> bool:
    """Two words one letter apart (changed, added or dropped), both long enough for that to be a slip."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _same_colour(asked: str, listed: str) -> bool:
    """Whether a cover colour as the customer spelt it is a colour of the price list: the same words, each the
    same when spelt as it sounds or one letter off ("merah maroon" = "merah marun"); "hijau muda" is never
    "hijau tua" (a different word, not a slip)."""
    x, y = normalize(asked).split(), normalize(listed).split()
    x = [w for i, w in enumerate(x) if i == 0 or w != x[i - 1]]  # "abu abu" is "abu-abu"
    return len(x) == len(y) > 0 and all(
        _one_letter_apart(_colour_fold(u), _colour_fold(v)) for u, v in zip(x, y, strict=True)
    )


def _price_list_quote(
    ctx: ToolContext,
    prices: dict[str, Any],
    *,
    document_type: str | None,
    pages: int | None,
    copies: int | None,
    color: bool | None,
    binding: str | None,
    express: bool,
    paper_size: str | None = None,
    duplex: bool = False,
    paper_gsm: int | None = None,
    cover_colour: str | None = None,
    photo: bool = False,
    colour_pages: int | None = None,
) -> dict[str, Any]:
    from niaga.printshop import pricing as ps
    from niaga.printshop.errors import PrintshopInputError

    args = {
        "document_type": document_type,
        "pages": pages,
        "copies": copies,
        "color": color,
        "binding": binding,
        "express": express,
        "paper_size": paper_size,
        "duplex": duplex,
        "paper_gsm": paper_gsm,
        "cover_colour": cover_colour,
        "price_list": True,
    }
    p = ps.validate_prices(prices)
    size = (paper_size or "A4").upper()
    row = p["per_page"].get(size)
    if row is None:  # a size the shop does not print: say so, never price it as another size
        return ctx.record(
            "print_quote",
            args,
            {
                "complete": False,
                "paper_size": size,
                "error": f"size {size} not in the price list",
                "sizes": sorted(p["per_page"]),
                "pages": pages,
                "copies": copies or 1,
            },
        )
    list_bindings = {k: int(v) for k, v in p["binding"].items()}
    bindings = {name: list_bindings[key] for name, key in _LIST_BINDING.items() if key in list_bindings}
    bindings.setdefault("none", 0)
    copies_n = min(max(int(copies or 1), 1), 1000)
    per_page = int(row["colour"] if color else row["bw"])
    # pages that are photos are priced by the list's photo page item (a photo straightened onto the page)
    photo = photo and bool(p.get("photo_page"))
    if photo:
        per_page = int(p["photo_page"])
    # only some of the pages in colour or photos ("150 halaman, 10 halamannya foto berwarna"): those pages at
    # their rate, the rest black-and-white, each a line of its own
    part = int(colour_pages or 0)
    split = bool(pages) and 0 < part < int(pages or 0)
    part_rate = "photo" if photo else "color"
    if split:
        per_page, color = int(row["bw"]), True
    result: dict[str, Any] = {
        "per_page": per_page,
        "paper_size": size,
        "duplex": duplex,
        "duplex_discount_pct": int(p.get("duplex_discount_pct") or 0) if duplex else 0,
        "rate": "bw" if split else "photo" if photo else "color" if color else "bw",
        "copies": copies_n,
        "binding": binding,
        "binding_price": bindings.get(binding or "none", 0),
        "rates": {"bw": int(row["bw"]), "color": int(row["colour"]), "thesis": int(row["bw"])},
        "bindings": bindings,
        "express_surcharge_pct": int(p.get("express_surcharge_pct") or 0),
        "pages": pages,
        "complete": bool(pages),
    }
    gsm_prices = {str(k): int(v) for k, v in (p.get("paper_gsm_surcharge_per_page") or {}).items()}
    result["paper_gsms"] = sorted(int(k) for k in gsm_prices if k.isdigit())
    if paper_gsm is not None and str(paper_gsm) in gsm_prices:
        result.update(paper_gsm=paper_gsm, paper_gsm_price=gsm_prices[str(paper_gsm)])
    elif paper_gsm is not None:
        paper_gsm = None  # a paper weight the list does not price: quoted without it, said so
        result["paper_gsm_unknown"] = args["paper_gsm"]
    if cover_colour:
        standard = [str(c) for c in p.get("cover_colours") or []]
        named = {normalize(c): c for c in standard}
        # "abu" is the list's "abu-abu"; "merah maroon", "biru donker" are its "merah marun", "biru dongker"
        listed = named.get(normalize(cover_colour)) or next(
            (c for c in standard if _same_colour(cover_colour, c)), None
        )
        is_standard = listed is not None
        cover_colour = listed or cover_colour
        result.update(
            cover_colour=cover_colour,
            cover_colour_standard=is_standard,
            cover_colours=standard,
            cover_colour_price=0 if is_standard else int(p.get("custom_cover_colour_surcharge") or 0),
        )
    if pages:
        req = ps.QuoteRequest(
            bw_pages=int(pages) - part if split else 0 if color or photo else int(pages),
            colour_pages=(part if split else int(pages)) if color and not photo else 0,
            photo_pages=(part if split else int(pages)) if photo else 0,
            copies=copies_n,
            binding=_LIST_BINDING.get(binding or "none", "none"),
            express=express,
            paper_size=size,
            duplex=duplex,
            paper_gsm=paper_gsm,
            cover_colour=cover_colour if binding and binding != "none" else None,
        )
        try:
            q = ps.quote(p, req)
        except PrintshopInputError as exc:
            result.update(complete=False, error=exc.message)
            return ctx.record("print_quote", args, result)
        amounts = {i["code"]: i["amount"] for i in q.items}
        print_cost = sum(v for k, v in amounts.items() if k.startswith(("print_", "photo_")))
        binding_cost = sum(v for k, v in amounts.items() if k.startswith("binding_"))
        if split:
            part_code = "photo_page" if photo else f"print_colour_{size}"
            part_price = int(p["photo_page"]) if photo else int(row["colour"])
            result["print_lines"] = [
                {
                    "rate": "bw",
                    "pages": int(pages) - part,
                    "per_page": int(row["bw"]),
                    "cost": amounts.get(f"print_bw_{size}", 0),
                },
                {"rate": part_rate, "pages": part, "per_page": part_price, "cost": amounts.get(part_code, 0)},
            ]
        result.update(
            print_cost=print_cost,
            paper_cost=sum(v for k, v in amounts.items() if k.startswith("paper_")),
            cover_colour_cost=amounts.get("cover_colour_custom", 0),
            binding_cost=binding_cost,
            express_cost=amounts.get("express", 0),
            minimum_adjustment=amounts.get("minimum_charge", 0),
            minimum_charge=int(p.get("minimum_charge") or 0),
            total=q.total,
        )
    return ctx.record("print_quote", args, result)


# --- shipping -------------------------------------------------------------------------------------


def _origin(ctx: ToolContext) -> str:
    return (ctx.settings.get("shipping", {}).get("origin_city") or ctx.profile.get("city") or "").strip()


_cities = BusinessCache[dict[str, str]]("agent.cities", (ShippingRate,))


def known_cities(ctx: ToolContext) -> dict[str, str]:
    """The cities this business ships to (lower-case -> as written), cached per business (every turn asks)."""

    def load(db: Session) -> dict[str, str]:
        rows = (
            db.execute(
                sa.select(ShippingRate.destination_city)
                .where(ShippingRate.business_id == ctx.business_id)
                .distinct()
            )
            .scalars()
            .all()
        )
        return {c.lower(): c for c in rows}

    return dict(_cities.get(ctx.db, ctx.business_id, load))


def courier_named(ctx: ToolContext, text: str) -> str | None:
    """The courier of the business's shipping rates that the text names, as the rates spell it ("pake JNE YES"
    -> "JNE", "via j&t" -> "J&T"); None when it names none or several."""
    low = text.lower().replace("j & t", "j&t")
    words = set(re.findall(r"[a-z0-9&]+", low.replace("j&t", "jnt")))
    rows = ctx.db.scalars(
        sa.select(ShippingRate.courier).where(ShippingRate.business_id == ctx.business_id).distinct()
    ).all()
    named = {c for c in rows if re.sub(r"[^a-z0-9]", "", c.lower().replace("&", "n")) in words}
    return next(iter(named)) if len(named) == 1 else None


def shipping_couriers(ctx: ToolContext) -> dict[str, Any]:
    """The couriers of the business's shipping rates, as written, in order."""
    rows = ctx.db.scalars(
        sa.select(ShippingRate.courier).where(ShippingRate.business_id == ctx.business_id).distinct()
    ).all()
    return ctx.record("shipping_couriers", {}, {"couriers": sorted(set(rows))})


def shipping_quote(
    ctx: ToolContext, *, city: str, items: list[dict[str, Any]] | None = None, weight_g: int | None = None
) -> dict[str, Any]:
    """Options cheapest first for the items' total weight (rounded up per kg, at least 1 kg); a weight the
    customer stated (`weight_g`) replaces the products' recorded weights."""
    args: dict[str, Any] = {"city": city, "items": items or []}
    if weight_g:
        args["weight_g"] = weight_g
    q = sa.select(ShippingRate).where(
        ShippingRate.business_id == ctx.business_id,
        sa.func.lower(ShippingRate.destination_city) == city.strip().lower(),
    )
    rates = ctx.db.scalars(q).all()
    origin = _origin(ctx)
    if origin and any(r.origin_city.lower() == origin.lower() for r in rates):
        rates = [r for r in rates if r.origin_city.lower() == origin.lower()]
    weight = 0
    weight_known = True
    subtotal = 0
    lines = []
    for it in items or []:
        p = _product(ctx, it["sku"])
        if p is None:
            continue
        qty = max(int(it.get("quantity") or 1), 1)
        if p.weight_g is None:
            weight_known = False
        weight += (p.weight_g or 0) * qty
        subtotal += p.effective_price * qty
        lines.append(
            {
                "sku": p.sku,
                "name": p.name,
                "quantity": qty,
                "unit_price": p.effective_price,
                "weight_g": p.weight_g,
            }
        )
    products_weight = weight if weight_known and lines else None
    if weight_g:
        weight, weight_known = weight_g, True
    kg = max(math.ceil(weight / 1000), 1) if weight_known else None
    options = []
    for r in sorted(rates, key=lambda r: (r.price_per_kg, r.courier, r.service)):
        opt: dict[str, Any] = {
            "courier": r.courier,
            "service": r.service,
            "price_per_kg": r.price_per_kg,
            "etd_days": r.etd_days,
        }
        if kg is not None and (lines or weight_g):
            opt["cost"] = r.price_per_kg * kg
            opt["total"] = subtotal + opt["cost"]
        options.append(opt)
    free = ctx.settings.get("shipping", {}).get("free_shipping") or {}
    free_cities = [str(c) for c in free.get("cities") or []]
    min_sub = int(free.get("min_subtotal") or 0)
    in_free_area = any(c.lower() == city.strip().lower() for c in free_cities)
    result = {
        "city": rates[0].destination_city if rates else city,
        "origin": origin or None,
        "found": bool(rates),
        "items": lines,
        "weight_g": weight if weight_known else None,
        "kg": kg,
        "weight_stated": bool(weight_g),
        "products_weight_g": products_weight,
        "subtotal": subtotal,
        "options": options,
        "free_shipping_rule": {"cities": free_cities, "min_subtotal": min_sub} if free_cities else None,
        "free_shipping_area": in_free_area,
        "free_shipping": bool(in_free_area and lines and subtotal >= min_sub),
    }
    return ctx.record("shipping_quote", args, result)


# --- orders ---------------------------------------------------------------------------------------


def order_lookup(ctx: ToolContext, *, order_number: str | None = None) -> dict[str, Any]:
    """Only this customer's own orders: another customer's number is 'not found'."""
    args = {"order_number": order_number}
    if ctx.customer_id is None:
        return ctx.record("order_lookup", args, {"found": False, "orders": []})
    q = sa.select(Order).where(Order.business_id == ctx.business_id, Order.customer_id == ctx.customer_id)
    if order_number:
        q = q.where(Order.number == order_number.upper())
    rows = ctx.db.scalars(q.order_by(Order.id.desc()).limit(3)).all()
    orders = [
        {
            "number": o.number,
            "status": o.status,
            "total": o.total,
            "paid_amount": o.paid_amount,
            "payment_url": o.payment_url if o.status == "awaiting_payment" else None,
            "items": [{"name": i.name, "quantity": i.quantity} for i in o.items],
            "shipping": {
                k: v
                for k, v in (o.shipping or {}).items()
                if k in ("courier", "service", "resi", "tracking_number", "city")
            },
        }
        for o in rows
    ]
    return ctx.record("order_lookup", args, {"found": bool(orders), "orders": orders})


def create_order_draft(ctx: ToolContext, *, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A draft (kept in the conversation's memory) the customer confirms with 'ya' in a later turn."""
    return ctx.record("create_order", {"items": items}, _priced_lines(ctx, items))


def quote_items(ctx: ToolContext, *, items: list[dict[str, Any]]) -> dict[str, Any]:
    """The price of several products at once ("X 2 sama Y 1 jadi berapa?"): each line's count × unit price,
    the total, and the lines the stock cannot fill (nothing is drafted or held)."""
    d = _priced_lines(ctx, items)
    return ctx.record("quote_items", {"items": items}, {**d, "total": d["subtotal"]})


def _priced_lines(ctx: ToolContext, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Each wanted product as a line (quantity in the product's packs, unit price, line total), their
    subtotal, and the lines whose stock is short of the count."""
    lines = []
    problems = []
    for it in items:
        p = _product(ctx, it["sku"])
        if p is None:
            continue
        qty = max(int(it.get("quantity") or 1), 1)
        quote = price_quote(ctx, sku=p.sku, quantity=qty, unit_word=it.get("unit_word"))
        if p.available is not None and p.available < quote["packs"]:
            problems.append(
                {"sku": p.sku, "name": p.name, "available": p.available, "wanted": quote["packs"]}
            )
        lines.append(
            {
                "sku": p.sku,
                "name": p.name,
                "quantity": quote["packs"],
                "unit_price": p.effective_price,
                "total": quote["total"],
                "requested": qty,
                "unit_word": it.get("unit_word"),
            }
        )
    subtotal = sum(line["total"] for line in lines)
    return {"items": lines, "subtotal": subtotal, "problems": problems}


def draft_total(ctx: ToolContext, *, draft: dict[str, Any]) -> dict[str, Any]:
    """The draft's total with the chosen shipping option (computed here so the reply's sum is grounded)."""
    ship = draft.get("ship") or {}
    cost = 0
    free = bool(ship.get("free"))
    if ship.get("method") == "delivery" and not ship.get("unpriced") and not free:
        for o in ship.get("options") or []:
            if (o["courier"], o["service"]) == (ship.get("courier"), ship.get("service")):
                cost = int(o.get("cost") or 0)
    subtotal = int(draft.get("subtotal") or 0)
    return ctx.record(
        "order_total",
        {"subtotal": subtotal, "shipping": ship.get("courier")},
        {"subtotal": subtotal, "shipping": cost, "free": free, "total": subtotal + cost},
    )


def customer_name(ctx: ToolContext) -> str:
    """The name on file for this conversation's customer ('' when unknown)."""
    if ctx.customer_id is None:
        return ""
    c = ctx.db.get(Customer, ctx.customer_id)
    return (c.name or "").strip() if c is not None and c.business_id == ctx.business_id else ""


def set_customer_name(ctx: ToolContext, *, name: str) -> dict[str, Any]:
    """Store the name the customer gave for their order (only when none is on file: staff edits win)."""
    name = " ".join(name.split())[:200]
    args = {"name": name}
    if ctx.customer_id is None or not name:
        return ctx.record("set_customer_name", args, {"saved": False})
    c = ctx.db.get(Customer, ctx.customer_id)
    if c is None or c.business_id != ctx.business_id:
        return ctx.record("set_customer_name", args, {"saved": False})
    if not (c.name or "").strip():
        c.name = name
        ctx.db.flush()
    return ctx.record("set_customer_name", args, {"saved": True, "name": c.name})


def payment_info(ctx: ToolContext, *, question: str = "") -> dict[str, Any]:
    kb = knowledge_search(ctx, query=(question + " pembayaran bayar transfer").strip(), limit=2, record=False)
    pending = []
    if ctx.customer_id is not None:
        rows = ctx.db.scalars(
            sa.select(Order)
            .where(
                Order.business_id == ctx.business_id,
                Order.customer_id == ctx.customer_id,
                Order.status == "awaiting_payment",
            )
            .order_by(Order.id.desc())
            .limit(2)
        ).all()
        pending = [{"number": o.number, "total": o.total, "payment_url": o.payment_url} for o in rows]
    return ctx.record(
        "payment_info", {"question": question}, {"policy": kb["results"], "pending_orders": pending}
    )


def attach_transfer_proof(ctx: ToolContext, *, order_number: str | None = None) -> dict[str, Any] | None:
    """Attach the message's image/PDF as transfer proof to the customer's order awaiting payment."""
    files = [
        m
        for m in ctx.media
        if str(m.get("mimetype") or "").startswith(("image/", "application/pdf"))
        and (m.get("path") or m.get("url"))
    ]
    if ctx.customer_id is None or not files:
        return None
    # The same files from the same customer are one proof: a retried turn (or the photo sent twice) neither
    # attaches a second pending payment nor alerts staff twice.
    key = transfer_proof_key(ctx, files, order_number)
    if ctx.db.scalars(sa.select(Job.id).where(Job.idempotency_key == key)).first() is not None:
        return ctx.record(
            "attach_transfer_proof",
            {"order_number": order_number},
            {"attached": False, "already_received": True},
        )

    order = orders.do_attach_transfer_proof(
        ctx.db,
        business_id=ctx.business_id,
        customer_id=ctx.customer_id,
        proof=files,
        order_number=order_number,
    )
    if order is None:
        return ctx.record("attach_transfer_proof", {"order_number": order_number}, {"attached": False})

    # Staff see the flag live in the dashboard; the admin chat (when configured) gets a message too.
    enqueue(
        ctx.db,
        "channels.alert",
        business_id=ctx.business_id,
        idempotency_key=key,
        for_business=ctx.business_id,
        text=f"Bukti transfer diterima untuk pesanan {order.number} ({format_rupiah(order.total)}). "
        "Mohon dicek lalu catat pembayarannya di dashboard.",
    )
    return ctx.record(
        "attach_transfer_proof",
        {"order_number": order_number},
        {"attached": True, "order_number": order.number, "total": order.total},
    )


def transfer_proof_key(ctx: ToolContext, files: list[dict[str, Any]], order_number: str | None) -> str:
    """Idempotency key of one transfer proof: business, customer, the order named and the files."""
    refs = sorted(str(m.get("path") or m.get("url") or "") for m in files)
    digest = hashlib.sha256("\n".join(refs).encode()).hexdigest()[:32]
    return f"agent.transfer_proof:{ctx.business_id}:{ctx.customer_id}:{(order_number or '').upper()}:{digest}"


def loyalty_points(ctx: ToolContext) -> dict[str, Any] | None:
    """This customer's spendable points and what they are worth (None when the turn has no customer)."""
    if ctx.customer_id is None:
        return None

    summary = loyalty.summary(ctx.db, business=ctx.business, customer_id=ctx.customer_id)
    return ctx.record("loyalty_points", {}, summary)


def points_for_spend(ctx: ToolContext, *, amount: int) -> dict[str, Any] | None:
    """The loyalty points a purchase of `amount` rupiah earns by the business's rules (None when the business
    gives no points)."""
    rules = loyalty.Rules.of(ctx.business)
    if not rules.enabled:
        return None
    result = {
        "amount": amount,
        "points": amount // rules.rupiah_per_point,
        "rupiah_per_point": rules.rupiah_per_point,
    }
    return ctx.record("points_for_spend", {"amount": amount}, result)


def knowledge_search(ctx: ToolContext, *, query: str, limit: int = 2, record: bool = True) -> dict[str, Any]:
    hits = knowledge_search_mod.search_knowledge(
        ctx.db, business_id=ctx.business_id, query=query, limit=limit
    )
    result = {
        "results": [
            {
                "title": h.title,
                "sentences": h.sentences,
                "score": round(h.score, 3),
                "matched": sorted(h.matched),
            }
            for h in hits
        ]
    }
    return ctx.record("knowledge_search", {"query": query}, result) if record else result


def handoff(ctx: ToolContext, *, reason: str = "customer_request") -> dict[str, Any]:
    return ctx.record("handoff", {"reason": reason}, {"handoff": True, "reason": reason})


# --- schemas for LLM tool calling -----------------------------------------------------------------


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


TOOL_SPECS: list[dict[str, Any]] = [
    {
        "name": "search_products",
        "description": "Cari produk toko (nama, kategori, tag).",
        "parameters": _obj({"query": {"type": "string"}}, ["query"]),
    },
    {
        "name": "get_product",
        "description": "Detail produk berdasarkan SKU (harga, stok, berat).",
        "parameters": _obj({"sku": {"type": "string"}}, ["sku"]),
    },
    {
        "name": "check_stock",
        "description": "Cek stok produk (jumlah tersedia) untuk jumlah tertentu.",
        "parameters": _obj({"sku": {"type": "string"}, "quantity": {"type": "integer"}}, ["sku"]),
    },
    {
        "name": "price_quote",
        "description": "Hitung harga untuk jumlah tertentu (harga promo berlaku).",
        "parameters": _obj({"sku": {"type": "string"}, "quantity": {"type": "integer"}}, ["sku"]),
    },
    {
        "name": "print_quote",
        "description": "Hitung biaya print/fotokopi/jilid dari tarif toko.",
        "parameters": _obj(
            {
                "document_type": {"type": "string"},
                "pages": {"type": "integer"},
                "copies": {"type": "integer"},
                "color": {"type": "boolean"},
                "binding": {"type": "string", "enum": ["none", "staple", "spiral", "softcover", "hardcover"]},
                "express": {"type": "boolean"},
                "paper_size": {"type": "string", "enum": ["A4", "F4", "A3"]},
                "duplex": {"type": "boolean"},
            },
            [],
        ),
    },
    {
        "name": "shipping_quote",
        "description": "Ongkos kirim ke kota tujuan untuk produk (SKU dan jumlah).",
        "parameters": _obj(
            {"city": {"type": "string"}, "sku": {"type": "string"}, "quantity": {"type": "integer"}}, ["city"]
        ),
    },
    {
        "name": "order_lookup",
        "description": "Status pesanan milik pelanggan ini (nomor ORD-...).",
        "parameters": _obj({"order_number": {"type": "string"}}, []),
    },
    {
        "name": "knowledge_search",
        "description": "Cari kebijakan toko / FAQ (jam buka, alamat, retur, pembayaran).",
        "parameters": _obj({"query": {"type": "string"}}, ["query"]),
    },
    {
        "name": "payment_info",
        "description": "Cara pembayaran dan tagihan yang menunggu pembayaran.",
        "parameters": _obj({}, []),
    },
    {
        "name": "handoff",
        "description": "Alihkan percakapan ke admin manusia.",
        "parameters": _obj({"reason": {"type": "string"}}, []),
    },
]


def run_tool(ctx: ToolContext, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Dispatch an LLM tool call; bad arguments become an error result, never an exception."""
    fns: dict[str, Callable[..., dict[str, Any]]] = {
        "search_products": lambda a: search_products(ctx, query=str(a.get("query", ""))),
        "get_product": lambda a: get_product(ctx, sku=str(a.get("sku", ""))),
        "check_stock": lambda a: check_stock(
            ctx, sku=str(a.get("sku", "")), quantity=_int(a.get("quantity"))
        ),
        "price_quote": lambda a: price_quote(
            ctx, sku=str(a.get("sku", "")), quantity=_int(a.get("quantity")) or 1
        ),
        "print_quote": lambda a: print_quote(
            ctx,
            document_type=a.get("document_type"),
            pages=_int(a.get("pages")),
            copies=_int(a.get("copies")),
            color=bool(a.get("color")),
            binding=a.get("binding"),
            express=bool(a.get("express")),
            paper_size=a.get("paper_size"),
            duplex=bool(a.get("duplex")),
        ),
        "shipping_quote": lambda a: shipping_quote(
            ctx,
            city=str(a.get("city", "")),
            items=[{"sku": str(a["sku"]), "quantity": _int(a.get("quantity")) or 1}] if a.get("sku") else [],
        ),
        "order_lookup": lambda a: order_lookup(ctx, order_number=a.get("order_number")),
        "knowledge_search": lambda a: knowledge_search(ctx, query=str(a.get("query", ""))),
        "payment_info": lambda a: payment_info(ctx),
        "handoff": lambda a: handoff(ctx, reason=str(a.get("reason") or "model")),
    }
    fn = fns.get(name)
    if fn is None and name in READ_TOOLS:
        fn = partial(READ_TOOLS[name], ctx)
    if fn is None:
        return {"error": f"unknown tool {name}"}
    try:
        return fn(args if isinstance(args, dict) else {})
    except Exception as exc:  # a model's odd arguments must not break the turn
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}


def _int(v: Any) -> int | None:
    try:
        return int(v) if v is not None and str(v).strip() != "" else None
    except (TypeError, ValueError):
        return None


def numbers_in_results(calls: list[dict[str, Any]]) -> set[int]:
    """Every integer a tool produced this turn (for the guard)."""
    out: set[int] = set()

    def walk(v: Any) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, int):
            out.add(v)
        elif isinstance(v, float) and v.is_integer():
            out.add(int(v))
        elif isinstance(v, str):
            for m in re.finditer(r"\d[\d.,]*", v):
                digits = re.sub(r"[.,]\d{1,2}$", "", m.group(0))
                digits = digits.replace(".", "").replace(",", "")
                if digits.isdigit():
                    out.add(int(digits))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)

    for c in calls:
        walk(c.get("result"))
    return out


def dumps(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, default=str)


# --- catalogue and knowledge reads the replies list (promotions, bestsellers, categories, a document) ---
# The offline replies call these instead of querying the database themselves, and the language model gets
# them as tools, so both paths state the same facts.


def _active(ctx: ToolContext) -> sa.Select[Any]:
    return (
        sa.select(Product)
        .where(Product.business_id == ctx.business_id, Product.is_active.is_(True))
        .order_by(Product.id)
    )


def catalogue_within_budget(ctx: ToolContext, *, budget: int, limit: int = 20) -> list[Product]:
    """The products that can be sold now (in stock or not stock-tracked) costing no more than the budget, the
    dearest first (the most a budget buys), recorded as a `products_within_budget` call."""
    rows = sorted(
        (
            p
            for p in ctx.db.scalars(_active(ctx)).all()
            if p.effective_price <= budget and (p.available is None or p.available > 0)
        ),
        key=lambda p: -p.effective_price,
    )[:limit]
    ctx.record(
        "products_within_budget",
        {"budget": budget, "limit": limit},
        {"products": [product_summary(p) for p in rows]},
    )
    return rows


def promoted_products(ctx: ToolContext, *, limit: int = 20) -> list[Product]:
    """Products on promotion (a sale price below the price), recorded as a `promotions` call."""
    rows = list(
        ctx.db.scalars(
            _active(ctx)
            .where(Product.sale_price.is_not(None), Product.sale_price < Product.price)
            .limit(limit)
        ).all()
    )
    ctx.record("promotions", {"limit": limit}, {"products": [product_summary(p) for p in rows]})
    return rows


def bestseller_products(ctx: ToolContext, *, limit: int = 20) -> list[Product]:
    """Products tagged "bestseller" that can be sold now (in stock or not stock-tracked)."""
    rows = [
        p
        for p in ctx.db.scalars(_active(ctx)).all()
        if "bestseller" in [str(t).lower() for t in p.tags or []] and (p.available is None or p.available > 0)
    ][:limit]
    ctx.record("bestsellers", {"limit": limit}, {"products": [product_summary(p) for p in rows]})
    return rows


def promotions(ctx: ToolContext, *, limit: int = 20) -> dict[str, Any]:
    return {"products": [product_summary(p) for p in promoted_products(ctx, limit=limit)]}


def bestsellers(ctx: ToolContext, *, limit: int = 20) -> dict[str, Any]:
    return {"products": [product_summary(p) for p in bestseller_products(ctx, limit=limit)]}


def categories(ctx: ToolContext) -> dict[str, Any]:
    """The categories of the active catalogue, sorted."""
    rows = ctx.db.execute(
        sa.select(Product.category)
        .where(Product.business_id == ctx.business_id, Product.is_active.is_(True))
        .distinct()
    ).scalars()
    return ctx.record("categories", {}, {"categories": sorted({c for c in rows if c})})


def catalogue_overview(ctx: ToolContext, *, per_category: int = 3) -> dict[str, Any]:
    """The active catalogue's categories, sorted, each with a few of its product names (bestsellers and goods in
    stock first): what the shop sells, asked as a whole."""
    groups: dict[str, list[Product]] = {}
    for p in ctx.db.scalars(_active(ctx)).all():
        if p.category:
            groups.setdefault(p.category, []).append(p)

    def rank(p: Product) -> tuple[int, int]:
        best = "bestseller" in [str(t).lower() for t in p.tags or []]
        return (0 if best else 1, 0 if p.available is None or p.available > 0 else 1)

    out = [
        {
            "category": c,
            "examples": [p.name for p in sorted(groups[c], key=rank)[:per_category]],
            "more": len(groups[c]) > per_category,
        }
        for c in sorted(groups)
    ]
    return ctx.record("catalogue_overview", {"per_category": per_category}, {"categories": out})


def knowledge_document(ctx: ToolContext, *, title: str) -> dict[str, Any]:
    """One knowledge document's sentences (a policy answered by the sentence that states a time, etc.)."""
    content = ctx.db.scalars(
        sa.select(KnowledgeDocument.content).where(
            KnowledgeDocument.business_id == ctx.business_id, KnowledgeDocument.title == title
        )
    ).first()
    result = {
        "title": title,
        "found": content is not None,
        "sentences": knowledge_search_mod.split_sentences(content or ""),
    }
    return ctx.record("knowledge_document", {"title": title}, result)


READ_TOOLS: dict[str, Callable[..., dict[str, Any]]] = {
    "promotions": lambda ctx, a: promotions(ctx, limit=_int(a.get("limit")) or 20),
    "bestsellers": lambda ctx, a: bestsellers(ctx, limit=_int(a.get("limit")) or 20),
    "categories": lambda ctx, a: categories(ctx),
    "knowledge_document": lambda ctx, a: knowledge_document(ctx, title=str(a.get("title", ""))),
    "catalogue_overview": lambda ctx, a: catalogue_overview(
        ctx, per_category=_int(a.get("per_category")) or 3
    ),
    "quote_items": lambda ctx, a: quote_items(ctx, items=_model_items(a.get("items"))),
    # None (no customer in the turn, or a shop without points) is told to the model as such
    "loyalty_points": lambda ctx, a: loyalty_points(ctx) or {"available": False},
    "points_for_spend": lambda ctx, a: (
        points_for_spend(ctx, amount=max(_int(a.get("amount")) or 0, 0)) or {"enabled": False}
    ),
    # the print price list's offer (a shop without one is told so) and the goods a budget buys
    "print_paper_sizes": lambda ctx, a: print_paper_sizes(ctx) or {"per_page": {}},
    "print_bindings": lambda ctx, a: print_binding_list(ctx) or {"bindings": {}},
    "cover_colours": lambda ctx, a: (
        (
            cover_colour_standing(ctx, str(a["colour"]))
            if str(a.get("colour") or "").strip()
            else cover_colour_list(ctx)
        )
        or {"cover_colours": []}
    ),
    "products_within_budget": lambda ctx, a: {
        "products": [
            product_summary(p)
            for p in catalogue_within_budget(
                ctx,
                budget=max(_int(a.get("budget")) or 0, 0),
                limit=max(min(_int(a.get("limit")) or 20, 50), 1),
            )
        ]
    },
}


def _model_items(raw: Any) -> list[dict[str, Any]]:
    """A model's list of {sku, quantity} as the tools take it: entries without a SKU are left out, counts
    below 1 (or none) count 1."""
    out = []
    for it in raw if isinstance(raw, list) else []:
        if isinstance(it, dict) and str(it.get("sku") or "").strip():
            out.append({"sku": str(it["sku"]).strip(), "quantity": max(_int(it.get("quantity")) or 1, 1)})
    return out


TOOL_SPECS.extend(
    [
        {
            "name": "promotions",
            "description": "Produk yang sedang promo (harga diskon di bawah harga normal).",
            "parameters": _obj({"limit": {"type": "integer"}}, []),
        },
        {
            "name": "bestsellers",
            "description": "Produk terlaris yang stoknya tersedia.",
            "parameters": _obj({"limit": {"type": "integer"}}, []),
        },
        {
            "name": "categories",
            "description": "Daftar kategori produk toko.",
            "parameters": _obj({}, []),
        },
        {
            "name": "knowledge_document",
            "description": "Isi satu dokumen pengetahuan toko (kebijakan) berdasarkan judulnya.",
            "parameters": _obj({"title": {"type": "string"}}, ["title"]),
        },
        {
            "name": "catalogue_overview",
            "description": "Apa saja yang dijual toko: tiap kategori dengan beberapa contoh produknya.",
            "parameters": _obj({"per_category": {"type": "integer"}}, []),
        },
        {
            "name": "quote_items",
            "description": "Harga beberapa produk sekaligus (tiap baris jumlah × harga, dan totalnya).",
            "parameters": _obj(
                {
                    "items": {
                        "type": "array",
                        "items": _obj({"sku": {"type": "string"}, "quantity": {"type": "integer"}}, ["sku"]),
                    }
                },
                ["items"],
            ),
        },
        {
            "name": "loyalty_points",
            "description": "Poin loyalitas pelanggan ini, nilainya dalam rupiah, dan poin yang akan kedaluwarsa.",
            "parameters": _obj({}, []),
        },
        {
            "name": "points_for_spend",
            "description": "Berapa poin yang didapat dari belanja sejumlah rupiah menurut aturan poin toko.",
            "parameters": _obj({"amount": {"type": "integer"}}, ["amount"]),
        },
        {
            "name": "print_paper_sizes",
            "description": "Ukuran kertas yang bisa dicetak dan tarif per halamannya (hitam putih, warna).",
            "parameters": _obj({}, []),
        },
        {
            "name": "print_bindings",
            "description": "Jenis jilid yang tersedia dan harganya per buku.",
            "parameters": _obj({}, []),
        },
        {
            "name": "cover_colours",
            "description": "Warna sampul standar (tanpa biaya) dan biaya warna lain; dengan `colour`: apakah "
            "warna itu standar dan biayanya.",
            "parameters": _obj({"colour": {"type": "string"}}, []),
        },
        {
            "name": "products_within_budget",
            "description": "Produk yang tersedia dengan harga paling banyak sebesar anggaran (termahal dulu).",
            "parameters": _obj({"budget": {"type": "integer"}, "limit": {"type": "integer"}}, ["budget"]),
        },
    ]
)
