"""The RFM definitions of shared/design/RFM.md as pure functions (no database): scores by quantile or by
bins, the R/F grid of segments, their Indonesian names and a suggested action for each.

Everything here is deterministic and independent of row order: ties always share a score.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

METHODS = ("quantile", "bins")

# Bins (seed 002): upper bounds, inclusive. Configurable per business under settings.marketing.rfm_bins.
DEFAULT_BINS: dict[str, tuple[int, ...]] = {
    "recency": (30, 60, 90, 180),
    "frequency": (1, 2, 5, 10),
    "monetary": (100_000, 500_000, 1_000_000, 5_000_000),
}

# The R/F grid: GRID[r][f] for r, f in 1..5. Every cell holds exactly one segment.
_ROWS = {
    5: ("new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"),
    4: ("promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"),
    2: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
}
GRID: dict[int, dict[int, str]] = {r: {f: row[f - 1] for f in range(1, 6)} for r, row in _ROWS.items()}

# Display order (best first) with the Indonesian name and a one-line suggested action.
SEGMENTS: dict[str, dict[str, str]] = {
    "champions": {
        "label": "Juara",
        "en": "Champions",
        "action": "Beri hadiah eksklusif dan ajak jadi duta; tawarkan produk baru lebih dulu.",
    },
    "loyal_customers": {
        "label": "Pelanggan Setia",
        "en": "Loyal customers",
        "action": "Tawarkan program poin atau paket hemat agar makin sering belanja.",
    },
    "potential_loyalists": {
        "label": "Calon Setia",
        "en": "Potential loyalists",
        "action": "Kirim rekomendasi produk serupa dan ajak ikut program member.",
    },
    "new_customers": {
        "label": "Pelanggan Baru",
        "en": "New customers",
        "action": "Sambut dengan ucapan terima kasih dan panduan produk; beri voucher pembelian kedua.",
    },
    "promising": {
        "label": "Menjanjikan",
        "en": "Promising",
        "action": "Kenalkan produk terlaris dan beri diskon kecil untuk pembelian berikutnya.",
    },
    "need_attention": {
        "label": "Perlu Perhatian",
        "en": "Need attention",
        "action": "Kirim penawaran terbatas waktu yang sesuai riwayat belanjanya.",
    },
    "about_to_sleep": {
        "label": "Hampir Tidur",
        "en": "About to sleep",
        "action": "Sapa kembali dengan info produk baru dan promo ringan.",
    },
    "at_risk": {
        "label": "Berisiko",
        "en": "At risk",
        "action": "Hubungi secara personal, tanyakan kabar dan beri voucher khusus.",
    },
    "cant_lose_them": {
        "label": "Jangan Sampai Hilang",
        "en": "Can't lose them",
        "action": "Telepon atau chat langsung oleh pemilik; beri penawaran terbaik agar kembali.",
    },
    "lost": {
        "label": "Hilang",
        "en": "Lost",
        "action": "Kirim satu kampanye win-back; jika tidak merespons, kurangi frekuensi pesan.",
    },
}
SEGMENT_ORDER: tuple[str, ...] = tuple(SEGMENTS)


def segment_of(r: int, f: int) -> str:
    return GRID[r][f]


def label_of(segment: str, lang: str = "id") -> str:
    info = SEGMENTS.get(segment)
    if info is None:
        return segment
    return info["en"] if lang == "en" else info["label"]


def quantile_scores(goodness: Sequence[float | int]) -> list[int]:
    """score = 1 + floor(5 × (rank_min − 1) / N), rank_min = 1 + the number of values strictly worse
    (smaller goodness). Returns the scores in the input's order; ties share a score."""
    n = len(goodness)
    if n == 0:
        return []
    worse: dict[Any, int] = {}  # value -> number of values strictly smaller (its first index once sorted)
    for i, v in enumerate(sorted(goodness)):
        if v not in worse:
            worse[v] = i
    return [1 + (5 * worse[v]) // n for v in goodness]


def bin_score(value: int, edges: Iterable[int], *, reverse: bool = False) -> int:
    above = sum(1 for e in edges if value > e)
    return 5 - above if reverse else 1 + above


def check_edges(edges: Any, name: str) -> tuple[int, ...]:
    """Four strictly increasing non-negative integers, or ValueError with an Indonesian reason."""
    try:
        out = tuple(int(e) for e in edges)
    except (TypeError, ValueError):
        raise ValueError(f"Batas {name} harus berupa angka.")
    if len(out) != 4:
        raise ValueError(f"Batas {name} harus 4 angka.")
    if any(e < 0 for e in out) or any(b <= a for a, b in itertools.pairwise(out)):
        raise ValueError(f"Batas {name} harus naik dan tidak negatif.")
    return out


@dataclass(slots=True)
class Scored:
    customer_id: int
    recency_days: int
    frequency: int
    monetary: int
    r: int = 0
    f: int = 0
    m: int = 0
    segment: str = ""


def score(
    rows: list[Scored], *, method: str = "quantile", bins: dict[str, tuple[int, ...]] | None = None
) -> list[Scored]:
    """Fill r, f, m and segment of every row in place (and return the list)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if method == "quantile":
        rs = quantile_scores([-x.recency_days for x in rows])
        fs = quantile_scores([x.frequency for x in rows])
        ms = quantile_scores([x.monetary for x in rows])
        for x, r, f, m in zip(rows, rs, fs, ms, strict=True):
            x.r, x.f, x.m, x.segment = r, f, m, GRID[r][f]
    else:
        b = {**DEFAULT_BINS, **(bins or {})}
        re_, fe, me = b["recency"], b["frequency"], b["monetary"]
        for x in rows:
            x.r = bin_score(x.recency_days, re_, reverse=True)
            x.f = bin_score(x.frequency, fe)
            x.m = bin_score(x.monetary, me)
            x.segment = GRID[x.r][x.f]
    return rows


def recency_days(as_of: date, last_on: date) -> int:
    return (as_of - last_on).days


# --- the same definitions over whole columns (the run's hot path) ----------------------------------------

_SEGMENT_INDEX = {s: i for i, s in enumerate(SEGMENT_ORDER)}
# GRID as a 6×6 table of segment indices (row/column 0 unused), for lookups over whole columns.
_GRID_INDEX = [[0] * 6] + [[0] + [_SEGMENT_INDEX[GRID[r][f]] for f in range(1, 6)] for r in range(1, 6)]


def quantile_scores_array(goodness: Any) -> Any:
    """`quantile_scores` over a numpy integer column: rank_min − 1 is the position of the value's first
    occurrence in the sorted column (searchsorted, side='left'), so ties share a score exactly as above."""
    import numpy as np

    n = len(goodness)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return 1 + (5 * np.searchsorted(np.sort(goodness), goodness, side="left")) // n


def bin_scores_array(values: Any, edges: Iterable[int], *, reverse: bool = False) -> Any:
    """`bin_score` over a numpy column: the number of edges strictly below each value."""
    import numpy as np

    above = np.searchsorted(np.asarray(tuple(edges), dtype=np.int64), values, side="left")
    return 5 - above if reverse else 1 + above


def score_arrays(
    recency: Any,
    frequency: Any,
    monetary: Any,
    *,
    method: str = "quantile",
    bins: dict[str, tuple[int, ...]] | None = None,
) -> tuple[Any, Any, Any, Any]:
    """`score` over numpy columns: returns (r, f, m, segment index into SEGMENT_ORDER). Held equal to
    `score` by a test on random data with many ties, for both methods."""
    import numpy as np

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if method == "quantile":
        r = quantile_scores_array(-recency)
        f = quantile_scores_array(frequency)
        m = quantile_scores_array(monetary)
    else:
        b = {**DEFAULT_BINS, **(bins or {})}
        r = bin_scores_array(recency, b["recency"], reverse=True)
        f = bin_scores_array(frequency, b["frequency"])
        m = bin_scores_array(monetary, b["monetary"])
    seg = np.asarray(_GRID_INDEX, dtype=np.int64)[r, f]
    return r, f, m, seg


# --- the same scores as four cut values per figure (what the database applies when it stores a snapshot) ----
#
# Both methods score a column by counting cut values below each value:
#   quantile: score(v) = 1 + floor(5 × worse(v) / N) and worse(v) ≥ ceil(kN/5) exactly when v is greater
#             than the sorted column's value at position ceil(kN/5) − 1, so the four cuts are those values;
#   bins:     score(v) = 1 + the number of edges v exceeds, so the cuts are the edges.
# Recency is scored on goodness −days; as days: r = 1 + #{k: days < rcut_k}.


def quantile_cuts(goodness: Any) -> list[int]:
    """The four cut values of `quantile_scores_array` for a numpy integer column (empty for an empty one):
    1 + the number of cuts a value is strictly greater than equals its quintile score."""
    import numpy as np

    n = len(goodness)
    if n == 0:
        return []
    pos = [-(-k * n // 5) - 1 for k in range(1, 5)]  # ceil(kN/5) − 1
    part = np.partition(goodness, pos)
    return [int(part[p]) for p in pos]


def score_cuts(
    recency: Any,
    frequency: Any,
    monetary: Any,
    *,
    method: str = "quantile",
    bins: dict[str, tuple[int, ...]] | None = None,
) -> dict[str, list[int]]:
    """{"recency": days cuts (r = 1 + #{days < cut}), "frequency"/"monetary": cuts (score = 1 + #{v > cut})}:
    the scores of `score_arrays` as cut values, for applying them inside the database."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if method == "quantile":
        return {
            "recency": [-c for c in quantile_cuts(-recency)],
            "frequency": quantile_cuts(frequency),
            "monetary": quantile_cuts(monetary),
        }
    b = {**DEFAULT_BINS, **(bins or {})}
    return {
        "recency": [int(e) + 1 for e in b["recency"]],
        "frequency": [int(e) for e in b["frequency"]],
        "monetary": [int(e) for e in b["monetary"]],
    }


def scores_from_cuts(
    recency: Any, frequency: Any, monetary: Any, cuts: dict[str, list[int]]
) -> tuple[Any, ...]:
    """(r, f, m, segment index) from `score_cuts` over numpy columns; equal to `score_arrays`."""
    import numpy as np

    def count(cond: list[Any], n: int) -> Any:
        out = np.ones(n, dtype=np.int64)
        for c in cond:
            out += c
        return out

    n = len(recency)
    r = count([recency < c for c in cuts["recency"]], n)
    f = count([frequency > c for c in cuts["frequency"]], n)
    m = count([monetary > c for c in cuts["monetary"]], n)
    return r, f, m, np.asarray(_GRID_INDEX, dtype=np.int64)[r, f]


def scores_sql(cuts: dict[str, list[int]], *, recency: str, frequency: str, monetary: str) -> dict[str, str]:
    """SQL expressions of r, f and m over the given column expressions (the cuts are integers we computed,
    written as literals so that the plan is the same on SQLite and PostgreSQL), and of the segment over
    columns named r and f."""

    def count(col: str, op: str, values: list[int]) -> str:
        return "1" + "".join(f" + CASE WHEN {col} {op} {int(v)} THEN 1 ELSE 0 END" for v in values)

    seg = " ".join(f"WHEN {r * 6 + f} THEN '{GRID[r][f]}'" for r in range(1, 6) for f in range(1, 6))
    return {
        "r": count(recency, "<", cuts["recency"]),
        "f": count(frequency, ">", cuts["frequency"]),
        "m": count(monetary, ">", cuts["monetary"]),
        "segment": f"CASE r * 6 + f {seg} END",
    }
