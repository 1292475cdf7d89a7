"""Marketing jobs: the weekly RFM snapshot of every business at its own weekday and hour (default Monday
07:00 in the business's time zone, settings.marketing.weekly), followed by the owner report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from niaga.db.engine import session_scope
from niaga.jobs.registry import RetryLater, task
from niaga.jobs.runner import enqueue, periodic
from niaga.marketing import service
from niaga.ops.logging import get_logger
from niaga.tenancy.models import Business

log = get_logger("niaga.marketing.tasks")

__all__ = ["send_weekly_report", "weekly_snapshots"]


def take_weekly(business_id: int, *, now: Any = None) -> str:
    """Take this week's snapshot of one business when it is due and not yet taken (idempotent: the
    (business, period) pair is unique, so a second worker's insert fails and is ignored)."""
    try:
        with session_scope(immediate=True) as db:
            business = db.get(Business, business_id)
            if business is None or not business.is_active:
                return "skipped"
            slot = service.weekly_slot(business, now)
            if slot is None:
                return "not_due"
            period, as_of = slot
            if service.weekly_done(db, business_id=business_id, period=period):
                return "done"
            result = service.do_run(db, business=business, as_of=as_of, kind="weekly", period=period)
            enqueue(
                db,
                "marketing.send_weekly_report",
                business_id=business_id,
                snapshot_id=result.snapshot_id,
                idempotency_key=f"rfm-report:{business_id}:{period}",
            )
    except IntegrityError:
        return "done"
    log.info("rfm.weekly_taken", business_id=business_id, period=period)
    return "taken"


@periodic("marketing.weekly_snapshots", minute="7")
def weekly_snapshots(now: Any = None) -> dict[str, int]:
    """Hourly: each business whose weekly slot has come gets its snapshot once."""
    with session_scope() as db:
        ids = list(
            db.scalars(sa.select(Business.id).where(Business.is_active.is_(True)).order_by(Business.id))
        )
    out: dict[str, int] = {}
    for bid in ids:
        try:
            outcome = take_weekly(bid, now=now)
        except Exception as exc:  # one business must not stop the others
            log.warning("rfm.weekly_failed", business_id=bid, error=str(exc)[:300])
            outcome = "failed"
        out[outcome] = out.get(outcome, 0) + 1
    return out


@task("marketing.send_weekly_report", max_attempts=6, base_delay=60.0)
def send_weekly_report(snapshot_id: int) -> dict[str, str]:
    from niaga.marketing import delivery, reports
    from niaga.marketing.models import RfmSnapshot

    with session_scope() as db:
        snap = db.get(RfmSnapshot, snapshot_id)
        if snap is None:
            return {}
        business = db.get(Business, snap.business_id)
        assert business is not None
        data = reports.report_data(db, business=business, snapshot=snap)
    pdf, xlsx = reports.render_pdf(data), reports.render_xlsx(data)
    stem = f"laporan-pelanggan-{data.business_slug}-{data.as_of.isoformat()}"
    results = delivery.send_report(
        data.business_id, filename_stem=stem, pdf=pdf, xlsx=xlsx, summary=data.summary_text()
    )
    tried = [v for v in results.values() if v != "not_configured"]
    if tried and all(v.startswith("failed") for v in tried):
        raise RetryLater("; ".join(tried))
    return results
