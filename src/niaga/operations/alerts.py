"""Monitoring: business metrics for `/metrics` (read from the database at scrape time, so that every web and
worker process reports the same figures) and the alert conditions that also reach the owner's admin chat from
niaga itself, for shops without Prometheus. The conditions mirror deploy/prometheus/alerts.yml."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.jobs.models import DeadLetter, Job
from niaga.kit.timeutil import utcnow
from niaga.messaging.models import Message
from niaga.operations.notify import raise_alert, resolve_alert
from niaga.ops import metrics
from niaga.ops.backup import latest_backup_age_seconds
from niaga.ops.models import EventDelivery
from niaga.orders.models import Order
from niaga.printshop.printing_models import PrintRequest
from niaga.settings import get_settings
from niaga.tenancy.models import Business, ProviderConfig


@dataclass
class Condition:
    key: str
    firing: bool
    message: str


def disk_used_ratio() -> float:
    usage = shutil.disk_usage(get_settings().home)
    return usage.used / usage.total if usage.total else 0.0


def _in_opening_hours(business: Business, now: datetime) -> bool:
    hours = ((business.settings or {}).get("hours") or (business.profile or {}).get("hours")) or {}
    if not hours:
        return False
    try:
        local = now.astimezone(ZoneInfo(business.timezone or "Asia/Jakarta"))
    except Exception:
        return False
    span = hours.get(str(local.isoweekday())) or []
    if len(span) != 2:
        return False
    hhmm = local.strftime("%H:%M")
    return bool(span[0] <= hhmm < span[1])


def evaluate(db: Session, business: Business, now: datetime | None = None) -> list[Condition]:
    """The alert conditions for one business, each firing or not."""
    s = get_settings()
    now = now or utcnow()
    out: list[Condition] = []
    dead = db.scalar(
        sa.select(sa.func.count())
        .select_from(DeadLetter)
        .where(DeadLetter.business_id == business.id, DeadLetter.status == "dead")
    )
    out.append(
        Condition(
            "dead_letters",
            bool(dead),
            f"{dead} job gagal permanen (dead letter) di {business.name}. Buka menu Job gagal untuk melihat "
            "penyebabnya dan mengirim ulang.",
        )
    )
    stale_before = now - timedelta(seconds=s.alert_job_age_seconds)
    waiting = db.execute(
        sa.select(sa.func.count(), sa.func.min(Job.run_at)).where(
            Job.business_id == business.id, Job.status == "pending", Job.run_at <= now
        )
    ).one()
    oldest = waiting[1]
    backlog = waiting[0] >= s.alert_queue_backlog or (oldest is not None and oldest < stale_before)
    out.append(
        Condition(
            "queue_backlog",
            backlog,
            f"Antrean pekerjaan {business.name} menumpuk: {waiting[0]} job menunggu"
            + (f", yang tertua sejak {int((now - oldest).total_seconds() // 60)} menit" if oldest else "")
            + ". Apakah worker berjalan (`niaga jobs selftest`)?",
        )
    )
    waha = db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business.id, ProviderConfig.kind == "waha"
        )
    ).first()
    status = (waha.config or {}).get("session_status") if waha is not None else None
    out.append(
        Condition(
            "whatsapp_session",
            bool(waha is not None and waha.is_enabled and status and status != "WORKING"),
            f"Sesi WhatsApp (WAHA) {business.name} berstatus {status}, bukan WORKING: pesan pelanggan tidak "
            "terkirim. Periksa WAHA atau scan ulang QR.",
        )
    )
    last_in = db.scalar(
        sa.select(sa.func.max(Message.created_at)).where(
            Message.business_id == business.id, Message.direction == "in"
        )
    )
    quiet = (
        last_in is not None
        and now - last_in > timedelta(hours=s.alert_no_inbound_hours)
        and _in_opening_hours(business, now)
        and _in_opening_hours(business, now - timedelta(hours=s.alert_no_inbound_hours))
    )
    out.append(
        Condition(
            "no_inbound",
            quiet,
            f"Tidak ada pesan masuk ke {business.name} selama {s.alert_no_inbound_hours:g} jam di jam buka. "
            "Periksa webhook kanal (WhatsApp/Telegram).",
        )
    )
    age = latest_backup_age_seconds(s.backups_dir, now)
    max_age = s.alert_backup_max_age_hours * 3600
    installed_for = (now - business.created_at).total_seconds() if business.created_at else 0
    stale = (age is not None and age > max_age) or (age is None and installed_for > max_age)
    out.append(
        Condition(
            "backup_stale",
            stale,
            "Cadangan data terakhir "
            + (f"berumur {age / 3600:.0f} jam" if age is not None else "belum pernah dibuat")
            + f" (batas {s.alert_backup_max_age_hours:g} jam). Periksa worker dan `niaga backup create`.",
        )
    )
    ratio = disk_used_ratio()
    out.append(
        Condition(
            "disk_full",
            ratio * 100 > s.alert_disk_percent,
            f"Disk server terpakai {ratio * 100:.0f}% (batas {s.alert_disk_percent:g}%). Hapus berkas lama "
            "atau perbesar disk.",
        )
    )
    return out


def check_alerts(db: Session, now: datetime | None = None) -> dict[str, list[str]]:
    """Evaluate every business; firing conditions alert (at most once per repeat period), others resolve.
    Returns {business slug: [firing condition keys]}."""
    report: dict[str, list[str]] = {}
    for business in db.scalars(sa.select(Business).order_by(Business.id)):
        firing = []
        for c in evaluate(db, business, now):
            if c.firing:
                raise_alert(db, business_id=business.id, condition=c.key, message=c.message)
                firing.append(c.key)
            else:
                resolve_alert(db, business_id=business.id, condition=c.key)
        report[business.slug] = firing
    return report


def collect(db: Session) -> None:
    """Refresh the gauges that `/metrics` renders from the database."""
    now = utcnow()
    metrics.queue_depth.clear()
    for status, n in db.execute(sa.select(Job.status, sa.func.count()).group_by(Job.status)):
        metrics.queue_depth.labels(status).set(n)
    oldest = db.scalar(sa.select(sa.func.min(Job.run_at)).where(Job.status == "pending", Job.run_at <= now))
    metrics.job_age.set((now - oldest).total_seconds() if oldest else 0)
    metrics.dead_letters_by_kind.clear()
    total_dead = 0
    for name, n in db.execute(
        sa.select(DeadLetter.name, sa.func.count())
        .where(DeadLetter.status == "dead")
        .group_by(DeadLetter.name)
    ):
        metrics.dead_letters_by_kind.labels(name).set(n)
        total_dead += n
    metrics.dead_letters.set(total_dead)
    metrics.messages.clear()
    for channel, direction, n in db.execute(
        sa.select(Message.channel, Message.direction, sa.func.count()).group_by(
            Message.channel, Message.direction
        )
    ):
        metrics.messages.labels(channel, direction).set(n)
    metrics.print_jobs.clear()
    for status, n in db.execute(
        sa.select(Order.status, sa.func.count()).where(Order.kind == "print").group_by(Order.status)
    ):
        metrics.print_jobs.labels(status).set(n)
    metrics.print_requests.clear()
    for state, n in db.execute(sa.select(PrintRequest.state, sa.func.count()).group_by(PrintRequest.state)):
        metrics.print_requests.labels(state).set(n)
    metrics.event_deliveries.clear()
    for status, n in db.execute(
        sa.select(EventDelivery.status, sa.func.count()).group_by(EventDelivery.status)
    ):
        metrics.event_deliveries.labels(status).set(n)
    metrics.whatsapp_session_working.clear()
    for bid, cfg, enabled in db.execute(
        sa.select(ProviderConfig.business_id, ProviderConfig.config, ProviderConfig.is_enabled).where(
            ProviderConfig.kind == "waha"
        )
    ):
        session_status = (cfg or {}).get("session_status")
        if enabled and session_status:
            metrics.whatsapp_session_working.labels(str(bid)).set(1 if session_status == "WORKING" else 0)
    # Reply latency over the last day: an outbound reply's sent_at minus its inbound message's created_at.
    inbound = sa.orm.aliased(Message)
    rows = db.execute(
        sa.select(Message.sent_at, inbound.created_at)
        .join(inbound, inbound.id == Message.reply_to_id)
        .where(
            Message.direction == "out",
            Message.sent_at.is_not(None),
            Message.created_at >= now - timedelta(days=1),
        )
        .limit(5000)
    ).all()
    lat = sorted(max((sent - received).total_seconds(), 0.0) for sent, received in rows if sent and received)
    metrics.reply_latency.clear()
    for q in (0.5, 0.95):
        metrics.reply_latency.labels(str(q)).set(lat[min(int(q * len(lat)), len(lat) - 1)] if lat else 0)
    age = latest_backup_age_seconds(get_settings().backups_dir, now)
    metrics.backup_age.set(age if age is not None else -1)
    metrics.disk_used.set(disk_used_ratio())
    metrics.active_alerts.set(
        db.scalar(sa.text("SELECT count(*) FROM ops_alerts WHERE active = :t"), {"t": True}) or 0
    )


def status_report(db: Session, business_id: int) -> dict[str, Any]:
    business = db.get(Business, business_id)
    assert business is not None
    return {c.key: {"firing": c.firing, "message": c.message} for c in evaluate(db, business)}
