"""Product retrieval: BM25 (fielded weights) over a business's active catalogue with Indonesian
normalisation (slang map + light stemming, see `niaga.kit.lang`), typo tolerance (one edit, or a
prefix of a longer word) and category/tag boosts.

The index is built per business and cached in-process, keyed on (business_id, product count,
max(updated_at)): any insert, update (stock and price included) or delete rebuilds it on the next search.
`BM25` and `FuzzyVocab` are reused by the knowledge index.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog.models import Product
from niaga.kit.lang import stem, tokens

# Words that carry no product meaning in a shop question (intent words, fillers, address words, units).
QUERY_STOPWORDS = {
    "ada", "apa", "apakah", "berapa", "harga", "harganya", "biaya", "stok", "ready", "tersedia", "available",
    "instock", "masih", "sisa", "tinggal", "habis", "kosong", "mau", "ingin", "pesan", "order", "beli",
    "ambil", "jual", "cari", "kak", "kakak", "min", "admin", "gan", "sis", "bang", "mas", "mbak", "mba", "bu",
    "pak", "ya", "dong", "deh", "sih", "kok", "nih", "ini", "itu", "yang", "dan", "atau", "di", "ke", "dari",
    "untuk", "dengan", "pakai", "saya", "kamu", "tidak", "bisa", "boleh", "tolong", "mohon", "halo", "sama",
    "juga", "saja", "lagi", "kalau", "kalo", "gimana", "bagaimana", "nya", "the", "is", "a", "an",
    "of", "for", "to", "do", "you", "have", "has", "how", "howmuch", "much", "what", "any", "please", "i",
    "want", "some", "are", "me", "my", "your", "can", "in", "on", "at", "per", "pcs", "buah", "unit",
    "eksemplar", "box", "pack", "set", "lembar", "rangkap", "item", "ongkir", "kirim", "dikirim", "pengiriman",
    "promo", "rekomendasi", "rekomendasikan", "recommend", "sell", "still", "left", "stock", "price", "cost",
    "berapaan", "brp", "hrg", "kasih", "info", "tanya", "nanya", "ok", "sudah", "belum", "banget", "sekarang",
    "selamat", "pagi", "siang", "sore", "malam", "assalamualaikum", "makasih", "thanks", "terima", "dulu",
    "total", "semua", "jadi", "produk", "barang", "toko", "punya", "check", "cek", "like", "would", "i'd", "id",
    "im", "i'm", "looking", "get", "with", "and", "or", "it", "this", "that", "these", "those", "there", "does",
    "did", "had", "will", "should", "may", "be", "am", "was", "were", "by", "from", "about", "buy", "need",
    "memesan", "membeli", "dipesan", "pemesanan",
}


class FuzzyVocab:
    """Typo tolerance without scanning the vocabulary: a one-deletion neighbourhood index
    (SymSpell-style, distance 1 incl. transpositions) plus prefix completion for longer fragments."""

    def __init__(self, vocab: Iterable[str]) -> None:
        self.vocab = set(vocab)
        self.sorted = sorted(self.vocab)
        self.deletes: dict[str, set[str]] = defaultdict(set)
        for term in self.vocab:
            if len(term) >= 4 and term.isalpha():
                for d in self._deletes(term):
                    self.deletes[d].add(term)

    @staticmethod
    def _deletes(term: str) -> set[str]:
        return {term[:i] + term[i + 1:] for i in range(len(term))} | {term}

    @staticmethod
    def _within_one(a: str, b: str) -> bool:
        """Damerau-Levenshtein distance <= 1 (one insert, delete, substitute or adjacent swap)."""
        if a == b:
            return True
        la, lb = len(a), len(b)
        if abs(la - lb) > 1:
            return False
        i = 0
        while i < min(la, lb) and a[i] == b[i]:
            i += 1
        if la == lb:
            if a[i + 1:] == b[i + 1:]:
                return True
            return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
        return a[i + 1:] == b[i:] if la > lb else a[i:] == b[i + 1:]

    def expand(self, term: str) -> list[tuple[str, float]]:
        """Vocabulary terms for a query term with a weight: exact 1.0, one edit 0.75, prefix 0.6."""
        if term in self.vocab:
            return [(term, 1.0)]
        out: dict[str, float] = {}
        if len(term) >= 4 and term.isalpha():
            for d in self._deletes(term):
                for cand in self.deletes.get(d, ()):
                    if cand != term and self._within_one(cand, term):
                        out[cand] = 0.75
        if len(term) >= 5 and term.isalpha():
            i = bisect_left(self.sorted, term)
            n = 0
            while i < len(self.sorted) and self.sorted[i].startswith(term) and n < 5:
                out.setdefault(self.sorted[i], 0.6)
                i += 1
                n += 1
        return sorted(out.items(), key=lambda kv: -kv[1])[:4]


class BM25:
    """Okapi BM25 over documents given as weighted term frequencies."""

    def __init__(self, docs: list[dict[str, float]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(docs)
        self.lengths = [sum(d.values()) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, d in enumerate(docs):
            for term, tf in d.items():
                self.postings[term].append((i, tf))
        self.idf = {t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.vocab = FuzzyVocab(self.postings.keys())

    def score(self, query: list[str]) -> tuple[dict[int, float], dict[int, set[str]], dict[str, list[str]]]:
        """Scores per doc index, the query terms each doc matched, and each query term's expansions."""
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[str]] = defaultdict(set)
        expansions: dict[str, list[str]] = {}
        for qt in dict.fromkeys(query):
            exp = self.vocab.expand(qt)
            expansions[qt] = [t for t, _ in exp]
            for term, w in exp:
                idf = self.idf[term]
                for i, tf in self.postings[term]:
                    denom = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avgdl)
                    scores[i] += w * idf * tf * (self.k1 + 1) / denom
                    matched[i].add(qt)
        return scores, matched, expansions


@dataclass
class ProductHit:
    product_id: int
    sku: str
    name: str
    category: str | None
    score: float
    matched: set[str] = field(default_factory=set)
    terms: list[str] = field(default_factory=list)  # the query's content terms (stems)

    @property
    def coverage(self) -> float:
        """Share of the query's content terms this product matched (unknown bare numbers excluded)."""
        return (len(self.matched & set(self.terms)) / len(self.terms)) if self.terms else 0.0


@dataclass
class ProductIndex:
    business_id: int
    key: tuple[Any, ...]
    ids: list[int]
    skus: list[str]
    names: list[str]
    categories: list[str | None]
    tags: list[list[str]]
    bm25: BM25
    by_sku: dict[str, int]

    def content_terms(self, query: str, extra_stopwords: Iterable[str] = ()) -> list[str]:
        stop = QUERY_STOPWORDS | set(extra_stopwords)
        out = []
        for t in tokens(query):
            if t in stop or len(t) < 2:
                continue
            # "harganya", "stoknya", "adakah": an intent word with a particle. Only particles are
            # stripped here: "harian" must not become the stopword "hari".
            if any(t.endswith(suf) and t[: -len(suf)] in stop for suf in ("nya", "lah", "kah", "pun")):
                continue
            s = stem(t)
            if s != t and s in stop and not t.endswith(("an", "i")):
                continue  # "memesan" → "pesan": an intent verb, not a product word
            if t.isdigit() and len(t) < 2:
                continue  # single digits are quantities ("2 quran"), not part of a name
            if t.isdigit() and s not in self.bm25.postings:
                continue  # a bare quantity, not part of a product name
            out.append(s)
        return list(dict.fromkeys(out))


_field_weights = {"name": 3.0, "tags": 2.0, "category": 2.0, "attributes": 1.0, "description": 1.0}


def _doc_terms(p: Product) -> dict[str, float]:
    tf: dict[str, float] = defaultdict(float)
    attrs = " ".join(str(v) for v in (p.attributes or {}).values() if isinstance(v, str))
    fields = {"name": p.name, "tags": " ".join(str(t) for t in (p.tags or [])), "category": p.category or "",
              "attributes": attrs, "description": p.description or ""}
    for fname, text in fields.items():
        w = _field_weights[fname]
        for t in tokens(text):
            tf[stem(t)] += w
    return dict(tf)


_cache: dict[int, ProductIndex] = {}
_lock = threading.Lock()


def _index_key(db: Session, business_id: int) -> tuple[Any, ...]:
    row = db.execute(sa.select(sa.func.count(Product.id), sa.func.max(Product.updated_at))
                     .where(Product.business_id == business_id)).one()
    return (row[0], str(row[1]))


def get_index(db: Session, *, business_id: int) -> ProductIndex:
    """The business's product index, rebuilt when its products changed."""
    key = _index_key(db, business_id)
    with _lock:
        idx = _cache.get(business_id)
    if idx is not None and idx.key == key:
        return idx
    rows = db.execute(sa.select(Product).where(Product.business_id == business_id, Product.is_active.is_(True))
                      .order_by(Product.id)).scalars().all()
    idx = ProductIndex(business_id=business_id, key=key, ids=[p.id for p in rows], skus=[p.sku for p in rows],
                       names=[p.name for p in rows], categories=[p.category for p in rows],
                       tags=[[str(t).lower() for t in (p.tags or [])] for p in rows],
                       bm25=BM25([_doc_terms(p) for p in rows]),
                       by_sku={p.sku.upper(): i for i, p in enumerate(rows)})
    with _lock:
        _cache[business_id] = idx
    return idx


def invalidate(business_id: int | None = None) -> None:
    with _lock:
        if business_id is None:
            _cache.clear()
        else:
            _cache.pop(business_id, None)


_SKU_RE = re.compile(r"\b[A-Za-z0-9]{2,}(?:-[A-Za-z0-9]+){1,4}\b")


def find_skus(db: Session, *, business_id: int, text: str) -> list[int]:
    """Product ids of SKUs written literally in the text (only this business's SKUs)."""
    idx = get_index(db, business_id=business_id)
    out = []
    for m in _SKU_RE.finditer(text or ""):
        i = idx.by_sku.get(m.group(0).upper())
        if i is not None:
            out.append(idx.ids[i])
    return out


def search_products(db: Session, *, business_id: int, query: str, limit: int = 5,
                    boost_ids: Iterable[int] = (), boost_categories: Iterable[str] = (),
                    restrict_ids: Iterable[int] | None = None,
                    extra_stopwords: Iterable[str] = ()) -> list[ProductHit]:
    """Best-matching active products of this business, best first. `boost_ids`/`boost_categories` favour
    products in focus (follow-up questions); `restrict_ids` searches only those products."""
    idx = get_index(db, business_id=business_id)
    terms = idx.content_terms(query, extra_stopwords)
    if not terms or not idx.ids:
        return []
    scores, matched, _ = idx.bm25.score(terms)
    boost_ids = set(boost_ids)
    boost_cats = {c.lower() for c in boost_categories if c}
    allowed = set(restrict_ids) if restrict_ids is not None else None
    hits = []
    for i, s in scores.items():
        pid = idx.ids[i]
        if allowed is not None and pid not in allowed:
            continue
        # Coverage matters more than raw BM25: a product matching every word beats one matching a rare word.
        cov = len(matched[i]) / len(terms)
        s = s * (0.5 + cov)
        if pid in boost_ids:
            s *= 1.5
        if (idx.categories[i] or "").lower() in boost_cats:
            s *= 1.3
        hits.append(ProductHit(product_id=pid, sku=idx.skus[i], name=idx.names[i], category=idx.categories[i],
                               score=s, matched=set(matched[i]), terms=terms))
    hits.sort(key=lambda h: (-h.score, h.product_id))
    return hits[:limit]


def products_by_tag(db: Session, *, business_id: int, tag: str, limit: int = 10) -> list[int]:
    idx = get_index(db, business_id=business_id)
    tag = tag.lower()
    return [idx.ids[i] for i, tags in enumerate(idx.tags) if tag in tags][:limit]


def products_in_categories(db: Session, *, business_id: int, categories: Iterable[str]) -> list[int]:
    idx = get_index(db, business_id=business_id)
    cats = {c.lower() for c in categories}
    return [idx.ids[i] for i, c in enumerate(idx.categories) if (c or "").lower() in cats]
