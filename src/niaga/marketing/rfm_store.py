"""RFM snapshots stored by column, in blocks of customers.

A snapshot's per-customer figures and scores are derived data written for every customer of a business at
once (100k+ at a time, weekly) and read in two shapes: whole (a segment's page sorted and paginated, the
movements between two snapshots, reports, exports) or one customer at a time (their history on their page,
the agent's greeting). Storing one database row per customer made writing them ~70% of a run; here a
snapshot is a few rows of `rfm_snapshot_blocks`, each holding up to BLOCK customers (sorted by id) as packed
little-endian columns:

    customer_id int64 | recency_days int32 | frequency int32 | monetary int64 | r, f, m uint8   (27 bytes each)

- whole reads decode every block of the snapshot with numpy (no per-row objects until a page is built);
- a customer's row is one key lookup (snapshot_id, first_customer_id <= id, newest first) and a binary
  search inside one block;
- the segment is not stored: it is the R/F grid's cell (`rfm.GRID`), exactly as at scoring time.

Blocks belong to their snapshot (foreign key with ON DELETE CASCADE: a handful of rows per snapshot, so the
check costs nothing) and carry business_id, which every read filters on as well. A deleted customer is cut
out of every block holding them (`forget_customer`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.marketing import rfm

BLOCK = 4096

# (column, little-endian dtype) in the order they are packed in a block.
LAYOUT: tuple[tuple[str, str], ...] = (
    ("customer_id", "<i8"),
    ("recency_days", "<i4"),
    ("frequency", "<i4"),
    ("monetary", "<i8"),
    ("r", "u1"),
    ("f", "u1"),
    ("m", "u1"),
)
_GRID_INDEX = np.asarray(rfm._GRID_INDEX, dtype=np.int64)


@dataclass
class Columns:
    """A snapshot's rows (or a subset) as int64 numpy columns, sorted by customer_id."""

    customer_id: Any
    recency_days: Any
    frequency: Any
    monetary: Any
    r: Any
    f: Any
    m: Any
    _segments: Any = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.customer_id)

    @property
    def segment_index(self) -> Any:
        """Index into rfm.SEGMENT_ORDER of every row (the R/F grid's cell); computed once per object (a
        cached snapshot's is shared, read-only, like its columns)."""
        if self._segments is None:
            seg = _GRID_INDEX[self.r, self.f]
            seg.flags.writeable = self.customer_id.flags.writeable
            self._segments = seg
        return self._segments

    def take(self, idx: Any) -> Columns:
        return Columns(*(getattr(self, name)[idx] for name, _ in LAYOUT))

    def rows(self, idx: Iterable[int] | None = None) -> list[rfm.Scored]:
        """Per-customer objects (same fields as the stored figures, scores and segment) for `idx` (all when
        None), in that order."""
        sub = self if idx is None else self.take(np.asarray(list(idx), dtype=np.int64))
        names = rfm.SEGMENT_ORDER
        return [
            rfm.Scored(c, rec, fq, mo, r, f, m, names[s])
            for c, rec, fq, mo, r, f, m, s in zip(
                *(getattr(sub, name).tolist() for name, _ in LAYOUT), sub.segment_index.tolist(), strict=True
            )
        ]


def empty() -> Columns:
    return Columns(*(np.zeros(0, dtype=np.int64) for _ in LAYOUT))


def encode(cols: Columns, lo: int = 0, hi: int | None = None) -> bytes:
    hi = len(cols) if hi is None else hi
    return b"".join(
        np.ascontiguousarray(getattr(cols, name)[lo:hi], dtype=dt).tobytes() for name, dt in LAYOUT
    )


def decode(n: int, data: bytes) -> Columns:
    out: dict[str, Any] = {}
    off = 0
    for name, dt in LAYOUT:
        a = np.frombuffer(data, dtype=dt, count=n, offset=off)
        off += a.nbytes
        out[name] = a.astype(np.int64)
    if off != len(data):
        raise ValueError(f"RFM snapshot block of {n} customers has {len(data)} bytes, expected {off}")
    return Columns(**out)


def concat(parts: list[Columns]) -> Columns:
    if not parts:
        return empty()
    if len(parts) == 1:
        return parts[0]
    return Columns(*(np.concatenate([getattr(p, name) for p in parts]) for name, _ in LAYOUT))


def _table() -> sa.Table:
    from niaga.marketing.models import RfmSnapshotBlock

    return RfmSnapshotBlock.__table__  # type: ignore[return-value]


def write(db: Session, *, business_id: int, snapshot_id: int, cols: Columns) -> int:
    """Store a snapshot's rows (`cols` sorted by customer_id, ids unique). Returns the number of blocks."""
    ids = cols.customer_id
    rows = [
        {
            "snapshot_id": snapshot_id,
            "first_customer_id": int(ids[lo]),
            "last_customer_id": int(ids[min(lo + BLOCK, len(ids)) - 1]),
            "business_id": business_id,
            "n": min(lo + BLOCK, len(ids)) - lo,
            "data": encode(cols, lo, lo + BLOCK),
        }
        for lo in range(0, len(ids), BLOCK)
    ]
    if rows:
        _mark_dirty(db, business_id)
        db.execute(sa.insert(_table()), rows)
    return len(rows)


def _read_blocks(db: Session, *, business_id: int, snapshot_id: int) -> Columns:
    t = _table()
    found = db.execute(
        sa.select(t.c.n, t.c.data)
        .where(t.c.snapshot_id == snapshot_id, t.c.business_id == business_id)
        .order_by(t.c.first_customer_id)
    )
    return concat([decode(n, bytes(data)) for n, data in found])


# --- the per-process cache of unpacked snapshots ---------------------------------------------------------
#
# A stored snapshot never changes, except that erasing a customer cuts them out of its blocks. Whole reads
# (segment pages, exports, movements, reports) would otherwise fetch and unpack every block on every request
# (tens of ms at 100k customers, growing with the shop). Unpacked columns are kept per process, least
# recently used first out, bounded in bytes, and are read-only arrays shared by every caller.
#
# Every read checks its entry against the database first with one indexed query: the snapshot row's
# taken_at, as-of date, method and grid of counts and revenue (ids can be reused after a restore, a rolled-back
# insert or a test's reset) and the count and sum of `n` over its blocks (an erasure lowers the sum; a
# deleted snapshot or business has no row). So a change made by another process is seen at once, without
# any message between processes. A session that wrote or cut blocks itself (`write`, `forget_customer`:
# possibly not committed, possibly rolled back) neither reads nor fills the cache for the rest of its life.

CACHE_MAX_BYTES = 256 * 2**20
_DIRTY = "rfm_store.blocks_changed"
_cache: OrderedDict[tuple[str, int, int], tuple[tuple[Any, ...], Columns, int]] = OrderedDict()
_cache_bytes = 0
_cache_lock = threading.Lock()


def _signature(db: Session, *, business_id: int, snapshot_id: int) -> tuple[Any, ...] | None:
    from niaga.marketing.models import RfmSnapshot

    t = _table()
    mine = sa.and_(t.c.snapshot_id == snapshot_id, t.c.business_id == business_id)
    row = db.execute(
        sa.select(
            RfmSnapshot.taken_at,
            RfmSnapshot.as_of,
            RfmSnapshot.method,
            RfmSnapshot.grid,
            sa.select(sa.func.count(t.c.n)).where(mine).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.sum(t.c.n), 0)).where(mine).scalar_subquery(),
        ).where(RfmSnapshot.id == snapshot_id, RfmSnapshot.business_id == business_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2], repr(row[3]), int(row[4]), int(row[5]))


def _cache_key(db: Session, business_id: int, snapshot_id: int) -> tuple[str, int, int]:
    bind = db.get_bind()
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    return (engine.url.render_as_string(hide_password=True), business_id, snapshot_id)


def _mark_dirty(db: Session, business_id: int) -> None:
    db.info[_DIRTY] = True
    clear_cache(business_id=business_id)


def clear_cache(*, business_id: int | None = None) -> None:
    """Drop cached snapshots (of one business, or all)."""
    global _cache_bytes
    with _cache_lock:
        for key in [k for k in _cache if business_id is None or k[1] == business_id]:
            _cache_bytes -= _cache.pop(key)[2]


def cache_info() -> dict[str, int]:
    with _cache_lock:
        return {"entries": len(_cache), "bytes": _cache_bytes, "max_bytes": CACHE_MAX_BYTES}


def read(db: Session, *, business_id: int, snapshot_id: int) -> Columns:
    """Every row of a snapshot, sorted by customer_id (read-only arrays, possibly shared with other callers
    through the per-process cache)."""
    global _cache_bytes
    if db.info.get(_DIRTY):
        return _read_blocks(db, business_id=business_id, snapshot_id=snapshot_id)
    sig = _signature(db, business_id=business_id, snapshot_id=snapshot_id)
    if sig is None:
        return empty()
    key = _cache_key(db, business_id, snapshot_id)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == sig:
            _cache.move_to_end(key)
            return hit[1]
    cols = _read_blocks(db, business_id=business_id, snapshot_id=snapshot_id)
    for name, _ in LAYOUT:
        getattr(cols, name).flags.writeable = False
    size = sum(getattr(cols, name).nbytes for name, _ in LAYOUT)
    if size > CACHE_MAX_BYTES:
        return cols
    with _cache_lock:
        old = _cache.pop(key, None)
        if old is not None:
            _cache_bytes -= old[2]
        _cache[key] = (sig, cols, size)
        _cache_bytes += size
        while _cache_bytes > CACHE_MAX_BYTES:
            _cache_bytes -= _cache.popitem(last=False)[1][2]
    return cols


def _block_of(db: Session, *, business_id: int, snapshot_id: int, customer_id: int) -> Any:
    t = _table()
    return db.execute(
        sa.select(t.c.first_customer_id, t.c.n, t.c.data)
        .where(
            t.c.snapshot_id == snapshot_id,
            t.c.first_customer_id <= customer_id,
            t.c.business_id == business_id,
        )
        .order_by(t.c.first_customer_id.desc())
        .limit(1)
    ).first()


def read_customer(
    db: Session, *, business_id: int, snapshot_ids: Iterable[int], customer_id: int
) -> dict[int, rfm.Scored]:
    """The customer's row in each of these snapshots where they were scored: one key lookup per snapshot."""
    out: dict[int, rfm.Scored] = {}
    for sid in snapshot_ids:
        block = _block_of(db, business_id=business_id, snapshot_id=sid, customer_id=customer_id)
        if block is None:
            continue
        cols = decode(block.n, bytes(block.data))
        i = int(np.searchsorted(cols.customer_id, customer_id))
        if i < len(cols) and cols.customer_id[i] == customer_id:
            out[sid] = cols.rows([i])[0]
    return out


def forget_customer(db: Session, *, business_id: int, customer_id: int) -> int:
    """Cut a (deleted) customer out of every snapshot of their business. Returns the blocks rewritten."""
    from niaga.marketing.models import RfmSnapshot

    t = _table()
    _mark_dirty(db, business_id)
    sids = db.scalars(sa.select(RfmSnapshot.id).where(RfmSnapshot.business_id == business_id)).all()
    changed = 0
    for sid in sids:
        block = _block_of(db, business_id=business_id, snapshot_id=sid, customer_id=customer_id)
        if block is None:
            continue
        cols = decode(block.n, bytes(block.data))
        keep = cols.customer_id != customer_id
        if keep.all():
            continue
        key = sa.and_(t.c.snapshot_id == sid, t.c.first_customer_id == block.first_customer_id)
        rest = cols.take(np.nonzero(keep)[0])
        if len(rest) == 0:
            db.execute(sa.delete(t).where(key))
        else:
            db.execute(
                sa.update(t)
                .where(key)
                .values(
                    first_customer_id=int(rest.customer_id[0]),
                    last_customer_id=int(rest.customer_id[-1]),
                    n=len(rest),
                    data=encode(rest),
                )
            )
        changed += 1
    return changed


def id_set(db: Session, ids: Any) -> sa.Select:
    """A one-column SELECT of these ids as one bound value (PostgreSQL: unnest of a bigint array; SQLite:
    json_each of a JSON array), for `x IN (…)` filters over a snapshot's customers of any size."""
    values = [int(x) for x in np.asarray(ids, dtype=np.int64).tolist()]
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        arr = sa.bindparam("rfm_ids", value=values, type_=ARRAY(sa.BigInteger()), unique=True)
        return sa.select(sa.func.unnest(arr).column_valued("id"))
    import json

    tv = sa.func.json_each(
        sa.bindparam("rfm_ids", value=json.dumps(values), type_=sa.Text(), unique=True)
    ).table_valued("value")
    return sa.select(tv.c.value)
