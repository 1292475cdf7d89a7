"""Per-intent handling: call the tools a plan needs and write the grounded offline reply."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from niaga.agent import messages, nlu, planner, tools
from niaga.agent.enums import DraftSlot, Fulfilment, Intent, Mode
from niaga.agent.memory import ConversationMemory
from niaga.agent.planner import Plan
from niaga.agent.responder import Voice, _join, cta, product_line
from niaga.agent.tools import ToolContext, product_summary
from niaga.catalog.models import Product
from niaga.kit.lang import normalize
from niaga.kit.money import format_rupiah as rp
from niaga.orders import loyalty as _loyalty_settings
from niaga.orders.chat import confirm_chat_order


@dataclass
class Outcome:
    text: str
    handoff: bool = False
    handoff_reason: str | None = None
    answered: bool = True
    # changes to the conversation memory (ConversationMemory field names; None clears a field)
    memory: dict[str, Any] = field(default_factory=dict)


def compose(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    handler = {
        Intent.GREETING: _greeting,
        Intent.THANKS: _thanks,
        Intent.STORE_INFO: _store_info,
        Intent.PRODUCT_QUERY: _product_query,
        Intent.PRICE_CHECK: _price_check,
        Intent.STOCK_CHECK: _stock_check,
        Intent.SHIPPING_COST: _shipping,
        Intent.ORDER_CREATE: _order_create,
        Intent.ORDER_STATUS: _order_status,
        Intent.PAYMENT: _payment,
        Intent.PRINT_ORDER: _print_order,
        Intent.COMPLAINT: _complaint,
        Intent.HUMAN_HANDOFF: _handoff,
        Intent.OTHER: _other,
    }[plan.intent]
    return handler(ctx, v, plan, memory)


# --- small talk -----------------------------------------------------------------------------------


def salutation(v: Voice, plan: Plan | None) -> str:
    said_salam = plan is not None and "assalamualaikum" in plan.analysis.words
    if said_salam:
        return "Wa'alaikumussalam warahmatullah" + (f" {v.kak}" if v.kak else "")
    if v.greeting and v.greeting.lower() not in ("halo", "") and not v.en:
        return f"{v.greeting} {v.kak}".strip()  # the business's own greeting is written in Indonesian
    tg = v.time_greeting()
    return v.say("salutation.time", tg=tg if v.en else tg.lower()).strip()


def _greeting(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    from niaga.marketing.agent import welcome_back  # the customer's standing sets the tone, never named

    warm = welcome_back(ctx, kak=v.kak, en=v.en)
    warm = f"{warm} " if warm else ""
    if v.persona and re.sub(r"\.(?:id|com|co\.id)$", "", v.business_name.lower()) in v.persona.lower():
        who = v.persona  # "Asisten Batik Sekar", not "Asisten Batik Sekar dari Batik Sekar"
    else:
        who = v.say("greeting.from", persona=v.persona) if v.persona else v.business_name
    hello = salutation(v, plan)
    tg = "😊" if "selamat" in hello.lower() else f"😊 {v.time_greeting()}!"
    body = v.say("greeting.body", tg=tg, who=who)
    return Outcome(_join(f"{hello} {warm}{body}".strip(), v.after_hours_note()))


def _thanks(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    return Outcome(v.say("thanks"))


def _other(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    if plan.mode == Mode.ACK:
        return Outcome(v.say("ack"))
    if "empty" in plan.analysis.signals:
        return Outcome(v.say("empty"), answered=True)
    return Outcome(v.say("not_understood"), answered=False)


# --- knowledge ------------------------------------------------------------------------------------

KB_ANSWER_SCORE = 1.5  # a knowledge document this relevant (or matching a word) answers the question
KB_SECOND_DOC_RATIO = 0.8  # a second document this close to the best adds its first sentence
_CLOCK_Q_RE = re.compile(
    r"\b(?:jam|pukul) berapa\b|\bpaling (?:telat|lambat)\b|\bbatas waktu\b|\bwhat time\b"
)
_CLOCK_RE = re.compile(r"\b(?:pukul|jam) \d{1,2}[.:]\d{2}\b")
# a file size asked about, and a sentence that states one
_SIZE_Q_RE = re.compile(r"\b(?:mb|gb|kb|megabytes?)\b|\bukuran file\b|\bfile size\b")
_SIZE_RE = re.compile(r"\b\d+\s*(?:mb|gb|kb)\b", re.I)
# how long something stays valid asked ("berlakunya sampai kapan?", "kapan hangus?"), and a sentence stating it
_VALIDITY_Q_RE = re.compile(
    r"\b(?:berlaku|kedaluwarsa|kadaluarsa|kadaluwarsa|expired?|expiry|hangus|valid)\w*\b"
)
_VALIDITY_RE = re.compile(
    r"\b(?:berlaku|hangus|kedaluwarsa|kadaluarsa|valid|expires?)\b.{0,40}\b\d+\s*(?:hari|minggu|bulan|tahun|"
    r"days?|weeks?|months?|years?)\b",
    re.I,
)


# how long the customer's files or data stay with the shop, or a worry they leak ("file saya disimpan berapa lama?",
# "data saya aman? takut kesebar", "how long do you keep my files")
_KEPT_HOW_LONG_RE = re.compile(
    r"\b(?:disimpan|disimpen|disimpennya|disimpannya|tersimpan|simpan|keep|kept|stored|store)\b(?: \w+){0,3} "
    r"(?:berapa lama|how long|sampai kapan)\b|\b(?:berapa lama|how long|sampai kapan)\b(?: \w+){0,4} "
    r"(?:disimpan|disimpen|tersimpan|keep|kept|stored|dihapus|deleted)\b|\b(?:kesebar|tersebar|disebar|bocor)\w*\b"
)
_POINT_WORDS = {"poin", "point", "points", "poinku", "poinnya", "pointnya"}
# the customer's own points asked ("poin saya", "sisa poin", "my points")
_OWN_POINTS_RE = re.compile(
    r"\b(?:poin|point|points)(?:nya)? (?:saya|ku|gw)\b|\bpoinku\b|\bmy points?\b|\bsisa poin\b|\bcek poin\b"
)
# how much spending earns one point asked ("berapa rupiah dapat 1 poin?", "how much to earn one point")
_POINT_RATE_ASKED_RE = re.compile(
    r"\b(?:dapat|dapet|dpt|dapatkan|mendapat|earn|earns|get|gets|untuk|buat) (?:1|satu|one|a|per) (?:poin|point)\b|"
    r"\b(?:per|tiap|setiap|each|every) (?:poin|point)(?:nya)? (?:berapa|brp|how much)\b"
)
# a count of points the customer says they hold, its worth asked ("poin saya sudah 250, bisa ditukar berapa?",
# "punya 400 poin", "I have 300 points"): a plain count, not a sum of money
_STATED_POINTS_RE = re.compile(
    r"\b(?:poin|point|points|poinku)(?:nya)?(?: (?:saya|aku|ku|gw|kami))?(?: (?:sudah|udah|ada|sekarang|skrg|"
    r"tinggal|sisa|is|are|now))*(?: (?:sekitar|around|about))? (\d{1,7})\b(?! ?(?:rb|ribu|k|jt|juta|persen)\b)|"
    r"(?<![\d.,])(\d{1,7}) (?:poin|point|points)\b"
)


def _store_info(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    a = plan.analysis
    duration = "duration" in a.signals
    # "file saya disimpan berapa lama? takut kesebar": how long the customer's files or data are kept is the
    # shop's privacy rule (when they are deleted), not a time a job takes
    kept = bool(_KEPT_HOW_LONG_RE.search(a.norm))
    extra = " privasi data dihapus" if kept else (" estimasi waktu" if duration else "")
    kb = tools.knowledge_search(ctx, query=a.norm + extra, limit=2)
    results = kb["results"]
    if duration and results:
        # "berapa lama ..." is answered by the sentence that states a time, not the one that matched most words.
        doc = tools.knowledge_document(ctx, title=results[0]["title"])
        timed = [
            s
            for s in doc["sentences"]
            if re.search(r"\b\d+\s*(?:hari|jam|menit|minggu|days?|hours?)\b", s, re.I)
        ]
        if timed:
            results[0]["sentences"] = timed[:2]
    if _SIZE_Q_RE.search(a.norm):
        # "maksimal berapa MB?": a size limit, answered first by the sentence that states one
        sized = [
            sen
            for r in results
            for sen in tools.knowledge_document(ctx, title=r["title"])["sentences"]
            if _SIZE_RE.search(sen)
        ]
        if sized and results:
            results[0]["sentences"] = [
                *sized[:1],
                *(x for x in results[0]["sentences"] if x not in sized[:1]),
            ]
    if _VALIDITY_Q_RE.search(a.norm) and results:
        # a question in parts ("ditukar jadi apa? berlakunya sampai kapan?"): the sentence stating how long it
        # stays valid answers the second part, added to the ones answering the first
        valid = [
            sen
            for sen in tools.knowledge_document(ctx, title=results[0]["title"])["sentences"]
            if _VALIDITY_RE.search(sen) and sen not in results[0]["sentences"]
        ]
        results[0]["sentences"] = [*results[0]["sentences"], *valid[:1]]
    if "how_to_order" in a.signals:
        # "cara ordernya gimana? bisa lewat chat?": orders are taken in this chat
        return Outcome(_join(v.say("howto.order"), cta(v, "more")))
    if "trust" in a.signals:
        # "ini toko beneran? bukan penipuan?": the shop's own profile: what it is and where it stands
        desc = (ctx.profile.get("description") or "").strip()
        address = (ctx.profile.get("address") or ctx.profile.get("city") or "").strip()
        ctx.record("business_profile", {}, {"description": desc, "address": address})
        facts = (
            [v.say("trust.real")] + [desc] * bool(desc) + [v.say("address.label") + address] * bool(address)
        )
        return Outcome(_join(" ".join(facts), cta(v, "more")))
    asks_hours = any(
        w in a.words for w in ("jam", "buka", "tutup", "open", "hours", "libur", "close", "closing", "closed")
    )
    # "paling telat bayar jam berapa?": a time of day (a cut-off), answered by the sentences that state one
    same_day = bool(nlu.SAME_DAY_RE.search(a.norm))
    asks_clock = (
        bool(_CLOCK_Q_RE.search(a.norm))
        and not any(w in a.words for w in ("buka", "tutup", "open", "close", "closing", "closed"))
    ) or same_day
    asks_address = bool(nlu.ADDRESS_RE.search(a.norm))
    lines: list[str] = []
    if results and (results[0]["score"] >= KB_ANSWER_SCORE or results[0]["matched"]):
        best = results[0]
        lines.extend(best["sentences"])
        if len(results) > 1 and results[1]["score"] >= KB_SECOND_DOC_RATIO * best["score"]:
            lines.extend(s for s in results[1]["sentences"][:1] if s not in lines)
    if asks_clock:
        clock = [
            sen
            for r in results
            for sen in tools.knowledge_document(ctx, title=r["title"])["sentences"]
            if _CLOCK_RE.search(sen) and sen not in lines
        ]
        if same_day:
            # "dikirim hari itu juga?": the cut-off for same-day shipping, before any opening hours
            clock.sort(
                key=lambda sen: not re.search(r"\b(?:hari (?:yang )?sama|hari itu|dikirim)\b", sen.lower())
            )
        lines[0:0] = clock[:1]
    if asks_hours and not any(any(ch.isdigit() for ch in ln) for ln in lines):
        ctx.record("business_hours", {}, {"hours": v.hours})
        lines.insert(0, v.say("hours.label") + v.hours_text() + ".")
    day = nlu.asked_weekday(a) if v.hours else None
    if day is not None and not any(v.day_name(day - 1).lower() in ln.lower() for ln in lines):
        # "hari Ahad buka?", "open on Sunday?": whether the shop opens on the day named, from its hours
        span = v.hours.get(str(day)) or []
        ctx.record("business_hours", {"day": day}, {"hours": span})
        name = v.day_name(day - 1)
        if len(span) == 2:
            at = {"open": span[0].replace(":", "."), "close": span[1].replace(":", ".")}
            lines.insert(0, v.say("hours.day_open", day=name, **at))
        else:
            lines.insert(0, v.say("hours.day_closed", day=name))
    points_named = any(w in _POINT_WORDS for w in a.words)
    # "belanja 300rb dapet brp poin?": the points a purchase of that amount earns; the customer's own balance is
    # then shown only when asked for too ("poin saya ...")
    spend = nlu.money_amount(a.raw) if points_named else None
    if spend:
        asks_points = bool(_OWN_POINTS_RE.search(a.norm))
    else:
        asks_points = points_named and any(
            w in a.words
            for w in (
                "saya",
                "aku",
                "sy",
                "ku",
                "gw",
                "my",
                "i",
                "berapa",
                "cek",
                "sisa",
                "punya",
                "much",
                "many",
                "have",
            )
        )
    held = _STATED_POINTS_RE.search(a.norm) if points_named and not spend else None
    if points_named and not spend and _POINT_RATE_ASKED_RE.search(a.norm):
        # "brp rupiah dpt 1 poin?": how much spending earns a point, the program's rule, not points held
        held = None
        asks_points = bool(_OWN_POINTS_RE.search(a.norm))
    points = tools.loyalty_points(ctx) if asks_points and not held else None
    if points is not None:
        own = v.say("points.have", n=points["points"])
        own += v.say("points.worth", value=rp(points["value"])) if points["value"] else "."
        lines.insert(0, own)
    earned = tools.points_for_spend(ctx, amount=spend) if spend else None
    if earned is not None:
        lines.insert(
            0,
            v.say(
                "points.for_spend",
                amount=rp(spend or 0),
                n=earned["points"],
                per=rp(earned["rupiah_per_point"]),
            ),
        )
    rules_now = _loyalty_settings.Rules.of(ctx.business) if held else None
    if held and rules_now is not None and rules_now.enabled and rules_now.points_per_redeem > 0:
        # "poin saya sudah 250, bisa dituker berapa?": the discount the points the customer states are worth by
        # the shop's redemption rule, worked out for them (the balance on record may not know them yet)
        n = int(held.group(1) or held.group(2))
        worth = n // rules_now.points_per_redeem * rules_now.redeem_value
        ctx.record(
            "loyalty_rules",
            {"points": n},
            {
                "points_per_redeem": rules_now.points_per_redeem,
                "redeem_value": rules_now.redeem_value,
                "worth": worth,
            },
        )
        lines.insert(
            0,
            v.say(
                "points.stated_worth",
                n=n,
                value=rp(worth),
                k=rules_now.points_per_redeem,
                per=rp(rules_now.redeem_value),
            ),
        )
    if nlu.COURIERS_Q_RE.search(a.norm) and not any(
        re.search(r"\b(?:jne|j&t|sicepat|pos|tiki|anteraja)\b", ln, re.I) for ln in lines
    ):
        # "pake ekspedisi apa aja?": the couriers of the shop's shipping rates
        couriers = tools.shipping_couriers(ctx)["couriers"]
        if couriers:
            lines.insert(0, v.say("couriers.label", names=", ".join(couriers)))
    address = ctx.profile.get("address")
    if asks_address and address and not any(address[:12] in ln for ln in lines):
        ctx.record("business_profile", {}, {"address": address})
        lines.insert(0, v.say("address.label") + address)
    city = (ctx.profile.get("city") or "").strip()
    if asks_address and not address and city and not any(city in ln for ln in lines):
        # no street address on record: the business profile's city still answers "where is the shop?"
        ctx.record("business_profile", {}, {"city": city})
        lines.insert(0, v.say("address.city", city=city))
    if points_named and not lines:
        # "belanja di sini dapat poin?": whether the shop gives points, and how, from its loyalty rules
        rules = _loyalty_settings.Rules.of(ctx.business)
        if rules.enabled:
            ctx.record(
                "loyalty_rules",
                {},
                {
                    "rupiah_per_point": rules.rupiah_per_point,
                    "points_per_redeem": rules.points_per_redeem,
                    "redeem_value": rules.redeem_value,
                    "expiry_months": rules.expiry_months,
                },
            )
            lines.append(
                v.say(
                    "points.program",
                    per=rp(rules.rupiah_per_point),
                    k=rules.points_per_redeem,
                    value=rp(rules.redeem_value),
                    months=rules.expiry_months,
                )
            )
    if not lines:
        return Outcome(v.say("kb.no_info"), answered=False)
    intro = "" if v.en or v.first_turn else v.pick(f"Baik {v.kak} 🙏 ", f"Siap {v.kak} 🙏 ", "")
    text = intro + " ".join(lines)
    return Outcome(_join(text, cta(v, "more")))


# --- products -------------------------------------------------------------------------------------


def _not_found(v: Voice, plan: Plan, ctx: ToolContext) -> str:
    phrase = plan.res.not_found or v.say("product.that_product")
    alts = plan.res.alternatives
    text = v.say("product.not_found", phrase=phrase)
    if alts:
        return text + "\n" + v.say("product.similar", names=", ".join(p.name for p in alts))
    cats = tools.categories(ctx)["categories"]
    if cats:
        text += "\n" + v.say("product.categories", names=", ".join(cats[:8]))
    return text


def _focus(products: Sequence[Product]) -> dict[str, Any]:
    return {"focus": [p.id for p in products[:8]], "focus_skus": [p.sku for p in products[:8]]}


def _list_products(
    ctx: ToolContext,
    v: Voice,
    products: Sequence[Product],
    intro: str,
    *,
    limit: int = 5,
    cheapest: bool = False,
) -> str:
    if cheapest:
        products = sorted(products, key=lambda p: p.effective_price)
    summaries = [product_summary(p) for p in products[:limit]]
    ctx.record("search_products", {"query": intro}, {"products": summaries})
    return _join(intro, *(product_line(v, s, with_stock=True) for s in summaries))


def _age_ok(p: Product, age: int) -> bool | None:
    rng = str((p.attributes or {}).get("age") or "")
    if "-" not in rng:
        return None
    try:
        lo, hi = (int(x) for x in rng.split("-", 1))
    except ValueError:
        return None
    return lo <= age <= hi


def _rank_for_listing(products: list[Product], age: int | None) -> list[Product]:
    def key(p: Product) -> tuple[int, int, int]:
        fit = _age_ok(p, age) if age is not None else None
        in_stock = p.available is None or p.available > 0
        return (
            0 if fit is True else 1 if fit is None else 2,
            0 if in_stock else 1,
            0 if "bestseller" in [str(t).lower() for t in p.tags or []] else 1,
        )

    ranked = sorted(products, key=key)
    if age is not None and any(_age_ok(p, age) for p in ranked):
        ranked = [p for p in ranked if _age_ok(p, age) is not False]
    return ranked


def _compare_print(ctx: ToolContext, v: Voice, plan: Plan) -> Outcome | None:
    """Two paper sizes' per-page rates from the price list (in the colour asked, else black-and-white and
    colour), then which is cheaper and by how much; None when the price list lacks one of the sizes."""
    from niaga.printshop import pricing as ps

    prices = tools._print_price_list(ctx)
    if prices is None:
        return None
    p = ps.validate_prices(prices)
    sizes = nlu.paper_sizes(plan.analysis.norm)[:2]
    if any(size not in p["per_page"] for size in sizes):
        return None
    colour = plan.print_spec.get("color")
    kinds = ["colour"] if colour else ["bw"] if colour is False else ["bw", "colour"]
    label = {"bw": v.say("print.compare_bw"), "colour": v.say("print.compare_colour")}
    lines = [
        f"• {size}: "
        + ", ".join(f"{label[k]} {rp(int(p['per_page'][size][k]))}" for k in kinds)
        + v.say("print.per_sheet")
        for size in sizes
    ]
    rates = [(size, int(p["per_page"][size][kinds[0]])) for size in sizes]
    diff = abs(rates[0][1] - rates[1][1])
    cheaper = min(rates, key=lambda r: r[1])[0]
    ctx.record(
        "print_price_list",
        {"paper_sizes": sizes},
        {"per_page": {size: p["per_page"][size] for size in sizes}, "cheaper": cheaper, "difference": diff},
    )
    verdict = v.say("compare.cheaper", name=cheaper, diff=rp(diff)) if diff else v.say("compare.same")
    return Outcome(_join(v.say("compare.prices"), *lines, verdict))


# the words that weigh two products against each other (which is cheaper, their difference, which to take);
# "masing-masing berapa" alone asks only each one's price
_SET_APART_RE = re.compile(
    r"\b(?:beda|bedanya|perbedaan|perbedaannya|bedain|murah|mahal|murahan|selisih|selisihnya|mending|"
    r"versus|vs|compare|comparison|difference|cheaper|pricier|atau|or)\b"
)


def _compare(ctx: ToolContext, v: Voice, plan: Plan) -> Outcome:
    """Two products side by side: each one's price (and, asked what sets them apart, its description), then
    which is cheaper and by how much."""
    products = plan.res.products[:2]
    summaries = [product_summary(p) for p in products]
    by_price = plan.intent == Intent.PRICE_CHECK
    lines: list[str] = []
    for s in summaries:
        lines.append(product_line(v, s, with_stock=True))
        if not by_price and s.get("description"):
            lines.append(f"  {s['description']}")
    a, b = summaries
    diff = abs(a["effective_price"] - b["effective_price"])
    cheaper = min(summaries, key=lambda s: s["effective_price"])
    ctx.record(
        "compare_products",
        {"skus": [s["sku"] for s in summaries]},
        {"products": summaries, "cheaper": cheaper["sku"] if diff else None, "difference": diff},
    )
    if by_price and not _SET_APART_RE.search(plan.analysis.norm):
        # "X sm Y, masing2 brp?": each one's price asked, nothing weighed between them: no verdict, no difference
        return Outcome(_join(v.say("compare.each_price"), *lines, cta(v, "choose")), memory=_focus(products))
    verdict = v.say("compare.cheaper", name=cheaper["name"], diff=rp(diff)) if diff else v.say("compare.same")
    intro = v.say("compare.prices" if by_price else "compare.intro")
    return Outcome(_join(intro, *lines, verdict, cta(v, "choose")), memory=_focus(products))


def _product_query(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    res = plan.res
    if plan.mode == Mode.COMPARE:
        return _compare(ctx, v, plan)
    if plan.mode == Mode.PRINT and "cover_colours_asked" in plan.analysis.signals:
        # "warna sampul hardcover ada apa aja?": the price list's standard cover colours
        listed = tools.cover_colour_list(ctx)
        if listed:
            colours = ", ".join(listed["cover_colours"])
            surcharge = listed["custom_surcharge"]
            text = (
                v.say("print.cover_colours_list", colours=colours, price=rp(surcharge))
                if surcharge
                else v.say("print.cover_colours_only", colours=colours)
            )
            return Outcome(_join(text, cta(v, "more")))
    colour_asked = plan.analysis.print_spec.get("cover_colour")
    if plan.mode == Mode.PRINT and "cover_colour_possible_asked" in plan.analysis.signals and colour_asked:
        # "hard cover bisa warna kuning ga?": a standard colour at no extra cost, or another at the surcharge
        standing = tools.cover_colour_standing(ctx, str(colour_asked))
        if standing:
            text = (
                v.say("print.cover_colour_possible", colour=standing["cover_colour"])
                if standing["cover_colour_standard"]
                else _cover_colour_text(v, standing)
            )
            return Outcome(_join(text, cta(v, "more")))
    if plan.mode == Mode.PRINT and "bindings_asked" in plan.analysis.signals:
        # "jilid apa aja yg ada?": the price list's bindings, each with its price per copy
        offered_bindings = tools.print_binding_list(ctx)
        if offered_bindings:
            binding_text = ", ".join(
                f"{name} {rp(price)}" for name, price in offered_bindings["bindings"].items()
            )
            return Outcome(_join(v.say("print.bindings_list", bindings=binding_text), cta(v, "more")))
    if plan.mode == Mode.PRINT and "paper_size_asked" in plan.analysis.signals:
        # "bisa print ukuran A3 ga?": whether the price list has the size, with its rates, and the sizes it has
        offered = tools.print_paper_sizes(ctx)
        size = plan.analysis.print_spec.get("paper_size")
        if offered and not size:
            # "ukuran kertas yg bisa apa aja?": every size with its rates
            size_rows = []
            for name, row in offered["per_page"].items():
                rates = ", ".join(
                    f"{v.say(key)} {rp(row[kind])}"
                    for kind, key in (("bw", "print.compare_bw"), ("colour", "print.compare_colour"))
                    if kind in row
                )
                size_rows.append(f"• {name}: {rates}")
            return Outcome(_join(v.say("print.sizes_list"), *size_rows, cta(v, "more")))
        if offered and size:
            sizes = ", ".join(offered["per_page"])
            row = offered["per_page"].get(size)
            if row is None:
                return Outcome(v.say("print.no_size", size=size, sizes=sizes))
            rates = ", ".join(
                f"{v.say(key)} {rp(row[kind])}"
                for kind, key in (("bw", "print.compare_bw"), ("colour", "print.compare_colour"))
                if kind in row
            )
            text = v.say("print.size_offered", size=size, rates=rates, sizes=sizes)
            return Outcome(_join(text, cta(v, "more")))
    if plan.mode == Mode.PROMO and not res.products:
        rows = tools.promoted_products(ctx)
        if not rows:
            return Outcome(v.say("promo.none") + " " + cta(v, "more"))
        intro = v.say("promo.intro")
        return Outcome(
            _join(_list_products(ctx, v, rows, intro, limit=8), cta(v, "order")), memory=_focus(rows)
        )
    if plan.mode == Mode.CATALOGUE:
        # "jualan apa aja?": the shop's categories, each with a few of its products
        groups = tools.catalogue_overview(ctx)["categories"]
        if groups:
            lines = [
                v.say(
                    "catalogue.line" if g["more"] else "catalogue.line_all",
                    category=g["category"],
                    examples=", ".join(g["examples"]),
                )
                for g in groups
            ]
            return Outcome(_join(v.say("catalogue.intro"), *lines, cta(v, "choose")))
    if res.not_found and not res.products and plan.mode == Mode.RECOMMEND:
        best = tools.bestseller_products(ctx)
        if best:
            intro = v.say("bestsellers.intro")
            return Outcome(
                _join(_list_products(ctx, v, best, intro), cta(v, "choose")), memory=_focus(best[:5])
            )
    if res.not_found and not res.products:
        return Outcome(_not_found(v, plan, ctx))
    if not res.products:
        return Outcome(v.say("product.which"), answered=True)
    if res.confident and plan.mode != Mode.RECOMMEND:
        p = product_summary(res.products[0])
        ctx.record("get_product", {"sku": p["sku"]}, {"found": True, "product": p})
        stock = _stock_phrase(v, p)
        desc = p["description"]
        out = p["stock_tracked"] and (p["available"] or 0) <= 0
        head = v.say(
            "product.have_none" if out else "product.have", name=p["name"], price=rp(p["effective_price"])
        )
        if p["on_sale"]:
            head += f" ({v.say('product.normally', price=rp(p['price']))})"
        return Outcome(_join(head + ". " + stock, desc, cta(v, "order")), memory=_focus(res.products))
    products = _rank_for_listing(res.products, plan.analysis.age)
    if "cheapest" in plan.analysis.signals:
        products = sorted(products, key=lambda p: p.effective_price)
    intro = v.say("product.recommended" if plan.mode == Mode.RECOMMEND else "product.options")
    return Outcome(
        _join(_list_products(ctx, v, products, intro), cta(v, "choose")), memory=_focus(products[:5])
    )


def _sizes(v: Voice, p: dict[str, Any]) -> str:
    sizes = (p.get("attributes") or {}).get("sizes")
    if not sizes:
        return ""
    return v.say("product.sizes", sizes=sizes)


def _stock_phrase(v: Voice, p: dict[str, Any]) -> str:
    if not p["stock_tracked"]:
        return v.say("product.any_time") + _sizes(v, p)
    avail = p["available"] or 0
    if avail <= 0:
        return v.say("product.out")
    return v.say("product.in_stock", n=avail) + _sizes(v, p)


_PER_AREA_RE = re.compile(r"meter persegi|\bm2\b|m²|square met")


def _num(x: float) -> str:
    """3.0 → "3", 2.5 → "2,5" (the Indonesian decimal comma)."""
    return str(int(x)) if x == int(x) else f"{x:.2f}".rstrip("0").replace(".", ",")


# what a product holds or is made of asked ("isinya apa aja", "bahannya apa", "apa saja isinya", "what's inside")
_CONTENTS_ASKED_RE = re.compile(
    r"\b(?:isi|isinya|bahan|bahannya|spesifikasi|spesifikasinya)(?: \w+)?? (?:apa|apaan|gimana|bagaimana)\b|"
    r"\bapa (?:saja |aja )?(?:isi|isinya|bahannya)\b|\bwhat (?:is )?(?:in|inside)\b"
)


# what express work adds asked as such, no job given ("kalau express nambah berapa persen?", "biaya tambahan
# ekspres berapa?", "how much extra for express?")
_EXPRESS_SURCHARGE_Q_RE = re.compile(
    r"\b(?:express|ekspres|ekspress|expres|kilat)\b.{0,40}\b(?:persen|nambah|tambah|tambahan|extra|surcharge|"
    r"biaya|charge)\b|\b(?:persen|tambahan|extra|surcharge|biaya tambahan)\b.{0,30}\b(?:express|ekspres|ekspress|"
    r"expres|kilat)\b"
)


def _express_surcharge(ctx: ToolContext, v: Voice, plan: Plan) -> Outcome | None:
    a = plan.analysis
    if not _EXPRESS_SURCHARGE_Q_RE.search(a.norm) or plan.lines or "shipping" in a.signals:
        return None
    if any(ch.isdigit() for ch in a.norm):
        return None  # a job counted: its quote shows the surcharge
    pct = int(tools.print_quote(ctx, express=True).get("express_surcharge_pct") or 0)
    if pct <= 0:
        return None
    return Outcome(_join(v.say("express.surcharge", pct=pct), cta(v, "more")))


def _price_check(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    surcharge = _express_surcharge(ctx, v, plan)
    if surcharge is not None:
        return surcharge
    if plan.mode == Mode.PRINT and planner.compares_print_options(plan.analysis):
        compared = _compare_print(ctx, v, plan)
        if compared is not None:
            return compared
    if plan.mode == Mode.PRINT:
        return _print_quote_reply(ctx, v, plan, memory, asked_price=True)
    if plan.mode == Mode.COMPARE:
        return _compare(ctx, v, plan)
    if plan.lines:
        return _price_lines(ctx, v, plan)
    res = plan.res
    if res.not_found and not res.products:
        return Outcome(_not_found(v, plan, ctx))
    if not res.products:
        return Outcome(v.say("price.which"))
    if not res.confident:
        cheapest = "cheapest" in plan.analysis.signals
        intro = v.say("price.cheapest_first" if cheapest else "price.list")
        return Outcome(
            _join(_list_products(ctx, v, res.products, intro, cheapest=cheapest), cta(v, "choose")),
            memory=_focus(res.products),
        )
    p = res.products[0]
    qty = plan.quantity or 1
    q = tools.price_quote(ctx, sku=p.sku, quantity=qty, unit_word=plan.unit_word)
    text = v.say("price.is", name=p.name, price=rp(q["unit_price"]))
    if q["on_sale"]:
        text += v.say("price.on_sale", price=rp(q["normal_price"]))
    text += "."
    total = f"{q['packs']} × {rp(q['unit_price'])} = {rp(q['total'])}"
    dims = nlu.dimensions_m(plan.analysis.raw)
    if dims and _PER_AREA_RE.search(f"{p.name} {getattr(p, 'unit', '') or ''}".lower()):
        # "banner 3x1 meter": a product priced per square metre costs its width × height × that price
        w, h = dims
        area = w * h
        area_total = round(area * q["unit_price"])
        ctx.record(
            "area_quote", {"sku": p.sku, "width_m": w, "height_m": h}, {"area_m2": area, "total": area_total}
        )
        text += v.say(
            "price.for_area",
            w=_num(w),
            h=_num(h),
            area=_num(area),
            price=rp(q["unit_price"]),
            sum=rp(area_total),
        )
        q = {**q, "total": area_total}
    elif q["converted"]:
        text += v.say("price.for_units", qty=qty, unit=q.get("counted_unit") or plan.unit_word, sum=total)
    elif q["packs"] > 1:
        text += v.say("price.for_qty", qty=qty, sum=total)
    summary = product_summary(p)
    stock = _stock_phrase(v, summary)
    # "paket umroh isinya apa aja? sm harganya": what it holds asked with its price: its description too
    desc = summary["description"] if _CONTENTS_ASKED_RE.search(plan.analysis.norm) else ""
    return Outcome(
        _join(f"{text} {stock}", desc, cta(v, "order")),
        memory={**_focus([p]), "quotes": {"unit_price": q["unit_price"], "total": q["total"]}},
    )


def _price_lines(ctx: ToolContext, v: Voice, plan: Plan) -> Outcome:
    """ "fiqih 2 sama sirah 1 jadi berapa?": each product's count × its price, the total, and any line the
    stock cannot fill."""
    q = tools.quote_items(
        ctx,
        items=[
            {"sku": ln.product.sku, "quantity": ln.quantity, "unit_word": ln.unit_word} for ln in plan.lines
        ],
    )
    if planner.asks_each_price(plan.lines, plan.analysis):
        # "harga X, sama Y ya kak": each product's own price, no count supposed
        lines = [v.say("price.list")]
        lines.extend(f"• {it['name']}: {rp(it['unit_price'])}" for it in q["items"])
    else:
        lines = [v.say("price.lines_head")]
        lines.extend(
            f"• {it['quantity']} × {it['name']} @{rp(it['unit_price'])} = {rp(it['total'])}"
            for it in q["items"]
        )
        lines.append(f"Total: {rp(q['total'])}")
    for prob in q["problems"]:
        if prob["available"] <= 0:
            lines.append(v.say("price.line_out", name=prob["name"]))
        else:
            lines.append(v.say("order.note_short", name=prob["name"], available=prob["available"]))
    return Outcome(
        _join(*lines, cta(v, "order")),
        memory={**_focus([ln.product for ln in plan.lines]), "quotes": {"total": q["total"]}},
    )


def _stock_check(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    res = plan.res
    if res.not_found and not res.products:
        return Outcome(_not_found(v, plan, ctx))
    if not res.products:
        return Outcome(v.say("stock.which"))
    if not res.confident:
        intro = v.say("stock.options")
        lines = []
        for p in res.products[:5]:
            s = tools.check_stock(ctx, sku=p.sku)
            if not s["stock_tracked"]:
                st = v.say("stock.word.untracked")
            elif s["available"] > 0:
                st = v.say("stock.word.count", n=s["available"])
            else:
                st = v.say("stock.word.out")
            lines.append(f"• {p.name} — {st}")
        return Outcome(_join(intro, *lines, cta(v, "choose")), memory=_focus(res.products))
    p = res.products[0]
    s = tools.check_stock(ctx, sku=p.sku, quantity=plan.quantity)
    qty = plan.quantity
    if not s["stock_tracked"]:
        text = v.say("stock.untracked", name=p.name)
    elif s["available"] <= 0:
        text = v.say("stock.out", name=p.name)
        if s["preorder_allowed"]:
            text += " " + v.say("stock.preorder", pct=s["preorder_dp_pct"])
    elif qty and not s["enough"]:
        text = v.say("stock.short", name=p.name, available=s["available"], qty=qty)
        if s["preorder_allowed"]:
            text += " " + v.say("stock.short_preorder", pct=s["preorder_dp_pct"])
    else:
        text = v.say("stock.ok", name=p.name, available=s["available"])
        if qty:
            text += " " + v.say("stock.enough", qty=qty)
        text += _sizes(v, product_summary(p))
    return Outcome(_join(text, cta(v, "order")), memory=_focus([p]))


# --- shipping -------------------------------------------------------------------------------------


def _shipping(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    city = plan.city or (memory.city if plan.mode == Mode.INHERIT else None)
    res = plan.res
    mem: dict[str, Any] = {}
    wants_free = "gratis" in plan.analysis.words
    if not city:
        if wants_free:
            return _free_rule_only(ctx, v)
        return Outcome(v.say("shipping.which_city"), memory=_focus(res.products) if res.products else {})
    mem["city"] = city
    items = []
    if plan.lines:
        # "ongkir sajadah 2 sama peci 1 ke Medan": the shipping of every product named, by their total weight
        items = [{"sku": ln.product.sku, "quantity": ln.quantity} for ln in plan.lines]
        mem.update(_focus([ln.product for ln in plan.lines]))
    elif res.confident and res.products:
        items = [{"sku": res.products[0].sku, "quantity": plan.quantity or 1}]
        mem.update(_focus(res.products))
    q = tools.shipping_quote(ctx, city=city, items=items, weight_g=plan.analysis.weight_g)
    if not q["found"]:
        text = v.say("shipping.no_rate", city=city)
        return Outcome(_join(text, v.after_hours_note()), memory=mem, answered=False)
    lines = []
    if not items and q["weight_stated"] and q["kg"] is not None:
        weight = _weight_text(q["weight_g"], v).split(" ", 1)[1]
        lines.append(v.say("shipping.parcel_head", weight=weight, city=q["city"], kg=q["kg"]))
        for o in q["options"][:5]:
            etd = f" ({v.say('shipping.days', n=o['etd_days'])})" if o.get("etd_days") else ""
            lines.append(f"• {o['courier']} {o['service']}: {rp(o['cost'])}{etd}")
        mem["quotes"] = {"shipping": [o.get("cost") for o in q["options"][:5]], "city": q["city"]}
    elif items and q["kg"] is not None:
        it = q["items"][0]
        if _price_asked_too(plan.analysis):
            # "harga X brp? sekalian ongkir ke Malang": the price asked as well as the shipping
            lines.append(v.say("shipping.unit_price", name=it["name"], price=rp(it["unit_price"])))
        weight = _weight_text(q["weight_g"] or 0, v)
        if q["weight_stated"]:
            weight += v.say("shipping.as_said")
        head = v.say(
            "shipping.items_head",
            qty=it["quantity"],
            name=it["name"],
            weight=weight,
            kg=q["kg"],
            city=q["city"],
        )
        if len(q["items"]) > 1:
            head = "\n".join(
                [
                    v.say(
                        "shipping.lines_head", n=len(q["items"]), weight=weight, kg=q["kg"], city=q["city"]
                    ),
                    *(f"• {x['quantity']} × {x['name']}" for x in q["items"]),
                ]
            )
        if q["free_shipping"]:
            lines.append(head)
            lines.append(v.say("shipping.free"))
        else:
            lines.append(head)
            for o in q["options"][:5]:
                etd = f" ({v.say('shipping.days', n=o['etd_days'])})" if o.get("etd_days") else ""
                lines.append(f"• {o['courier']} {o['service']}: {rp(o['cost'])}{etd}")
            cheapest = q["options"][0]
            total = v.say("shipping.cheapest_total", courier=cheapest["courier"], total=rp(cheapest["total"]))
            asked = _shipping_option_named(plan, q["options"])
            if asked is not None:
                # "ongkir ... pake JNE YES": the total with the courier (and service) the customer named
                total = v.say(
                    "shipping.named_total",
                    courier=f"{asked['courier']} {asked['service']}".strip(),
                    total=rp(asked["total"]),
                )
            if it["quantity"] > 1 or len(q["items"]) > 1:
                total = v.say("shipping.subtotal", subtotal=rp(q["subtotal"])) + total
            lines.append(total)
        mem["quotes"] = {"shipping": [o.get("cost") for o in q["options"][:5]], "city": q["city"]}
    else:
        if items and q["kg"] is None:
            lines.append(v.say("shipping.no_weight", city=q["city"]))
        else:
            lines.append(v.say("shipping.rates", city=q["city"]))
        for o in q["options"][:5]:
            etd = f" ({v.say('shipping.days', n=o['etd_days'])})" if o.get("etd_days") else ""
            lines.append(f"• {o['courier']} {o['service']}: {rp(o['price_per_kg'])}/kg{etd}")
        if not items:
            lines.append(v.say("shipping.name_product"))
    rule = q["free_shipping_rule"]
    if rule and (q["free_shipping_area"] or wants_free) and not q["free_shipping"]:
        cities = " & ".join(rule["cities"])
        lines.insert(
            0 if wants_free else len(lines),
            v.say("shipping.free_rule", cities=cities, min=rp(rule["min_subtotal"])),
        )
    elif wants_free and not rule:
        lines[0:0] = [ln for ln in _kb_lines(ctx, "gratis ongkir pengiriman") if "ratis" in ln] or _kb_lines(
            ctx, "gratis ongkir pengiriman"
        )
    if items:
        lines.append(cta(v, "order"))
    return Outcome(_join(*lines), memory=mem)


def _shipping_option_named(plan: Plan, options: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The shipping option of the courier the customer named ("via JNE", "pake JNE YES"): the service named
    too when the message names one of that courier's services, else that courier's cheapest; None when no
    courier is named or the named one has no option here."""
    courier = str(plan.entities.get("courier") or "").lower()
    if not courier:
        return None
    own = [o for o in options if str(o.get("courier", "")).lower() == courier and o.get("total") is not None]
    if not own:
        return None
    words = set(re.findall(r"[a-z0-9]+", plan.analysis.raw.lower()))
    for o in own:
        service = re.findall(r"[a-z0-9]+", str(o.get("service") or "").lower())
        if service and all(w in words for w in service):
            return o
    return own[0]


_PRICE_NAMED_RE = re.compile(r"\bharga(?:nya)?\b|\bprices?\b")
_ASKS_AMOUNT_RE = re.compile(r"\bberapa\b")
_SHIPPING_WORDS_RE = re.compile(r"\bongkir\w*|\b(?:di)?kirim\w*|\bship\w*|\bsend\b")
_CLAUSES_RE = re.compile(r"[?.!,;\n]+")


def _price_asked_too(a: nlu.Analysis) -> bool:
    """Whether a shipping question also asks the product's price: a price word, or a clause of its own asking
    "berapa" with no shipping word in it ("quran madinah A4 brp? sekalian ongkir ke jakarta")."""
    if _PRICE_NAMED_RE.search(a.norm):
        return True
    for clause in _CLAUSES_RE.split(a.raw):
        n = normalize(clause)
        if _ASKS_AMOUNT_RE.search(n) and not _SHIPPING_WORDS_RE.search(n):
            return True
    return False


def _kb_lines(ctx: ToolContext, query: str) -> list[str]:
    kb = tools.knowledge_search(ctx, query=query, limit=1)
    return kb["results"][0]["sentences"] if kb["results"] else []


def _free_rule_only(ctx: ToolContext, v: Voice) -> Outcome:
    rule = ctx.settings.get("shipping", {}).get("free_shipping") or {}
    if rule.get("cities"):
        ctx.record("free_shipping_rule", {}, dict(rule))
        cities = " & ".join(rule["cities"])
        return Outcome(
            v.say("shipping.free_rule_ask_city", cities=cities, min=rp(int(rule.get("min_subtotal") or 0)))
        )
    lines = _kb_lines(ctx, "gratis ongkir pengiriman")
    return Outcome(_join(*lines) or v.say("shipping.ask_city"))


# --- orders ---------------------------------------------------------------------------------------


def _order_create(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    draft = memory.draft
    if plan.mode == Mode.CANCEL:
        return Outcome(v.say("order.cancelled") + " " + cta(v, "more"), memory={"draft": None})
    if plan.mode == Mode.EDIT and draft and plan.lines:
        return _edit_draft(ctx, v, plan, memory, dict(draft))
    if plan.mode == Mode.EDIT and draft and plan.res.products:
        # "tambah 1 peci" where several products are "peci": which one, then added to this same draft
        choices = plan.res.products[:5]
        pending = {
            "skus": [p.sku for p in choices],
            "quantity": plan.quantity or 1,
            "stated": bool(plan.quantity),
        }
        text = _list_products(ctx, v, choices, v.say("draft.add_which"))
        return Outcome(text, memory={**_focus(choices), "draft": {**draft, "pending_add": pending}})
    if plan.mode == Mode.CONFIRM and draft and draft.get("awaiting", DraftSlot.CONFIRM) == DraftSlot.CONFIRM:
        return _confirm_draft(ctx, v, draft)
    if plan.mode in (Mode.CONFIRM, Mode.SLOT) and draft:
        draft = _fill_slots(ctx, plan, dict(draft))
        return _advance_draft(ctx, v, draft, plan, memory, head=None)
    res = plan.res
    if plan.lines:
        # "fiqih 2 sama sirah 1": one draft with a line for each product named, each with its own count
        chosen = [ln.product for ln in plan.lines]
        wanted = [
            {"sku": ln.product.sku, "quantity": ln.quantity, "unit_word": ln.unit_word} for ln in plan.lines
        ]
    else:
        if res.not_found and not res.products:
            return Outcome(_not_found(v, plan, ctx))
        if not res.products:
            return Outcome(v.say("order.which"))
        if not res.confident:
            intro = v.say("order.choose")
            return Outcome(_join(_list_products(ctx, v, res.products, intro)), memory=_focus(res.products))
        p = res.products[0]
        chosen = [p]
        wanted = [{"sku": p.sku, "quantity": plan.quantity or 1, "unit_word": plan.unit_word}]
    d = tools.create_order_draft(ctx, items=wanted)
    head = _draft_head(v, "order.summary", d)
    # "pesan 2 peci kirim ke Surabaya" / "... diambil di toko": what the first message already says counts.
    d = _fill_slots(ctx, plan, {**d, "ship": {}, "awaiting": DraftSlot.FULFILMENT})
    out = _advance_draft(ctx, v, d, plan, memory, head=head)
    out.memory = {**_focus(chosen), **out.memory}
    return out


def _draft_head(v: Voice, intro: str, d: dict[str, Any]) -> list[str]:
    """A draft's lines (count × unit price = line total) under `intro`, with a note for each line the stock
    cannot fill."""
    head = [v.say(intro)]
    head.extend(
        f"• {line['quantity']} × {line['name']} @{rp(line['unit_price'])} = {rp(line['total'])}"
        for line in d["items"]
    )
    for prob in d["problems"]:
        if prob["available"] <= 0:
            head.append(v.say("order.note_preorder", name=prob["name"]))
        else:
            head.append(v.say("order.note_short", name=prob["name"], available=prob["available"]))
    return head


def _edit_draft(
    ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory, draft: dict[str, Any]
) -> Outcome:
    """ "tambah 1 peci" adds to the open draft (to its line when the product is in it already), "yang sirah jadi
    2" sets a line's count; the lines are priced again, the shipping re-quoted for the new weight, and the
    draft goes on from the slot it waited on."""
    wanted: dict[str, dict[str, Any]] = {
        it["sku"]: {
            "sku": it["sku"],
            "quantity": it.get("requested") or it["quantity"],
            "unit_word": it.get("unit_word"),
        }
        for it in draft.get("items") or []
    }
    for ln in plan.lines:
        sku = ln.product.sku
        if ln.change == "add" and sku in wanted:
            wanted[sku]["quantity"] = int(wanted[sku]["quantity"]) + ln.quantity
        else:
            wanted[sku] = {"sku": sku, "quantity": ln.quantity, "unit_word": ln.unit_word}
    d = tools.create_order_draft(ctx, items=list(wanted.values()))
    head = _draft_head(v, "draft.updated", d)
    draft = {**draft, **d}
    draft.pop("pending_add", None)
    if draft.get("awaiting") == DraftSlot.CONFIRM:
        draft["awaiting"] = DraftSlot.FULFILMENT  # asked again from the first slot still open
    out = _advance_draft(ctx, v, draft, plan, memory, head=head)
    out.memory = {**_focus([ln.product for ln in plan.lines]), **out.memory}
    return out


def _fill_slots(ctx: ToolContext, plan: Plan, draft: dict[str, Any]) -> dict[str, Any]:
    """Take what this message says about delivery, courier, address and name into the draft."""
    a = plan.analysis
    low = a.raw.lower()
    ship = dict(draft.get("ship") or {})
    awaiting = draft.get("awaiting")
    if nlu.PICKUP_RE.search(low):
        ship = {"method": Fulfilment.PICKUP}
    elif (
        awaiting == DraftSlot.ADDRESS
        and ship.get("method") == Fulfilment.DELIVERY
        and len(a.words) >= 3
        and (not a.city or a.city == ship.get("city"))
    ):
        ship["address"] = " ".join(a.raw.split())[:300]  # an address naming its own city
        _name_with_address(ctx, a.raw)
    elif a.city:
        if ship.get("city") != a.city:
            ship = {
                "method": Fulfilment.DELIVERY,
                "city": a.city,
                **({"weight_g": ship["weight_g"]} if ship.get("weight_g") else {}),
            }
        # "kirim ke Bandung pakai SiCepat": the courier named with the city is chosen once it is priced
        ship["courier_hint"] = low[:200]
    elif awaiting == DraftSlot.FULFILMENT and nlu.DELIVERY_RE.search(low):
        ship = {
            "method": Fulfilment.DELIVERY,
            **({"weight_g": ship["weight_g"]} if ship.get("weight_g") else {}),
        }
    elif awaiting == DraftSlot.COURIER and ship.get("options"):
        opts = ship["options"]
        chosen = None
        m = re.fullmatch(r"\s*(?:no\.?|nomor|yang)?\s*([1-9])\s*", low)
        if m and int(m.group(1)) <= len(opts):
            chosen = opts[int(m.group(1)) - 1]
        elif nlu.CHEAPEST_RE.search(low):
            chosen = opts[0]
        else:
            chosen = _named_courier(low, opts)
        if chosen is not None:
            ship.update(courier=chosen["courier"], service=chosen["service"])
    elif awaiting == DraftSlot.ADDRESS and ship.get("method") == Fulfilment.DELIVERY:
        ship["address"] = " ".join(a.raw.split())[:300]
        _name_with_address(ctx, a.raw)
    elif awaiting == DraftSlot.NAME:
        name = planner.extract_name(a.raw)
        if name:
            tools.set_customer_name(ctx, name=name)
    if a.weight_g and ship.get("method") != Fulfilment.PICKUP:
        ship["weight_g"] = a.weight_g
        ship.pop("courier", None)  # the price per option changes with the weight
    draft["ship"] = ship
    return draft


def _name_with_address(ctx: ToolContext, text: str) -> None:
    """ "Budi, Jl. Merdeka 10 Bandung": the name the address leads with is the order's name when none is known."""
    name = planner.name_before_address(text)
    if name and not tools.customer_name(ctx):
        tools.set_customer_name(ctx, name=name)


def _named_courier(low: str, opts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The option whose courier (and service, when named) the text names: "jne", "j&t", "sicepat reg"."""
    words = set(re.findall(r"[a-z0-9&]+", low.replace("j&t", "jnt").replace("j & t", "jnt")))
    chosen = None
    for o in opts:
        c = re.sub(r"[^a-z0-9]", "", o["courier"].lower().replace("&", "n"))
        if (c in words or o["courier"].lower() in words) and (
            chosen is None or o["service"].lower() in words
        ):
            chosen = o
    return chosen


def _advance_draft(
    ctx: ToolContext,
    v: Voice,
    draft: dict[str, Any],
    plan: Plan,
    memory: ConversationMemory,
    *,
    head: list[str] | None,
) -> Outcome:
    """Ask for the next thing the order needs — delivery or pick-up, the city, the courier, the address, the
    customer's name — one at a time; when nothing is missing, show the full total and ask for YA."""
    lines = list(head or [])
    ship = draft.setdefault("ship", {})
    items = [{"sku": it["sku"], "quantity": it["quantity"]} for it in draft.get("items") or []]

    draft.pop("pending_add", None)  # a product asked about to add is chosen right away or not at all

    def ask(slot: DraftSlot, *question: str) -> Outcome:
        draft["awaiting"] = slot
        if head:
            lines.append(f"Subtotal: {rp(draft['subtotal'])}")
        return Outcome(
            _join(*lines, *question), memory={"draft": draft, "quotes": {"total": draft["subtotal"]}}
        )

    if not ship.get("method"):
        return ask(DraftSlot.FULFILMENT, v.say("draft.ask_fulfilment"))
    if ship["method"] == Fulfilment.DELIVERY:
        if not ship.get("city"):
            return ask(DraftSlot.FULFILMENT, v.say("shipping.ask_city"))
        q = tools.shipping_quote(ctx, city=ship["city"], items=items, weight_g=ship.get("weight_g"))
        if not q["found"] or q["kg"] is None:
            ship["unpriced"] = True
        else:
            ship.pop("unpriced", None)
            ship["city"] = q["city"]
            ship["kg"] = q["kg"]
            ship["options"] = [
                {
                    "courier": o["courier"],
                    "service": o["service"],
                    "cost": o.get("cost", 0),
                    "etd_days": o.get("etd_days"),
                }
                for o in q["options"][:5]
            ]
            ship["free"] = bool(q["free_shipping"])
            names = {(o["courier"], o["service"]) for o in ship["options"]}
            if (ship.get("courier"), ship.get("service")) not in names:
                ship.pop("courier", None)
                ship.pop("service", None)
            if not ship.get("courier") and (ship["free"] or len(ship["options"]) == 1):
                ship.update(courier=ship["options"][0]["courier"], service=ship["options"][0]["service"])
            hint = ship.pop("courier_hint", None)
            named = _named_courier(hint, ship["options"]) if hint and not ship.get("courier") else None
            if named is not None:
                ship.update(courier=named["courier"], service=named["service"])
            if not ship.get("courier"):
                weight = _weight_text(q["weight_g"] or 0, v)
                opts = [
                    f"{i}. {o['courier']} {o['service']}: {rp(o['cost'])}"
                    + (f" ({v.say('shipping.days', n=o['etd_days'])})" if o.get("etd_days") else "")
                    for i, o in enumerate(ship["options"], 1)
                ]
                return ask(
                    DraftSlot.COURIER,
                    v.say("draft.courier_head", city=q["city"], weight=weight, kg=q["kg"]),
                    *opts,
                    v.say("draft.which_courier"),
                )
        if not ship.get("address"):
            if head and ship.get("courier") and not ship.get("unpriced"):
                total = tools.draft_total(ctx, draft=draft)
                lines.append(f"Subtotal: {rp(draft['subtotal'])}")
                lines.append(_shipping_line(v, ship, total))
                lines.append(f"Total: {rp(total['total'])}")
                head = None  # the subtotal is already shown
            return ask(DraftSlot.ADDRESS, v.say("draft.ask_address", city=ship["city"]))
    if not tools.customer_name(ctx):
        # asked again after an answer that gave no name ("ya benar", "ok kak")
        again = draft.get("awaiting") == DraftSlot.NAME and plan.mode in (Mode.CONFIRM, Mode.SLOT)
        return ask(DraftSlot.NAME, v.say("draft.ask_name_again" if again else "draft.ask_name"))
    draft["awaiting"] = DraftSlot.CONFIRM
    total = tools.draft_total(ctx, draft=draft)
    lines.append("" if head else v.say("draft.summary"))
    if not head:
        lines.extend(
            f"• {it['quantity']} × {it['name']} @{rp(it['unit_price'])} = {rp(it['total'])}"
            for it in draft.get("items") or []
        )
    if ship["method"] == Fulfilment.PICKUP:
        lines.append(v.say("draft.pickup"))
    elif ship.get("unpriced"):
        lines.append(v.say("draft.unpriced", city=ship["city"]))
    else:
        lines.append(_shipping_line(v, ship, total))
    if ship.get("address"):
        lines.append(v.say("draft.address") + ship["address"])
    lines.append(v.say("draft.name") + tools.customer_name(ctx))
    lines.append(
        f"Total: {rp(total['total'])}" + (v.say("draft.excl_shipping") if ship.get("unpriced") else "")
    )
    lines.append(v.say("draft.confirm"))
    return Outcome(
        _join(*[ln for ln in lines if ln]), memory={"draft": draft, "quotes": {"total": total["total"]}}
    )


def _shipping_line(v: Voice, ship: dict[str, Any], total: dict[str, Any]) -> str:
    cost = v.say("draft.free") if total["free"] else rp(total["shipping"])
    return v.say(
        "draft.shipping_line",
        courier=ship["courier"],
        service=ship["service"],
        city=ship["city"],
        kg=ship["kg"],
        cost=cost,
    )


def _weight_text(grams: int, v: Voice) -> str:
    if grams < 1000:
        return v.say("weight", w=f"{grams} g")
    kg = f"{grams / 1000:.2f}".rstrip("0").rstrip(".")
    return v.say("weight", w=f"{kg if v.en else kg.replace('.', ',')} kg")


def _draft_shipping(draft: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The order's shipping request and a note for staff (a city without a rate is priced by staff)."""
    ship = draft.get("ship") or {}
    if ship.get("method") == Fulfilment.PICKUP:
        return {"method": Fulfilment.PICKUP}, ""
    if ship.get("method") == Fulfilment.DELIVERY and ship.get("city"):
        if ship.get("unpriced"):
            return (
                None,
                f"Kirim ke {ship['city']}: {ship.get('address', '')} — ongkir belum ada di tarif, atur di "
                f"halaman pesanan.",
            )
        return {k: ship[k] for k in ("city", "courier", "service", "address", "weight_g") if ship.get(k)}, ""
    return None, ""


def _confirm_draft(ctx: ToolContext, v: Voice, draft: dict[str, Any]) -> Outcome:
    shipping, note = _draft_shipping(draft)
    draft = {**draft, "shipping": shipping, "notes": note}
    result = confirm_chat_order(ctx.db, business=ctx.business, conversation=ctx.conversation, draft=draft)
    ctx.record("create_order", {"confirm": True, "items": draft.get("items"), "shipping": shipping}, result)
    if not result.get("number"):
        return Outcome(
            v.say("order.failed", error=result.get("error") or v.say("order.try_again")),
            memory={"draft": None},
            answered=False,
        )
    cost = int(result.get("shipping_cost") or 0)
    text = v.say("order.created", number=result["number"], total=rp(result["total"]))
    if shipping and shipping.get("method") == Fulfilment.PICKUP:
        text += v.say("order.total_pickup")
    elif shipping and cost:
        text += v.say("order.total_with_shipping", cost=rp(cost))
    elif shipping:
        text += v.say("order.total_free_shipping")
    else:
        text += v.say("order.total_no_shipping")
    if result.get("payment_url"):
        text += v.say("order.payment_link") + result["payment_url"]
    elif result.get("payment_link_pending"):
        text += v.say("order.link_follows")
    else:
        text += v.say("order.shipping_and_payment_by_staff" if note else "order.payment_by_staff")
    return Outcome(text, memory={"draft": None, "last_order": result.get("number")})


def with_payment_link(text: str, url: str) -> str:
    """The confirmation reply with the link in place of "the link follows" (messages `order.link_follows`,
    `order.link_line`), in the language the reply was written in."""
    for lang in messages.LANGS:
        sentence = messages.wordings("order.link_follows", lang)[0]
        if sentence in text:
            return text.replace(sentence, messages.wordings("order.link_line", lang)[0] + url, 1)
    return text + messages.wordings("order.link_line", "id")[0] + url


def _order_status(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    number = plan.analysis.order_number
    r = tools.order_lookup(ctx, order_number=number)
    states = tools.ORDER_STATUS_TEXT["en" if v.en else "id"]
    if not r["found"]:
        if number:
            return Outcome(v.say("status.not_found", number=number))
        return Outcome(v.say("status.ask_number"))
    lines = []
    for o in r["orders"][:3]:
        st = states.get(o["status"], o["status"])
        line = v.say("status.line", number=o["number"], status=st, total=rp(o["total"]))
        if o.get("payment_url"):
            line += v.say("status.payment_link") + o["payment_url"]
        track = o["shipping"].get("resi") or o["shipping"].get("tracking_number")
        if track:
            line += f" Resi: {track}."
        lines.append(line)
    return Outcome(_join(*lines, cta(v, "more")))


def _payment(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    a = plan.analysis
    info = tools.payment_info(ctx, question=a.norm)
    lines: list[str] = []
    paid_claim = any(w in a.words for w in ("sudah", "udah", "already")) and any(
        w in a.words for w in ("transfer", "bayar", "paid", "lunas")
    )
    proof = (
        tools.attach_transfer_proof(ctx, order_number=plan.entities.get("order_number"))
        if paid_claim or "bukti" in a.words or "proof" in a.words
        else None
    )
    if proof and proof.get("attached"):
        text = v.say("payment.proof_received", number=proof["order_number"], total=rp(proof["total"]))
        return Outcome(_join(text, v.after_hours_note()))
    if proof and proof.get("already_received"):
        text = v.say("payment.proof_again")
        return Outcome(_join(text, v.after_hours_note()))
    if paid_claim:
        lines.append(v.say("payment.paid_claim"))
    kb = [s for r in info["policy"][:1] for s in r["sentences"]]
    lines.extend(kb)
    for o in info["pending_orders"][:1]:
        if o.get("payment_url"):
            lines.append(
                v.say("payment.awaiting", number=o["number"], total=rp(o["total"])) + o["payment_url"]
            )
    if not lines:
        return Outcome(v.say("payment.details_by_staff"), answered=False)
    return Outcome(_join(*lines, v.after_hours_note() if paid_claim else ""))


# --- print shop -----------------------------------------------------------------------------------


def _print_quote_reply(
    ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory, *, asked_price: bool
) -> Outcome:
    spec = plan.print_spec
    pages = spec.get("pages")
    if asked_price and not pages and spec.get("document_type") in tools.SINGLE_SHEET_DOCUMENTS:
        pages = 1  # "fotokopi KTP 20 lembar berapa?": 20 copies of one sheet (a total only when asked)
    q = tools.print_quote(
        ctx,
        document_type=spec.get("document_type"),
        pages=pages,
        copies=spec.get("copies"),
        color=spec.get("color"),
        binding=spec.get("binding"),
        express=bool(spec.get("express")),
        paper_size=spec.get("paper_size"),
        duplex=bool(spec.get("duplex")),
        paper_gsm=spec.get("paper_gsm"),
        cover_colour=spec.get("cover_colour"),
        photo=bool(spec.get("photo")),
        colour_pages=spec.get("colour_pages"),
    )
    if q.get("sizes"):  # a paper size the shop's price list does not have
        sizes = ", ".join(q["sizes"])
        return Outcome(
            v.say("print.no_size", size=q["paper_size"], sizes=sizes),
            memory={"print_spec": {k: val for k, val in spec.items() if k != "paper_size"}},
        )
    if asked_price and not q["complete"]:
        binding_lines = _binding_only_lines(v, plan, q)
        if binding_lines:
            return Outcome(_join(*binding_lines), memory={"print_spec": spec})
    doc = spec.get("document_type") or v.say("print.document")
    doc = {"ktp": "KTP"}.get(doc, doc)
    single_sheet = spec.get("document_type") in ("ktp", "ijazah")
    copying = any(w.startswith(("fotokopi", "difotokopi")) for w in plan.analysis.words)  # "fotokopiin"
    verb = v.say("print.verb.copy" if copying else "print.verb.print")
    copies = q["copies"]
    lines: list[str] = []
    rate_name = v.say(f"print.rate.{q['rate']}")
    if q["complete"]:
        lines.append(v.say("print.estimate", doc=doc, pages=q["pages"], copies=copies))
        size = q.get("paper_size") or "A4"
        label = rate_name if size == "A4" else f"{rate_name} {size}"
        discount = (
            f" − {q['duplex_discount_pct']}% {v.say('print.duplex')}" if q.get("duplex_discount_pct") else ""
        )
        # some pages at another rate (colour, photo): a line for each part
        for part in q.get("print_lines") or [
            {"rate": q["rate"], "pages": q["pages"], "per_page": q["per_page"], "cost": q["print_cost"]}
        ]:
            name = v.say(f"print.rate.{part['rate']}")
            label = name if size == "A4" else f"{name} {size}"
            lines.append(
                f"• Print ({label}): {part['pages']} × {copies} × {rp(part['per_page'])}{discount} = "
                f"{rp(part['cost'])}"
            )
        if q.get("paper_cost"):
            lines.append(
                v.say(
                    "print.paper_line",
                    gsm=q["paper_gsm"],
                    sheets=q["pages"] * copies,
                    price=rp(q["paper_gsm_price"]),
                    cost=rp(q["paper_cost"]),
                )
            )
        if q["binding_cost"]:
            lines.append(
                f"• {v.say('print.binding')} {q['binding']}: {copies} × {rp(q['binding_price'])} = "
                f"{rp(q['binding_cost'])}"
            )
        if q.get("cover_colour_cost"):
            lines.append(
                v.say(
                    "print.cover_colour_line",
                    colour=q["cover_colour"],
                    copies=copies,
                    price=rp(q["cover_colour_price"]),
                    cost=rp(q["cover_colour_cost"]),
                )
            )
        if q.get("express_cost"):
            lines.append(f"• Express (+{q['express_surcharge_pct']}%): {rp(q['express_cost'])}")
        if q.get("minimum_adjustment"):
            lines.append(v.say("print.minimum", min=rp(q["minimum_charge"])))
        lines.append(f"Total: {rp(q['total'])}")
        # "fotokopi KTP 20 lembar + laminating 2 kartu": another service asked in the same message
        lines.extend(_other_services(ctx, v, plan, int(q["total"])))
    else:
        what = f"{doc} {copies} {v.say('print.unit.sheets' if single_sheet else 'print.unit.copies')}"
        if spec.get("binding") and spec["binding"] != "none":
            what += v.say("print.with_binding", binding=spec["binding"])
        if spec.get("color") is True:
            what += v.say("print.with_colour")
        lines.append(v.say("print.noted", verb=verb, what=what))
        rate_line = v.say("print.rate", verb=verb, rate=rate_name, price=rp(q["per_page"]))
        if spec.get("binding") and spec["binding"] != "none" and q["binding_price"]:
            rate_line += v.say("print.rate_binding", binding=spec["binding"], price=rp(q["binding_price"]))
        lines.append(rate_line + ".")
        if q.get("paper_gsm_price"):
            lines.append(v.say("print.paper_rate", gsm=q["paper_gsm"], price=rp(q["paper_gsm_price"])))
        if q.get("cover_colour"):
            lines.append(_cover_colour_text(v, q))
        lines.append(v.say("print.send_photo" if single_sheet else "print.send_file"))
    mem = {"print_spec": spec}
    if asked_price and not q["complete"]:
        lines.append(v.say("print.ask_pages"))
    elif not asked_price:
        lines.append(_next_print_question(v, spec))
    return Outcome(_join(*lines), memory=mem)


def _other_services(ctx: ToolContext, v: Voice, plan: Plan, print_total: int) -> list[str]:
    """The other services (laminating, scanning) a print request names in a part of its own ("+ laminating 2
    kartu"): each at its catalogue price × the part's count, with the total of everything; a service the shop
    has no price for is said to be confirmed by staff, never priced."""
    a = plan.analysis
    named = [w for w in dict.fromkeys(a.words) if w in planner._OTHER_SERVICES]
    if not named:
        return []
    out: list[str] = []
    grand = print_total
    for word in named:
        part = next(
            (x for x in planner._ITEM_SPLIT_RE.split(a.raw) if x and word in normalize(x).split()), ""
        )
        count = next((val for _, val in nlu.analyze(part).numbers), None) or 1
        found = tools.search_products(ctx, query=word, limit=3)["products"]
        item = next((p for p in found if word in normalize(str(p.get("name") or "")).split()), None)
        price = item.get("effective_price") if item else None
        if not item or not isinstance(price, int):
            out.append(v.say("print.other_service_unlisted", service=word))
            grand = -1
            continue
        out.append(
            v.say(
                "print.other_service_line",
                name=item["name"],
                count=count,
                price=rp(price),
                cost=rp(count * price),
            )
        )
        if grand >= 0:
            grand += count * price
    if grand >= 0:
        out.append(v.say("print.grand_total", total=rp(grand)))
    return out


# Words that ask for printing or copying, not only for binding ("print", "cetak", "fotokopiin", "ngeprint").
_PRINT_JOB_PREFIXES = (
    "print",
    "cetak",
    "dicetak",
    "ngeprint",
    "fotokopi",
    "difotokopi",
    "fotocopy",
)


def _binding_only_lines(v: Voice, plan: Plan, q: dict[str, Any]) -> list[str] | None:
    """The price of binding (or of a cover colour) asked with no printing and no page count ("jilid spiral 3
    buku berapa?", "cover warna custom hijau nambah berapa?"): the binding for the books counted, from the price
    list, with printing priced per page apart. None when the message asks for printing too, or the binding has
    no price."""
    spec = plan.print_spec
    if any(w.startswith(_PRINT_JOB_PREFIXES) for w in plan.analysis.words):
        return None
    binding = spec.get("binding") if spec.get("binding") != "none" else None
    binding_price = int(q.get("binding_price") or 0) if binding else 0
    paper = _paper_weight_text(v, q)
    if not binding_price and not q.get("cover_colour") and not paper:
        return None
    books = spec.get("copies")
    lines: list[str] = [paper] if paper else []
    costs: list[int] = []
    if binding_price and books:
        lines.append(
            v.say(
                "print.binding_total",
                binding=binding,
                books=books,
                price=rp(binding_price),
                cost=rp(books * binding_price),
            )
        )
        costs.append(books * binding_price)
    elif binding_price:
        lines.append(v.say("print.binding_each", binding=binding, price=rp(binding_price)))
    # several bindings named ("bedanya soft cover sama spiral berapa"): the price of each of them
    for other in nlu.named_bindings(plan.analysis.norm) if binding_price else []:
        price = int((q.get("bindings") or {}).get(other) or 0)
        if other == binding or not price:
            continue
        if books:
            cost = books * price
            lines.append(
                v.say("print.binding_total", binding=other, books=books, price=rp(price), cost=rp(cost))
            )
        else:
            lines.append(v.say("print.binding_each", binding=other, price=rp(price)))
    if q.get("cover_colour"):
        lines.append(_cover_colour_text(v, q))
        surcharge = int(q.get("cover_colour_price") or 0)
        if surcharge and books:
            lines.append(
                v.say(
                    "print.cover_colour_line",
                    colour=q["cover_colour"],
                    copies=books,
                    price=rp(surcharge),
                    cost=rp(books * surcharge),
                )
            )
            costs.append(books * surcharge)
    if len(costs) > 1:
        lines.append(f"Total: {rp(sum(costs))}")
    rate = v.say(f"print.rate.{q['rate']}")
    lines.append(v.say("print.printing_apart", rate=rate, price=rp(q["per_page"])))
    return lines


def _paper_weight_text(v: Voice, q: dict[str, Any]) -> str:
    """What the price list says about the paper weight asked for: its surcharge per page, no surcharge, or that
    the list does not have it (and which weights it has); "" when no weight was asked or the shop prices none."""
    gsms = ", ".join(str(g) for g in q.get("paper_gsms") or [])
    if q.get("paper_gsm_unknown") and gsms:
        return v.say("print.paper_unknown", gsm=q["paper_gsm_unknown"], gsms=gsms)
    if q.get("paper_gsm") is None:
        return ""
    if q.get("paper_gsm_price"):
        return v.say("print.paper_rate", gsm=q["paper_gsm"], price=rp(q["paper_gsm_price"]))
    return v.say("print.paper_free", gsm=q["paper_gsm"])


def _cover_colour_text(v: Voice, q: dict[str, Any]) -> str:
    """What the price list says about the cover colour asked for: a standard colour costs nothing extra,
    any other one the list's surcharge per book."""
    if q.get("cover_colour_standard"):
        return v.say("print.cover_colour_standard", colour=q["cover_colour"])
    return v.say(
        "print.cover_colour_custom",
        colour=q["cover_colour"],
        price=rp(q["cover_colour_price"]),
        colours=", ".join(q.get("cover_colours") or []),
    )


def _next_print_question(v: Voice, spec: dict[str, Any]) -> str:
    """The one detail of a print order still missing, asked alone (copies, then binding for a thesis, then
    colour); "" when nothing is missing. Pages come from the file the customer sends."""
    doc = spec.get("document_type")
    if doc in tools.SINGLE_SHEET_DOCUMENTS:
        return ""
    if not spec.get("copies"):
        return v.say("print.ask_copies")
    if doc in ("skripsi", "tesis", "disertasi") and not spec.get("binding"):
        return v.say("print.ask_binding")
    if spec.get("color") is None:
        return v.say("print.ask_colour")
    return ""


def _print_order(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    return _print_quote_reply(ctx, v, plan, memory, asked_price=False)


# --- complaints and handoff -----------------------------------------------------------------------

# the words of a complaint about waiting (for goods or a job)
_LATE_RE = re.compile(r"\b(?:belum|lambat|lama|lelet|datang|sampai|ilang|hilang|nunggu|menunggu)\b")
# the words of goods bought and sent (a parcel on its way), as against a job made for the customer at the shop
_SHIPMENT_WORDS_RE = re.compile(
    r"\b(?:paket\w*|kiriman\w*|dikirim\w*|pengiriman\w*|kurir\w*|ekspedisi|resi\w*|datang\w*|nyampe|"
    r"sampai(?! (?:sekarang|saat ini|detik ini|kini|hari ini|jam|pukul))|diterima|parcel|package|delivered|"
    r"delivery|shipped|shipping|courier|tracking|arrived|beli|membeli|dibeli|bought|purchased)\b"
)
# the words of a job made for the customer: printing, copying, binding their file, and printed matter
_JOB_WORDS_RE = re.compile(
    r"\b(?:print\w*|cetak\w*|dicetak|fotokopi\w*|jilid\w*|dijilid|reprint\w*|file\w*|dikerjain|dikerjakan|"
    r"pengerjaan\w*|brosur|poster|banner|spanduk|flyer|pamflet|leaflet|undangan|stiker|sticker)\b"
)
# what can be wrong with printing (a job's or a book's): patchy, faint, streaked, blurred, cut off, askew
_PRINT_DEFECT_RE = re.compile(
    r"\b(?:belang|bergaris|garis\w*|buram|blur|burem|pudar|luntur|miring|terpotong|kepotong|terang|tipis|pucat|"
    r"samar|blobor|luber|tidak (?:jelas|kebaca|terbaca)|kurang jelas|light|faint|washed|streak\w*|smeared|blurry|"
    r"readable|legible|crooked|cut off|salah|keliru|wrong|kacau|berantakan|kosong|blank)\b"
)


def handoff_notice(v: Voice, reason: str) -> str:
    key = {"complaint": "handoff.complaint", "unanswered": "handoff.unanswered"}.get(
        reason, "handoff.request"
    )
    return _join(v.say(key), v.after_hours_note())


def _handoff(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    tools.handoff(ctx, reason="customer_request")
    return Outcome(handoff_notice(v, "request"), handoff=True, handoff_reason="customer_request")


def _complaint(ctx: ToolContext, v: Voice, plan: Plan, memory: ConversationMemory) -> Outcome:
    """Apologise, look up the customer's latest order and hand the conversation to staff with that order
    attached (the handoff reason names it), so a person follows up on every complaint."""
    a = plan.analysis
    looked = tools.order_lookup(ctx, order_number=a.order_number)
    order = looked["orders"][0] if looked["found"] else None
    number = order["number"] if order else None
    reason = f"complaint {number}" if number else "complaint"
    tools.handoff(ctx, reason=reason)
    if plan.angry:
        text = handoff_notice(v, "complaint")
        if number:
            text += "\n" + v.say("complaint.order_attached", number=number)
        return Outcome(text, handoff=True, handoff_reason=reason, memory={"complaint_order": number})
    damaged = any(
        w in a.words
        for w in (
            "rusak",
            "sobek",
            "robek",
            "cacat",
            "pecah",
            "penyok",
            "luntur",
            "salah",
            "broken",
            "damaged",
            "torn",
            "wrong",
            "lecet",
            "basah",
            "noda",
            "bolong",
            "pudar",
            "kebalik",
            "terbalik",
            "beda",
        )
    )
    late = bool(_LATE_RE.search(a.norm))
    # what the complaint is about: goods on their way (a parcel, a courier), or a job made for the customer (a
    # print, a copy, a binding) that is no parcel; the reply asks after the one it is about
    shipped = bool(_SHIPMENT_WORDS_RE.search(a.norm))
    job = not shipped and (
        "print_verb" in a.signals
        or bool(a.print_spec.get("document_type"))
        or bool(_JOB_WORDS_RE.search(a.norm))
    )
    lines = [v.say("complaint.sorry")]
    if damaged or _PRINT_DEFECT_RE.search(a.norm):
        if job:
            lines.append(v.say("complaint.send_photo_job"))
        else:
            lines.extend(_kb_lines(ctx, "retur tukar barang cacat rusak"))
            lines.append(v.say("complaint.send_photo"))
    elif late and not number:
        # the delivery is asked after only when the complaint is about one
        key = "complaint.send_number" if shipped else "complaint.send_number_job"
        lines.append(v.say(key if shipped or job else "complaint.send_number_any"))
    if number:
        lines.append(v.say("complaint.passed_with_order", number=number))
    else:
        lines.append(v.say("complaint.passed"))
    return Outcome(
        _join(*lines, v.after_hours_note()),
        handoff=True,
        handoff_reason=reason,
        memory={"complaint_order": number},
    )
