"""Product retrieval: BM25 (fielded weights) over a business's active catalogue with Indonesian
normalisation (slang map + light stemming, see `niaga.kit.lang`), typo tolerance (one edit, or a
prefix of a longer word) and category/tag boosts.

The index is built per business and cached in-process (shared by its threads), then kept up to date in
place (see `get_index`). Each product's analysed document (stems with field weights, and a digest of the
fields they came from) is stored in `product_search_docs`, written in the product's own transaction by ORM
writes (or by `store_docs` after a bulk load): a process builds its index by reading the stored documents
instead of analysing the catalogue again, and catches up by reading only the changed products' documents.
`BM25` and `FuzzyVocab` are reused by the knowledge index.

When the business has an embeddings endpoint and vectors (`niaga.knowledge.embeddings`), the lexical ranking
is fused with the question's cosine top-k by reciprocal rank fusion; a vector hit at least
`min_similarity` close to the question is `semantic` (it names what was asked though no word matched).
Without vectors, or on any provider error, the lexical ranking is returned unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from niaga.catalog.models import Product, ProductSearchDoc
from niaga.db.savepoints import in_savepoint
from niaga.kit.bm25 import BM25, QUERY_STOPWORDS, FuzzyVocab  # noqa: F401  (also re-exported)
from niaga.kit.lang import stem, tokens
from niaga.knowledge import embeddings


@dataclass
class ProductHit:
    product_id: int
    sku: str
    name: str
    category: str | None
    score: float
    matched: set[str] = field(default_factory=set)
    terms: list[str] = field(default_factory=list)  # the query's content terms (stems)
    similarity: float | None = None  # cosine to the question (hybrid retrieval only)
    semantic: bool = False  # similarity at least the business's min_similarity

    @property
    def coverage(self) -> float:
        """Share of the query's content terms this product matched (unknown bare numbers excluded); a
        semantic match covers the question by meaning."""
        if self.semantic:
            return 1.0
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
    pos: dict[int, int] = field(default_factory=dict)  # product id -> document number
    sigs: list[str] = field(default_factory=list)  # digest of each product's searchable fields
    stamps: list[Any] = field(default_factory=list)  # each product's updated_at as indexed

    def tags_of(self, product_id: int) -> list[str]:
        i = self.pos.get(product_id)
        return self.tags[i] if i is not None else []

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
            out.extend(self._split_compound(s))
        return list(dict.fromkeys(out))

    def _split_compound(self, term: str) -> list[str]:
        """A word the catalogue does not know that is two of its words written together, as one product
        carries them ("perkata" for "Per Kata", "juzamma" for "Juz Amma"): those two words. Any other
        term is returned as it is."""
        postings = self.bm25.postings
        if len(term) < 6 or not term.isalpha() or term in postings or self.bm25.vocab.expand(term):
            return [term]
        for i in range(3, len(term) - 2):
            left, right = term[:i], term[i:]
            if left in postings and right in postings:
                docs = {d for d, _ in postings[left]}
                if any(d in docs for d, _ in postings[right]):
                    return [left, right]
        return [term]


_field_weights = {"name": 3.0, "tags": 2.0, "category": 2.0, "attributes": 1.0, "description": 1.0}


# The columns the index reads: fetched as plain rows (no ORM objects) with the stored analysed document.
_COLUMNS = (
    Product.id,
    Product.sku,
    Product.name,
    Product.category,
    Product.tags,
    Product.attributes,
    Product.description,
    Product.is_active,
    Product.updated_at,
    ProductSearchDoc.sig.label("doc_sig"),
    ProductSearchDoc.terms.label("doc_terms"),
)


def _select_rows() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).outerjoin(ProductSearchDoc, ProductSearchDoc.product_id == Product.id)


analysed = 0  # documents analysed from the product's text in this process (stored ones are read instead)


def _terms_of(p: Any, sig: str) -> dict[str, float]:
    """The product's document: the stored one when it was made from these same fields, else analysed now."""
    global analysed
    if p.doc_sig == sig and p.doc_terms is not None:
        return {str(t): float(w) for t, w in p.doc_terms.items()}
    analysed += 1
    return _doc_terms(p)


def _analyzer_version() -> str:
    """A digest of what turns a product's text into its document: the analyser's code and tables
    (`niaga.kit.lang`: normalisation, slang, stemming) and the field weights. A new niaga version that
    analyses differently makes every stored document stale (`_signature`), so queries and documents are
    never analysed by two different versions; `refresh_docs` (run by `niaga migrate`) stores them again."""
    from pathlib import Path

    from niaga.kit import lang

    digest = hashlib.blake2b(Path(lang.__file__).read_bytes(), digest_size=16)
    digest.update(json.dumps(sorted(_field_weights.items())).encode())
    return digest.hexdigest()


ANALYZER_VERSION = _analyzer_version()


def _signature(p: Any) -> str:
    """A stable digest of a product's searchable fields and of the analyser (`ANALYZER_VERSION`), the same in
    every process of one niaga version: it is stored with the document."""
    attrs = sorted((str(k), str(v)) for k, v in (p.attributes or {}).items())
    text = json.dumps(
        [
            ANALYZER_VERSION,
            p.sku,
            p.name,
            p.category,
            [str(t) for t in p.tags or ()],
            attrs,
            p.description,
            bool(p.is_active),
        ],
        ensure_ascii=False,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _doc_terms(p: Any) -> dict[str, float]:
    tf: dict[str, float] = defaultdict(float)
    attrs = " ".join(str(v) for v in (p.attributes or {}).values() if isinstance(v, str))
    fields = {
        "name": p.name,
        "tags": " ".join(str(t) for t in (p.tags or [])),
        "category": p.category or "",
        "attributes": attrs,
        "description": p.description or "",
    }
    for fname, text in fields.items():
        w = _field_weights[fname]
        for t in tokens(text):
            tf[stem(t)] += w
    return dict(tf)


_cache: dict[int, ProductIndex] = {}
_lock = threading.Lock()  # guards the cache and serialises index writers (searches never wait on it)


def _index_key(db: Session, business_id: int, count: int | None = None) -> tuple[Any, ...]:
    """(number of products, last update). With `count` given only the last update is read: one seek in the
    (business_id, updated_at) index, where counting walks every entry of the business (24 ms at 100k)."""
    if count is not None:
        last = db.execute(
            sa.select(sa.func.max(Product.updated_at)).where(Product.business_id == business_id)
        )
        return (count, last.scalar())
    row = db.execute(
        sa.select(sa.func.count(Product.id), sa.func.max(Product.updated_at)).where(
            Product.business_id == business_id
        )
    ).one()
    return (int(row[0]), row[1])


# How the index stays fresh without a query per lookup and without rebuilding it: a write through the ORM in
# this process makes the next lookup re-check at once (`_products_flushed`); one transaction looks the index
# up once (the session memo); writes from other processes (a job worker's import) are seen by re-checking
# the key — count and max(updated_at) of the business's products — at most KEY_TTL_S seconds after the last
# check. A changed key fetches only the products updated since the index's watermark and replaces their
# documents in place (`BM25.set_doc`); a price or stock change leaves the text, and the index, as it was.
# Products this process changed are fetched by id after the commit (`_pending`); for other processes' writes
# the fetch reaches WATERMARK_LAG_S behind the watermark, since a transaction may commit after a later one.
# Only a hard delete (fewer products than indexed) or a rolled-back product write rebuilds the index.
# Counting the products costs a walk over the business's index entries, so the count is re-read at most every
# COUNT_TTL_S seconds (and at once after this process deletes a product): another process's hard delete is
# noticed that late, and meanwhile costs nothing wrong — a deleted product is never loaded for a reply.
KEY_TTL_S = 1.0
COUNT_TTL_S = 30.0
WATERMARK_LAG_S = 120.0
_MEMO = "niaga.catalog.index"
_DIRTY = "niaga.catalog.dirty"
_DELETED = "niaga.catalog.deleted"
_checked: dict[int, float] = {}
_counted: dict[int, float] = {}
_pending: dict[int, set[int]] = {}
builds = 0  # full builds in this process (tests and the bench read it)


def _load(rows: Iterable[Any], idx: ProductIndex) -> None:
    """Upsert products into the index (caller holds `_lock`); rows whose searchable fields did not change
    (a price or stock update) cost one hash."""
    for p in rows:
        sig = _signature(p)
        i = idx.pos.get(p.id)
        if i is not None and idx.sigs[i] == sig:
            idx.stamps[i] = p.updated_at
            continue
        if i is None:
            i = len(idx.ids)
            idx.pos[p.id] = i
            idx.ids.append(p.id)
            idx.skus.append(p.sku)
            idx.names.append(p.name)
            idx.categories.append(p.category)
            idx.tags.append([])
            idx.sigs.append(sig)
            idx.stamps.append(p.updated_at)
        else:
            old_sku = idx.skus[i].upper()
            if idx.by_sku.get(old_sku) == i:
                del idx.by_sku[old_sku]
        idx.skus[i], idx.names[i], idx.categories[i] = p.sku, p.name, p.category
        idx.tags[i] = [str(t).lower() for t in (p.tags or [])]
        idx.sigs[i] = sig
        idx.stamps[i] = p.updated_at
        if p.is_active:
            idx.by_sku[p.sku.upper()] = i
        idx.bm25.set_doc(i, _terms_of(p, sig) if p.is_active else {})


def _build(db: Session, business_id: int, key: tuple[Any, ...]) -> ProductIndex:
    global builds
    rows = db.execute(_select_rows().where(Product.business_id == business_id).order_by(Product.id))
    idx = ProductIndex(
        business_id=business_id,
        key=key,
        ids=[],
        skus=[],
        names=[],
        categories=[],
        tags=[],
        bm25=BM25([]),
        by_sku={},
    )
    docs: list[dict[str, float]] = []
    for p in rows:
        sig = _signature(p)
        idx.pos[p.id] = len(idx.ids)
        idx.sigs.append(sig)
        idx.stamps.append(p.updated_at)
        idx.ids.append(p.id)
        idx.skus.append(p.sku)
        idx.names.append(p.name)
        idx.categories.append(p.category)
        idx.tags.append([str(t).lower() for t in (p.tags or [])])
        if p.is_active:
            idx.by_sku[p.sku.upper()] = len(docs)
        docs.append(_terms_of(p, sig) if p.is_active else {})
    idx.bm25 = BM25(docs)
    builds += 1
    return idx


def get_index(db: Session, *, business_id: int) -> ProductIndex:
    """The business's product index, brought up to date with its products."""
    memo = db.info.setdefault(_MEMO, {})
    idx = memo.get(business_id)
    if idx is not None:
        return idx
    now = time.monotonic()
    with _lock:
        idx = _cache.get(business_id)
        fresh = idx is not None and now - _checked.get(business_id, 0.0) < KEY_TTL_S
    if idx is not None and fresh:
        memo[business_id] = idx
        return idx
    with _lock:
        counted = _counted.get(business_id)
        recount = idx is None or counted is None or now - counted >= COUNT_TTL_S
    # Without a recount the products are taken to be those indexed (a delete elsewhere waits for the count).
    key = _index_key(db, business_id, None if recount or idx is None else len(idx.ids))
    with _lock:
        pending = _pending.pop(business_id, set())
        if recount:
            _counted[business_id] = now
    if idx is None or key[0] < len(idx.ids):
        idx = _build(db, business_id, key)
    elif idx.key != key or pending:
        ids = set(pending)
        if idx.key != key:
            # Which products changed: their updated_at differs from the one indexed (a cheap two-column
            # read; after a bulk import the first catch-up reads every product tied at the watermark once).
            recent = sa.select(Product.id, Product.updated_at).where(Product.business_id == business_id)
            if idx.key[1] is not None:
                recent = recent.where(Product.updated_at >= idx.key[1] - timedelta(seconds=WATERMARK_LAG_S))
            for pid, stamp in db.execute(recent):
                i = idx.pos.get(pid)
                if i is None or idx.stamps[i] != stamp:
                    ids.add(pid)
        wanted = sorted(ids)
        changed = [
            row
            for n in range(0, len(wanted), 500)
            for row in db.execute(
                _select_rows()
                .where(Product.business_id == business_id, Product.id.in_(wanted[n : n + 500]))
                .order_by(Product.id)
            )
        ]
        with _lock:
            _load(changed, idx)
            idx.key = key
    with _lock:
        _cache[business_id] = idx
        _checked[business_id] = now
    memo[business_id] = idx
    return idx


def invalidate(business_id: int | None = None) -> None:
    with _lock:
        if business_id is None:
            _cache.clear()
            _checked.clear()
            _counted.clear()
            _pending.clear()
        else:
            _cache.pop(business_id, None)
            _checked.pop(business_id, None)
            _counted.pop(business_id, None)
            _pending.pop(business_id, None)


_SEARCHABLE = ("sku", "name", "category", "tags", "attributes", "description", "is_active")


def _doc_row(p: Any, business_id: int) -> dict[str, Any]:
    return {"product_id": p.id, "business_id": business_id, "sig": _signature(p), "terms": _doc_terms(p)}


def _upsert_docs(conn: Any, rows: list[dict[str, Any]]) -> None:
    table = sa.Table("product_search_docs", ProductSearchDoc.metadata)  # the mapped table, typed as one
    for n in range(0, len(rows), 500):
        chunk = rows[n : n + 500]
        if conn.dialect.name in ("sqlite", "postgresql"):
            ins = (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(table).values(chunk)
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["product_id"], set_={"sig": ins.excluded.sig, "terms": ins.excluded.terms}
                )
            )
        else:
            conn.execute(table.delete().where(table.c.product_id.in_([r["product_id"] for r in chunk])))
            conn.execute(table.insert(), chunk)


def store_docs(db: Session, *, business_id: int) -> int:
    """Store the analysed document of every product of the business whose stored one is missing or stale
    (after a bulk load that bypassed the ORM; ORM writes store theirs as they flush). Returns how many."""
    rows = [
        _doc_row(p, business_id)
        for p in db.execute(_select_rows().where(Product.business_id == business_id))
        if p.doc_sig != _signature(p)
    ]
    _upsert_docs(db.connection(), rows)
    return len(rows)


def refresh_docs(db: Session) -> int:
    """`store_docs` for every business: the stored documents made by another niaga version (or by none) are
    analysed again and stored. `niaga migrate` and `niaga init` run it after the schema is up to date, so
    that after an upgrade no process analyses the whole catalogue again when it builds its index. Returns
    how many documents were stored."""
    from niaga.tenancy.models import Business

    return sum(
        store_docs(db, business_id=b) for b in db.scalars(sa.select(Business.id).order_by(Business.id))
    )


@event.listens_for(Session, "after_flush")
def _products_flushed(session: Session, flush_context: Any) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Product)]
    if changed:
        # The analysed documents of new products and of products whose searchable text changed are stored
        # in this same transaction (a price or stock update writes none).
        docs = [
            _doc_row(p, p.business_id)
            for p in changed
            if p in session.new
            or (p in session.dirty and any(sa.inspect(p).attrs[a].history.has_changes() for a in _SEARCHABLE))
        ]
        if docs:
            _upsert_docs(session.connection(), docs)
        session.info.pop(_MEMO, None)
        dirty: dict[int, set[int]] = session.info.setdefault(_DIRTY, {})
        for p in changed:
            dirty.setdefault(p.business_id, set()).add(p.id)
        deleted = {p.business_id for p in changed if p in session.deleted}
        session.info.setdefault(_DELETED, set()).update(deleted)
        with _lock:
            for business_id in dirty:
                _checked.pop(business_id, None)  # the next lookup re-checks the key
            for business_id in deleted:
                _counted.pop(business_id, None)  # … counting the products again


@event.listens_for(Session, "after_commit")
def _transaction_ended(session: Session, *args: Any) -> None:
    if in_savepoint(session):
        return
    session.info.pop(_MEMO, None)
    dirty = session.info.pop(_DIRTY, {})
    deleted = session.info.pop(_DELETED, set())
    with _lock:
        for business_id, ids in dirty.items():
            _pending.setdefault(business_id, set()).update(ids)
            _checked.pop(business_id, None)
        for business_id in deleted:
            _counted.pop(business_id, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: Any, *args: Any) -> None:
    if previous_transaction.nested:
        return  # a savepoint: what it marked is dropped with it (niaga.db.savepoints)
    # The index may hold this transaction's product writes: build it again from committed rows.
    session.info.pop(_MEMO, None)
    session.info.pop(_DELETED, None)
    for business_id in session.info.pop(_DIRTY, ()):
        invalidate(business_id)


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


def search_products(
    db: Session,
    *,
    business_id: int,
    query: str,
    limit: int = 5,
    boost_ids: Iterable[int] = (),
    boost_categories: Iterable[str] = (),
    restrict_ids: Iterable[int] | None = None,
    extra_stopwords: Iterable[str] = (),
) -> list[ProductHit]:
    """Best-matching active products of this business, best first. `boost_ids`/`boost_categories` favour
    products in focus (follow-up questions); `restrict_ids` searches only those products."""
    idx = get_index(db, business_id=business_id)
    terms = idx.content_terms(query, extra_stopwords)
    if not terms or not idx.ids:
        return []
    scores, masks = idx.bm25.score_arrays(terms)
    n_terms = len(terms)
    matched_n = np.zeros(len(scores), dtype=np.float64)
    for m in masks.values():
        matched_n += m
    # Coverage matters more than raw BM25: a product matching every word beats one matching a rare word.
    s = scores * (0.5 + matched_n / n_terms)
    if restrict_ids is not None:
        keep = np.zeros(len(s), dtype=bool)
        for pid in restrict_ids:
            i = idx.pos.get(pid)
            if i is not None:
                keep[i] = True
        s = np.where(keep, s, 0.0)
    boost_ids = set(boost_ids)
    for pid in boost_ids:
        i = idx.pos.get(pid)
        if i is not None:
            s[i] *= 1.5
    boost_cats = {c.lower() for c in boost_categories if c}
    if boost_cats:
        for j in np.flatnonzero(s).tolist():
            if (idx.categories[j] or "").lower() in boost_cats:
                s[j] *= 1.3
    vec = embeddings.query_scores(db, business_id=business_id, kind="product", query=query)
    if vec is not None:
        return _hybrid(idx, s, masks, terms, vec, limit=limit, restrict_ids=restrict_ids)
    candidates = np.flatnonzero(s > 0)
    if len(candidates) > limit:
        # Everything scoring at least the limit-th best, so ties at the cut are broken by product id below.
        kth = np.partition(s[candidates], len(candidates) - limit)[len(candidates) - limit]
        candidates = candidates[s[candidates] >= kth]
    # Best first; equal scores in product order.
    order = sorted(candidates.tolist(), key=lambda i: (-s[i], idx.ids[i]))[:limit]
    return [
        ProductHit(
            product_id=idx.ids[i],
            sku=idx.skus[i],
            name=idx.names[i],
            category=idx.categories[i],
            score=float(s[i]),
            matched={qt for qt, m in masks.items() if m[i]},
            terms=terms,
        )
        for i in order
    ]


LEXICAL_DEPTH = 50  # how much of the lexical ranking takes part in the fusion


def _hybrid(
    idx: ProductIndex,
    s: np.ndarray,
    masks: dict[str, np.ndarray],
    terms: list[str],
    vec: embeddings.VectorScores,
    *,
    limit: int,
    restrict_ids: Iterable[int] | None,
) -> list[ProductHit]:
    """RRF of the lexical ranking (`s`, boosts included) and the cosine top-k over active products."""
    lexical = sorted(np.flatnonzero(s > 0).tolist(), key=lambda i: (-s[i], idx.ids[i]))[:LEXICAL_DEPTH]
    allowed_ids = set(restrict_ids) if restrict_ids is not None else None

    def allowed(pid: int) -> bool:
        i = idx.pos.get(pid)
        if i is None or idx.by_sku.get(idx.skus[i].upper()) != i:
            return False  # unknown to the index or inactive
        return allowed_ids is None or pid in allowed_ids

    nearest = vec.top(max(limit * 4, 20), allowed)
    cosine = dict(nearest)
    fused = embeddings.rrf([[idx.ids[i] for i in lexical], [pid for pid, _ in nearest]])
    order = sorted(fused, key=lambda pid: (-fused[pid], pid))[:limit]
    out = []
    for pid in order:
        i = idx.pos[pid]
        sim = cosine.get(pid)
        out.append(
            ProductHit(
                product_id=pid,
                sku=idx.skus[i],
                name=idx.names[i],
                category=idx.categories[i],
                score=float(s[i]),
                matched={qt for qt, m in masks.items() if m[i]},
                terms=terms,
                similarity=sim,
                semantic=sim is not None and sim >= vec.min_similarity,
            )
        )
    return out
