"""Knowledge retrieval: BM25 over a business's active knowledge documents (title weighted up), with a
small synonym map from how customers ask ("alamat", "cod", "berapa lama") to how policies are written
("lokasi", "tunai", "estimasi"). Returns the best documents and, inside each, the sentences that answer.

Cached per business like the product index (count, max(updated_at)).

With an embeddings endpoint and vectors (`niaga.knowledge.embeddings`) the lexical ranking is fused with
the question's cosine top-k by reciprocal rank fusion; otherwise (or on a provider error) it stands alone.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.bizcache import BusinessCache
from niaga.kit.bm25 import BM25, QUERY_STOPWORDS
from niaga.kit.lang import stem, tokens
from niaga.knowledge import embeddings
from niaga.knowledge.models import KnowledgeDocument

# Customer words → words policies use (stems). Expansions are added with a lower weight.
SYNONYMS: dict[str, list[str]] = {
    "alamat": ["lokasi", "jl"],
    "dimana": ["lokasi", "jl"],
    "letak": ["lokasi"],
    "lokasi": ["jl"],
    "maps": ["lokasi"],
    "map": ["lokasi"],
    "where": ["lokasi"],
    "address": ["lokasi", "jl"],
    "buka": ["jam", "operasional"],
    "tutup": ["jam", "operasional", "libur"],
    "jam": ["operasional", "buka"],
    "open": ["jam", "buka", "operasional"],
    "hours": ["jam", "operasional"],
    "libur": ["operasional"],
    "cod": ["tunai", "ambil", "bayar"],
    "tunai": ["bayar"],
    "cash": ["tunai"],
    "bayar": ["bayar", "transfer", "qris"],
    "transfer": ["bayar"],
    "qris": ["bayar"],
    "rekening": ["bayar"],
    "retur": ["tukar", "retur"],
    "refund": ["retur", "tukar"],
    "tukar": ["retur"],
    "return": ["retur", "tukar"],
    "cacat": ["retur", "tukar"],
    "rusak": ["retur", "tukar"],
    "garansi": ["retur", "tukar"],
    "ongkir": ["kirim", "irim"],
    "gratis": ["kirim", "ongkir"],
    "kurir": ["kirim", "irim", "jne"],
    "ekspedisi": ["kirim", "irim", "jne"],
    "kirim": ["irim"],  # "pengiriman" stems to "irim" (the k of meng-/peng- is not restored)
    "bija": ["aturan"],
    "lama": ["estimasi", "kerja"],
    "selesai": ["estimasi"],
    "jadi": ["estimasi"],
    "kapan": ["estimasi"],
    "format": ["file"],
    "file": ["format"],
    "poin": ["loyalitas"],
    "point": ["poin"],
    "member": ["poin"],
    "preorder": ["pre", "order"],
    "inden": ["pre", "order"],
    "habis": ["pre", "order"],
    "privasi": ["data"],
    "data": ["privasi"],
    "skripsi": ["skripsi"],
    "express": ["express"],
    "kilat": ["express"],
}

# The map is written in words; questions and policies are compared by stem ("tunai" is "tuna" to the stemmer),
# so it is looked up and expanded by the stems of its words.
_SYNONYM_STEMS: dict[str, list[str]] = {}
for _word, _alts in SYNONYMS.items():
    _SYNONYM_STEMS.setdefault(stem(_word), []).extend(stem(x) for x in _alts)

_SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREV = {
    "jl",
    "jln",
    "no",
    "km",
    "gg",
    "rt",
    "rw",
    "kec",
    "kab",
    "kel",
    "dr",
    "h",
    "hj",
    "prof",
    "st",
    "tel",
    "telp",
    "hp",
    "wa",
    "a.n",
    "an",
    "pt",
    "cv",
    "ds",
    "dsn",
    "ir",
    "drs",
    "kh",
}


@dataclass
class KnowledgeHit:
    document_id: int
    title: str
    score: float
    sentences: list[str]
    content: str
    matched: set[str]
    similarity: float | None = None  # cosine to the question (hybrid retrieval only)


@dataclass
class KnowledgeIndex:
    key: tuple[Any, ...]
    ids: list[int]
    titles: list[str]
    contents: list[str]
    bm25: BM25


_cache: dict[int, KnowledgeIndex] = {}
_lock = threading.Lock()


def _doc_terms(d: KnowledgeDocument) -> dict[str, float]:
    tf: dict[str, float] = defaultdict(float)
    for t in tokens(d.title):
        tf[stem(t)] += 3.0
    for t in tokens(" ".join(str(x) for x in (d.tags or []))):
        tf[stem(t)] += 2.0
    for t in tokens(d.content):
        tf[stem(t)] += 1.0
    return dict(tf)


# The index's freshness key (count and last update of the business's documents), re-read when this process
# writes a document and at most a second after the last read otherwise (every turn searches the knowledge).
_keys = BusinessCache[tuple[Any, ...]]("knowledge.key", (KnowledgeDocument,))


def _key(db: Session, business_id: int) -> tuple[Any, ...]:
    def load(db: Session) -> tuple[Any, ...]:
        row = db.execute(
            sa.select(sa.func.count(KnowledgeDocument.id), sa.func.max(KnowledgeDocument.updated_at)).where(
                KnowledgeDocument.business_id == business_id
            )
        ).one()
        return (row[0], str(row[1]))

    return _keys.get(db, business_id, load)


def get_index(db: Session, *, business_id: int) -> KnowledgeIndex:
    key = _key(db, business_id)
    with _lock:
        idx = _cache.get(business_id)
    if idx is not None and idx.key == key:
        return idx
    docs = (
        db.execute(
            sa.select(KnowledgeDocument)
            .where(KnowledgeDocument.business_id == business_id, KnowledgeDocument.is_active.is_(True))
            .order_by(KnowledgeDocument.id)
        )
        .scalars()
        .all()
    )
    idx = KnowledgeIndex(
        key=key,
        ids=[d.id for d in docs],
        titles=[d.title for d in docs],
        contents=[d.content for d in docs],
        bm25=BM25([_doc_terms(d) for d in docs]),
    )
    with _lock:
        _cache[business_id] = idx
    return idx


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """(content stems, synonym stems) of a customer's question."""
    base: list[str] = []
    for t in tokens(query):
        s = stem(t)
        keep = {
            "jam",
            "buka",
            "tutup",
            "lama",
            "bayar",
            "kirim",
            "ongkir",
            "format",
            "jadi",
            "selesai",
            "hari",
            "minggu",
            "promo",
            "cod",
            "irim",
            # a product out of stock ("stok habis"; "stok kosong" is normalised to it): the pre-order policy's
            "habis",
        }
        if (t in QUERY_STOPWORDS or s in QUERY_STOPWORDS) and t not in keep and s not in keep:
            continue
        if len(s) >= 2:
            base.append(s)
    extra: list[str] = []
    for s in base:
        extra.extend(x for x in _SYNONYM_STEMS.get(s, []) if x not in base)
    return list(dict.fromkeys(base)), list(dict.fromkeys(extra))


def split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=[-*•])", text.strip()):
        para = " ".join(para.split())
        if para:
            pieces = [p for p in _SENT_RE.split(para) if p.strip()]
            merged: list[str] = []
            for piece in pieces:
                last = merged[-1].rstrip(".").rsplit(" ", 1)[-1].lower() if merged else ""
                if merged and last in _ABBREV:
                    merged[-1] = merged[-1] + " " + piece
                else:
                    merged.append(piece)
            parts.extend(p.strip() for p in merged)
    return parts


def search_knowledge(
    db: Session, *, business_id: int, query: str, limit: int = 3, max_sentences: int = 2
) -> list[KnowledgeHit]:
    """Best documents for the question with their most relevant sentences (in document order)."""
    idx = get_index(db, business_id=business_id)
    base, extra = query_terms(query)
    if not idx.ids or not (base or extra):
        return []
    scores, matched, _ = idx.bm25.score(base)
    if extra:
        s2, m2, _ = idx.bm25.score(extra)
        for i, s in s2.items():
            scores[i] = scores.get(i, 0.0) + 0.6 * s
            matched.setdefault(i, set()).update(m2[i])
    # A document with one sentence that answers several of the question's words at once ("pesanan yang
    # *dibayar* sebelum pukul 14.00 *dikirim* di *hari* yang sama") beats one that only repeats a word in its
    # title: the score grows with the best sentence's count of distinct question words (beyond the first).
    base_set = set(base)
    candidates = sorted(scores.items(), key=lambda kv: -kv[1])[: max(limit * 3, 6)]
    rescored = []
    for i, s in candidates:
        best_cover = max(
            (len({stem(t) for t in tokens(sent)} & base_set) for sent in split_sentences(idx.contents[i])),
            default=0,
        )
        rescored.append((i, s * (1.0 + 0.25 * max(best_cover - 1, 0))))
    ranked = sorted(rescored, key=lambda kv: -kv[1])[:limit]
    cosine: dict[int, float] = {}
    vec = embeddings.query_scores(db, business_id=business_id, kind="knowledge", query=query)
    if vec is not None:
        pos = {doc_id: i for i, doc_id in enumerate(idx.ids)}  # active documents only
        nearest = vec.top(max(limit * 4, 20), lambda doc_id: doc_id in pos)
        cosine = {pos[doc_id]: c for doc_id, c in nearest}
        lexical = [i for i, sc in sorted(rescored, key=lambda kv: -kv[1]) if sc > 0]
        fused = embeddings.rrf([lexical, [pos[doc_id] for doc_id, _ in nearest]])
        lex_score = dict(rescored)
        ranked = [
            (i, lex_score.get(i, 0.0)) for i in sorted(fused, key=lambda i: (-fused[i], idx.ids[i]))[:limit]
        ]
    want = set(base) | set(extra)
    out = []
    for i, s in ranked:
        if s <= 0 and i not in cosine:
            continue
        sents = split_sentences(idx.contents[i])
        scored = []
        for n, sent in enumerate(sents):
            st = {stem(t) for t in tokens(sent)}
            hit = len(st & set(base)) * 1.0 + len(st & set(extra)) * 0.6
            scored.append((hit, n))
        best = [n for _, n in sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))]
        # A policy's lead sentence states the rule ("Toko buka ...", "Barang cacat ... dapat ditukar ...");
        # keep it, plus the sentences that match the question best.
        others = [n for n in best if n != 0]
        chosen = sorted([0, *others[: max(max_sentences - 1, 0)]]) if sents else []
        out.append(
            KnowledgeHit(
                document_id=idx.ids[i],
                title=idx.titles[i],
                score=s,
                sentences=[sents[n] for n in chosen if n < len(sents)],
                content=idx.contents[i],
                matched=set(matched.get(i, set())) & want,
                similarity=cosine.get(i),
            )
        )
    return out


def invalidate(business_id: int | None = None) -> None:
    _keys.invalidate(business_id)
    with _lock:
        if business_id is None:
            _cache.clear()
        else:
            _cache.pop(business_id, None)
