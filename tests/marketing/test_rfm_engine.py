"""The pure RFM definitions against a brute-force reference: quantile by rank_min with ties, bins with
inclusive upper edges, and a grid that gives every (R, F) cell exactly one segment."""

from __future__ import annotations

import random
import sqlite3

import pytest

from niaga.marketing import rfm
from tests.marketing.helpers import ref_bins, ref_quantile, ref_segment


@pytest.mark.parametrize("seed", range(8))
def test_quantile_matches_brute_force_with_ties_and_any_order(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 120)
    values = [rng.choice([1, 2, 2, 3, 5, 8, 8, 8, 13]) * rng.choice([1, 1, 10]) for _ in range(n)]
    got = rfm.quantile_scores(values)
    want = ref_quantile(dict(enumerate(values)))
    assert got == [want[i] for i in range(n)]
    shuffled = list(enumerate(values))
    rng.shuffle(shuffled)
    again = rfm.quantile_scores([v for _, v in shuffled])
    assert {i: s for (i, _), s in zip(shuffled, again, strict=True)} == want


def test_quantile_edge_cases():
    assert rfm.quantile_scores([]) == []
    assert rfm.quantile_scores([7]) == [1]  # one customer: nobody is worse
    assert rfm.quantile_scores([4, 4, 4, 4]) == [1, 1, 1, 1]  # all tied share the lowest score
    assert rfm.quantile_scores([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert rfm.quantile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_bins_edges_inclusive():
    edges = rfm.DEFAULT_BINS["recency"]
    assert [rfm.bin_score(d, edges, reverse=True) for d in (0, 30, 31, 60, 61, 90, 91, 180, 181)] == [
        5,
        5,
        4,
        4,
        3,
        3,
        2,
        2,
        1,
    ]
    fe = rfm.DEFAULT_BINS["frequency"]
    assert [rfm.bin_score(x, fe) for x in (1, 2, 3, 5, 6, 10, 11)] == [1, 2, 3, 3, 4, 4, 5]
    me = rfm.DEFAULT_BINS["monetary"]
    assert [rfm.bin_score(x, me) for x in (100_000, 100_001, 500_000, 1_000_000, 5_000_000, 5_000_001)] == [
        1,
        2,
        2,
        3,
        4,
        5,
    ]
    for v in range(0, 400, 7):
        assert rfm.bin_score(v, edges, reverse=True) == ref_bins(v, edges, True)


def test_grid_every_cell_one_segment_and_all_segments_reachable():
    seen = set()
    for r in range(1, 6):
        for f in range(1, 6):
            assert rfm.segment_of(r, f) == ref_segment(r, f)
            seen.add(rfm.segment_of(r, f))
    assert seen == set(rfm.SEGMENTS)
    assert all(rfm.SEGMENTS[s]["label"] and rfm.SEGMENTS[s]["action"] for s in seen)
    assert rfm.label_of("cant_lose_them") == "Jangan Sampai Hilang"


@pytest.mark.parametrize("bad", [[1, 2, 3], [30, 20, 90, 180], ["a", 1, 2, 3], [-1, 2, 3, 4]])
def test_check_edges_refuses_bad_edges(bad):
    with pytest.raises(ValueError):
        rfm.check_edges(bad, "recency")


@pytest.mark.parametrize("seed", range(8))
def test_column_scorer_matches_the_reference_for_both_methods(seed):
    """The run's hot path scores whole numpy columns; it must give exactly the reference's scores and
    segments, ties and bin edges included."""
    import numpy as np

    rng = random.Random(100 + seed)
    n = rng.randint(1, 150)
    rec = [rng.choice([0, 5, 30, 31, 60, 61, 90, 91, 180, 181, rng.randint(0, 2000)]) for _ in range(n)]
    fq = [rng.choice([1, 1, 2, 3, 5, 6, 10, 11, rng.randint(1, 50)]) for _ in range(n)]
    mo = [rng.choice([100_000, 100_001, 500_000, 1_000_000, rng.randint(1, 9_000_000)]) for _ in range(n)]
    edges = {
        "recency": (7, 14, 28, 56),
        "frequency": (2, 4, 8, 16),
        "monetary": (10_000, 50_000, 250_000, 1_000_000),
    }
    for method, bins in (("quantile", None), ("bins", None), ("bins", edges)):
        r, f, m, seg = rfm.score_arrays(np.array(rec), np.array(fq), np.array(mo), method=method, bins=bins)
        if method == "quantile":
            want_r = ref_quantile({i: -v for i, v in enumerate(rec)})
            want_f = ref_quantile(dict(enumerate(fq)))
            want_m = ref_quantile(dict(enumerate(mo)))
        else:
            b = {**rfm.DEFAULT_BINS, **(bins or {})}
            want_r = {i: ref_bins(v, b["recency"], reverse=True) for i, v in enumerate(rec)}
            want_f = {i: ref_bins(v, b["frequency"]) for i, v in enumerate(fq)}
            want_m = {i: ref_bins(v, b["monetary"]) for i, v in enumerate(mo)}
        for i in range(n):
            assert (int(r[i]), int(f[i]), int(m[i])) == (want_r[i], want_f[i], want_m[i]), (method, i)
            assert rfm.SEGMENT_ORDER[int(seg[i])] == ref_segment(want_r[i], want_f[i])
        # The stored snapshot applies the same scores as four cut values per figure, in numpy and in SQL.
        cuts = rfm.score_cuts(np.array(rec), np.array(fq), np.array(mo), method=method, bins=bins)
        got = rfm.scores_from_cuts(np.array(rec), np.array(fq), np.array(mo), cuts)
        for a, b in zip(got, (r, f, m, seg), strict=True):
            assert a.tolist() == b.tolist(), method
        expr = rfm.scores_sql(cuts, recency="rec", frequency="fq", monetary="mo")
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE t (i INTEGER, rec INTEGER, fq INTEGER, mo INTEGER)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", list(zip(range(n), rec, fq, mo, strict=True)))
        rows = con.execute(
            f"SELECT i, r, f, m, {expr['segment']} FROM (SELECT i, {expr['r']} AS r, {expr['f']} AS f, "
            f"{expr['m']} AS m FROM t) ORDER BY i"
        ).fetchall()
        assert rows == [
            (i, want_r[i], want_f[i], want_m[i], ref_segment(want_r[i], want_f[i])) for i in range(n)
        ], method
