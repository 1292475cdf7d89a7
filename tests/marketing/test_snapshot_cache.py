"""The per-process cache of unpacked snapshots (`rfm_store.read`): a second whole read is served from it;
what it serves is always what the database holds (an erasure committed elsewhere, a rolled-back one, a
deleted snapshot), sessions that wrote blocks bypass it, it stays within its byte bound, and the readers
built on it (segment pages, movements) answer the same from the cache as from the blocks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from niaga.customers import service as customers
from niaga.customers.models import Customer
from niaga.db.engine import new_session
from niaga.kit.timeutil import local_today
from niaga.marketing import rfm_store, service
from niaga.marketing.models import RfmSnapshot
from tests import factories as f
from tests.marketing.helpers import load, random_transactions


@pytest.fixture
def shop(db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rfm_store, "BLOCK", 7)
    rfm_store.clear_cache()
    rng = random.Random(11)
    biz = f.make_business(db)
    refs = [f"K{i:03d}" for i in range(40)]
    today = local_today(biz.timezone)
    load(db, biz, refs, random_transactions(rng, refs, 200, start=today - timedelta(days=400), end=today))
    old = service.do_run(db, business=biz, as_of=today - timedelta(days=30))
    new = service.do_run(db, business=biz, as_of=today)
    db.commit()
    yield biz, old.snapshot_id, new.snapshot_id
    rfm_store.clear_cache()


@contextmanager
def _session() -> Iterator[sa.orm.Session]:
    s = new_session()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


def _read(biz_id: int, sid: int) -> rfm_store.Columns:
    with _session() as s:
        return rfm_store.read(s, business_id=biz_id, snapshot_id=sid)


def _same(a: rfm_store.Columns, b: rfm_store.Columns) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n, _ in rfm_store.LAYOUT)


def test_second_read_is_cached_and_read_only(shop):  # type: ignore[no-untyped-def]
    biz, _old, sid = shop
    first = _read(biz.id, sid)
    assert rfm_store.cache_info()["entries"] == 1
    again = _read(biz.id, sid)
    assert again is first
    assert not first.customer_id.flags.writeable and not first.r.flags.writeable
    with pytest.raises(ValueError):
        first.monetary[0] = 1
    with _session() as s:  # what the cache serves equals the blocks as stored
        assert _same(first, rfm_store._read_blocks(s, business_id=biz.id, snapshot_id=sid))


def test_erasure_elsewhere_rollback_and_deleted_snapshot(shop, monkeypatch):  # type: ignore[no-untyped-def]
    biz, old, sid = shop
    cached = _read(biz.id, sid)
    victim = int(cached.customer_id[len(cached) // 2])
    # As another process would: the erasing session does not clear this process's cache.
    monkeypatch.setattr(rfm_store, "clear_cache", lambda **_: None)
    with _session() as s:
        customers.delete_customer(s, s.get(Customer, victim))
        # The erasing session reads its own (uncommitted) cut, never the cache, and fills nothing.
        assert victim not in rfm_store.read(s, business_id=biz.id, snapshot_id=sid).customer_id
        s.rollback()
    kept = _read(biz.id, sid)
    assert victim in kept.customer_id and _same(kept, cached)
    with _session() as s:
        customers.delete_customer(s, s.get(Customer, victim))
        s.commit()
    after = _read(biz.id, sid)
    assert victim not in after.customer_id and len(after) == len(cached) - 1
    assert _same(after, cached.take(np.nonzero(cached.customer_id != victim)[0]))
    # A deleted snapshot reads empty, never from the cache.
    _read(biz.id, old)
    with _session() as s:
        s.execute(sa.delete(RfmSnapshot).where(RfmSnapshot.id == old))
        s.commit()
    assert len(_read(biz.id, old)) == 0


def test_bounded_in_bytes(shop, monkeypatch):  # type: ignore[no-untyped-def]
    biz, old, sid = shop
    one = _read(biz.id, sid)
    size = sum(getattr(one, n).nbytes for n, _ in rfm_store.LAYOUT)
    monkeypatch.setattr(rfm_store, "CACHE_MAX_BYTES", size + 1)
    _read(biz.id, old)
    info = rfm_store.cache_info()
    assert info["entries"] == 1 and info["bytes"] <= size + 1
    assert _read(biz.id, old) is not one  # the newer entry stayed, the older went first


def test_readers_answer_the_same_from_the_cache(shop):  # type: ignore[no-untyped-def]
    biz, old, sid = shop

    def answers() -> list[object]:
        with _session() as s:
            snap = service.get_snapshot(s, business_id=biz.id, snapshot_id=sid)
            out: list[object] = []
            for sort in ("-monetary", "recency_days", "-frequency", "name"):
                for segment in (None, "champions", "lost"):
                    page, total = service.segment_rows(s, snapshot=snap, segment=segment, sort=sort, limit=9)
                    out.append(([(x.customer_id, x.segment, x.monetary) for x, _c in page], total))
            before = service.get_snapshot(s, business_id=biz.id, snapshot_id=old)
            out.append(repr(service.movements(s, business_id=biz.id, before=before, after=snap)))
            return out

    rfm_store.clear_cache()
    cold = answers()
    assert rfm_store.cache_info()["entries"] == 2
    assert answers() == cold


def test_page_positions_equal_a_full_sort():  # type: ignore[no-untyped-def]
    """The front-of-list selection used by segment pages returns what a sort of every row returns, with many
    ties (broken by customer id), for every page position and size."""
    rng = np.random.default_rng(3)
    for n, spread in ((0, 1), (1, 1), (50, 3), (400, 5), (1000, 1000)):
        values = rng.integers(0, spread, size=n)
        ids = rng.permutation(n * 3)[:n]
        full = np.lexsort((ids, values))
        for offset in (0, 1, 7, 40):
            for limit in (1, 5, 20, 100, None):
                end = None if limit is None else offset + limit
                got = service.page_positions(values, ids, offset, end)
                assert np.array_equal(got, full[offset:end]), (n, spread, offset, limit)
