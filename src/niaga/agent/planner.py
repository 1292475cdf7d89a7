"""Understanding one customer message in its conversation: which products it is about (retrieval +
products in focus from memory), which intent from the fixed list, which entities."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from niaga.agent import intent_model, nlu
from niaga.agent.enums import PRODUCT_INTENTS, DraftSlot, Intent, Mode
from niaga.agent.memory import ConversationMemory
from niaga.agent.tools import (
    ToolContext,
    catalogue_within_budget,
    courier_named,
    product_by_sku,
    products_by_ids,
)
from niaga.catalog import search as catalog_search
from niaga.catalog.models import Product
from niaga.kit.lang import ORDINARY_WORDS, stem, tokens

# Words that describe the question, not the product (never product search terms).
NON_PRODUCT_WORDS = {
    "jam",
    "buka",
    "tutup",
    "alamat",
    "lokasi",
    "dimana",
    "mana",
    "daerah",
    "sebelah",
    "kawasan",
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
    # making or having made ("kalau bikin kartu nama ..."): an order verb of a print job, no product word;
    # "kena berapa" (what it comes to) asks a price
    "bikin",
    "bikinin",
    "kena",
    # getting something with a purchase ("beli 5 dpt gratis ongkir?", "dapet bonus?"): what is asked, never a
    # word of the product's name
    "dapat",
    "dapet",
    "dpt",
    # the word that introduces a count ("jumlahnya 20 paket"): how many, not which product
    "jumlah",
    "jumlahnya",
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
    # English hedges and vague pronouns around what is asked ("anything for kids around 2-3, board books
    # maybe"): how sure the customer is, no product word
    "anything",
    "something",
    "around",
    "maybe",
    "perhaps",
    "roughly",
    "approximately",
    # connectives and fillers between the clauses of one message ("... trus kirim ke Palembang")
    "terus",
    "lalu",
    "kemudian",
    "jangan",
    "bot",
    "robot",
    # who the products are for ("arisan kami butuh ..."), and English particles of phrasal words ("fold-up")
    "kami",
    "kita",
    "up",
    # the price's kinds ("harga normal sama diskonnya"): what is asked about the product, not which product
    "normal",
    "diskon",
    # the customer's thinking or plan, and giving, told around the request ("kepikiran beli X", "rencananya
    # mau ngasih kado"): how they came to want the product, not which product
    "kepikiran",
    # advice asked ("ada tips ...?"): what kind of answer is wanted, no product word ("tips" is no "tipis")
    "tips",
    "tip",
    "trik",
    "kiat",
    "nasihat",
    "nasehat",
    "curhat",
    # taking goods said as having them packed ("bungkus X 3 ya"): the order's verb, no product word
    "bungkus",
    "bungkusin",
    "bungkuskan",
    "dibungkus",
    "kepikir",
    "terpikir",
    "terpikirkan",
    "rencana",
    "rencananya",
    "berencana",
    "niatnya",
    "ngasih",
    "ngasi",
    "memberi",
    "memberikan",
    "ngado",
    # formal address and politeness around a request ("Selamat siang, Bapak/Ibu. Saya bermaksud memesan ...
    # Mohon informasinya. Terima kasih atas perhatiannya"): whom the customer writes to and how, no product word
    "bapak",
    "ibu",
    "bpk",
    "ibunda",
    "saudara",
    "saudari",
    "sdr",
    "terhormat",
    "yth",
    "bermaksud",
    "maksud",
    "mengetahui",
    "ketahui",
    "menanyakan",
    "ditanyakan",
    "informasinya",
    "perhatian",
    "perhatiannya",
    "atas",
    "makasih",
    "sebanyak",
}
# Retrieval thresholds (shares of the question's content terms a product matched, and score ratios).
FULL_COVERAGE = 0.99  # the product matched every content word of the question
MIN_COVERAGE = 0.6  # below this the best product is not what was asked: "not available" + alternatives
ALTERNATIVE_COVERAGE = 0.5  # an alternative shown beside "not available" shares at least half the words
FOCUS_SCORE_RATIO = 0.75  # products in focus scoring within this share of the best are all meant
CLOSE_SCORE_RATIO = 0.6  # equally covering products scoring within this share of the best are candidates
NAME_COVERAGE_MARGIN = 0.3  # one candidate's own name must carry this much more of the question to win
# A knowledge document whose BM25 score reaches this (with a matched word) answers a policy question.
KNOWLEDGE_HIT_SCORE = 3.0

_SKU_LIKE = re.compile(r"\b[A-Za-z]{2,}-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b")
# an Indonesian ordinal or "one/whole" prefix written with a hyphen ("ke-60", "ke-2", "se-Jawa"): no product code
_ORDINAL_LIKE_CODE = re.compile(r"(?i)(?:ke|se)-[0-9a-z]+")


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
    intent: Intent
    entities: dict[str, Any]
    analysis: nlu.Analysis
    res: Resolution
    quantity: int | None = None
    unit_word: str | None = None
    city: str | None = None
    print_spec: dict[str, Any] = field(default_factory=dict)
    mode: Mode = Mode.NONE
    angry: bool = False
    lines: list[OrderLine] = field(default_factory=list)  # several products ordered or priced at once


@dataclass
class OrderLine:
    """One product of a message that names several, with its own count (1 when none is stated)."""

    product: Product
    quantity: int
    unit_word: str | None = None
    stated: bool = False  # the count was written, not implied
    change: str = ""  # with an order draft open: "add" to it, or "set" the line's count


def asks_each_price(lines: list[OrderLine], a: nlu.Analysis) -> bool:
    """Several products' prices asked with no count and not all together ("harga X, sama Y ya"): each one's
    price, no total."""
    return not any(ln.stated for ln in lines) and not _ALL_OF_THEM_RE.search(a.norm)


def _stopwords(ctx: ToolContext, cities: dict[str, str]) -> set[str]:
    return NON_PRODUCT_WORDS | set(cities) | set(nlu.CITY_ALIASES) | _COURIER_STOP | nlu.FOUND_VIA_WORDS


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
    # a courier's service and the destination's lead word ("pake JNE YES", "tujuan Medan, kurirnya JNE")
    "yes",
    "reg",
    "tujuan",
    "kurir",
    "ekspedisi",
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


# what the products are for, or why they are wanted ("soalnya mau buat hadiah", "karena buat kado")
_PURPOSE_WORDS = {"untuk", "for", "biar", "supaya", "agar", "soalnya", "karena", "karna", "krn", "because"}
# a remark that the variants are mixed or left open ("size campur", "warna random"): no product word
_VARIANT_LEADS = {"size", "ukuran", "warna", "motif", "model", "color", "colour"}
_VARIANT_OPEN = {"campur", "mix", "random", "acak", "bebas", "beda", "macam", "mixed"}
_MEASURE_LEADS = {"ukuran", "size", "panjang"}
_REQUEST_WORDS = {"tolong", "mohon", "please"}
# dimensions written as one word ("3x1", "2x1.5") and the length units after them
_DIMENSIONS_RE = re.compile(r"\d+(?:[.,]\d+)?x\d+(?:[.,]\d+)?")
_LENGTH_UNITS = {"m", "meter", "cm", "mm", "metre", "meters"}
# someone close to the customer named as the one asking, opening the message ("suami saya nanya ...", "mama sy
# mau tanya ...")
_ASKER_RE = re.compile(
    r"^(?:\w+ )?(?:suami|istri|mama|papa|mamah|ibu|bapak|ayah|abah|umi|adik|adek|kakak|kakakku|teman|temen|bos|"
    r"atasan|tetangga|saudara|mertua)(?: saya| aku| ku)? (?:lagi |mau |ingin |minta )?(?:nanya|tanya|bertanya|"
    r"menanyakan|nanyain|titip tanya)\b"
)
_PURPOSE_SPAN = 3  # content words a purpose phrase ("buat seragam kantor") carries at most
_PHRASE_BREAKS = {"dan", "and", "atau", "or", "serta", "sama", "juga", "tapi", "terus", "lalu"}


def context_words(a: nlu.Analysis, stop: set[str]) -> set[str]:
    """Words of the message that say what the products are for or how many, not which product: a purpose
    phrase ("buat santri", "utk jamaah", "for my mother") and a quantity or measure ("25", "10 pcs",
    "ukuran 2 meter", "ada 20"). They cannot make a product the customer named unavailable."""
    words = a.words
    out: set[str] = set()
    asker = _ASKER_RE.match(a.norm)
    if asker:
        # "suami saya nanya X ...", "mama sy mau tanya X": who asks on whose behalf, no product word
        out.update(asker.group(0).split())
    for m in nlu.MEASURE_ASKED_RE.finditer(a.norm):
        # "ukurannya brp meter?": the measure asked and its unit, no product word
        out.update(m.group(0).split())
        after = a.norm[m.end() :].split()[:1]
        out.update(w for w in after if w in _LENGTH_UNITS or w in nlu.UNIT_WORDS)
    for i, w in enumerate(words):
        if w in _PURPOSE_WORDS and i not in a.clause_ends:
            # the phrase runs to the end of its clause: its content words, at most _PURPOSE_SPAN of them
            span: list[str] = []
            for j in range(i + 1, len(words)):
                x = words[j]
                if x.isdigit() or x in _PURPOSE_WORDS or x in _PHRASE_BREAKS or len(span) == _PURPOSE_SPAN:
                    break
                if x not in stop and x not in catalog_search.QUERY_STOPWORDS:
                    span.append(x)
                if j in a.clause_ends:
                    break
            out.update(span)
            out.add(w)  # "biar cepet": the purpose word itself is no product word either
        elif w in _VARIANT_LEADS and i + 1 < len(words) and words[i + 1] in _VARIANT_OPEN:
            out.update((w, words[i + 1]))
        elif w in _REQUEST_WORDS and i + 1 < len(words) and i not in a.clause_ends:
            out.add(words[i + 1])  # "tolong bungkusin ...": what is asked done, not what is asked for
        elif w in nlu.ORDER_VERB_WORDS and _names_after_count(a, i + 1, stop):
            # "arisan kami butuh 25 dress": who needs them, before the verb of a count followed by the
            # product's words, is no product word
            start = max((e + 1 for e in a.clause_ends if e < i), default=0)
            out.update(words[start:i])
        elif _DIMENSIONS_RE.fullmatch(w):
            # "ukuran 3x1 meter": the dimensions of what is wanted, with their lead and length unit
            out.add(w)
            if i > 0 and words[i - 1] in _MEASURE_LEADS:
                out.add(words[i - 1])
            if i + 1 < len(words) and words[i + 1] in _LENGTH_UNITS:
                out.add(words[i + 1])
        elif w.isdigit():
            prv = words[i - 1] if i > 0 else ""
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in nlu.UNIT_WORDS:
                out.update((w, nxt))
                if prv in _MEASURE_LEADS:
                    out.add(prv)
            elif prv in nlu.ORDER_VERB_WORDS or prv in nlu.STOCK_CUE_WORDS:
                out.add(w)
            elif prv in nlu.COUNT_LABEL_WORDS:
                out.update((prv, w))  # "sebanyak 4": the label of the count is no product word either
                if i + 2 < len(words) and nxt in nlu.UNIT_WORDS:
                    out.add(nxt)
            elif prv == "x":
                out.update((prv, w))  # "x3": a times sign and its count
    return out


def _names_after_count(a: nlu.Analysis, i: int, stop: set[str]) -> bool:
    """Whether words[i] is a count followed, in its clause (after a unit), by a word that can name a product."""
    words = a.words
    if i >= len(words) or not words[i].isdigit() or i in a.clause_ends:
        return False
    j = i + 1
    if j < len(words) and words[j] in nlu.UNIT_WORDS:
        if j in a.clause_ends:
            return False
        j += 1
    return (
        j < len(words)
        and words[j] not in _PURPOSE_WORDS
        # "butuh 3 lusin ukuran L": a size or colour after the count describes the product named before it
        and words[j] not in _VARIANT_LEADS
        and words[j] not in _MEASURE_LEADS
        and words[j] not in stop
        and words[j] not in catalog_search.QUERY_STOPWORDS
    )


def resolve_products(
    ctx: ToolContext, a: nlu.Analysis, memory: ConversationMemory, cities: dict[str, str]
) -> Resolution:
    db, bid = ctx.db, ctx.business_id
    ids = catalog_search.find_skus(db, business_id=bid, text=a.raw)
    if ids:
        return Resolution(products=products_by_ids(ctx, ids[:5]), confident=len(ids) == 1)
    # "ibu sy yg ke-60", "juara ke-2": an Indonesian ordinal is no product code
    m = next((x for x in _SKU_LIKE.finditer(a.raw) if not _ORDINAL_LIKE_CODE.fullmatch(x.group(0))), None)
    if m and re.search(r"\d", m.group(0)) and not nlu.ORDER_NUMBER_RE.search(m.group(0)):
        return Resolution(not_found=m.group(0).upper())  # another business's or a wrong SKU
    stop = _stopwords(ctx, cities)
    if a.budget is not None:
        return _within_budget(ctx, a, stop | a.budget_words, a.budget)
    res = _resolve_words(ctx, a, memory, stop)
    choice = _attribute_choice_words(a)
    if res.not_found is not None and not res.products and choice:
        # "X itu sampulnya hardcover atau soft?": the values offered for the product's attribute are what is
        # asked about it, not words of its name; the one product named without them is the one asked about
        retry = _resolve_words(ctx, a, memory, stop | choice)
        if retry.products and retry.confident and retry.not_found is None:
            return retry
    if res.not_found is not None and not res.products:
        # What the message says the products are for, or how many, is context: without it the product
        # the customer named may be there ("quran hafalan 8 blok buat santri", "syal sutra ada 20?").
        context = context_words(a, stop)
        # ... but who wears it, after the purpose word ("batik buat cowok yg bisa dipake ngantor"), describes
        # the product itself: tried kept first, so a catalogue naming products by their wearer narrows to them
        # (a narrowing to nothing that can be bought is no better than the products for that purpose: "buku
        # buat anak SD yg cocok jadi kado" lists the children's books in stock, not the one sold out)
        wearers = context & _WEARER_WORDS
        kept_found = False
        for without in (context - wearers, context) if wearers else (context,) if context else ():
            retry = _resolve_words(ctx, a, memory, stop | without)
            kept_found = kept_found or (without != context and bool(retry.products))
            if retry.products and retry.not_found is None:
                if without != context and not any(p.available != 0 for p in retry.products):
                    continue
                if wearers & _CHILD_WEARERS and without == context and not kept_found and not retry.confident:
                    # "jual batik buat anak?" where nothing is made for children: a kind of goods for a wearer
                    # the catalogue does not serve is not available, what it has of that kind the alternatives
                    # (one product named, "syal batik buat bayi", is that product whoever wears it)
                    return Resolution(
                        not_found=_display_phrase(a, stop) or None,
                        alternatives=retry.products[:3],
                        terms=retry.terms,
                    )
                return retry
        # A story told around the request ("bapak saya mau berangkat umroh, ... kirim 1 paket X ke Surabaya
        # ongkirnya brp?"): the one sentence that asks names the product; the others are no product words.
        asked = _asking_sentence(a.raw)
        # ... and within that sentence, the story may run on before a comma ("bingung mau pake apa, dress
        # batik X itu harganya brp?"): the clause that asks, the last one, names the product.
        clauses = [x.strip() for x in (asked or a.raw).split(",") if x.strip()]
        for part in (asked, clauses[-1] if len(clauses) > 1 and "?" in clauses[-1] else None):
            if not part:
                continue
            sub = nlu.analyze(part, known_cities=cities)
            retry = _resolve_words(ctx, sub, memory, stop | context_words(sub, stop))
            if retry.products and retry.not_found is None:
                best = res.alternatives[0] if res.alternatives else None
                if not retry.confident and best is not None and best in retry.products:
                    # "temen saya beli quran tajwid warna ..., harganya brp yg ukuran A5?": the question
                    # leaves several products, the whole message's best match among them is the one meant
                    return Resolution(
                        products=[best],
                        confident=True,
                        terms=retry.terms,
                        matched_numbers=retry.matched_numbers,
                    )
                return retry
        # ... or the story runs through clauses around the one that orders ("jadi gini sy kan mau ngasih
        # hadiah buat ponakan, kepikiran beli X 2 paket aja, nah itu bisa kirim ke Makassar kan?"): the one
        # clause with an order verb names the product
        ordering = [c for c in _CLAUSE_SPLIT_RE.split(a.raw) if "order_verb" in nlu.analyze(c).signals]
        if len(ordering) == 1 and ordering[0].strip() != a.raw.strip():
            sub = nlu.analyze(ordering[0], known_cities=cities)
            retry = _resolve_words(ctx, sub, memory, stop | context_words(sub, stop))
            if retry.products and retry.not_found is None:
                return retry
    return res


_CLAUSE_SPLIT_RE = re.compile(r"[,;.?!]+")
# a product's attribute, with its possessive, offered a choice of values ("sampulnya hardcover atau soft",
# "bahannya katun atau polyester", "ukurannya besar atau kecil"): a question about the product
_ATTRIBUTE_CHOICE_RE = re.compile(
    r"\b(?:sampul|cover|bahan|material|kertas|jilid|ukuran|warna|motif|model|kain|isi|tinta|tali)\s?nya\b"
    r"((?: \w+){1,3} (?:atau|or|apa|ataukah)(?: \w+){1,3})"
)


def _attribute_choice_words(a: nlu.Analysis) -> set[str]:
    """The attribute noun and the values offered for it, when the message asks which of them the product has."""
    m = _ATTRIBUTE_CHOICE_RE.search(a.norm)
    if not m:
        return set()
    words = set(m.group(0).split()) - {"atau", "or", "apa", "ataukah"}
    return words | {stem(w) for w in words}


# who a product is worn or used by, as the catalogue may name it ("Kemeja Batik Pria", "Gamis Anak")
_WEARER_WORDS = {
    "pria",
    "wanita",
    "laki",
    "perempuan",
    "cowok",
    "cewek",
    "anak",
    "bayi",
    "balita",
    "remaja",
    "dewasa",
    "muslimah",
    "muslim",
    "ibu",
    "bapak",
    "men",
    "women",
    "kids",
    "boys",
    "girls",
    "unisex",
}
# the wearers that are children: the goods for grown-ups are no answer for them
_CHILD_WEARERS = {"anak", "bayi", "balita", "kids", "toddler"}
BUDGET_LIMIT = 5  # products listed for a price ceiling
# who a product is for, by sex, as a customer or a catalogue names them ("kado buat ibu", "Kemeja Batik Pria")
_SEX_OF_WEARER = {
    **dict.fromkeys(
        ("ibu", "wanita", "perempuan", "cewek", "muslimah", "women", "woman", "girls", "istri", "mama"),
        "f",
    ),
    **dict.fromkeys(
        ("bapak", "ayah", "pria", "laki", "cowok", "men", "man", "boys", "suami", "papa", "pak"),
        "m",
    ),
}


def _sexes_named(name: str) -> set[str]:
    return {_SEX_OF_WEARER[w] for w in tokens(name) if w in _SEX_OF_WEARER}


def _within_budget(ctx: ToolContext, a: nlu.Analysis, stop: set[str], budget: int) -> Resolution:
    """The products matching the words asked that cost no more than the ceiling ("rekomendasi oleh2 batik buat
    hadiah yg harganya dibawah 250rb"), best match first; the words the catalogue lacks only narrow nothing.
    Only the search's own hits are priced, never the whole catalogue."""
    hits = catalog_search.search_products(
        ctx.db, business_id=ctx.business_id, query=a.norm, limit=24, extra_stopwords=stop
    )
    products = [p for p in products_by_ids(ctx, [h.product_id for h in hits]) if p.effective_price <= budget]
    if not hits and not _display_phrase(a, stop | set(_SEX_OF_WEARER)):
        # "ada rekomendasi kado buat ibu, budget 250rb?": no kind of product named, only who it is for: the
        # shop's goods within the budget, less those named for the other sex than the one it is for
        wanted = {_SEX_OF_WEARER[w] for w in a.words if w in _SEX_OF_WEARER}
        products = [
            p
            for p in catalogue_within_budget(ctx, budget=budget)
            if not (len(wanted) == 1 and _sexes_named(p.name) - wanted)
        ]
    if not products:
        return Resolution(not_found=_display_phrase(a, stop) or None, terms=hits[0].terms if hits else [])
    products = products[:BUDGET_LIMIT]
    return Resolution(products=products, confident=len(products) == 1, terms=hits[0].terms if hits else [])


_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.?!])\s+")


def _asking_sentence(raw: str) -> str | None:
    """The one question of a message of several sentences, or None (one sentence, or several questions)."""
    sentences = [x.strip() for x in _SENTENCE_SPLIT_RE.split(raw) if x.strip()]
    questions = [x for x in sentences if x.endswith("?")]
    return questions[0] if len(sentences) > 1 and len(questions) == 1 else None


def _resolve_words(
    ctx: ToolContext, a: nlu.Analysis, memory: ConversationMemory, stop: set[str]
) -> Resolution:
    db, bid = ctx.db, ctx.business_id
    idx = catalog_search.get_index(db, business_id=bid)
    # an ordinary word the catalogue does not have ("di jogja *kota*") is never a typo of a catalogue word
    vocab = idx.bm25.vocab
    stop = stop | {
        w
        for w in a.words
        if w in ORDINARY_WORDS and w not in vocab.vocab and stem(w) not in vocab.vocab and vocab.expand(w)
    }
    terms = idx.content_terms(a.norm, stop)
    focus = list(memory.focus)
    if not terms:
        return Resolution(terms=[])
    followup = "followup" in a.signals or len(terms) <= 1
    if focus and followup:
        hits = catalog_search.search_products(
            db, business_id=bid, query=a.norm, limit=5, restrict_ids=focus, extra_stopwords=stop
        )
        full = [h for h in hits if h.coverage >= FULL_COVERAGE]
        if full:
            best = [h for h in full if h.score >= FOCUS_SCORE_RATIO * full[0].score]
            return Resolution(
                products=products_by_ids(ctx, [h.product_id for h in best]),
                confident=len(best) == 1,
                from_focus=True,
                terms=terms,
                matched_numbers=_name_numbers(full[0]),
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
        # "isinya": a catalogue word with a possessive the stemmer leaves on short words
        and not (t.endswith("nya") and len(t) > 5 and idx.bm25.vocab.expand(t[:-3]))
        and ((t.isalpha() and len(t) >= 4) or re.fullmatch(r"[a-z]\d{1,2}", t))
    ]  # "braille", size "a3"
    variants = _variant_question(hits, terms)
    if variants:
        # "mukena ada warna lain?": the product is there, the variant word is what is asked; never answer
        # "not available" while naming that same product as the alternative. Several products carrying
        # the name ("sajadahnya ada warna lain?") are listed for the customer to choose.
        return Resolution(
            products=products_by_ids(ctx, variants[:5]), confident=len(variants) == 1, terms=terms
        )
    if hits and unknown and hits[0].coverage < FULL_COVERAGE:
        covering = _covering_hit(a, hits, terms, unknown)
        if covering is not None:
            # "sajadah turki yg tebal itu awet ga kalo dicuci?": every word the catalogue knows is that one
            # product's; the words it has never seen are what is asked about it, not another product
            return Resolution(
                products=products_by_ids(ctx, [covering.product_id]),
                confident=True,
                terms=terms,
                matched_numbers=_name_numbers(covering),
            )
        return _named_or_not_found(ctx, idx, a, hits, terms, unknown, stop)
    if (
        hits
        and hits[0].coverage < FULL_COVERAGE
        and any(re.fullmatch(r"[a-z]\d{1,2}", t) and t not in hits[0].matched for t in terms)
    ):
        # a size the best match does not have ("Quran ukuran A3")
        return _named_or_not_found(ctx, idx, a, hits, terms, unknown, stop)
    if not hits or hits[0].coverage < MIN_COVERAGE:
        return _named_or_not_found(ctx, idx, a, hits, terms, unknown, stop)
    top = hits[0]
    close = [
        h for h in hits if h.coverage >= top.coverage - 1e-9 and h.score >= CLOSE_SCORE_RATIO * top.score
    ]
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
            # over the words the product matched: where some words of the question match no candidate
            # ("desainnya udh ada"), the one matched by its own name still outranks one matched by its
            # description
            name = _name_stems(" ".join([h.name, h.category or "", *idx.tags_of(h.product_id)]))
            asked = [t for t in h.terms if t in h.matched] or h.terms
            return sum(
                1 for t in asked if t in name or any(n.startswith(t) for n in name if len(t) >= 4)
            ) / max(len(asked), 1)

        covs = sorted(((name_cov(h), h) for h in close), key=lambda x: -x[0])
        if covs[0][0] >= FULL_COVERAGE and covs[1][0] < covs[0][0] - NAME_COVERAGE_MARGIN:
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
        matched_numbers=_name_numbers(top),
    )


_PAREN_RE = re.compile(r"\([^)]*\)")


@lru_cache(maxsize=16384)
def _naming_words(name: str) -> frozenset[str]:
    """The words a customer says to name a product: the stems of its name, less a note in brackets ("(per
    eksemplar)", "(5 Jilid)") and the query's stopwords ("per", "untuk")."""
    return frozenset(
        stem(t) for t in tokens(_PAREN_RE.sub(" ", name)) if t not in catalog_search.QUERY_STOPWORDS
    )


def _named_in_full(
    idx: catalog_search.ProductIndex, a: nlu.Analysis, hits: list[catalog_search.ProductHit]
) -> list[catalog_search.ProductHit]:
    """The search's hits whose whole name (two words or more) the message says, in the forms the analyser maps
    ("Al-Quran" as "al quran", "perkata" as "per kata"): that product is what was asked, whatever else the
    message says around it. Only the most specific ones: a name whose words another's contain is dropped."""
    said = set(idx.content_terms(a.norm))
    for t in a.words:
        said.update((t, stem(t)))
    full = [h for h in hits if len(_naming_words(h.name)) >= 2 and _naming_words(h.name) <= said]
    return [h for h in full if not any(_naming_words(h.name) < _naming_words(g.name) for g in full)]


def _named_or_not_found(
    ctx: ToolContext,
    idx: catalog_search.ProductIndex,
    a: nlu.Analysis,
    hits: list[catalog_search.ProductHit],
    terms: list[str],
    unknown: list[str],
    stop: set[str],
) -> Resolution:
    """Not available, with alternatives, for what the message asked, unless the message names one of the
    hits in full: then that product is matched (never offered as the alternative to itself)."""
    named = _named_in_full(idx, a, hits)
    if named:
        return Resolution(
            products=products_by_ids(ctx, [h.product_id for h in named[:8]]),
            confident=len(named) == 1,
            terms=terms,
            matched_numbers=_name_numbers(named[0]),
        )
    alts = _alternatives(ctx, hits, _known_terms(terms, unknown))
    return Resolution(not_found=_display_phrase(a, stop) or None, alternatives=alts, terms=terms)


@lru_cache(maxsize=16384)
def _name_stems(text: str) -> frozenset[str]:
    """The stems of a product's name, category and tags (the same few products come up turn after turn)."""
    return frozenset(stem(t) for t in tokens(text))


def _name_numbers(hit: catalog_search.ProductHit) -> set[int]:
    """The numbers of the query that the product's own name carries ("hafalan 8 blok"): those are not
    quantities. A number that only its description or attributes carry (an age range "7-12") still is."""
    name = set(tokens(hit.name))
    return {int(t) for t in hit.matched if t.isdigit() and t in name}


def _alternatives(
    ctx: ToolContext, hits: list[catalog_search.ProductHit], asked: list[str] | None = None
) -> list[Product]:
    """The products shown beside "not available". None of them matches every catalogue word asked (`asked`):
    that product is what was asked for, and naming it as the alternative to itself would contradict."""
    known = set(asked or ())
    return products_by_ids(
        ctx,
        [
            h.product_id
            for h in hits
            if h.coverage >= ALTERNATIVE_COVERAGE and not (known and known <= h.matched)
        ][:3],
    )


def _known_terms(terms: list[str], unknown: list[str]) -> list[str]:
    """The words of the question the catalogue knows, less the variant words that only lead a value."""
    return [t for t in terms if t not in unknown and t not in VARIANT_WORDS]


def _covering_hit(
    a: nlu.Analysis, hits: list[catalog_search.ProductHit], terms: list[str], unknown: list[str]
) -> catalog_search.ProductHit | None:
    """The one product that matches every word of the question the catalogue knows, where the rest are words
    it has never seen said after the product is named (what is asked about it: "sajadah turki itu awet ga kalo
    dicuci?"), or None. The product's own name must carry two of those words, so a bare category with an
    unknown kind ("Al-Quran braille", many Qurans) or one word shared by a description stays unavailable; so
    does a size code the catalogue lacks ("A3"), and an unknown word between the verb and the name ("bisa
    sablon logo di kemeja batik?": what is asked for is that service, not the shirt)."""
    if any(not t.isalpha() for t in unknown):
        return None
    known = set(_known_terms(terms, unknown))
    if len(known) < 2:
        return None
    covering = [h for h in hits if known <= h.matched]
    if len(covering) > 1:
        # "tas paspor yg dikalungin": a kit whose description lists a passport bag covers the words too; the
        # one product whose own name carries them is the one meant
        covering = [h for h in covering if len(known & _name_stems(h.name)) >= 2]
    if len(covering) != 1:
        return None
    name = _name_stems(covering[0].name)
    named = known & name
    if len(named) < 2:
        return None
    stems = [stem(w) for w in a.words]
    first_named = min((i for i, s in enumerate(stems) if s in named), default=len(stems))
    # who asks and when, before the verb that asks for the product ("adik saya kemarin beli X"), is no part of
    # what is asked for
    start = max((i for i in range(first_named) if a.words[i] in nlu.ORDER_VERB_WORDS), default=-1)
    return None if any(s in unknown for s in stems[start + 1 : first_named]) else covering[0]


# Words that ask for a variant of a product rather than name one.
VARIANT_WORDS = {"warna", "ukuran", "motif", "model", "tipe", "jenis", "varian", "size", "colour", "color"}
_SIZE_CODE_RE = re.compile(r"x{0,2}s|m|x{0,3}l|[2-5]xl")  # clothing sizes: XS, S, M, L, XL, XXL, 3XL
_SIZE_LEADS = {"ukuran", "ukur", "size"}  # the words (and stem) that lead a size


def _variant_question(hits: list[catalog_search.ProductHit], terms: list[str]) -> list[int]:
    """The products whose own name carries every term of the question except variant words."""
    if not hits or hits[0].coverage >= FULL_COVERAGE:
        return []
    rest = [t for t in terms if t not in VARIANT_WORDS]
    if rest and len(rest) < len(terms):
        named = [h.product_id for h in hits if set(rest) <= {stem(t) for t in tokens(h.name)}]
        if named:
            return named
    # a clothing size asked after its lead ("dress batik ukuran XXL ada?"): the size is the variant asked, not a
    # word of the name; the one product whose own name carries every other word is meant (several stay open)
    if not any(t in _SIZE_LEADS for t in terms) or not any(_SIZE_CODE_RE.fullmatch(t) for t in terms):
        return []
    rest = [t for t in terms if t not in _SIZE_LEADS and not _SIZE_CODE_RE.fullmatch(t)]
    named = [h.product_id for h in hits if rest and set(rest) <= {stem(t) for t in tokens(h.name)}]
    return named if len(named) == 1 else []


def has_product_strong(res: Resolution) -> bool:
    """A confident product that is not a print-shop service line (binding, per-page printing)."""
    p = res.product
    return p is not None and not (p.category or "").lower().startswith("jasa print")


# What a confirmed-looking order still needs before the customer can say YA (see replies._advance_draft).
DRAFT_SLOTS = (DraftSlot.FULFILMENT, DraftSlot.COURIER, DraftSlot.ADDRESS, DraftSlot.NAME)
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


# the words of an address, never of a person's name
_ADDRESS_WORD_RE = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang|perum|perumahan|komplek|kompleks|komp|blok|rt|rw|dusun|dsn|desa|kel|kec|"
    r"kelurahan|kecamatan|kab|kabupaten|kota|no|nomor|griya|street|st|road|rd)\b",
    re.I,
)


def name_before_address(text: str) -> str:
    """The name an address answer leads with, before a comma ("Budi, Jl. Merdeka 10 Bandung"), or ""."""
    head, sep, rest = " ".join(text.split()).partition(",")
    if not sep or _ADDRESS_WORD_RE.search(head) or not _ADDRESS_WORD_RE.search(rest):
        return ""
    return extract_name(head)


_NOT_NAME_WORDS = frozenset(
    {
        "ya",
        "tidak",
        "gak",
        "nggak",
        "enggak",
        "ok",
        "oke",
        "okay",
        "halo",
        "terima",
        "makasih",
        "batal",
        "jadi",
    }
    | {
        "yes",
        "no",
        "sip",
        "benar",
        "betul",
        "siap",
        "setuju",
        "lanjut",
        "boleh",
        "mantap",
        "yoi",
        "deal",
        "fix",
    }
    | {"confirm", "belum", "sudah", "thanks", "thank"}
)


def extract_name(text: str) -> str:
    """A person's name from a short answer ("Budi", "atas nama Siti Aminah", "nama saya Andi ya kak")."""
    t = _NAME_LEAD.sub("", " ".join(text.split())).strip(" .,!")
    t = re.sub(r"\s+(?:ya|yah|kak|kakak|min|gan|sis|dong|aja|saja|deh)\b.*$", "", t, flags=re.I).strip(" .,!")
    words = t.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in t) or len(t) > 60:
        return ""
    # a yes, a no or an acknowledgement is never a name ("iya kak", "ya benar", "oke siap"), however written
    if ({w.lower() for w in words} | set(nlu.normalize(t).split())) & _NOT_NAME_WORDS:
        return ""
    return " ".join(w if w[:1].isupper() else w.capitalize() for w in words)


@dataclass
class Facts:
    """What the intent rules look at, computed once per message."""

    a: nlu.Analysis
    res: Resolution
    memory: ConversationMemory
    knowledge_hit: bool
    s: set[str] = field(init=False)
    has_product: bool = field(init=False)  # any product resolved
    strong_product: bool = field(init=False)  # one confident catalogue product (not a print service line)
    wants_product: bool = field(init=False)  # a product was named, found or not
    focus: bool = field(init=False)  # products in focus from earlier turns
    awaiting: str | None = field(init=False)  # the slot an open order draft waits on
    print_ctx: bool = field(init=False)  # a print-shop request (priced from the print price list)
    wants_count: bool = field(init=False)  # "mau 2 ..." stated, not asked about its cost

    def __post_init__(self) -> None:
        a, res, s = self.a, self.res, self.a.signals
        self.s = s
        self.has_product = bool(res.products)
        self.strong_product = has_product_strong(res)
        self.wants_product = self.has_product or res.not_found is not None
        self.focus = bool(self.memory.focus)
        draft = self.memory.draft
        self.awaiting = draft.get("awaiting") if isinstance(draft, dict) else None
        spec_keys = any(k in a.print_spec for k in ("copies", "pages", "binding", "color"))
        print_ctx = bool(a.print_spec.get("document_type")) and (
            "print_verb" in s or (a.print_spec["document_type"] != "dokumen" and spec_keys)
        )
        service_line = res.product is None or (res.product.category or "").lower().startswith("jasa print")
        # printing or photocopying a page count is a print job, whatever catalogue name shares a word with it
        page_job = "pages" in a.print_spec
        print_ctx = print_ctx or (
            bool(_PRINT_WORDS & set(a.words)) and spec_keys and (service_line or page_job)
        )
        # scanning, laminating: services of their own, priced from their own catalogue item, never as printing
        if _OTHER_SERVICES & set(a.words) and not (_PRINT_WORDS | {"cetak"}) & set(a.words):
            print_ctx = False
        # "F4 full color 20 lembar": a paper size with a sheet count is printing, with no product named
        print_ctx = print_ctx or (
            "paper_size" in a.print_spec
            and any(k in a.print_spec for k in ("pages", "copies"))
            and res.product is None
        )
        # "modul 8 halaman x 25 orang", "cetak 4 lembar hitam putih": pages with their copies, or printed
        # sheets in a colour stated, are printing when no catalogue product is named
        print_ctx = print_ctx or (
            res.product is None
            and "pages" in a.print_spec
            and ("copies" in a.print_spec or ("color" in a.print_spec and "cetak" in a.words))
        )
        # "100 pages black and white, double sided": a page count printed one or both sides of the sheet is
        # printing, the print verb left out, when no catalogue product is named
        print_ctx = print_ctx or (
            res.product is None
            and not res.alternatives
            and "pages" in a.print_spec
            and "duplex" in a.print_spec
        )
        # "jilid spiral berapa?", "sampul hardcover warna ungu nambah brp?": a binding, or its cover colour, in
        # a shop whose binding is a print-shop price, not a catalogue product; a cover's colour alone ("cover
        # warna custom pink nambah berapa?") asks about a binding's cover too
        binding_item = "jilid" in a.words or "cover_colour" in a.print_spec
        # "softcover brp?": a cover binding named by itself is the price list's binding too
        binding_item = binding_item or (
            a.print_spec.get("binding") in ("softcover", "hardcover") and not res.products
        )
        # "kalau pakai kertas 100 gram nambah berapa?": the paper's weight, an item of the print price list too
        paper_item = "paper_gsm" in a.print_spec
        # "foto akta di hp bisa dirapikan lalu dicetak?": a photo tidied onto paper, the list's photo page item
        paper_item = paper_item or bool(a.print_spec.get("photo"))
        self.print_ctx = print_ctx or (
            ((("binding" in a.print_spec or "cover_colour" in a.print_spec) and binding_item) or paper_item)
            and res.product is None
            and not res.alternatives
        )
        # "what cover colours can I choose?": the print price list's cover colours, whatever binding is named
        self.print_ctx = self.print_ctx or (
            "cover_colours_asked" in s and res.product is None and not res.alternatives
        )
        # "bisa print ukuran A3 ga?": the paper sizes the print price list offers, no catalogue product named
        self.print_ctx = self.print_ctx or ("paper_size_asked" in s and res.product is None)
        # "hard cover bisa warna kuning ga?": a cover colour the print price list may offer
        self.print_ctx = self.print_ctx or (
            "cover_colour_possible_asked" in s and res.product is None and not res.alternatives
        )
        # "jilid apa aja yg ada?": the bindings the print price list offers, no catalogue product named
        self.print_ctx = self.print_ctx or (
            "bindings_asked" in s and res.product is None and not res.alternatives
        )
        self.wants_count = bool(_WANTS_COUNT_RE.search(a.norm)) and not (
            "price" in s or "ongkir" in a.words or "?" in a.raw
        )
        if not self.wants_count and "?" in a.raw and "price" not in s and "ongkir" not in a.words:
            # "X masih promo kan? kalo iya saya ambil 3 ya, kirim ke Jakarta": a question asked first, then a
            # closing sentence stating the count wanted: that sentence is the request
            tail = a.raw.rsplit("?", 1)[1]
            self.wants_count = bool(tail.strip()) and bool(_WANTS_COUNT_RE.search(nlu.normalize(tail)))

    @property
    def last(self) -> Intent | None:
        return self.memory.last_intent

    @property
    def counted_delivery(self) -> bool:
        """ "2 sajadah turki, kirim ke Surabaya, jnt aja": how many of the one product, where to and which
        courier, stated and not asked about (no question, no price word), is an order, as an order verb is."""
        res, a = self.res, self.a
        # the order's total asked ("totalnya jadi berapa") is still an order; any other price word is not
        asks_price = "price" in self.s and not _TOTAL_Q_RE.search(a.norm)
        # "sekar jagad 1 aja, kirim ke solo": sending it to a city named, told and not asked, as a courier is
        sent_to = bool(a.city) and bool(_SEND_TO_RE.search(a.norm)) and "ongkir" not in a.words
        if (
            res.product is None
            or "?" in a.raw
            or asks_price
            or not (_COURIER_NAME_RE.search(a.norm) or sent_to)
        ):
            return False
        return self.stated_count

    @property
    def stated_count(self) -> bool:
        """A count of the one product resolved that the message states ("syal 3 ya", "2 pcs"), not a number
        of its name, a page count, an age or money."""
        res, a = self.res, self.a
        if res.product is None:
            return False
        words = {stem(t) for t in tokens(res.product.name)} | set(tokens(res.product.name))
        names = [tokens(p.name) for p in [*res.products, *res.alternatives]]
        qty = nlu.extract_quantity(
            a,
            exclude_values=res.matched_numbers,
            product_words=words,
            names=names,
            unit_nouns=category_nouns(res.product),
        )
        return qty is not None

    def any_spec(self, *keys: str) -> bool:
        return any(k in self.a.print_spec for k in keys)

    @property
    def follows_product_talk(self) -> bool:
        """A follow-up ("kalau yang travel?", "ke Medan?") to a product question with products in focus."""
        s = self.s
        return (
            ("followup" in s or bool(self.a.city))
            and self.focus
            and self.last in PRODUCT_INTENTS
            and not ("thanks" in s or "greeting" in s)
        )


_PRINT_WORDS = {"print", "fotokopi", "prints"}
# a sending verb with its destination ("kirim ke Solo", "dikirim ke Bandung ya")
_SEND_TO_RE = re.compile(r"\b(?:kirim|dikirim|kirimkan|kirimin|antar|diantar|send|ship) (?:ke|to)\b")
_OTHER_SERVICES = {"scan", "laminating", "laminasi"}
_COURIER_NAME_RE = re.compile(
    # "J&T" is normalised to "j t" (the ampersand is no word character)
    r"\b(?:jne|jnt|j t|sicepat|anteraja|tiki|ninja|gosend|grabexpress|lion|wahana|idexpress)\b"
)
# "mau 2 ...", "ambil 4 ...": a count stated (taking 4 is ordering 4, not picking up); so is taking the product
# named with its count and unit after it ("mau ambil kain batik cap kawung 4 lembar")
_WANTS_COUNT_RE = re.compile(
    r"\b(?:mau|ingin|butuh|perlu|minta|ambil|want|need)\s+\d+\b|"
    rf"\bambil(?: [a-z]\w*){{1,6}} \d+ (?:{'|'.join(sorted(nlu.UNIT_WORDS))})\b"
)
# the total of what is being ordered asked for: "totalnya jadi berapa", "brp totalnya"
_TOTAL_Q_RE = re.compile(
    r"\btotal(?:nya)? (?:jadi )?berapa\b|\bberapa (?:total|totalnya)\b|"
    # ... or the message closing on the price asked: "sy butuh 3 box, brp?"
    r"\b(?:berapa|harganya berapa|berapa harganya|jadi berapa|kena berapa)(?: (?:ya|kak|min|sis|gan|dong|nih|sih))*$"
)
# the cost of shipping asked ("ongkirnya brp", "kena ongkir ga?", "how much to ship")
_SHIPPING_COST_ASKED_RE = re.compile(r"\bongkir\w*\b|\b(?:how much|howmuch)\b.{0,12}\bship\w*\b")
_PRICE_WORD_RE = re.compile(r"\bharga(?:nya)?\b|\bprices?\b|\bhow much\b")
# a print job asked as "what if" ("kalo makalah 40 halaman 3 rangkap dijilid spiral?"): the question is what it
# would cost, not an order (no order verb or wish; "kalau begitu ..." is "then", no "what if")
_WHAT_IF_RE = re.compile(
    r"^(?:kalau|misal|misalnya|seandainya|andaikan|what if)\b(?! (?:begitu|gitu|memang)\b)"
)
_WISH_WORDS = {"mau", "ingin", "tolong", "minta", "pesan", "order", "bikin", "want", "need", "please"}


def _what_if_job(a: nlu.Analysis) -> bool:
    return (
        bool(_WHAT_IF_RE.search(a.norm))
        and a.raw.rstrip().endswith("?")
        and "order_verb" not in a.signals
        and not _WISH_WORDS & set(a.words)
        and any(k in a.print_spec for k in ("pages", "copies"))
    )


_FREE_SHIPPING_Q_RE = re.compile(
    # ... or whether it is charged at all ("beli X 1 aja kena ongkir ga?")
    r"\b(?:gratis|free|kena|dikenakan|dikenai) ongkir(?: (?:kan|tidak|ya|kah|dong|kak|min|bukan|belum|nih|sih|gan|sis))*$"
)
_FREE_WHERE_RE = re.compile(r"\bgratis\b.{0,40}\b(?:(?:kota|daerah|wilayah|area) mana|ke ?mana)\b")
_PARTIAL_ORDER_NUMBER_RE = re.compile(r"\b(?:ORD|INV)-?\d", re.I)
_PAY_DEADLINE_RE = re.compile(r"\bjam berapa\b|\bsebelum jam\b|\bkapan\b|\bwhat time\b")
# a payment term of another policy: the down payment of a pre-order, the refund of a return
_PAY_POLICY_RE = re.compile(r"\b(?:preorder|retur|refund|garansi)\b")
_POLICY_WORDS_RE = re.compile(r"\b(?:retur|tukar|refund|garansi|kebijakan|aturan|ketentuan|syarat|policy)\b")
_NOT_A_COUNTED_ORDER = {"product_q", "recommend", "promo", "conditional"}
# a purchase supposed ("kalau beli", "if I buy") and then its price asked ("... berapa", "how much"): what it would
# cost, not an order ("kalau gitu beli 2 ya" is "then"; "kalau" after the buying is another question)
_SUPPOSED_PURCHASE_PRICE_RE = re.compile(
    r"\b(?:kalau|jika|seandainya|misal|misalnya|if)\b(?! (?:begitu|gitu|memang)\b)(?: \w+){0,3}? "
    r"(?:beli|ambil|pesan|order|buy|take|get)\b.*\b(?:berapa|how much)\b"
)


# a count bought asked what it comes to, closing the message ("beli 4 pack jadi berapa kak")
_BOUGHT_TOTAL_ASKED_RE = re.compile(
    r"\b(?:beli|ambil|buy)\b(?: \w+){0,5}? \d{1,4}\b(?: \w+){0,2}? (?:jadi|kena) berapa"
    r"(?: (?:ya|kak|min|sis|gan|dong|nih|sih|totalnya|semuanya))*$"
)
# the price asked and closed with "?", then the count wanted told ("X brp? sy mau 10 lembar")
_PRICE_FIRST_COUNT_AFTER_RE = re.compile(
    r"\b(?:brp|berapa|berapaan|harganya|how much)\s*\?+\s*(?:(?:sy|saya|aku|aq|gw|gue|kami|i)\s+)?"
    r"(?:mau|butuh|perlu|pengen|pingin|need|want)\s+\d{1,4}\b(?:\s+\w+)?\s*[.!?]*\s*$",
    re.IGNORECASE,
)
# words that commit to the order, not just ask what it would cost
_ORDER_COMMIT_RE = re.compile(r"\b(?:pesan|order|checkout|kirim|bungkus|transfer|alamat)\b")


# the price asked, then a purchase only planned with its count and whom it is for ("X brp kak, mau beli 3 buat
# ortu"): what it would cost, nothing committed to
_PRICE_THEN_PLANNED_PURCHASE_RE = re.compile(
    r"\bberapa(?: (?:kak|min|ya|sis|gan|dong|nih|sih|ini|itu))* (?:(?:saya|aku|kami) )?"
    r"(?:mau|pengen|ingin|rencana|rencananya|niat) beli \d{1,4}\b(?: \w+)?(?: untuk(?: \w+){1,6})?"
    r"(?: (?:ya|kak|min|dong|nih))*$"
)
# the price asked of a purchase supposed after it ("brp klo beli dua2nya?", "how much if I buy both?")
_PRICE_IF_BOUGHT_RE = re.compile(
    r"\b(?:berapa|how much)\b(?! (?:hari|lama|jam|minggu|lembar|halaman|days?)\b)(?: \w+){0,2}? "
    r"(?:kalau|jika|if)(?: \w+){0,2}? (?:beli|ambil|pesan|order|buy|take|get)\b"
)
# words that settle a purchase (where it goes, how it is paid): an order, whatever is asked with it
_PURCHASE_SETTLED_RE = re.compile(r"\b(?:kirim|alamat|transfer|checkout|bungkus|bayar)\b")


def _price_of_purchase_asked(a: nlu.Analysis) -> bool:
    """The price of a purchase asked, the purchase only planned or supposed ("X brp kak, mau beli 3 buat ortu",
    "X sm Y, brp klo beli dua2nya?"): a price question, unless the message settles the order too."""
    if _PURCHASE_SETTLED_RE.search(a.norm):
        return False
    return bool(_PRICE_THEN_PLANNED_PURCHASE_RE.search(a.norm) or _PRICE_IF_BOUGHT_RE.search(a.norm))


# a wish to buy added after an availability question, with no count ("ada X ga? sekalian mau beli"): what
# the customer would do if it is there; the question is whether it is
_WISH_TO_BUY_AFTER_RE = re.compile(
    r"^(?:(?:sekalian|kalau|ada|saya|aku|nanti|juga|sih|kak|min) )*(?:mau|pengen|ingin) "
    r"(?:beli|ambil|pesan|order)(?: (?:juga|ya|kak|min|dong|nih|sekalian|sih))*$"
)


def _availability_asked_first(a: nlu.Analysis) -> bool:
    """An availability question closed by "?" ("ada madu ga min?") followed only by a wish to buy, with no
    count ("sekalian mau beli"): the availability is asked, nothing is ordered yet."""
    head, mark, rest = a.raw.partition("?")
    if not mark or not rest.strip() or re.search(r"\d", rest):
        return False
    h = nlu.analyze(head)
    if "order_verb" in h.signals or not re.search(r"\bada\b", h.norm):
        return False
    return bool(_WISH_TO_BUY_AFTER_RE.match(nlu.normalize(rest).strip()))


def _count_priced(a: nlu.Analysis) -> bool:
    """A count's price asked, nothing committed to: "beli 4 pack jadi berapa?", "X brp? sy mau 10 lembar"."""
    if _ORDER_COMMIT_RE.search(a.norm):
        return False
    return bool(_BOUGHT_TOTAL_ASKED_RE.search(a.norm) or _PRICE_FIRST_COUNT_AFTER_RE.search(a.raw))


def _leads_with_shipping_question(a: nlu.Analysis) -> bool:
    """The message opens with a question about the cost of shipping, ended by "?", that orders nothing ("ongkir
    ke Malang brp min? mau beli ..."): what follows says what it is for."""
    first, mark, rest = a.raw.partition("?")
    if not mark or not rest.strip():
        return False
    head = nlu.analyze(first)
    return bool(_SHIPPING_COST_ASKED_RE.search(head.norm)) and "order_verb" not in head.signals


def _price_asked_after_story(a: nlu.Analysis) -> bool:
    """A message of several clauses whose last, a question, asks a price and has no order word, while an order
    verb stands only in the clauses before it (someone's buying told as a story)."""
    if "order_verb" not in a.signals or "price" not in a.signals or not a.raw.rstrip().endswith("?"):
        return False
    clauses = [c for c in _CLAUSE_SPLIT_RE.split(a.raw) if c.strip()]
    if len(clauses) < 2:
        return False
    last = nlu.analyze(clauses[-1])
    return (
        "price" in last.signals
        and not last.has("order", "order_verb")
        and bool(_PRICE_WORD_RE.search(last.norm))
    )


def _outside_date_shop_info(f: Facts) -> set[str]:
    """The shop's info among the signals that bar an off-topic date, unless a prayer's time is what is asked."""
    return set() if nlu.PRAYER_TIME_ASKED_RE.search(f.a.norm) else {"store_info"}


def _cover_colours_asked(f: Facts) -> bool:
    """The colours a binding's cover comes in asked, no catalogue product named and nothing ordered."""
    return "cover_colours_asked" in f.s and f.res.product is None and "order_verb" not in f.s


Pick = Intent | Callable[[Facts], Intent]
ModePick = Mode | Callable[[Facts], Mode]


@dataclass(frozen=True)
class Rule:
    """One intent rule: the first rule (in table order) whose `when` holds decides the intent and mode."""

    name: str
    when: Callable[[Facts], bool]
    intent: Pick
    mode: ModePick = Mode.NONE
    example: str = ""  # a message it is written for (tests/agent/test_intent_rules.py has one per rule)

    def decide(self, f: Facts) -> tuple[Intent, Mode]:
        intent = self.intent(f) if callable(self.intent) else self.intent
        mode = self.mode(f) if callable(self.mode) else self.mode
        return intent, mode


I = Intent  # noqa: E741 (short alias for the table below)

# Explicit requests first, then the most specific signal; the last rule always holds.
RULES: tuple[Rule, ...] = (
    Rule("empty", lambda f: "empty" in f.s, I.OTHER, example="🙏🙏"),
    Rule(
        "handoff",
        # a grievance said angrily or with its remedy wished ("kecewa, mau refund aja, chat admin ga dibales") is a
        # complaint, which hands off too, even where it also names the admin
        lambda f: "handoff" in f.s and not nlu.grievance_with_remedy(f.a),
        I.HUMAN_HANDOFF,
        example="mau bicara sama admin",
    ),
    Rule(
        "draft_cancel",
        lambda f: bool(f.memory.draft) and "cancel" in f.s,
        I.ORDER_CREATE,
        Mode.CANCEL,
        example="(draft open) batal kak",
    ),
    Rule(
        "draft_slot",
        lambda f: f.awaiting in DRAFT_SLOTS and not f.strong_product and is_slot_answer(f.a, str(f.awaiting)),
        I.ORDER_CREATE,
        Mode.SLOT,
        example="(draft waits on the courier) jne aja",
    ),
    Rule(
        "draft_confirm",
        lambda f: (
            bool(f.memory.draft)
            and "confirm" in f.s
            # a yes to a draft's question names no product: the products in focus are the draft's own
            and not (f.has_product and not (f.res.from_focus and f.awaiting in DRAFT_SLOTS))
            and "thanks" not in f.s
        ),
        I.ORDER_CREATE,
        Mode.CONFIRM,
        example="(draft open) ya lanjut",
    ),
    Rule(
        "print_option_change",
        lambda f: (
            f.last == I.PRINT_ORDER
            and not f.strong_product
            and f.any_spec("binding", "color", "duplex", "copies")
            and "price" not in f.s
        ),
        I.PRINT_ORDER,
        Mode.PRINT,
        example="(after a print order) jilid spiral aja",
    ),
    Rule(
        "complaint",
        lambda f: "complaint" in f.s and ("conditional" not in f.s or "angry" in f.s),
        I.COMPLAINT,
        example="barangnya rusak pas sampai",
    ),
    Rule(
        "duration",
        lambda f: "duration" in f.s and not ("shipping" in f.s or f.a.city or "payment" in f.s),
        I.STORE_INFO,
        example="berapa lama cetak skripsi selesai?",
    ),
    Rule(
        "order_number",
        lambda f: "order_number" in f.s and "payment" not in f.s,
        I.ORDER_STATUS,
        example="status ORD-20261115-0007?",
    ),
    Rule(
        "partial_order_number",
        lambda f: bool(_PARTIAL_ORDER_NUMBER_RE.search(f.a.raw)) and "payment" not in f.s,
        I.ORDER_STATUS,
        example="cek ORD-2026 dong",
    ),
    Rule(
        "payment_deadline_policy",
        lambda f: (
            "payment" in f.s
            and f.knowledge_hit
            and not f.has_product
            and (
                (
                    "store_info" in f.s
                    and bool(_PAY_DEADLINE_RE.search(f.a.norm) or _PAY_POLICY_RE.search(f.a.norm))
                )
                or bool(nlu.SAME_DAY_RE.search(f.a.norm))
            )
        ),
        I.STORE_INFO,
        example="pesanan dibayar jam berapa biar dikirim hari itu?",
    ),
    Rule(
        "payment",
        lambda f: "payment" in f.s and not (f.has_product and ("price" in f.s or "order" in f.s)),
        I.PAYMENT,
        example="bisa bayar pakai qris?",
    ),
    Rule(
        "return_policy",
        lambda f: "order_status" in f.s and "store_info" in f.s and bool(_POLICY_WORDS_RE.search(f.a.norm)),
        I.STORE_INFO,
        example="aturan retur barangnya gimana?",
    ),
    Rule(
        "order_status", lambda f: "order_status" in f.s, I.ORDER_STATUS, example="pesanan saya sampai mana?"
    ),
    Rule(
        "order_with_delivery",
        lambda f: (
            ("order_verb" in f.s or f.wants_count or f.counted_delivery)
            # "oke mau 6, kirim ke palembang": a count of the one product in focus, with where to send it
            and (f.strong_product or (f.wants_count and f.res.product is None and len(f.memory.focus) == 1))
            and ("shipping" in f.s or bool(f.a.city))
            and not f.print_ctx
            # "kalau beli 5 paket dikirim ke Sleman gratis ongkir gak?": the cost of shipping a purchase
            # supposed, not an order
            and not ("conditional" in f.s and _SHIPPING_COST_ASKED_RE.search(f.a.norm))
            # "1 ensiklopedia ke Medan pake JNE, ongkirnya brp": the cost of shipping asked, no order verb
            and not ("order_verb" not in f.s and "price" in f.s and _SHIPPING_COST_ASKED_RE.search(f.a.norm))
            # "ongkir ke Malang brp? mau beli X 4": the cost of shipping asked first, the purchase only its
            # reason
            and not _leads_with_shipping_question(f.a)
            # "beli X 2, gratis ongkir kan?": closing on whether its shipping is free asks about shipping;
            # with the delivery address given ("order X 3, alamat Sleman, free ongkir kan?") it is an order
            and not (_FREE_SHIPPING_Q_RE.search(f.a.norm) and "?" in f.a.raw and "alamat" not in f.a.words)
        ),
        I.ORDER_CREATE,
        example="order 3 peci, kirim ke Bandung pakai SiCepat",
    ),
    Rule(
        "shipping_policy",
        lambda f: (
            "shipping" in f.s
            and "store_info" in f.s
            and not f.a.city
            and not f.has_product
            # which destinations free shipping reaches ("gratis ongkir berlaku ke kota mana aja?") asks about
            # shipping to places, as "gratis ongkir ke Sleman?" does: a shipping question, not a policy one
            and not _FREE_WHERE_RE.search(f.a.norm)
        ),
        I.STORE_INFO,
        example="pengiriman pakai kurir apa aja?",
    ),
    Rule("shipping", lambda f: "shipping" in f.s, I.SHIPPING_COST, example="ongkir ke Medan berapa?"),
    Rule(
        # "ke Makassar brp hari nyampe?": how many days to a destination named is the courier's delivery time
        "delivery_time",
        lambda f: "duration" in f.s and bool(f.a.city) and not f.print_ctx and "payment" not in f.s,
        I.SHIPPING_COST,
        example="ke Pontianak berapa hari sampainya?",
    ),
    Rule(
        # "idul adha jatuh tanggal berapa?", "jadwal pendaftaran kampus X kapan?": the date of a holiday or an
        # outside institution's event, no product named and nothing of the shop asked ("berapa" of a date is no
        # price): off-topic
        "outside_date",
        lambda f: (
            "outside_date" in f.s
            and not f.has_product
            and not f.print_ctx
            # "jam berapa" of a prayer's time asks no shop hours
            and not (f.s & ({"order", "stock", "shipping", "payment"} | _outside_date_shop_info(f)))
        ),
        I.OTHER,
        example="kak tahun baru imlek jatuhnya hari apa ya?",
    ),
    Rule(
        # "dosen pembimbingku galak, ada tips?", "rekomendasi pondok tahfidz?": advice about the customer's own
        # life or a place outside the shop, no product named and nothing in the shop's knowledge: off-topic
        "advice",
        lambda f: (
            "advice" in f.s
            and not f.has_product
            # the shop's knowledge may answer advice on its goods ("tips merawat batik"), never a place outside
            and (not f.knowledge_hit or bool(nlu.OUTSIDE_RECOMMEND_RE.search(f.a.norm)))
            and not f.print_ctx
            and not (f.s & {"order", "price", "stock", "store_info", "shipping", "payment"})
        ),
        I.OTHER,
        example="kak ada tips biar cepet lulus ga?",
    ),
    Rule(
        # "jualan apa aja?", "jual kain aja atau ada baju juga?": what the shop sells, asked as a whole (no price,
        # stock or order of one product asked)
        "catalogue",
        lambda f: "catalogue" in f.s and not (f.s & {"order_verb", "price", "stock", "promo"}),
        I.PRODUCT_QUERY,
        Mode.CATALOGUE,
        example="kak tokonya jualan apa aja sih?",
    ),
    Rule(
        # "buka jam berapa? mau ambil cetakan", "hari minggu bisa ambil?": the opening hours, or the shop's work on a
        # day, asked outright is store information whatever product or pick-up the message names besides
        "store_info",
        lambda f: (
            ("store_info" in f.s and not f.res.confident and not f.print_ctx)
            or (bool(nlu.OPENING_ASKED_RE.search(f.a.norm)) and not (f.s & {"order_verb", "shipping"}))
        ),
        I.STORE_INFO,
        example="alamat tokonya dimana?",
    ),
    Rule(
        "conditional_policy",
        lambda f: (
            "conditional" in f.s
            and f.knowledge_hit
            and not f.has_product
            and not f.print_ctx
            and not f.a.city
        ),
        I.STORE_INFO,
        example="kalau barangnya cacat bisa ditukar?",
    ),
    Rule(
        "print_price",
        lambda f: f.print_ctx and ("price" in f.s or _what_if_job(f.a)) and not _cover_colours_asked(f),
        I.PRICE_CHECK,
        Mode.PRINT,
        example="print 50 lembar warna berapa?",
    ),
    Rule(
        "print_order",
        lambda f: f.print_ctx,
        # "warna sampul hardcover ada apa aja?": the colours a binding's cover comes in, a question about the
        # price list's goods, not a print job
        lambda f: (
            I.PRODUCT_QUERY
            if _cover_colours_asked(f)
            or f.s & {"paper_size_asked", "bindings_asked", "cover_colour_possible_asked"}
            else I.PRINT_ORDER
        ),
        Mode.PRINT,
        example="fotokopi ktp 5 lembar",
    ),
    Rule(
        "stock",
        lambda f: (
            "stock" in f.s
            and (f.wants_product or f.focus)
            # "blangkon ada gak? brp harganya": asked both, the price question wins (its reply says whether
            # the product is there too); "stoknya ada brp" asks a count of stock, with no price word
            and not ("price" in f.s and _PRICE_WORD_RE.search(f.a.norm))
        ),
        I.STOCK_CHECK,
        example="stok iqro masih ada?",
    ),
    Rule(
        "order",
        lambda f: (
            "order" in f.s
            and (f.wants_product or f.focus)
            # "mau 50 eks brp totalnya": a count asked the total of, with no order verb, asks a price
            and not ("order_verb" not in f.s and "price" in f.s and _TOTAL_Q_RE.search(f.a.norm))
            # "kemarin temen saya beli X ..., sy mau tanya harganya brp?": the buying is told, the price asked
            and not _price_asked_after_story(f.a)
            # "mau cari yg cocok buat kado, budget 200rb": what suits, under a price, asked with no order verb
            # is a request for suggestions
            and not ("recommend" in f.s and f.a.budget and "order_verb" not in f.s)
            # "kalau beli keduanya totalnya berapa?": a purchase supposed, its price asked: a price question
            and not ("price" in f.s and _SUPPOSED_PURCHASE_PRICE_RE.search(f.a.norm))
            # "beli 3 pack jd brp?", "X brp? sy mau 10": a count's total asked, nothing committed to
            and not ("price" in f.s and _count_priced(f.a))
            # "X brp kak, mau beli 3 buat ortu", "brp klo beli dua2nya?": a purchase planned or supposed, its price
            # asked
            and not ("price" in f.s and _price_of_purchase_asked(f.a))
            # "ada madu ga min? sekalian mau beli": whether it is there is asked; the buying waits on the answer
            and not _availability_asked_first(f.a)
        ),
        I.ORDER_CREATE,
        example="pesan 3 buku doa harian",
    ),
    Rule(
        "catalogue_print_service",
        lambda f: (
            "print_verb" in f.s
            and f.res.product is not None
            and bool(f.a.numbers)
            and not ("price" in f.s or "stock" in f.s)
        ),
        I.ORDER_CREATE,
        example="cetak undangan pernikahan 2 pcs",
    ),
    Rule(
        "price",
        lambda f: "price" in f.s and (f.wants_product or f.focus),
        I.PRICE_CHECK,
        example="harga peci hitam berapa?",
    ),
    Rule(
        "counted_product",
        lambda f: (
            f.strong_product
            # "doa harian 3 biji"; or a bare count closing its clause after the name ("syal 3 ya kak")
            and (_unit_quantity(f.a) or f.stated_count)
            and not (f.s & _NOT_A_COUNTED_ORDER)
            and "?" not in f.a.raw
        ),
        I.ORDER_CREATE,
        example="doa harian 3 biji",
    ),
    Rule(
        "store_info_any", lambda f: "store_info" in f.s, I.STORE_INFO, example="sajadah turki, tokonya buka?"
    ),
    Rule(
        "promo",
        lambda f: "promo" in f.s and not f.has_product,
        I.PRODUCT_QUERY,
        Mode.PROMO,
        example="ada promo apa minggu ini?",
    ),
    Rule(
        "recommend",
        # "seri kisah 25 nabi itu cocok buat umur brp?": what suits whom asked of the one product named is a
        # question about that product (its details answer it), not a request for suggestions
        lambda f: (
            "recommend" in f.s and not (f.res.confident and not f.res.from_focus and "product_q" in f.s)
        ),
        I.PRODUCT_QUERY,
        Mode.RECOMMEND,
        example="rekomendasi buku untuk anak umur 5 tahun",
    ),
    Rule(
        "followup_shipping",
        lambda f: (
            f.follows_product_talk
            and (f.last == I.SHIPPING_COST or (bool(f.a.city) and "followup" in f.s and not f.has_product))
        ),
        I.SHIPPING_COST,
        Mode.INHERIT,
        example="(after a price) kalau ke Medan?",
    ),
    Rule(
        "followup",
        lambda f: f.follows_product_talk,
        lambda f: f.last or I.PRODUCT_QUERY,
        Mode.INHERIT,
        example="(after a stock question) kalau yang putih?",
    ),
    Rule(
        "print_followup",
        lambda f: f.last == I.PRINT_ORDER and "followup" in f.s and f.any_spec("binding", "color", "copies"),
        I.PRINT_ORDER,
        Mode.PRINT,
        example="(after a print order) yang 2 rangkap berapa?",
    ),
    Rule(
        "product_question_thanks",
        lambda f: "product_q" in f.s and "promo" not in f.s and "thanks" in f.s and not f.wants_product,
        I.THANKS,
        example="makasih ya, ada lagi?",
    ),
    Rule(
        "product_question_greeting",
        lambda f: "product_q" in f.s and "promo" not in f.s and "greeting" in f.s and not f.wants_product,
        I.GREETING,
        example="halo kak, mau cari-cari dulu",
    ),
    Rule(
        "product_question",
        lambda f: "product_q" in f.s and (f.wants_product or "promo" not in f.s),
        I.PRODUCT_QUERY,
        lambda f: Mode.PROMO if "promo" in f.s else Mode.NONE,
        example="ada sajadah?",
    ),
    Rule(
        "named_product",
        lambda f: f.has_product and not ("thanks" in f.s or "greeting" in f.s),
        I.PRODUCT_QUERY,
        example="tafsir juz amma tematik",
    ),
    Rule("thanks", lambda f: "thanks" in f.s, I.THANKS, example="terima kasih kak"),
    Rule("greeting", lambda f: "greeting" in f.s, I.GREETING, example="assalamualaikum"),
    Rule("acknowledged", lambda f: "confirm" in f.s, I.OTHER, Mode.ACK, example="oke sip"),
    Rule(
        "ask_which_stock",
        lambda f: "stock" in f.s,
        I.STOCK_CHECK,
        Mode.ASK,
        example="stoknya tinggal berapa?",
    ),
    Rule("ask_which_order", lambda f: "order" in f.s, I.ORDER_CREATE, Mode.ASK, example="mau pesan dong"),
    Rule("ask_which_price", lambda f: "price" in f.s, I.PRICE_CHECK, Mode.ASK, example="harganya berapa?"),
    Rule(
        "knowledge", lambda f: f.knowledge_hit, I.STORE_INFO, example="data pelanggan dipakai buat apa aja?"
    ),
    Rule("fallback", lambda f: True, I.OTHER, example="asdf qwerty"),
)


def decide_rule(a: nlu.Analysis, res: Resolution, memory: ConversationMemory, *, knowledge_hit: bool) -> Rule:
    """The first rule of RULES that holds for this message."""
    f = Facts(a, res, memory, knowledge_hit)
    return next(r for r in RULES if r.when(f))


def decide_intent(
    a: nlu.Analysis, res: Resolution, memory: ConversationMemory, *, knowledge_hit: bool
) -> tuple[Intent, Mode]:
    """(intent, mode) from the rule table, with the learned model's second opinion where the rule guessed."""
    f = Facts(a, res, memory, knowledge_hit)
    rule = next(r for r in RULES if r.when(f))
    intent, mode = rule.decide(f)
    return learned_intent(rule, intent, mode, a, memory)


# The learned model (niaga.agent.intent_model) decides the intent where it gives its answer at least this
# probability and the rule may be overruled (learned_intent). On blind held-back messages the model alone was right
# more often than the rules (95.7% against 88.4% of 807 messages neither had seen); it is overconfident where the
# rules were written for a family it has not learned (what the shop sells, advice, a product's size asked), so it
# overrules a rule that found its own cue only into a conversation intent, and only when surer.
LEARNED_MIN_PROBABILITY = 0.5
LEARNED_MIN_PROBABILITY_OVER_A_CUE = 0.8
# Rules that guess from what is missing rather than from a word that says what is asked ("a product is named, so
# it is a question about it"; "nothing matched"; a knowledge document matched; a price word and no product): the
# model's answer replaces theirs.
RULES_GUESSING = frozenset(
    {
        "fallback",
        "knowledge",
        "named_product",
        "ask_which_stock",
        "ask_which_order",
        "ask_which_price",
    }
)
# What the model may turn a rule that found its own cue into: a grievance or a request for a person read as an
# order or a payment, an order's status read as a new order ("buku yg sy pesan kamis udh dikirim?"), a thank-you
# or a greeting that named a product, a payment asked. Never another catalogue intent or a print job: which of
# those is asked is what the rules' cues say best.
CONVERSATION_INTENTS = (
    Intent.COMPLAINT,
    Intent.HUMAN_HANDOFF,
    Intent.ORDER_STATUS,
    Intent.THANKS,
    Intent.GREETING,
    Intent.PAYMENT,
)
# Rules the model never overrules: those that read the conversation (an open draft, the question just asked, a
# follow-up of the products in focus), which the model, seeing one message alone, cannot judge; an explicit
# request for a person; a bare "ok" (read as a thank-you or not as the shop's labels happened to say).
RULES_KEPT = frozenset(
    {
        "empty",
        "handoff",
        "draft_cancel",
        "draft_slot",
        "draft_confirm",
        "print_option_change",
        "followup_shipping",
        "followup",
        "print_followup",
        "acknowledged",
    }
)
_PERSON_INTENTS = (Intent.COMPLAINT, Intent.HUMAN_HANDOFF)


def learned_intent(
    rule: Rule,
    intent: Intent,
    mode: Mode,
    a: nlu.Analysis,
    memory: ConversationMemory,
    model: intent_model.IntentModel | None = None,
) -> tuple[Intent, Mode]:
    """The rule's (intent, mode), or the learned model's intent where the model is sure enough and may overrule it.

    The model never overrules a rule of RULES_KEPT, a message sent while an order draft is open, or a follow-up,
    never takes a complaint or a request for a person away from staff, and never reads a grievance into a message
    the rules read as supposed ("conditional"). It replaces a guess (RULES_GUESSING) at
    LEARNED_MIN_PROBABILITY, though never a catalogue product by a print job; any other rule it only turns into one
    of CONVERSATION_INTENTS, at LEARNED_MIN_PROBABILITY_OVER_A_CUE. "Which product?" is still asked where no product
    was named."""
    if rule.name in RULES_KEPT or memory.draft or mode == Mode.INHERIT:
        return intent, mode
    model = model if model is not None else intent_model.shipped()
    if model is None:
        return intent, mode
    best, p = model.predict(a.raw)
    guessed = rule.name in RULES_GUESSING
    if p < (LEARNED_MIN_PROBABILITY if guessed else LEARNED_MIN_PROBABILITY_OVER_A_CUE) or best == intent:
        return intent, mode
    if intent in _PERSON_INTENTS and best not in _PERSON_INTENTS:
        return intent, mode
    if not guessed and best not in CONVERSATION_INTENTS:
        return intent, mode
    if best == Intent.PRINT_ORDER and intent in PRODUCT_INTENTS:
        return intent, mode
    if best == Intent.COMPLAINT and "conditional" in a.signals:
        # "jika paketnya sampai rusak bagaimana?": a grievance supposed, which the rules read and the model cannot
        return intent, mode
    if rule.name == "fallback" and best == Intent.PRODUCT_QUERY:
        # "a question about products" where no rule found a product or a question: nothing to answer, and the
        # count of messages not understood (which hands off) goes on
        return intent, mode
    return best, mode if mode == Mode.ASK and best in PRODUCT_INTENTS else Mode.NONE


def category_nouns(product: Any) -> set[str]:
    """The head noun of a product's category ("buku" of "Buku Islam"): after a number it counts the product
    as a unit does ("tafsir juz amma 15 buku"). Indonesian puts the head noun first; only that word, not the
    modifier ("islam"), names what one item is."""
    words = [t for t in tokens(getattr(product, "category", None) or "") if t.isalpha() and len(t) >= 3]
    return set(words[:1])


def _unit_quantity(a: nlu.Analysis) -> bool:
    """A number with a unit after it ("3 biji") or a times sign before it ("x 4")."""
    return any(
        (i + 1 < len(a.words) and a.words[i + 1] in nlu.UNIT_WORDS) or (i > 0 and a.words[i - 1] == "x")
        for i, _ in a.numbers
    )


def compares_print_options(a: nlu.Analysis) -> bool:
    """A print request that compares two paper sizes ("mana yg lebih murah, print warna A4 atau F4?"); two
    bindings compared are the binding lines' business."""
    return bool(nlu.COMPARE_RE.search(a.norm)) and len(nlu.paper_sizes(a.norm)) >= 2


# what a print request comparing two sizes may have been read as (a complaint comparing them stays one)
_PRINT_ASKS = (Intent.PRINT_ORDER, Intent.PRICE_CHECK, Intent.PRODUCT_QUERY)
_NOT_COMPARED = (Intent.ORDER_STATUS, Intent.PAYMENT, Intent.HUMAN_HANDOFF, Intent.PRINT_ORDER)
_COMPARE_CHUNK_RE = re.compile(r"[,;?!]+|\.(?!\d)")


def compared_products(
    ctx: ToolContext, a: nlu.Analysis, cities: dict[str, str], *, choice_only: bool = False
) -> list[Product]:
    """The two products a comparison question names ("bedanya sajadah turki sama yg travel apa?", "mana yg
    lebih murah, X atau Y?"): the clause with one separator word between two product names, each side
    resolved on its own; a side naming only what sets it apart takes the other side's head noun ("sajadah
    turki sama yg *travel*"). Empty unless both sides name one product each, and different ones."""
    stop = _stopwords(ctx, cities) | nlu.COMPARE_WORDS
    for chunk in _COMPARE_CHUNK_RE.split(a.raw):
        norm = nlu.normalize(chunk)
        sides = [x.strip() for x in nlu.COMPARE_SPLIT_RE.split(norm)]
        if len(sides) != 2 or not all(sides) or (choice_only and not nlu.CHOICE_SPLIT_RE.search(norm)):
            continue
        pair: list[Product] = []
        for k, side in enumerate(sides):
            found = _one_product(ctx, side, cities, stop)
            if found is None and k == 1 and pair:
                named = set(tokens(pair[0].name))
                head = next((t for t in sides[0].split() if t in named and t.isalpha()), None)
                found = _one_product(ctx, f"{head} {side}", cities, stop) if head else None
            if found is None:
                break
            pair.append(found)
        if len(pair) == 2 and pair[0].id != pair[1].id:
            return pair
    return []


# The products of one order named one after another ("fiqih 2 sama sirah 1", "kain sekar jagad 1, syal sutra 1
# dan selendang 2", "2 peci + 1 sajadah"): what joins them. "atau"/"or" offers a choice and joins no order.
# the message asks about all the products it names together ("semuanya brp", "totalnya", "dua2nya")
_ALL_OF_THEM_RE = re.compile(r"\b(?:semuanya|semua|totalnya|total|all of them|both)\b")
_ITEM_SPLIT_RE = re.compile(r"\s*(?:[,;+&]|\b(?:dan juga|dan|sama|sm|plus|serta|and)\b)\s*", re.IGNORECASE)
# one count given for each of the products named, after them all: "ambil 1 1" (the count said once per product),
# "masing2 2", "msg2 1", "2 each" (not a product's own count: "X 2 sama Y 1" gives each its own)
_EACH_COUNT_RE = re.compile(
    r"\b(?:(?:ambil|beli|pesan|order|mau)\s+)?(?:(\d{1,3})\s+\1(?=\s*(?:aja|saja|ya|kak|[?!.,]|$))|"
    r"(?:masing(?:-masing|2)?|msg2?)\s+(\d{1,3})\b|(\d{1,3})\s+(?:masing(?:-masing|2)?|msg2?|each)\b)",
    re.IGNORECASE,
)
# the intents whose reply takes several products at once: an order draft of several lines, a price total, the
# shipping of them all
MULTI_ITEM_INTENTS = (Intent.ORDER_CREATE, Intent.PRICE_CHECK, Intent.SHIPPING_COST)


def _count_of(sub: nlu.Analysis, p: Product) -> int | None:
    """The count a part of a message gives for the one product it names (its name's words are not counts)."""
    name = tokens(p.name)
    return nlu.extract_quantity(
        sub, product_words={stem(t) for t in name} | set(name), names=[name], unit_nouns=category_nouns(p)
    )


def order_lines(ctx: ToolContext, a: nlu.Analysis, cities: dict[str, str]) -> list[OrderLine]:
    """The products a message names one after another, each with its own count: every part between the
    joining words names exactly one product of the catalogue (a part naming nothing, "kirim ke Medan ya", is
    left out), and at least two different products are named. Adjacent parts naming the same product are one
    name with a joining word in it ("Doa Harian & Dzikir ..."). Empty when any part names no product or
    several (then the message is read as one request, as before)."""
    raw, each = a.raw, _EACH_COUNT_RE.search(a.raw)
    if each:
        # "X sama Y, ambil 1 1" / "masing2 2": the count each product gets, said once for all of them
        raw = f"{raw[: each.start()]} {raw[each.end() :]}"
    pieces = [x for x in _ITEM_SPLIT_RE.split(raw) if x and x.strip()]
    if len(pieces) < 2:
        return []
    stop = _stopwords(ctx, cities)
    named: list[tuple[Product, str]] = []
    for piece in pieces:
        sub = nlu.analyze(piece, known_cities=cities)
        got = _resolve_words(ctx, sub, ConversationMemory(), stop | context_words(sub, stop))
        if not got.terms and not got.products and got.not_found is None:
            continue  # no product word: a remark, a city, a question word
        if not (got.confident and got.products) or got.not_found is not None or got.from_focus:
            return []
        p = got.products[0]
        if named and named[-1][0].id == p.id:
            named[-1] = (p, f"{named[-1][1]} {piece}")  # a joining word inside the product's name
        else:
            named.append((p, piece))
    if len(named) < 2 or len({p.id for p, _ in named}) != len(named):
        return []
    out: list[OrderLine] = []
    for p, text in named:
        sub = nlu.analyze(text, known_cities=cities)
        name = tokens(p.name)
        qty = _count_of(sub, p)
        if qty is None and each:
            qty = int(next(g for g in each.groups() if g))
        unit_word = None
        if qty is not None:
            for i, val in sub.numbers:
                if val == qty and i + 1 < len(sub.words) and sub.words[i + 1] in nlu.UNIT_WORDS:
                    unit_word = sub.words[i + 1]
                    break
        said = set(sub.words) | {stem(w) for w in sub.words}
        if qty is None and not said & (set(name) | {stem(t) for t in name}):
            # a part with no count of its own must name its product ("..., desainnya udah ada" is a remark
            # that merely matches some product's description)
            return []
        out.append(OrderLine(product=p, quantity=qty or 1, unit_word=unit_word, stated=qty is not None))
    return out


# With an order draft open: a product added ("tambah 1 peci", "tambahin sajadahnya 2", "add 2 more rugs") ...
_DRAFT_ADD_RE = re.compile(r"^(?:\w+ )?(?:tambah|tambahin|tambahkan|nambah|ditambah|add)\b")
# ... or a line's count changed ("yang sirah jadi 2", "sajadahnya diganti 3 aja", "make the rugs 3")
_DRAFT_SET_RE = re.compile(
    r"\b(?:jadi|jd|dijadikan|diganti|ganti|diubah|ubah|make (?:it|them|\w+)|change (?:it )?to) (\d{1,3})\b"
)


def draft_edit(
    ctx: ToolContext,
    a: nlu.Analysis,
    res: Resolution,
    memory: ConversationMemory,
    cities: dict[str, str],
    choices: dict[str, Any] | None = None,
) -> list[OrderLine]:
    """The changes a message makes to the open order draft: the products it adds with their counts, or the new
    count of one of its lines (the line named, or the only one). Empty when the message changes no line; then
    `choices` gets the products an addition names when it names several ("tambah 1 peci": which one is asked),
    and the product chosen among those asked about before is added."""
    in_draft = [str(it.get("sku")) for it in (memory.draft or {}).get("items") or [] if it.get("sku")]
    if not in_draft:
        return []
    low = " ".join(a.raw.lower().split())
    pending = (memory.draft or {}).get("pending_add") or {}
    if pending.get("skus"):
        # the answer to "which one to add?": the number of a listed product, or words naming one of them
        skus = [str(x) for x in pending["skus"]]
        pick = re.fullmatch(r"(?:no\.?|nomor|yang)?\s*([1-9])(?:\s*(?:aja|saja|ya|kak))*[.!]?", low)
        sku = None
        if pick and int(pick.group(1)) <= len(skus):
            sku = skus[int(pick.group(1)) - 1]
        else:
            mine = [p for p in res.products if p.sku in skus]
            sku = mine[0].sku if len(mine) == 1 else None
        p = product_by_sku(ctx, sku) if sku else None
        if p is not None:
            count = int(pending.get("quantity") or 1)
            return [OrderLine(product=p, quantity=count, stated=bool(pending.get("stated")), change="add")]

    def named(got: Resolution) -> Product | None:
        if got.confident and got.products and got.not_found is None:
            return got.products[0]
        mine = [p for p in got.products if p.sku in in_draft]  # "peci" of several: the one ordered
        return mine[0] if len(mine) == 1 else None

    add = _DRAFT_ADD_RE.search(low)
    if add:
        # what follows the verb names what is added ("tambah 1 peci", "tambahin 1 lagi": the draft's one line)
        sub = nlu.analyze(low[add.end() :], known_cities=cities)
        lines = order_lines(ctx, sub, cities)
        if not lines:
            stop = _stopwords(ctx, cities)
            got = _resolve_words(ctx, sub, ConversationMemory(), stop | context_words(sub, stop))
            p = named(got)
            if p is None and not got.products and got.not_found is None and len(in_draft) == 1:
                p = product_by_sku(ctx, in_draft[0])
            if p is None:
                if choices is not None and len(got.products) > 1 and got.not_found is None:
                    # "peci" names several: which one is asked, the count after the verb kept for it
                    choices["products"] = got.products
                    choices["quantity"] = (
                        sub.numbers[0][1] if sub.numbers and sub.numbers[0][0] == 0 else None
                    )
                return []
            qty = _count_of(sub, p)
            if qty is None and sub.numbers and sub.numbers[0][0] == 0:
                qty = sub.numbers[0][1]  # the count right after the verb ("tambah 2 ...")
            lines = [OrderLine(product=p, quantity=qty or 1, stated=qty is not None)]
        for ln in lines:
            ln.change = "add"
        return lines
    m = _DRAFT_SET_RE.search(low)
    if m:
        # the line is named by the words around the change ("fiqihnya diganti 3 aja": "fiqihnya aja")
        sub = nlu.analyze(f"{low[: m.start()]} {low[m.end() :]}", known_cities=cities)
        stop = _stopwords(ctx, cities)
        got = _resolve_words(ctx, sub, ConversationMemory(), stop | context_words(sub, stop))
        p = named(got)
        if p is None and not got.products and got.not_found is None and len(in_draft) == 1:
            p = product_by_sku(ctx, in_draft[0])  # "jadi 3 aja": the draft's one line
        if p is None or p.sku not in in_draft or int(m.group(1)) < 1:
            return []
        return [OrderLine(product=p, quantity=int(m.group(1)), stated=True, change="set")]
    return []


def _sells_the_binding(name: str, binding: str | None) -> bool:
    """Whether a product is the binding itself: its name says binding ("jilid", "binding") and names the same
    kind of binding as the message ("Jilid Spiral" for "jilid spiral"), not a book that merely has a cover."""
    if not binding or binding == "none":
        return False
    named = nlu.analyze(name)
    return bool({"jilid", "binding"} & set(named.words)) and named.print_spec.get("binding") == binding


def _one_product(ctx: ToolContext, text: str, cities: dict[str, str], stop: set[str]) -> Product | None:
    """The one product a side of a comparison names on its own (no conversation focus), or None."""
    sub = nlu.analyze(text, known_cities=cities)
    got = _resolve_words(ctx, sub, ConversationMemory(), stop)
    return got.products[0] if got.confident and got.products and got.not_found is None else None


def build_plan(
    ctx: ToolContext, a: nlu.Analysis, memory: ConversationMemory, cities: dict[str, str], knowledge_hit: bool
) -> Plan:
    res = resolve_products(ctx, a, memory, cities)
    adds = None if memory.draft else _DRAFT_ADD_RE.search(" ".join(a.raw.lower().split()))
    if adds and (res.not_found or not res.products):
        # "tambah 1 peci" with no order open: the verb names no product, what follows it is ordered
        sub = nlu.analyze(" ".join(a.raw.lower().split())[adds.end() :], known_cities=cities)
        got = resolve_products(ctx, sub, ConversationMemory(), cities)
        if got.products and got.not_found is None:
            res = got
        else:
            adds = None
    if res.product is not None and not res.from_focus:
        nlu.drop_signals_in_name(a, tokens(res.product.name))
    lines: list[OrderLine] = []
    # ... or one product matches it but the message asks for all of them ("X sama Y, dua2nya brp?")
    if (res.product is None or _ALL_OF_THEM_RE.search(a.norm)) and _ITEM_SPLIT_RE.search(a.raw):
        # "pesan X 2 sama Y 1, kirim ke Medan": no one product matches the whole message, but each part names
        # one: what is asked is decided knowing the products are named
        lines = order_lines(ctx, a, cities)
        for ln in lines:
            nlu.drop_signals_in_name(a, tokens(ln.product.name))
    named = Resolution(products=[lines[0].product], confident=True, terms=res.terms) if lines else res
    intent, mode = decide_intent(a, named, memory, knowledge_hit=knowledge_hit)
    if adds and intent in (Intent.OTHER, Intent.PRODUCT_QUERY, Intent.ORDER_CREATE):
        intent, mode = Intent.ORDER_CREATE, Mode.NONE  # "tambah 1 peci", no order open: "pesan 1 peci"
    if mode == Mode.PRINT and intent in _PRINT_ASKS and compares_print_options(a):
        intent = Intent.PRICE_CHECK  # "mana yg lebih murah, print warna A4 atau F4?": the two rates asked
    elif (
        mode != Mode.PRINT
        and intent not in _NOT_COMPARED
        and nlu.COMPARE_RE.search(a.norm)
        # "warnanya beda sama desain": a complaint compares what came with what was wanted; read as two
        # products compared only when their prices are asked ("Parang Rusak harganya masing2 berapa?")
        and (intent != Intent.COMPLAINT or nlu.COMPARE_PRICE_RE.search(a.norm))
    ):
        # "pesan X dan Y, kalau 2 lebih murah?" orders both; only "X atau Y" is a choice between them
        pair = compared_products(ctx, a, cities, choice_only=intent == Intent.ORDER_CREATE)
        if pair:
            res = Resolution(products=pair, terms=res.terms)
            mode = Mode.COMPARE
            intent = Intent.PRICE_CHECK if nlu.COMPARE_PRICE_RE.search(a.norm) else Intent.PRODUCT_QUERY
    if mode == Mode.INHERIT and not res.products and not res.not_found and memory.focus:
        res = Resolution(products=products_by_ids(ctx, memory.focus), from_focus=True)
        res.confident = len(res.products) == 1
    elif (
        intent in PRODUCT_INTENTS
        and not res.products
        and not res.not_found
        and memory.focus
        and mode != Mode.PROMO
        and mode != Mode.RECOMMEND
    ):
        # "harganya?", "stoknya ada?", "ongkir ke Medan?" — the products in focus.
        res = Resolution(products=products_by_ids(ctx, memory.focus), from_focus=True)
        res.confident = len(res.products) == 1
    product_words: set[str] = set()
    for p in res.products[:1]:
        product_words = {stem(t) for t in tokens(p.name)} | {t for t in tokens(p.name)}
    names = [tokens(p.name) for p in [*res.products, *res.alternatives]]
    qty = nlu.extract_quantity(
        a,
        exclude_values=res.matched_numbers,
        product_words=product_words,
        names=names,
        unit_nouns=category_nouns(res.products[0]) if res.products else set(),
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
    if intent in (Intent.SHIPPING_COST, Intent.ORDER_CREATE):
        # "ongkir ke Jakarta pake JNE YES": the courier whose rates are asked, as the shop's rates spell it; "pesan
        # 2 peci, kirim ke Bandung pakai SiCepat": the courier the order is to go with
        courier = courier_named(ctx, a.raw)
        if courier:
            entities["courier"] = courier
    if a.order_number:
        entities["order_number"] = a.order_number
    spec = {}
    if mode == Mode.PRINT or intent == Intent.PRINT_ORDER:
        spec = dict(a.print_spec)
        if (
            memory.last_intent == Intent.PRINT_ORDER
            and memory.print_spec
            and (
                "followup" in a.signals
                or not spec.get("document_type")
                or spec.get("document_type") == memory.print_spec.get("document_type")
            )
        ):
            spec = {**memory.print_spec, **spec}  # "jilid spiral aja" changes the order being discussed
        for k in ("document_type", "copies", "binding", "color", "duplex", "pages", "paper_size"):
            if k in spec:
                entities[k] = spec[k]
        if spec.get("colour_pages"):
            # "180 hlm, 20 hlm diantaranya warna": the pages printed in colour, of the pages counted
            entities["color_pages"] = spec["colour_pages"]
    elif res.product is not None and _sells_the_binding(res.product.name, a.print_spec.get("binding")):
        # "jilid spiral brp" where the shop sells the binding itself as a product ("Jilid Spiral"): the binding
        # asked is named as well as the product
        entities["binding"] = a.print_spec["binding"]
    angry = "angry" in a.signals
    choices: dict[str, Any] = {}
    edits = (
        draft_edit(ctx, a, res, memory, cities, choices)
        if memory.draft and intent not in (Intent.HUMAN_HANDOFF, Intent.COMPLAINT) and mode != Mode.CANCEL
        else []
    )
    if edits:
        intent, mode, lines = Intent.ORDER_CREATE, Mode.EDIT, edits
    elif choices:
        # "tambah 1 peci" where several products are "peci": asked which, then added to the same draft
        intent, mode, lines = Intent.ORDER_CREATE, Mode.EDIT, []
        res = Resolution(products=choices["products"], terms=res.terms)
        qty = choices["quantity"]
    elif intent not in MULTI_ITEM_INTENTS or mode not in (Mode.NONE, Mode.ASK):
        lines = []
    elif not lines and _ITEM_SPLIT_RE.search(a.raw):
        lines = order_lines(ctx, a, cities)
    # a price asked for several products is a total only when a count is given ("fiqih 2 sama sirah 1 jadi
    # berapa?") or when all of them are asked together ("X sama Y, dua2nya brp?": one of each); without one
    # ("X sama Y harganya?") each price is answered as before
    if lines and intent == Intent.PRICE_CHECK and asks_each_price(lines, a) and len(lines) < 2:
        lines = []
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
        lines=lines,
    )
