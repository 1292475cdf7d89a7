"""RFM runs, snapshots, movements between snapshots and the queries behind the API and the dashboard.

A run reads the maintained aggregates (one row per customer, see `aggregates`), scores them with the
definitions of `rfm` and stores a snapshot (totals per segment and per R/F cell, plus every customer's
figures and scores packed by column, see `rfm_store`). The latest snapshot is "the analysis"; a customer's
history is their rows over snapshots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers import service as customers_service
from niaga.customers.models import Customer
from niaga.kit.errors import NotFound, ValidationFailed
from niaga.kit.timeutil import local_today, tz, utcnow
from niaga.marketing import rfm, rfm_store
from niaga.marketing.models import RfmSnapshot
from niaga.ops.logging import get_logger
from niaga.tenancy.models import Business

log = get_logger("niaga.marketing")

EARLIEST = date(2000, 1, 1)

DEFAULT_MARKETING: dict[str, Any] = {
    "rfm_method": "quantile",
    "rfm_bins": {k: list(v) for k, v in rfm.DEFAULT_BINS.items()},
    # Weekly snapshot and owner report: ISO weekday (1 = Monday) and hour in the business's time zone.
    "weekly": {"enabled": True, "weekday": 1, "hour": 7},
    # Where the weekly report goes: owner/admin emails (empty = every owner's login email), the Telegram
    # admin chat, and a WhatsApp number (empty = none).
    "report": {"email": [], "telegram": True, "whatsapp": ""},
}


def marketing_settings(business: Business) -> dict[str, Any]:
    raw = (business.settings or {}).get("marketing") or {}
    out = {**DEFAULT_MARKETING, **raw}
    for key in ("rfm_bins", "weekly", "report"):
        out[key] = {**DEFAULT_MARKETING[key], **(raw.get(key) or {})}
    return out


def bins_of(business: Business) -> dict[str, tuple[int, ...]]:
    """The business's bin edges (settings.marketing.rfm_bins), validated; defaults for anything missing."""
    cfg = marketing_settings(business)["rfm_bins"]
    out: dict[str, tuple[int, ...]] = {}
    for name in ("recency", "frequency", "monetary"):
        try:
            out[name] = rfm.check_edges(cfg.get(name, rfm.DEFAULT_BINS[name]), name)
        except ValueError as exc:
            raise ValidationFailed(str(exc), code="invalid_rfm_bins", details={name: str(exc)})
    return out


WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_marketing_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole marketing-settings form (method, bin edges, weekly schedule, report recipients) and
    return it normalised. Every problem is reported at once, keyed by field (`rfm_bins.recency`,
    `weekly.hour`, `report.email`, ...), in Indonesian; nothing is saved unless all of it is valid."""
    from niaga.customers.service import normalize_phone

    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    method = str(data.get("rfm_method") or "quantile")
    if method not in rfm.METHODS:
        errors["rfm_method"] = "Metode harus quantile atau bins."
    out["rfm_method"] = method
    bins: dict[str, list[int]] = {}
    for name in ("recency", "frequency", "monetary"):
        raw = (data.get("rfm_bins") or {}).get(name, rfm.DEFAULT_BINS[name])
        try:
            bins[name] = list(rfm.check_edges(raw, name))
        except ValueError as exc:
            errors[f"rfm_bins.{name}"] = str(exc)
    out["rfm_bins"] = bins
    weekly = data.get("weekly") or {}
    w: dict[str, Any] = {"enabled": bool(weekly.get("enabled", True))}
    for key, low, high, what in (("weekday", 1, 7, "Hari"), ("hour", 0, 23, "Jam")):
        value = weekly.get(key, DEFAULT_MARKETING["weekly"][key])
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
            errors[f"weekly.{key}"] = f"{what} harus bilangan bulat {low}–{high}."
            continue
        number = int(str(value).strip())
        if not low <= number <= high:
            errors[f"weekly.{key}"] = f"{what} harus antara {low} dan {high}."
        w[key] = number
    out["weekly"] = w
    report = data.get("report") or {}
    emails = report.get("email") or []
    if isinstance(emails, str):
        emails = [e for e in re.split(r"[,;\s]+", emails) if e]
    if not isinstance(emails, list) or any(not isinstance(e, str) for e in emails):
        errors["report.email"] = "Email penerima harus berupa daftar alamat email."
        emails = []
    bad = [e for e in emails if not _EMAIL_RE.match(e.strip())]
    if bad:
        errors["report.email"] = f"Email tidak valid: {', '.join(bad[:3])}."
    if len(emails) > 10:
        errors["report.email"] = "Maksimal 10 email penerima."
    phone = str(report.get("whatsapp") or "").strip()
    wa = ""
    if phone:
        wa = normalize_phone(phone) or ""
        if not wa:
            errors["report.whatsapp"] = "Nomor WhatsApp tidak valid (mis. 0812xxxx atau 62812xxxx)."
    out["report"] = {
        "email": sorted({e.strip().lower() for e in emails if isinstance(e, str)}),
        "telegram": bool(report.get("telegram", True)),
        "whatsapp": wa,
    }
    if errors:
        raise ValidationFailed(
            "Pengaturan pemasaran belum benar.", code="invalid_marketing_settings", details=errors
        )
    return out


def save_marketing_settings(db: Session, *, business: Business, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and store the business's marketing settings (the whole section is replaced)."""
    cleaned = clean_marketing_settings(data)
    business.settings = {**(business.settings or {}), "marketing": cleaned}
    db.flush()
    return marketing_settings(business)


# --- a run -------------------------------------------------------------------------------------------


@dataclass
class RfmResult:
    business_id: int
    as_of: date
    method: str
    _rows: list[rfm.Scored] | None
    _refs: dict[int, str | None] | None = None
    names: dict[int, str] = field(default_factory=dict)
    customers_without_purchases: int = 0
    snapshot_id: int | None = None
    customers_scored: int = 0
    # A stored run keeps its rows in the database; they are read back only when asked for (the CLI's
    # customer list), never on the hot path.
    _load: Any = None

    @property
    def rows(self) -> list[rfm.Scored]:
        if self._rows is None:
            self._rows = self._load("rows") if self._load is not None else []
        return self._rows

    @property
    def refs(self) -> dict[int, str | None]:
        if self._refs is None:
            self._refs = self._load("refs") if self._load is not None else {}
        return self._refs

    def segment_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(rfm.SEGMENT_ORDER, 0)
        for x in self.rows:
            counts[x.segment] += 1
        return counts

    def as_dict(self, *, with_customers: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "method": self.method,
            "customers_scored": self.customers_scored,
            "customers_without_purchases": self.customers_without_purchases,
            "segments": self.segment_counts(),
            "snapshot_id": self.snapshot_id,
        }
        if with_customers:
            out["customers"] = [
                {
                    "customer_ref": self.refs.get(x.customer_id) or str(x.customer_id),
                    "customer_id": x.customer_id,
                    "recency_days": x.recency_days,
                    "frequency": x.frequency,
                    "monetary": x.monetary,
                    "r": x.r,
                    "f": x.f,
                    "m": x.m,
                    "segment": x.segment,
                }
                for x in self.rows
            ]
        return out


def check_as_of(business: Business, as_of: date | None) -> date:
    """Default: today in the business's time zone. A date after today or before 2000 is refused."""
    today = local_today(business.timezone)
    if as_of is None:
        return today
    if as_of < EARLIEST:
        raise ValidationFailed(
            "Tanggal acuan tidak boleh sebelum 1 Januari 2000.",
            code="invalid_as_of",
            details={"as_of": "sebelum tahun 2000"},
        )
    if as_of > today:
        raise ValidationFailed(
            f"Tanggal acuan tidak boleh setelah hari ini ({today.isoformat()}).",
            code="invalid_as_of",
            details={"as_of": "di masa depan"},
        )
    return as_of


def check_method(business: Business, method: str | None) -> str:
    method = method or marketing_settings(business)["rfm_method"]
    if method not in rfm.METHODS:
        raise ValidationFailed(
            "Metode harus quantile atau bins.", code="invalid_method", details={"method": "quantile|bins"}
        )
    return method


def _fetch(db: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows straight from the driver cursor (no Row objects): the RFM hot path reads one row per customer.
    `sql` uses `:name` placeholders; they are rewritten for drivers with the `%(name)s` style."""
    conn = db.connection()
    if conn.dialect.paramstyle == "pyformat":
        sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _figures_sql(db: Session, *, business_id: int, as_of: date) -> tuple[str, str, dict[str, Any]]:
    """The per-customer figures as of `as_of` as SQL: (aggregates, later, params). `aggregates` reads the
    maintained aggregates (one row per customer; the database computes the recency); `later` recomputes
    from their transactions up to `as_of` the customers whose latest completed purchase is after it (a run
    for a past date). Both select (customer_id, recency_days, frequency, monetary)."""
    pg = db.get_bind().dialect.name == "postgresql"
    rec = "(CAST(:as_of AS date) - {col})" if pg else "CAST(julianday(:as_of) - julianday({col}) AS INTEGER)"
    params = {"b": business_id, "as_of": as_of if pg else as_of.isoformat()}
    aggregates = (
        f"SELECT customer_id, {rec.format(col='last_on')} AS recency_days, frequency, monetary "
        "FROM customer_purchase_stats WHERE business_id = :b AND last_on <= :as_of"
    )
    later = (
        f"SELECT t.customer_id, {rec.format(col='max(t.occurred_on)')}, count(*), sum(t.amount) "
        "FROM transactions t WHERE t.business_id = :b AND t.status = 'completed' AND t.occurred_on <= :as_of "
        "AND t.customer_id IN (SELECT customer_id FROM customer_purchase_stats "
        "WHERE business_id = :b AND last_on > :as_of) GROUP BY t.customer_id"
    )
    return aggregates, later, params


def _figures(db: Session, *, business_id: int, as_of: date) -> Any:
    """Per-customer figures as of `as_of` as one int64 array of rows (customer_id, recency_days,
    frequency, monetary), sorted by customer id (see `_figures_sql`). The maintained aggregates (every
    customer) come as whole columns rather than one Python tuple per customer (`_aggregate_columns`); the
    few customers recomputed from transactions (a run for a past date) come as rows."""
    aggregates, later_sql, params = _figures_sql(db, business_id=business_id, as_of=as_of)
    main = _aggregate_columns(db, aggregates, business_id=business_id, as_of=as_of, params=params)
    later = np.array(_fetch(db, later_sql, params), dtype=np.int64).reshape(-1, 4)
    out = np.concatenate([main, later]) if len(later) else main
    return out[np.argsort(out[:, 0], kind="stable")]


def _aggregate_columns(
    db: Session, aggregates: str, *, business_id: int, as_of: date, params: dict[str, Any]
) -> Any:
    """The rows of `aggregates` (customer_id, recency_days, frequency, monetary) as an int64 array, read
    without building a Python object per customer (building them was most of a run):
    - PostgreSQL: one row holding each column as big-endian int64 packed by the database (string_agg of
      int8send; the aggregates of one query see the same rows in the same order), read by numpy;
    - SQLite: one row per latest-purchase date, each with its customers' ids, counts and sums as
      comma-separated text (group_concat, aligned: the aggregates of one group see the same rows in the
      same order), parsed by numpy; the recency is computed once per date."""
    conn = db.connection()
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cols = ", ".join(
            f"string_agg(int8send({c}::bigint), ''::bytea)"
            for c in ("customer_id", "recency_days", "frequency", "monetary")
        )
        packed = _fetch(db, f"SELECT {cols} FROM ({aggregates}) fig", params)[0]
        if packed[0] is None:
            return np.zeros((0, 4), dtype=np.int64)
        return np.stack([np.frombuffer(bytes(x), dtype=">i8").astype(np.int64) for x in packed], axis=1)
    cur = dbapi.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(
            "SELECT last_on, count(*), group_concat(customer_id), group_concat(frequency), "
            "group_concat(monetary) FROM customer_purchase_stats WHERE business_id = ? AND last_on <= ? "
            "GROUP BY last_on",
            (business_id, as_of.isoformat()),
        )
        groups = cur.fetchall()
    finally:
        cur.close()
    if not groups:
        return np.zeros((0, 4), dtype=np.int64)
    out = np.empty((sum(g[1] for g in groups), 4), dtype=np.int64)
    for col, i in ((0, 2), (2, 3), (3, 4)):
        out[:, col] = np.fromstring(",".join(g[i] for g in groups), dtype=np.int64, sep=",")
    days = [(as_of - (d if isinstance(d, date) else date.fromisoformat(d))).days for d, *_ in groups]
    out[:, 1] = np.repeat(np.asarray(days, dtype=np.int64), [g[1] for g in groups])
    return out


def _scored(figures: Any, method: str, bins: dict[str, tuple[int, ...]] | None) -> tuple[Any, ...]:
    """(r, f, m, segment index) of every row: the four cut values per figure (a partition, O(n)) applied by
    comparison; equal to `rfm.score_arrays` (three sorts), held so by a test."""
    rec, freq, mon = figures[:, 1], figures[:, 2], figures[:, 3]
    return rfm.scores_from_cuts(rec, freq, mon, rfm.score_cuts(rec, freq, mon, method=method, bins=bins))


def _as_rows(figures: Any, scores: tuple[Any, Any, Any, Any]) -> list[rfm.Scored]:
    r, f, m, seg = scores
    names = rfm.SEGMENT_ORDER
    return [
        rfm.Scored(c, rec, fq, mo, rr, ff, mm, names[s])
        for (c, rec, fq, mo), rr, ff, mm, s in zip(
            figures.tolist(), r.tolist(), f.tolist(), m.tolist(), seg.tolist(), strict=True
        )
    ]


def _refs(db: Session, business_id: int) -> dict[int, str | None]:
    return dict(
        _fetch(  # type: ignore[arg-type]
            db, "SELECT id, customer_ref FROM customers WHERE business_id = :b", {"b": business_id}
        )
    )


def _count_customers(db: Session, business_id: int) -> int:
    return int(
        db.scalar(sa.select(sa.func.count()).select_from(Customer).where(Customer.business_id == business_id))
        or 0
    )


def compute(
    db: Session, *, business: Business, as_of: date | None = None, method: str | None = None
) -> RfmResult:
    """Score every customer with a completed purchase on or before `as_of` (nothing stored)."""
    as_of = check_as_of(business, as_of)
    method = check_method(business, method)
    bins = bins_of(business) if method == "bins" else None
    figures = _figures(db, business_id=business.id, as_of=as_of)
    rows = _as_rows(figures, _scored(figures, method, bins))
    bid = business.id
    return RfmResult(
        bid,
        as_of,
        method,
        rows,
        _load=lambda what: _refs(db, bid),
        customers_scored=len(rows),
        customers_without_purchases=max(_count_customers(db, bid) - len(rows), 0),
    )


def summarise(rows: list[rfm.Scored]) -> tuple[dict[str, Any], dict[str, Any]]:
    segments = {s: {"count": 0, "revenue": 0} for s in rfm.SEGMENT_ORDER}
    grid = {f"{r},{f}": {"count": 0, "revenue": 0} for r in range(1, 6) for f in range(1, 6)}
    for x in rows:
        s = segments[x.segment]
        s["count"] += 1
        s["revenue"] += x.monetary
        c = grid[f"{x.r},{x.f}"]
        c["count"] += 1
        c["revenue"] += x.monetary
    return segments, grid


def _summarise_arrays(monetary: Any, r: Any, f: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Totals per segment and per R/F cell over whole columns (exact integer sums)."""
    cell = r * 6 + f
    counts = np.bincount(cell, minlength=36)
    revenue = np.zeros(36, dtype=np.int64)
    np.add.at(revenue, cell, monetary)
    return _summarise_cells(counts, revenue.tolist())


def _summarise_cells(counts: Any, revenue: list[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot's totals from the count and revenue of each R/F cell (index r × 6 + f)."""
    segments = {s: {"count": 0, "revenue": 0} for s in rfm.SEGMENT_ORDER}
    grid: dict[str, Any] = {}
    for rr in range(1, 6):
        for ff in range(1, 6):
            n, money = int(counts[rr * 6 + ff]), int(revenue[rr * 6 + ff])
            grid[f"{rr},{ff}"] = {"count": n, "revenue": money}
            seg = segments[rfm.GRID[rr][ff]]
            seg["count"] += n
            seg["revenue"] += money
    return segments, grid


def _stored_rows(db: Session, business_id: int, snapshot_id: int) -> list[rfm.Scored]:
    return rfm_store.read(db, business_id=business_id, snapshot_id=snapshot_id).rows()


def do_run(
    db: Session,
    *,
    business: Business,
    as_of: date | None = None,
    method: str | None = None,
    kind: str = "manual",
    period: str | None = None,
    save: bool = True,
) -> RfmResult:
    """Score every customer and (by default) store the snapshot. The hot path reads the maintained
    aggregates (one row per customer, from a covering index) into numpy columns, scores them and sums the
    totals over whole columns, and stores the rows packed by column (`rfm_store`: a few blocks per
    snapshot, not one row per customer). Per-customer objects are built only when a caller asks for
    `result.rows` (read back from the stored snapshot)."""
    if not save:
        return compute(db, business=business, as_of=as_of, method=method)
    as_of = check_as_of(business, as_of)
    method = check_method(business, method)
    bins = bins_of(business) if method == "bins" else None
    bid = business.id
    figures = _figures(db, business_id=bid, as_of=as_of)
    r, f, m, _seg = _scored(figures, method, bins)
    segments, grid = _summarise_arrays(figures[:, 3], r, f)
    scored = len(figures)
    snap = RfmSnapshot(
        business_id=bid,
        as_of=as_of,
        method=method,
        kind=kind,
        period=period,
        customers_scored=scored,
        customers_without_purchases=max(_count_customers(db, bid) - scored, 0),
        segments=segments,
        grid=grid,
        taken_at=utcnow(),
    )
    db.add(snap)
    db.flush()
    sid = snap.id
    cols = rfm_store.Columns(figures[:, 0], figures[:, 1], figures[:, 2], figures[:, 3], r, f, m)
    rfm_store.write(db, business_id=bid, snapshot_id=sid, cols=cols)
    log.info("rfm.snapshot", business_id=bid, snapshot_id=sid, kind=kind, customers=scored)
    return RfmResult(
        bid,
        as_of,
        method,
        None,
        _load=lambda what: _refs(db, bid) if what == "refs" else _stored_rows(db, bid, sid),
        snapshot_id=sid,
        customers_scored=scored,
        customers_without_purchases=snap.customers_without_purchases,
    )


# --- reading snapshots -------------------------------------------------------------------------------


def latest_snapshot(
    db: Session, *, business_id: int, before: RfmSnapshot | None = None
) -> RfmSnapshot | None:
    q = sa.select(RfmSnapshot).where(RfmSnapshot.business_id == business_id)
    if before is not None:
        q = q.where(RfmSnapshot.taken_at < before.taken_at)
    return db.scalars(q.order_by(RfmSnapshot.taken_at.desc(), RfmSnapshot.id.desc()).limit(1)).first()


def get_snapshot(db: Session, *, business_id: int, snapshot_id: int) -> RfmSnapshot:
    snap = db.scalars(
        sa.select(RfmSnapshot).where(RfmSnapshot.business_id == business_id, RfmSnapshot.id == snapshot_id)
    ).first()
    if snap is None:
        raise NotFound("Analisis RFM tidak ditemukan.", code="snapshot_not_found")
    return snap


def previous_for_comparison(db: Session, *, snapshot: RfmSnapshot) -> RfmSnapshot | None:
    """The snapshot to compare with for "since last week": the latest taken at least 6 days before this one's
    as-of date, else simply the one before it."""
    cutoff = snapshot.as_of - timedelta(days=6)
    prev = db.scalars(
        sa.select(RfmSnapshot)
        .where(
            RfmSnapshot.business_id == snapshot.business_id,
            RfmSnapshot.id != snapshot.id,
            RfmSnapshot.as_of <= cutoff,
            RfmSnapshot.taken_at < snapshot.taken_at,
        )
        .order_by(RfmSnapshot.as_of.desc(), RfmSnapshot.taken_at.desc())
        .limit(1)
    ).first()
    return prev or latest_snapshot(db, business_id=snapshot.business_id, before=snapshot)


def list_snapshots(db: Session, *, business_id: int, limit: int = 26) -> list[RfmSnapshot]:
    """The newest snapshots, oldest first (for trend charts): one per as-of date (the latest taken)."""
    rows = list(
        db.scalars(
            sa.select(RfmSnapshot)
            .where(RfmSnapshot.business_id == business_id)
            .order_by(RfmSnapshot.taken_at.desc(), RfmSnapshot.id.desc())
            .limit(limit * 4)
        )
    )
    seen: set[date] = set()
    out: list[RfmSnapshot] = []
    for s in rows:
        if s.as_of in seen:
            continue
        seen.add(s.as_of)
        out.append(s)
        if len(out) >= limit:
            break
    return sorted(out, key=lambda s: (s.as_of, s.taken_at))


def snapshot_out(snap: RfmSnapshot) -> dict[str, Any]:
    segments = [
        {
            "segment": s,
            "label": rfm.label_of(s),
            "action": rfm.SEGMENTS[s]["action"],
            "count": int((snap.segments.get(s) or {}).get("count", 0)),
            "revenue": int((snap.segments.get(s) or {}).get("revenue", 0)),
        }
        for s in rfm.SEGMENT_ORDER
    ]
    return {
        "snapshot_id": snap.id,
        "as_of": snap.as_of.isoformat(),
        "method": snap.method,
        "kind": snap.kind,
        "taken_at": snap.taken_at.isoformat(),
        "customers_scored": snap.customers_scored,
        "customers_without_purchases": snap.customers_without_purchases,
        "segments": segments,
        "grid": [
            {
                "r": r,
                "f": f,
                "segment": rfm.GRID[r][f],
                **(snap.grid.get(f"{r},{f}") or {"count": 0, "revenue": 0}),
            }
            for r in range(5, 0, -1)
            for f in range(1, 6)
        ],
    }


def check_segment(segment: str) -> str:
    if segment not in rfm.SEGMENTS:
        raise NotFound(
            "Segmen tidak dikenal.",
            code="segment_not_found",
            details={"segment": ", ".join(rfm.SEGMENT_ORDER)},
        )
    return segment


# Sort keys of a segment's customers: the snapshot's figures and scores (sorted over the decoded columns)
# and the customer's name or reference (sorted by the database, as before).
SEGMENT_SORTS: tuple[str, ...] = (
    "monetary",
    "frequency",
    "recency_days",
    "name",
    "customer_ref",
    "r",
    "f",
    "m",
)
_CUSTOMER_SORTS = {"name": Customer.name, "customer_ref": Customer.customer_ref}


def page_positions(values: Any, ids: Any, offset: int, end: int | None) -> Any:
    """Positions of the rows [offset:end] in (values, ids) ascending order. A page near the front (the usual
    case) selects its candidates in O(n) (every row with a value up to the end-th smallest, ties included)
    and sorts only those; a sort of every row otherwise."""
    n = len(values)
    if end is None or end <= 0 or end > n // 4:
        return np.lexsort((ids, values))[offset:end]
    kth = np.partition(values, end - 1)[end - 1]
    cand = np.nonzero(values <= kth)[0]
    return cand[np.lexsort((ids[cand], values[cand]))][offset:end]


def _customers_by_id(db: Session, business_id: int, ids: list[int]) -> dict[int, Customer]:
    out: dict[int, Customer] = {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        out.update(
            (c.id, c)
            for c in db.scalars(
                sa.select(Customer).where(Customer.business_id == business_id, Customer.id.in_(chunk))
            )
        )
    return out


def segment_rows(
    db: Session,
    *,
    snapshot: RfmSnapshot,
    segment: str | None,
    search: str | None = None,
    sort: str = "-monetary",
    offset: int = 0,
    limit: int | None = 20,
) -> tuple[list[tuple[rfm.Scored, Customer]], int]:
    """Customers of one segment (or all with segment None) in a snapshot. `sort` is one of SEGMENT_SORTS,
    prefix '-' for descending (ties by customer id); `search` matches name, phone, email or customer_ref."""
    key = sort.lstrip("-")
    if key not in SEGMENT_SORTS:
        raise ValidationFailed(
            details={"sort": f"Urutan harus salah satu dari: {', '.join(sorted(SEGMENT_SORTS))}."}
        )
    bid = snapshot.business_id
    cols = rfm_store.read(db, business_id=bid, snapshot_id=snapshot.id)
    mask = np.ones(len(cols), dtype=bool)
    if segment:
        mask &= cols.segment_index == rfm.SEGMENT_ORDER.index(check_segment(segment))
    if search and search.strip():
        t = search.strip()
        found = db.scalars(
            sa.select(Customer.id).where(
                Customer.business_id == bid,
                sa.or_(
                    Customer.name.icontains(t, autoescape=True),
                    Customer.phone.contains(t, autoescape=True),
                    Customer.email.icontains(t, autoescape=True),
                    Customer.customer_ref.icontains(t, autoescape=True),
                ),
            )
        ).all()
        mask &= np.isin(cols.customer_id, np.asarray(found, dtype=np.int64))
    idx = np.nonzero(mask)[0]
    desc = sort.startswith("-")
    end = None if limit is None else offset + limit
    if key in _CUSTOMER_SORTS:
        col = _CUSTOMER_SORTS[key]
        q = (
            sa.select(Customer.id)
            .where(Customer.business_id == bid, Customer.id.in_(rfm_store.id_set(db, cols.customer_id[idx])))
            .order_by(col.desc() if desc else col.asc(), Customer.id.asc())
            .offset(offset)
        )
        if limit is not None:
            q = q.limit(limit)
        page = np.searchsorted(cols.customer_id, np.asarray(db.scalars(q).all(), dtype=np.int64))
    else:
        values = getattr(cols, key)[idx]
        page = idx[page_positions(-values if desc else values, cols.customer_id[idx], offset, end)]
    rows = cols.rows(page)
    custs = _customers_by_id(db, bid, [x.customer_id for x in rows])
    return [(x, custs[x.customer_id]) for x in rows if x.customer_id in custs], len(idx)


def row_out(row: rfm.Scored, c: Customer) -> dict[str, Any]:
    return {
        "customer_id": c.id,
        "customer_ref": c.customer_ref,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "city": c.city,
        "recency_days": row.recency_days,
        "frequency": row.frequency,
        "monetary": row.monetary,
        "r": row.r,
        "f": row.f,
        "m": row.m,
        "segment": row.segment,
        "segment_label": rfm.label_of(row.segment),
    }


def segment_ids(db: Session, *, snapshot: RfmSnapshot, segment: str) -> Any:
    """The ids (numpy, ascending) of the snapshot's customers in `segment`."""
    cols = rfm_store.read(db, business_id=snapshot.business_id, snapshot_id=snapshot.id)
    return cols.customer_id[cols.segment_index == rfm.SEGMENT_ORDER.index(check_segment(segment))]


def customer_ids_in_segment(db: Session, *, business_id: int, segment: str) -> sa.Select | None:
    """A subquery of the customer ids in `segment` in the latest snapshot (None when there is none yet)."""
    check_segment(segment)
    snap = latest_snapshot(db, business_id=business_id)
    if snap is None:
        return None
    return rfm_store.id_set(db, segment_ids(db, snapshot=snap, segment=segment))


def customer_history(
    db: Session, *, business_id: int, customer_id: int, limit: int = 52
) -> list[dict[str, Any]]:
    """The customer's rows over snapshots, newest first (one per as-of date: the latest taken). One key
    lookup per snapshot (`rfm_store.read_customer`)."""
    snaps = {s.id: s for s in list_snapshots(db, business_id=business_id, limit=limit)}
    if not snaps:
        return []
    rows = rfm_store.read_customer(
        db, business_id=business_id, snapshot_ids=list(snaps), customer_id=customer_id
    )
    found = sorted(((snaps[sid], r) for sid, r in rows.items()), key=lambda p: p[0].as_of, reverse=True)
    out: list[dict[str, Any]] = []
    for snap, row in found:
        out.append(
            {
                "snapshot_id": snap.id,
                "as_of": snap.as_of.isoformat(),
                "method": snap.method,
                "recency_days": row.recency_days,
                "frequency": row.frequency,
                "monetary": row.monetary,
                "r": row.r,
                "f": row.f,
                "m": row.m,
                "segment": row.segment,
                "segment_label": rfm.label_of(row.segment),
            }
        )
        if len(out) >= limit:
            break
    return out


def current_segment(db: Session, *, business_id: int, customer_id: int) -> rfm.Scored | None:
    """The customer's row in the business's latest snapshot (None: not scored or no snapshot yet)."""
    snap = latest_snapshot(db, business_id=business_id)
    if snap is None:
        return None
    rows = rfm_store.read_customer(
        db, business_id=business_id, snapshot_ids=[snap.id], customer_id=customer_id
    )
    return rows.get(snap.id)


# --- movements ---------------------------------------------------------------------------------------


def movements(
    db: Session, *, business_id: int, before: RfmSnapshot, after: RfmSnapshot, customers_per_move: int = 50
) -> list[dict[str, Any]]:
    """Customers whose segment changed between two snapshots of the same business, grouped by
    (from, to) and sorted by count; `from` is None for customers first scored in `after`."""
    if before.business_id != business_id or after.business_id != business_id:
        raise NotFound("Analisis RFM tidak ditemukan.", code="snapshot_not_found")
    old = rfm_store.read(db, business_id=business_id, snapshot_id=before.id)
    new = rfm_store.read(db, business_id=business_id, snapshot_id=after.id)
    new_seg = new.segment_index
    pos = np.minimum(np.searchsorted(old.customer_id, new.customer_id), max(len(old) - 1, 0))
    was = np.full(len(new), -1, dtype=np.int64)
    if len(old):
        hit = old.customer_id[pos] == new.customer_id
        was[hit] = old.segment_index[pos[hit]]
    moved = np.nonzero(was != new_seg)[0]
    # biggest spenders first within a move (ties by customer id)
    moved = moved[np.lexsort((new.customer_id[moved], -new.monetary[moved]))]
    code = (was[moved] + 1) * 16 + new_seg[moved]
    codes, counts = np.unique(code, return_counts=True)
    picks: dict[int, Any] = {int(c): moved[code == c][:customers_per_move] for c in codes.tolist()}
    listed = sorted({int(x) for p in picks.values() for x in new.customer_id[p].tolist()})
    names = {
        cid: (name, ref)
        for cid, name, ref in db.execute(
            sa.select(Customer.id, Customer.name, Customer.customer_ref).where(
                Customer.business_id == business_id, Customer.id.in_(rfm_store.id_set(db, listed))
            )
        )
    }
    seg_names = rfm.SEGMENT_ORDER
    out: list[dict[str, Any]] = []
    for c, n in zip(codes.tolist(), counts.tolist(), strict=True):
        frm = seg_names[c // 16 - 1] if c // 16 else None
        to = seg_names[c % 16]
        custs = []
        for i in picks[c].tolist():
            cid = int(new.customer_id[i])
            if cid in names:
                name, ref = names[cid]
                custs.append(
                    {"customer_id": cid, "name": name, "customer_ref": ref, "monetary": int(new.monetary[i])}
                )
        out.append(
            {
                "from": frm,
                "to": to,
                "from_label": rfm.label_of(frm) if frm else "Belum ada",
                "to_label": rfm.label_of(to),
                "count": int(n),
                "customers": custs,
            }
        )
    order = {s: i for i, s in enumerate(rfm.SEGMENT_ORDER)}
    return sorted(out, key=lambda g: (-g["count"], order.get(g["from"] or "", 99), order[g["to"]]))


def movements_since_last_week(
    db: Session, *, business_id: int
) -> tuple[RfmSnapshot | None, RfmSnapshot | None, list[dict[str, Any]]]:
    latest = latest_snapshot(db, business_id=business_id)
    if latest is None:
        return None, None, []
    prev = previous_for_comparison(db, snapshot=latest)
    if prev is None:
        return None, latest, []
    return prev, latest, movements(db, business_id=business_id, before=prev, after=latest)


# --- weekly schedule ---------------------------------------------------------------------------------


def weekly_slot(business: Business, now: datetime | None = None) -> tuple[str, date] | None:
    """(period key, as-of date) of the weekly snapshot due now, or None when it is not yet due this week.
    Due from the configured weekday and hour (business time) until the end of that ISO week."""
    cfg = marketing_settings(business)["weekly"]
    if not cfg.get("enabled", True):
        return None
    local = (now or utcnow()).astimezone(tz(business.timezone))
    weekday, hour = int(cfg.get("weekday") or 1), int(cfg.get("hour") or 0)
    if (local.isoweekday(), local.hour) < (weekday, hour):
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}", local.date()


def weekly_done(db: Session, *, business_id: int, period: str) -> bool:
    return (
        db.scalar(
            sa.select(RfmSnapshot.id).where(
                RfmSnapshot.business_id == business_id, RfmSnapshot.period == period
            )
        )
        is not None
    )


# The customer list's `segment` filter (customers sit below marketing and reach it through this port).
customers_service.SEGMENT_FILTERS.register("rfm", customer_ids_in_segment)
