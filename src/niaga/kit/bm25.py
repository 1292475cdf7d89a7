"""BM25 ranking with typo tolerance, shared by product search and knowledge retrieval: the stop words
queries drop, a fuzzy vocabulary (one edit, or a prefix) and Okapi BM25 over weighted term frequencies."""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

# Words that carry no product meaning in a shop question (intent words, fillers, address words, units).
QUERY_STOPWORDS = {
    "ada",
    "apa",
    "apakah",
    "berapa",
    "harga",
    "harganya",
    "biaya",
    "stok",
    "ready",
    "tersedia",
    "available",
    "instock",
    "masih",
    "sisa",
    "tinggal",
    "habis",
    "kosong",
    "mau",
    "ingin",
    "pesan",
    "order",
    "beli",
    "borong",  # buying in bulk: an order verb like "beli"
    "ambil",
    "jual",
    "cari",
    "kak",
    "kakak",
    "min",
    "admin",
    "gan",
    "sis",
    "bang",
    "mas",
    "mbak",
    "mba",
    "bu",
    "pak",
    "ya",
    "dong",
    "deh",
    "sih",
    "kok",
    "nih",
    "ini",
    "itu",
    "yang",
    "dan",
    "atau",
    "di",
    "ke",
    "dari",
    "untuk",
    "dengan",
    "pakai",
    "saya",
    "kamu",
    "tidak",
    "bisa",
    "boleh",
    "tolong",
    "mohon",
    "halo",
    "sama",
    "juga",
    "saja",
    "lagi",
    "kalau",
    "kalo",
    "gimana",
    "bagaimana",
    "nya",
    "the",
    "is",
    "a",
    "an",
    "of",
    "for",
    "to",
    "do",
    "you",
    "have",
    "has",
    "how",
    "howmuch",
    "much",
    "what",
    "any",
    "please",
    "i",
    "want",
    "some",
    "are",
    "me",
    "my",
    "your",
    "can",
    "in",
    "on",
    "at",
    "per",
    "pcs",
    "buah",
    "unit",
    "eksemplar",
    "box",
    "pack",
    "set",
    "lembar",
    "rangkap",
    "item",
    "ongkir",
    "kirim",
    "dikirim",
    "pengiriman",
    "promo",
    "rekomendasi",
    "rekomendasikan",
    "recommend",
    "sell",
    "still",
    "left",
    "stock",
    "price",
    "cost",
    "berapaan",
    "brp",
    "hrg",
    "kasih",
    "info",
    "tanya",
    "nanya",
    "ok",
    "sudah",
    "belum",
    "banget",
    "sekarang",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "assalamualaikum",
    # opening pious words ("Bismillah, pesan ..."): a greeting, no product word
    "bismillah",
    "alhamdulillah",
    "makasih",
    "thanks",
    "terima",
    "dulu",
    "total",
    "semua",
    "jadi",
    "produk",
    "barang",
    "toko",
    "punya",
    "check",
    "cek",
    "like",
    "would",
    "i'd",
    "id",
    "im",
    "i'm",
    "looking",
    "get",
    "with",
    "and",
    "or",
    "it",
    "this",
    "that",
    "these",
    "those",
    "there",
    "does",
    "did",
    "had",
    "will",
    "should",
    "may",
    "be",
    "am",
    "was",
    "were",
    "by",
    "from",
    "about",
    "buy",
    "need",
    "memesan",
    "membeli",
    "dipesan",
    "pemesanan",
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

    def add(self, term: str) -> None:
        """A new vocabulary term (incremental index updates)."""
        if term in self.vocab:
            return
        self.vocab.add(term)
        insort(self.sorted, term)
        if len(term) >= 4 and term.isalpha():
            for d in self._deletes(term):
                self.deletes[d].add(term)

    @staticmethod
    def _deletes(term: str) -> set[str]:
        return {term[:i] + term[i + 1 :] for i in range(len(term))} | {term}

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
            if a[i + 1 :] == b[i + 1 :]:
                return True
            return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        return a[i + 1 :] == b[i:] if la > lb else a[i:] == b[i + 1 :]

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
        self.docs = [dict(d) for d in docs]
        self.n = sum(1 for d in docs if d)  # live documents (an emptied one is a tombstone)
        self.lengths = [sum(d.values()) for d in docs]
        self.total = sum(self.lengths)
        self.avgdl = (self.total / self.n) if self.n else 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, d in enumerate(docs):
            for term, tf in d.items():
                self.postings[term].append((i, tf))
        self.idf = {t: self._idf(len(p)) for t, p in self.postings.items()}
        self.vocab = FuzzyVocab(self.postings.keys())
        # Posting lists as arrays for `score_arrays`, made on first use and dropped when a document changes.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lengths_np: np.ndarray | None = None

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def set_doc(self, i: int, doc: dict[str, float]) -> bool:
        """Replace document `i` (`i == len(docs)` appends; an empty dict removes it). Only the postings of
        its own terms change; each changed posting list is replaced whole, so a search running in another
        thread reads either the old or the new list. Callers serialise writers. Returns False when the
        document did not change (a price or stock update leaves the text as it was)."""
        if i == len(self.docs):
            self.docs.append({})
            self.lengths.append(0.0)
        old = self.docs[i]
        if old == doc:
            return False
        self._lengths_np = None
        for term in set(old) | set(doc):
            self._arrays.pop(term, None)
        for term in old:
            self.postings[term] = [(j, tf) for j, tf in self.postings[term] if j != i]
        for term, tf in doc.items():
            self.postings[term] = [*self.postings.get(term, ()), (i, tf)]
            self.vocab.add(term)
        self.n += (1 if doc else 0) - (1 if old else 0)
        length = sum(doc.values())
        self.total += length - self.lengths[i]
        self.lengths[i] = length
        self.docs[i] = dict(doc)
        self.avgdl = (self.total / self.n) if self.n else 1.0
        for term in set(old) | set(doc):
            self.idf[term] = self._idf(len(self.postings[term]))
        return True

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        arr = self._arrays.get(term)
        if arr is None:
            plist = self.postings.get(term) or []
            arr = (
                np.fromiter((j for j, _ in plist), dtype=np.int64, count=len(plist)),
                np.fromiter((tf for _, tf in plist), dtype=np.float64, count=len(plist)),
            )
            self._arrays[term] = arr
        return arr

    def score_arrays(self, query: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The same scores as `score`, computed over arrays: a score per document (0 = no match) and, per
        query term, a mask of the documents it matched. Cost grows with the matched postings, not with a
        Python loop over them."""
        lengths = self._lengths_np
        if lengths is None or len(lengths) != len(self.lengths):
            lengths = self._lengths_np = np.asarray(self.lengths, dtype=np.float64)
        n_docs = len(self.lengths)
        scores = np.zeros(n_docs, dtype=np.float64)
        masks: dict[str, np.ndarray] = {}
        norm = self.k1 * (1 - self.b + self.b * lengths / self.avgdl)
        for qt in dict.fromkeys(query):
            mask = np.zeros(n_docs, dtype=bool)
            for term, w in self.vocab.expand(qt):
                ids, tf = self._posting_arrays(term)
                if not len(ids):
                    continue
                scores[ids] += w * self.idf[term] * tf * (self.k1 + 1) / (tf + norm[ids])
                mask[ids] = True
            masks[qt] = mask
        return scores, masks

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
