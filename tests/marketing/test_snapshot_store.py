"""Snapshots stored by column in blocks (`rfm_store`): every reader (segment pages sorted and paginated,
search, movements, a customer's history, the agent's current segment, the customer filter) agrees with a
plain computation over the reference rows, across block boundaries (tiny blocks here), per business; a
deleted customer leaves every block; and migration 0015 converts stored rows to blocks and back."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from niaga.customers import service as customers
from niaga.customers.models import Customer
from niaga.db.migrate import alembic_config
from niaga.kit.timeutil import local_today
from niaga.marketing import rfm, rfm_store, service
from niaga.marketing.models import RfmSnapshotBlock
from tests import factories as f
from tests.marketing.helpers import load, random_transactions, reference
from tests.test_migrations import _fresh_engine

FIELDS = ("recency_days", "frequency", "monetary", "r", "f", "m", "segment")


def _setup(db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rfm_store, "BLOCK", 7)
    rng = random.Random(5)
    biz, other = f.make_business(db), f.make_business(db)
    refs = [f"C{i:03d}" for i in range(45)]
    today = local_today(biz.timezone)
    tx = random_transactions(rng, refs, 260, start=today - timedelta(days=500), end=today)
    load(db, biz, refs, tx)
    load(
        db,
        other,
        refs[:9],
        random_transactions(rng, refs[:9], 30, start=today - timedelta(days=60), end=today),
    )
    ids = {
        c.customer_ref: c.id for c in db.scalars(sa.select(Customer).where(Customer.business_id == biz.id))
    }
    past = today - timedelta(days=45)
    old = service.do_run(db, business=biz, as_of=past)
    new = service.do_run(db, business=biz, as_of=today)
    theirs = service.do_run(db, business=other, as_of=today)
    db.commit()
    want = {when: {ids[k]: v for k, v in reference(tx, when).items()} for when in (past, today)}
    return biz, other, ids, (old, new, theirs), want, (past, today)


def test_readers_agree_with_the_reference_across_blocks(db, monkeypatch):  # type: ignore[no-untyped-def]
    biz, other, ids, (old, new, theirs), want, (past, today) = _setup(db, monkeypatch)
    blocks = db.scalar(sa.select(sa.func.count()).where(RfmSnapshotBlock.snapshot_id == new.snapshot_id))
    assert blocks is not None and blocks > 3
    snap_old = service.get_snapshot(db, business_id=biz.id, snapshot_id=old.snapshot_id)
    snap_new = service.get_snapshot(db, business_id=biz.id, snapshot_id=new.snapshot_id)
    for result, when in ((old, past), (new, today)):
        got = {x.customer_id: {k: getattr(x, k) for k in FIELDS} for x in result.rows}
        assert got == want[when]

    rows = want[today]
    for sort in service.SEGMENT_SORTS:
        for desc in (False, True):
            for segment in (None, "lost", "champions"):
                pick = [c for c, v in rows.items() if segment is None or v["segment"] == segment]
                if sort in ("name", "customer_ref"):  # "Pelanggan C001" / "C001": both follow the ref
                    order = sorted(pick, key=lambda c: (db.get(Customer, c).customer_ref, c))
                    if desc:
                        order = sorted(
                            pick, key=lambda c: (db.get(Customer, c).customer_ref, -c), reverse=True
                        )
                else:
                    order = sorted(pick, key=lambda c: ((-1 if desc else 1) * rows[c][sort], c))
                page, total = service.segment_rows(
                    db,
                    snapshot=snap_new,
                    segment=segment,
                    sort=("-" if desc else "") + sort,
                    offset=3,
                    limit=5,
                )
                assert total == len(pick)
                assert [x.customer_id for x, _ in page] == order[3:8], (sort, desc, segment)
                assert all(c.id == x.customer_id and c.business_id == biz.id for x, c in page)
                assert all({k: getattr(x, k) for k in FIELDS} == rows[x.customer_id] for x, _ in page)
    found, total = service.segment_rows(db, snapshot=snap_new, segment=None, search="c01", limit=None)
    assert sorted(x.customer_id for x, _ in found) == sorted(
        ids[r] for r in ids if r.startswith("C01") and ids[r] in rows
    )

    moves = service.movements(db, business_id=biz.id, before=snap_old, after=snap_new)
    expect: dict[tuple[str | None, str], list[int]] = {}
    for c, v in rows.items():
        was = want[past].get(c, {}).get("segment")
        if was != v["segment"]:
            expect.setdefault((was, v["segment"]), []).append(c)
    assert {(g["from"], g["to"]): g["count"] for g in moves} == {k: len(v) for k, v in expect.items()}
    for g in moves:
        top = sorted(expect[(g["from"], g["to"])], key=lambda c: (-rows[c]["monetary"], c))
        assert [x["customer_id"] for x in g["customers"]] == top[:50]

    for ref, cid in ids.items():
        hist = service.customer_history(db, business_id=biz.id, customer_id=cid)
        assert [h["segment"] for h in hist] == [
            want[w][cid]["segment"] for w in (today, past) if cid in want[w]
        ], ref
        cur = service.current_segment(db, business_id=biz.id, customer_id=cid)
        assert (cur.segment if cur else None) == rows.get(cid, {}).get("segment")
        assert service.customer_history(db, business_id=other.id, customer_id=cid) == []

    in_lost = service.customer_ids_in_segment(db, business_id=biz.id, segment="lost")
    assert in_lost is not None
    assert sorted(db.scalars(sa.select(Customer.id).where(Customer.id.in_(in_lost)))) == sorted(
        c for c, v in rows.items() if v["segment"] == "lost"
    )
    # another business's snapshot is not readable as ours, and holds only its own customers
    assert len(rfm_store.read(db, business_id=biz.id, snapshot_id=theirs.snapshot_id)) == 0
    snap_theirs = service.get_snapshot(db, business_id=other.id, snapshot_id=theirs.snapshot_id)
    page, _ = service.segment_rows(db, snapshot=snap_theirs, segment=None, limit=None)
    assert page and all(c.business_id == other.id for _, c in page)


def test_deleting_customers_cuts_them_out_of_every_block(db, monkeypatch):  # type: ignore[no-untyped-def]
    biz, _other, _ids, (old, new, _theirs), want, (past, today) = _setup(db, monkeypatch)
    firsts = db.scalars(
        sa.select(RfmSnapshotBlock.first_customer_id).where(RfmSnapshotBlock.snapshot_id == new.snapshot_id)
    ).all()
    gone = [firsts[1], firsts[2] + 1, max(want[today])]  # a block's first, one inside, the very last
    for cid in gone:
        customers.delete_customer(db, db.get(Customer, cid))
    db.commit()
    for result, when in ((old, past), (new, today)):
        left = rfm_store.read(db, business_id=biz.id, snapshot_id=result.snapshot_id)
        assert sorted(left.customer_id.tolist()) == sorted(set(want[when]) - set(gone))
        assert left.customer_id.tolist() == sorted(left.customer_id.tolist())
        for cid in set(want[when]) - set(gone):
            got = rfm_store.read_customer(
                db, business_id=biz.id, snapshot_ids=[result.snapshot_id], customer_id=cid
            )
            assert {k: getattr(got[result.snapshot_id], k) for k in FIELDS} == want[when][cid]
    for cid in gone:
        assert service.customer_history(db, business_id=biz.id, customer_id=cid) == []


def test_migration_converts_snapshot_rows_to_blocks_and_back(tmp_path):  # type: ignore[no-untyped-def]
    engine, cleanup = _fresh_engine(tmp_path)
    rng = random.Random(3)
    rows = {}
    for cid in sorted(rng.sample(range(1, 50_000), 5000)):
        r, fq = rng.randint(1, 5), rng.randint(1, 5)
        rows[cid] = (rng.randint(0, 900), rng.randint(1, 40), rng.randint(1, 10**9), r, fq, rng.randint(1, 5))
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0014_embeddings")
            conn.execute(
                sa.text(
                    "INSERT INTO businesses (id, slug, name, timezone, profile, settings, is_active, created_at, "
                    "updated_at) VALUES (1, 'b', 'B', 'Asia/Jakarta', '{}', '{}', true, :t, :t)"
                ),
                {"t": "2026-01-01 00:00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO rfm_snapshots (id, business_id, as_of, method, kind, customers_scored, "
                    "customers_without_purchases, segments, grid, taken_at) VALUES (7, 1, '2026-11-01', "
                    "'quantile', 'manual', 5000, 0, '{}', '{}', :t)"
                ),
                {"t": "2026-11-01 00:00:00"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO rfm_snapshot_rows (business_id, snapshot_id, customer_id, recency_days, "
                    "frequency, monetary, r, f, m, segment) VALUES (1, 7, :c, :rec, :fq, :mon, :r, :f, :m, :s)"
                ),
                [
                    {
                        "c": c,
                        "rec": v[0],
                        "fq": v[1],
                        "mon": v[2],
                        "r": v[3],
                        "f": v[4],
                        "m": v[5],
                        "s": rfm.GRID[v[3]][v[4]],
                    }
                    for c, v in rows.items()
                ],
            )
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            found = conn.execute(
                sa.text(
                    "SELECT n, data FROM rfm_snapshot_blocks WHERE snapshot_id = 7 ORDER BY first_customer_id"
                )
            ).all()
            assert len(found) == 2  # 4096 + 904
            cols = rfm_store.concat([rfm_store.decode(n, bytes(d)) for n, d in found])
            assert {
                x.customer_id: (x.recency_days, x.frequency, x.monetary, x.r, x.f, x.m) for x in cols.rows()
            } == rows
            assert [x.segment for x in cols.rows()] == [rfm.GRID[v[3]][v[4]] for v in rows.values()]
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0014_embeddings")
        with engine.connect() as conn:
            back = conn.execute(
                sa.text(
                    "SELECT customer_id, recency_days, frequency, monetary, r, f, m, segment, business_id "
                    "FROM rfm_snapshot_rows WHERE snapshot_id = 7"
                )
            ).all()
            assert {c: tuple(v[:6]) for c, *v in back} == rows
            assert all(v[6] == rfm.GRID[v[3]][v[4]] and v[7] == 1 for _c, *v in back)
    finally:
        engine.dispose()
        if cleanup:
            admin, name = cleanup
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
