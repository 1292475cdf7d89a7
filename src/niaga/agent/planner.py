"""Understanding one customer message in its conversation: which products it is about (retrieval +
products in focus from memory), which intent from the fixed list, which entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from niaga.agent import nlu
from niaga.agent.tools import ToolContext, products_by_ids
from niaga.catalog import search as catalog_search
from niaga.catalog.models import Product
from niaga.kit.lang import stem, tokens

# Words that describe the question, not the product (never product search terms).
NON_PRODUCT_WORDS = {
    "jam",
    "buka",
    "tutup",
    "alamat",
    "lokasi",
    "dimana",
    "mana",
    "lama",
    "selesai",
    "format",
    "file",
    "cara",
    "gratis",
    "umur",
    "usia",
    "tahun",
    "status",
    "pesanan",
    "bayar",
    "pembayaran",
    "transfer",
    "cod",
    "kirim",
    "ongkir",
    "rekomendasi",
    "saran",
    "tanya",
    "toko",
    "tokonya",
    "retur",
    "tukar",
    "refund",
    "garansi",
    "cocok",
    "bagus",
    "murah",
    "terlaris",
    "populer",
    "favorit",
    "apa",
    "saja",
    "aja",
    "dong",
    "kah",
    "gitu",
    "tahunan",
    "hari",
    "minggu",
    "bulan",
    "kurir",
    "ekspedisi",
    "sampai",
    "datang",
    "terima",
    "diterima",
    "kecewa",
    "banget",
    "tolong",
    "admin",
    "cs",
    "manusia",
    "bicara",
    "sambung",
    "berubah",
    "lagi",
    "ready",
    "stok",
    "habis",
    "kosong",
    "rp",
    "ribu",
    "rb",
    "k",
    "kg",
    "gram",
    "paket",
    "kirimnya",
    "ya",
    "how",
    "shipping",
    "available",
    "pcs",
    "orang",
    "old",
    "years",
    "year",
    "age",
    "best",
    "good",
    "rekomendasikan",
    "recommend",
    "recommendation",
    "boleh",
    "bisa",
    "sudah",
    "belum",
    "mohon",
    "info",
    "informasi",
    "detail",
    "spesifikasi",
    "keterangan",
    "tentang",
    "seperti",
    "gimana",
    "bagaimana",
    "where",
    "located",
    "store",
    "shop",
    "open",
    "close",
    "closing",
    "hours",
    "address",
    "location",
    "your",
    "paling",
    "termurah",
    "termahal",
    "mahal",
    "cheapest",
    "size",
    "sized",
    "version",
    "edition",
    "type",
    "kind",
    "one",
    "ones",
    "versi",
    "edisi",
    "tipe",
    "sekarang",
    "kira",
    "kisaran",
    "sih",
    "nih",
    "pengen",
    "please",
    "tell",
    "about",
    "price",
    "prices",
    "much",
    "many",
    "still",
    "stock",
    "sell",
    "selling",
    "balas",
    "balasnya",
    "respon",
    "lambat",
    "lewat",
    "via",
    "dikirimkan",
    "pengiriman",
    "kebijakan",
    "policy",
    "aturan",
    "ketentuan",
    "cukup",
    "buat",
    "butuh",
    "perlu",
    "need",
    "want",
    "like",
    "biasanya",
    "pakai",
    "pake",
    "have",
    "do",
    "you",
    "the",
    "for",
    "of",
    "is",
    "hadiah",
    "kado",
    "gift",
    "langsung",
    "sekalian",
    "juga",
    "kak",
    "min",
    "gan",
    "sis",
    "jasa",
    "lain",
    "lainnya",
    "other",
    "enough",
    "there",
    "are",
    "any",
    "does",
    "my",
    "me",
    "we",
    "this",
    "that",
    "can",
    "could",
    "would",
    "what",
    "which",
    "some",
    "with",
    "and",
}
PRODUCT_INTENTS = ("product_query", "price_check", "stock_check", "shipping_cost", "order_create")
_SKU_LIKE = re.compile(r"\b[A-Za-z]{2,}-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b")


@dataclass
class Resolution:
    products: list[Product] = field(default_factory=list)
    confident: bool = False
    from_focus: bool = False
    not_found: str | None = None  # what the customer asked for that the catalogue does not have
    alternatives: list[Product] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    matched_numbers: set[int] = field(default_factory=set)

    @property
    def product(self) -> Product | None:
        return self.products[0] if self.confident and self.products else None


@dataclass
class Plan:
    intent: str
    entities: dict[str, Any]
    analysis: nlu.Analysis
    res: Resolution
    quantity: int | None = None
    unit_word: str | None = None
    city: str | None = None
    print_spec: dict[str, Any] = field(default_factory=dict)
    mode: str = ""  # confirm|cancel|promo|recommend|inherit|print
    angry: bool = False


def _stopwords(ctx: ToolContext, cities: dict[str, str]) -> set[str]:
    return NON_PRODUCT_WORDS | set(cities) | set(nlu.CITY_ALIASES) | _COURIER_STOP


# Courier names and shipping words are never product search terms ("... kirim pakai SiCepat", "ship with J&T").
_COURIER_STOP = {
    "jne",
    "jnt",
    "sicepat",
    "anteraja",
    "tiki",
    "ninja",
    "gosend",
    "grabexpress",
    "ship",
    "send",
}


def _display_phrase(a: nlu.Analysis, stop: set[str]) -> str:
    words = [
        w
        for w in a.words
        if w not in catalog_search.QUERY_STOPWORDS
        and w not in stop
        and stem(w) not in catalog_search.QUERY_STOPWORDS
        and not w.isdigit()  # quantities are not part of what the customer looked for
    ]
    phrase = " ".join(words[:8])
    phrase = re.sub(r"\b([a-f]\d{1,2})\b", lambda m: m.group(1).upper(), phrase)
    return phrase.replace("quran", "Al-Quran")


def resolve_products(
    ctx: ToolContext, a: nlu.Analysis, memory: dict[str, Any], cities: dict[str, str]
) -> Resolution:
    db, bid = ctx.db, ctx.business_id
    ids = catalog_search.find_skus(db, business_id=bid, text=a.raw)
    if ids:
        return Resolution(products=products_by_ids(ctx, ids[:5]), confident=len(ids) == 1)
    m = _SKU_LIKE.search(a.raw)
    if m and re.search(r"\d", m.group(0)) and not nlu.ORDER_NUMBER_RE.search(m.group(0)):
        return Resolution(not_found=m.group(0).upper())  # another business's or a wrong SKU
    stop = _stopwords(ctx, cities)
    idx = catalog_search.get_index(db, business_id=bid)
    terms = idx.content_terms(a.norm, stop)
    focus = [int(x) for x in memory.get("focus") or []]
    if not terms:
        return Resolution(terms=[])
    followup = "followup" in a.signals or len(terms) <= 1
    if focus and followup:
        hits = catalog_search.search_products(
            db, business_id=bid, query=a.norm, limit=5, restrict_ids=focus, extra_stopwords=stop
        )
        full = [h for h in hits if h.coverage >= 0.99]
        if full:
            best = [h for h in full if h.score >= 0.75 * full[0].score]
            return Resolution(
                products=products_by_ids(ctx, [h.product_id for h in best]),
                confident=len(best) == 1,
                from_focus=True,
                terms=terms,
                matched_numbers={int(t) for t in full[0].matched if t.isdigit()},
            )
    focus_products = products_by_ids(ctx, focus) if focus and followup else []
    hits = catalog_search.search_products(
        db,
        business_id=bid,
        query=a.norm,
        limit=12,
        extra_stopwords=stop,
        boost_categories=[p.category or "" for p in focus_products],
    )
    # A descriptive word the catalogue has never seen ("sajadah motif *masjid*", "Al-Quran *braille*") means
    # the customer wants something we do not sell; answering with the nearest product would be wrong.
    unknown = [
        t
        for t in terms
        if not idx.bm25.vocab.expand(t)
        and ((t.isalpha() and len(t) >= 4) or re.fullmatch(r"[a-z]\d{1,2}", t))
    ]  # "braille", size "a3"
    variant = _variant_question(hits, terms)
    if variant is not None:
        # "mukena ada warna lain?": the product is there, the variant word is what is asked; never answer
        # "not available" while naming that same product as the alternative.
        return Resolution(products=products_by_ids(ctx, [variant]), confident=True, terms=terms)
    if hits and unknown and hits[0].coverage < 0.99:
        alts = products_by_ids(ctx, [h.product_id for h in hits if h.coverage >= 0.5][:3])
        return Resolution(not_found=_display_phrase(a, stop) or None, alternatives=alts, terms=terms)
    if (
        hits
        and hits[0].coverage < 0.99
        and any(re.fullmatch(r"[a-z]\d{1,2}", t) and t not in hits[0].matched for t in terms)
    ):
        # a size the best match does not have ("Quran ukuran A3")
        alts = products_by_ids(ctx, [h.product_id for h in hits if h.coverage >= 0.5][:3])
        return Resolution(not_found=_display_phrase(a, stop) or None, alternatives=alts, terms=terms)
    if not hits or hits[0].coverage < 0.6:
        alts = products_by_ids(ctx, [h.product_id for h in hits if h.coverage >= 0.5][:3]) if hits else []
        return Resolution(not_found=_display_phrase(a, stop) or None, alternatives=alts, terms=terms)
    top = hits[0]
    close = [h for h in hits if h.coverage >= top.coverage - 1e-9 and h.score >= 0.6 * top.score]
    focus_cats = {p.category for p in focus_products if p.category}
    if focus_cats and any(h.category in focus_cats for h in close):
        # "kalau yang saku?" after talking about Qurans means the Quran, not any pocket-size product.
        close = [h for h in close if h.category in focus_cats]
    category_query = set(terms) <= {stem(t) for t in tokens(top.category or "")}
    if len(close) > 1 and len(terms) >= 2 and not category_query and not (a.signals & {"recommend", "promo"}):
        # Several products match every word; the one whose name/category/tags carry all the words is the
        # one meant ("buku doa harian" is "Kumpulan Doa Harian", not a book whose description mentions
        # daily prayers). A bare category ("buku anak") or a recommendation request stays a list.
        def name_cov(h: catalog_search.ProductHit) -> float:
            text = " ".join([h.name, h.category or "", *idx.tags_of(h.product_id)])
            name = {stem(t) for t in tokens(text)}
            return sum(
                1 for t in h.terms if t in name or any(n.startswith(t) for n in name if len(t) >= 4)
            ) / max(len(h.terms), 1)

        covs = sorted(((name_cov(h), h) for h in close), key=lambda x: -x[0])
        if covs[0][0] >= 0.99 and covs[1][0] < covs[0][0] - 0.3:
            close = [covs[0][1]]
    if len(close) > 1 and len(terms) == 1 and "order_verb" in a.signals:
        # "order 3 peci": an order is for one product; the one whose own name is that word is meant
        # (not a product that only carries it as a category or tag).
        named = [h for h in close if terms[0] in {stem(t) for t in tokens(h.name)}]
        if len(named) == 1:
            close = named
    products = products_by_ids(ctx, [h.product_id for h in close[:8]])
    return Resolution(
        products=products,
        confident=len(close) == 1,
        terms=terms,
        matched_numbers={int(t) for t in top.matched if t.isdigit()},
    )


# Words that ask for a variant of a product rather than name one.
VARIANT_WORDS = {"warna", "ukuran", "motif", "model", "tipe", "jenis", "varian", "size", "colour", "color"}


def _variant_question(hits: list[catalog_search.ProductHit], terms: list[str]) -> int | None:
    """The one product whose own name carries every term of the question except variant words."""
    rest = [t for t in terms if t not in VARIANT_WORDS]
    if not hits or len(rest) == len(terms) or not rest or hits[0].coverage >= 0.99:
        return None
    named = [h for h in hits if set(rest) <= {stem(t) for t in tokens(h.name)}]
    return named[0].product_id if len(named) == 1 else None


def has_product_strong(res: Resolution) -> bool:
    """A confident product that is not a print-shop service line (binding, per-page printing)."""
    p = res.product
    return p is not None and not (p.category or "").lower().startswith("jasa print")


# What a confirmed-looking order still needs before the customer can say YA (see replies._advance_draft).
DRAFT_SLOTS = ("fulfilment", "courier", "address", "name")
COURIER_WORDS = {
    "jne",
    "jnt",
    "j&t",
    "jt",
    "sicepat",
    "anteraja",
    "pos",
    "tiki",
    "ninja",
    "gosend",
    "grabexpress",
    "grab",
    "gojek",
    "lion",
    "wahana",
    "sap",
    "idexpress",
    "reg",
    "yes",
    "oke",
    "ok",
    "express",
    "kilat",
    "same",
    "instant",
    "sameday",
    "cargo",
    "jtr",
    "best",
}
_QUESTION_SIGNALS = {
    "price",
    "stock",
    "order_status",
    "payment",
    "store_info",
    "shipping",
    "promo",
    "recommend",
    "product_q",
    "duration",
}


def is_slot_answer(a: nlu.Analysis, awaiting: str) -> bool:
    """Whether this message answers the question the order draft is waiting on (delivery or pick-up, courier,
    address, name) rather than asking something new."""
    low = a.raw.lower()
    if nlu.PICKUP_RE.search(low) or (a.city and awaiting in ("fulfilment", "courier", "address")):
        return True
    question = "?" in a.raw or bool(_QUESTION_SIGNALS & a.signals)
    if awaiting == "fulfilment":
        return bool(nlu.DELIVERY_RE.search(low)) and not question
    if awaiting == "courier":
        words = set(re.findall(r"[a-z&]+", low))
        return (
            bool(words & COURIER_WORDS)
            or bool(nlu.CHEAPEST_RE.search(low))
            or bool(re.fullmatch(r"\s*(?:no\.?|nomor|yang)?\s*[1-9]\s*", low))
        )
    if awaiting == "address":
        return not question and len(a.words) >= 3
    if awaiting == "name":
        return not question and bool(extract_name(a.raw))
    return False


_NAME_LEAD = re.compile(
    r"^(?:nama(?: saya| aku| ku|nya)?|atas nama|a\.?\s?n\.?|saya|aku|dengan|namaku|my name is|"
    r"name)\s*[:,-]?\s*",
    re.I,
)


def extract_name(text: str) -> str:
    """A person's name from a short answer ("Budi", "atas nama Siti Aminah", "nama saya Andi ya kak")."""
    t = _NAME_LEAD.sub("", " ".join(text.split())).strip(" .,!")
    t = re.sub(r"\s+(?:ya|yah|kak|kakak|min|gan|sis|dong|aja|saja|deh)\b.*$", "", t, flags=re.I).strip(" .,!")
    words = t.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in t) or len(t) > 60:
        return ""
    if {w.lower() for w in words} & {
        "ya",
        "tidak",
        "gak",
        "nggak",
        "ok",
        "oke",
        "halo",
        "terima",
        "makasih",
        "batal",
        "jadi",
        "yes",
        "no",
        "sip",
    }:
        return ""
    return " ".join(w if w[:1].isupper() else w.capitalize() for w in words)


def decide_intent(
    a: nlu.Analysis, res: Resolution, memory: dict[str, Any], *, knowledge_hit: bool
) -> tuple[str, str]:
    """(intent, mode). Order matters: explicit requests first, then the most specific signal."""
    s = a.signals
    has_product = bool(res.products)
    focus = bool(memory.get("focus"))
    draft = memory.get("draft")
    spec_keys = any(k in a.print_spec for k in ("copies", "pages", "binding", "color"))
    print_ctx = bool(a.print_spec.get("document_type")) and (
        "print_verb" in s or (a.print_spec["document_type"] != "dokumen" and spec_keys)
    )
    print_words = {"print", "fotokopi", "prints"}
    service_line = res.product is None or (res.product.category or "").lower().startswith("jasa print")
    print_ctx = print_ctx or (bool(print_words & set(a.words)) and spec_keys and service_line)
    # "jilid spiral berapa?" in a shop whose binding is a print-shop price, not a catalogue product
    print_ctx = print_ctx or (
        "binding" in a.print_spec and "jilid" in a.words and res.product is None and not res.alternatives
    )
    if "empty" in s:
        return "other", ""
    if "handoff" in s:
        return "human_handoff", ""
    if draft and "cancel" in s:
        return "order_create", "cancel"
    awaiting = draft.get("awaiting") if isinstance(draft, dict) else None
    if awaiting in DRAFT_SLOTS and not has_product_strong(res) and is_slot_answer(a, awaiting):
        return "order_create", "slot"
    if draft and "confirm" in s and not has_product and "thanks" not in s:
        return "order_create", "confirm"
    if (
        memory.get("last_intent") == "print_order"
        and not has_product_strong(res)
        and any(k in a.print_spec for k in ("binding", "color", "duplex", "copies"))
        and "price" not in s
    ):
        return "print_order", "print"
    if "complaint" in s and ("conditional" not in s or "angry" in s):
        return "complaint", ""
    if "duration" in s and not ("shipping" in s or a.city):
        return "store_info", ""
    if "order_number" in s and "payment" not in s:
        return "order_status", ""
    if re.search(r"\b(?:ORD|INV)-?\d", a.raw, re.I) and "payment" not in s:
        return "order_status", ""  # an incomplete order number: ask for the full one
    if (
        "payment" in s
        and "store_info" in s
        and knowledge_hit
        and not has_product
        and re.search(r"\bjam berapa\b|\bsebelum jam\b|\bkapan\b|\bwhat time\b", a.norm)
    ):
        return "store_info", ""  # "dibayar jam berapa biar dikirim hari itu?": a policy question
    if "payment" in s and not (has_product and ("price" in s or "order" in s)):
        return "payment", ""
    if (
        "order_status" in s
        and "store_info" in s
        and re.search(r"\b(?:retur|tukar|refund|garansi|kebijakan|aturan|ketentuan|syarat|policy)\b", a.norm)
    ):
        return "store_info", ""  # "aturan retur barangnya gimana?": the policy, not an order's status
    if "order_status" in s:
        return "order_status", ""
    if "order_verb" in s and has_product_strong(res) and ("shipping" in s or a.city) and not print_ctx:
        return (
            "order_create",
            "",
        )  # "order 3 peci, kirim ke Bandung pakai SiCepat": the order, with its courier
    if "shipping" in s and "store_info" in s and not a.city and not has_product:
        return "store_info", ""  # "pengiriman pakai kurir apa aja?": the shipping policy, not a quote
    if "shipping" in s:
        return "shipping_cost", ""
    if "store_info" in s and not res.confident and not print_ctx:
        return "store_info", ""
    if "conditional" in s and knowledge_hit and not has_product and not print_ctx and not a.city:
        return "store_info", ""  # "kalau pesan sebelum jam 2, dikirim hari itu?": a policy question
    if print_ctx:
        if "price" in s:
            return "price_check", "print"
        return "print_order", "print"
    wants_product = has_product or res.not_found is not None
    if "stock" in s and (wants_product or focus):
        return "stock_check", ""
    if "order" in s and (wants_product or focus):
        return "order_create", ""
    if "print_verb" in s and res.product is not None and a.numbers and not ("price" in s or "stock" in s):
        return "order_create", ""  # "cetak undangan 200 pcs": ordering a catalogue print service
    if "price" in s and (wants_product or focus):
        return "price_check", ""
    if (
        has_product_strong(res)
        and _unit_quantity(a)
        and not (s & {"product_q", "recommend", "promo", "conditional"})
        and "?" not in a.raw
    ):
        return "order_create", ""  # "doa harian 3 biji": a product with a counted quantity is an order
    if "store_info" in s:
        return "store_info", ""
    if "promo" in s and not has_product:
        return "product_query", "promo"
    if "recommend" in s:
        return "product_query", "recommend"
    last = memory.get("last_intent")
    if (
        ("followup" in s or a.city)
        and focus
        and last in PRODUCT_INTENTS
        and not ("thanks" in s or "greeting" in s)
    ):
        if last == "shipping_cost" or (
            a.city and last != "shipping_cost" and "followup" in s and not has_product
        ):
            return "shipping_cost", "inherit"
        return last, "inherit"
    if (
        last == "print_order"
        and "followup" in s
        and any(k in a.print_spec for k in ("binding", "color", "copies"))
    ):
        return "print_order", "print"
    if "product_q" in s and (wants_product or "promo" not in s):
        if "thanks" in s and not wants_product:
            return "thanks", ""
        if "greeting" in s and not wants_product:
            return "greeting", ""
        return "product_query", "promo" if "promo" in s else ""
    if has_product and not ("thanks" in s or "greeting" in s):
        return "product_query", ""
    if "thanks" in s:
        return "thanks", ""
    if "greeting" in s:
        return "greeting", ""
    if "confirm" in s:
        return "other", "ack"  # "ok", "sip" with nothing pending: acknowledged, not a question
    if "stock" in s or "price" in s or "order" in s:
        return ("stock_check" if "stock" in s else "order_create" if "order" in s else "price_check"), "ask"
    if knowledge_hit:
        return "store_info", ""
    return "other", ""


def _unit_quantity(a: nlu.Analysis) -> bool:
    return any(i + 1 < len(a.words) and a.words[i + 1] in nlu.UNIT_WORDS for i, _ in a.numbers)


def build_plan(
    ctx: ToolContext, a: nlu.Analysis, memory: dict[str, Any], cities: dict[str, str], knowledge_hit: bool
) -> Plan:
    res = resolve_products(ctx, a, memory, cities)
    if res.product is not None and not res.from_focus:
        nlu.drop_signals_in_name(a, tokens(res.product.name))
    intent, mode = decide_intent(a, res, memory, knowledge_hit=knowledge_hit)
    if mode == "inherit" and not res.products and not res.not_found and memory.get("focus"):
        res = Resolution(products=products_by_ids(ctx, [int(x) for x in memory["focus"]]), from_focus=True)
        res.confident = len(res.products) == 1
    elif (
        intent in PRODUCT_INTENTS
        and not res.products
        and not res.not_found
        and memory.get("focus")
        and mode != "promo"
        and mode != "recommend"
    ):
        # "harganya?", "stoknya ada?", "ongkir ke Medan?" — the products in focus.
        res = Resolution(products=products_by_ids(ctx, [int(x) for x in memory["focus"]]), from_focus=True)
        res.confident = len(res.products) == 1
    product_words: set[str] = set()
    for p in res.products[:1]:
        product_words = {stem(t) for t in tokens(p.name)} | {t for t in tokens(p.name)}
    names = [tokens(p.name) for p in [*res.products, *res.alternatives]]
    qty = nlu.extract_quantity(
        a, exclude_values=res.matched_numbers, product_words=product_words, names=names
    )
    unit_word = None
    if qty is not None:
        for i, v in a.numbers:
            if v == qty and i + 1 < len(a.words):
                unit_word = a.words[i + 1] if a.words[i + 1] in nlu.UNIT_WORDS else None
                break
    entities: dict[str, Any] = {}
    if res.product is not None and intent in PRODUCT_INTENTS and mode != "print":
        entities["sku"] = res.product.sku
    if (
        intent in ("order_create", "stock_check", "price_check", "shipping_cost", "product_query")
        and qty
        and mode != "print"
    ):
        entities["quantity"] = qty
    city = a.city
    if city:
        entities["destination_city"] = city
    if a.order_number:
        entities["order_number"] = a.order_number
    spec = {}
    if mode == "print" or intent == "print_order":
        spec = dict(a.print_spec)
        if (
            memory.get("last_intent") == "print_order"
            and memory.get("print_spec")
            and (
                "followup" in a.signals
                or not spec.get("document_type")
                or spec.get("document_type") == memory["print_spec"].get("document_type")
            )
        ):
            spec = {**memory["print_spec"], **spec}  # "jilid spiral aja" changes the order being discussed
        for k in ("document_type", "copies", "binding", "color", "duplex", "pages", "paper_size"):
            if k in spec:
                entities[k] = spec[k]
    angry = "angry" in a.signals
    return Plan(
        intent=intent,
        entities=entities,
        analysis=a,
        res=res,
        quantity=qty,
        unit_word=unit_word,
        city=city,
        print_spec=spec,
        mode=mode,
        angry=angry,
    )
