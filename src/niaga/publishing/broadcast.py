"""WhatsApp broadcasts to a group of customers (an RFM segment of the latest snapshot, a tag or a city).

- Only customers with a WhatsApp number; never those who opted out (a message "STOP", "berhenti" or
  "unsubscribe" at any time, or the flag kept on the customer); never customers who never wrote to the shop
  unless the owner confirms they consented (`consent_confirmed`).
- `{nama}` is replaced by the customer's first name.
- Pacing against bans: each recipient has its own due time, a random delay of `min_delay_s..max_delay_s`
  after the previous one, at most `daily_cap` per business day (the rest moves to the next day from 08:00);
  each send is a durable job that hands the text to the messaging outbound path (`delivery.do_send`), which
  keeps its own per-number rate limits and retries.
- Provider warnings stop it: after `stop_after_failures` failed deliveries the broadcast pauses and the owner
  is alerted; resuming re-schedules the remaining recipients.
- Per-recipient status and delivery statistics per broadcast.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.models import Customer, CustomerIdentity
from niaga.db.engine import session_scope
from niaga.jobs.registry import RetryLater
from niaga.jobs.runner import enqueue
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.timeutil import tz, utcnow
from niaga.marketing import rfm
from niaga.marketing import service as rfm_service
from niaga.messaging import service as conversations
from niaga.messaging.alerts import queue_alert
from niaga.messaging.delivery import do_send
from niaga.messaging.models import Conversation, Message
from niaga.ops.logging import get_logger
from niaga.publishing.models import Broadcast, BroadcastRecipient
from niaga.tenancy.models import Business

log = get_logger("niaga.publishing.broadcast")

STOP_WORDS = ("stop", "berhenti", "unsubscribe", "unsub", "stop promo", "berhenti langganan")
MAX_TEXT = 1000
DEFAULT_BROADCAST: dict[str, Any] = {
    "min_delay_s": 8.0,
    "max_delay_s": 20.0,
    "daily_cap": 300,
    "stop_after_failures": 5,
    "day_start_hour": 8,
}
OPT_OUT_KEY = "broadcast_opt_out_at"
STATUS_LABELS = {
    "draft": "Draf",
    "sending": "Sedang dikirim",
    "paused": "Dijeda",
    "done": "Selesai",
    "cancelled": "Dibatalkan",
}


def broadcast_settings(business: Business) -> dict[str, Any]:
    raw = (business.settings or {}).get("broadcast") or {}
    return {**DEFAULT_BROADCAST, **{k: v for k, v in raw.items() if k in DEFAULT_BROADCAST}}


def is_opt_out_text(text: str) -> bool:
    t = re.sub(r"[^\w\s]", "", (text or "").lower()).strip()
    return t in STOP_WORDS


def _stop_variants() -> list[str]:
    out: list[str] = []
    for w in STOP_WORDS:
        for v in (w, w + ".", w + "!", w.upper(), w.capitalize()):
            out.append(v.lower())
    return sorted(set(out))


def opted_out_ids(db: Session, *, business_id: int, customer_ids: list[int] | None = None) -> set[int]:
    """Customers who asked to stop: the kept flag, or a stop message they sent at any time."""
    q = (
        sa.select(Conversation.customer_id)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.business_id == business_id,
            Message.direction == "in",
            sa.func.lower(sa.func.trim(Message.text)).in_(_stop_variants()),
        )
        .distinct()
    )
    fq = sa.select(Customer.id, Customer.preferences).where(Customer.business_id == business_id)
    if customer_ids is not None and len(customer_ids) <= 500:
        q = q.where(Conversation.customer_id.in_(customer_ids))
        fq = fq.where(Customer.id.in_(customer_ids))
    ids = {int(x) for x in db.scalars(q)}
    ids |= {
        int(cid) for cid, prefs in db.execute(fq).all() if isinstance(prefs, dict) and prefs.get(OPT_OUT_KEY)
    }
    if customer_ids is not None:
        ids &= set(customer_ids)
    return ids


def do_opt_out(db: Session, *, customer: Customer) -> bool:
    """Keep a customer's stop request on the customer (forever). Returns True when it is new."""
    prefs = dict(customer.preferences or {})
    if prefs.get(OPT_OUT_KEY):
        return False
    prefs[OPT_OUT_KEY] = utcnow().isoformat()
    customer.preferences = prefs
    db.flush()
    return True


OPT_OUT_CONFIRMATION = (
    "Baik kak, kami tidak akan mengirim pesan promo/broadcast lagi ke nomor ini. Kakak tetap bisa chat kami "
    "kapan saja. 🙏"
)


def check_inbound(db: Session, *, customer: Customer, text: str) -> str | None:
    """For the agent: a stop message opts the customer out; returns the confirmation to send (None when the
    text is not a stop request)."""
    if not is_opt_out_text(text):
        return None
    do_opt_out(db, customer=customer)
    return OPT_OUT_CONFIRMATION


def wrote_ids(db: Session, *, business_id: int) -> set[int]:
    """Customers who ever wrote to the shop (implied consent to hear back)."""
    q = (
        sa.select(Conversation.customer_id)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Conversation.business_id == business_id, Message.direction == "in")
        .distinct()
    )
    return {int(x) for x in db.scalars(q)}


def whatsapp_number(customer: Customer, identities: dict[int, str]) -> str | None:
    raw = identities.get(customer.id) or customer.phone or ""
    digits = re.sub(r"\D", "", raw.split("@")[0])
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if 9 <= len(digits) <= 15 else None


def check_audience(audience: dict[str, Any]) -> dict[str, Any]:
    seg = (audience.get("segment") or "").strip().lower() or None
    tag = (audience.get("tag") or "").strip() or None
    city = (audience.get("city") or "").strip() or None
    if seg and seg not in rfm.SEGMENTS:
        raise ValidationFailed(
            f"Segmen '{seg}' tidak dikenal. Pilihan: {', '.join(rfm.SEGMENT_ORDER)}.",
            code="unknown_segment",
            details={"segment": "tidak dikenal"},
        )
    if not (seg or tag or city):
        raise ValidationFailed(
            "Pilih penerima: segmen, tag atau kota.", code="no_audience", details={"audience": "wajib"}
        )
    return {"segment": seg, "tag": tag, "city": city}


def resolve_audience(
    db: Session, *, business: Business, audience: dict[str, Any], consent_confirmed: bool
) -> dict[str, Any]:
    """{"recipients": [(customer, phone)], "excluded": {"opted_out", "no_consent", "no_number"}}"""
    aud = check_audience(audience)
    q = sa.select(Customer).where(Customer.business_id == business.id, Customer.is_blocked.is_(False))
    if aud["segment"]:
        snap = rfm_service.latest_snapshot(db, business_id=business.id)
        if snap is None:
            raise ValidationFailed(
                "Belum ada analisis RFM: jalankan perhitungan segmen dulu.", code="rfm_not_calculated"
            )
        in_segment = rfm_service.customer_ids_in_segment(db, business_id=business.id, segment=aud["segment"])
        q = q.where(Customer.id.in_(in_segment) if in_segment is not None else sa.false())
    if aud["city"]:
        q = q.where(sa.func.lower(Customer.city) == aud["city"].lower())
    customers = list(db.scalars(q.order_by(Customer.id)))
    if aud["tag"]:
        want = aud["tag"].lower()
        customers = [c for c in customers if want in {str(t).lower() for t in (c.tags or [])}]
    ids = [c.id for c in customers]
    idents = dict(
        db.execute(
            sa.select(CustomerIdentity.customer_id, CustomerIdentity.external_id).where(
                CustomerIdentity.business_id == business.id, CustomerIdentity.channel == "whatsapp"
            )
        ).all()
    )
    stop = opted_out_ids(db, business_id=business.id, customer_ids=ids)
    wrote = wrote_ids(db, business_id=business.id)
    out: list[tuple[Customer, str]] = []
    excluded = {"opted_out": 0, "no_consent": 0, "no_number": 0}
    for c in customers:
        if c.id in stop:
            excluded["opted_out"] += 1
            continue
        number = whatsapp_number(c, idents)
        if number is None:
            excluded["no_number"] += 1
            continue
        if not consent_confirmed and c.id not in wrote:
            excluded["no_consent"] += 1
            continue
        out.append((c, number))
    return {"audience": aud, "recipients": out, "excluded": excluded, "total": len(customers)}


def personalise(text: str, customer: Customer) -> str:
    first = (customer.name or "").strip().split(" ")[0] or "Kak"
    return text.replace("{nama}", first)


def check_text(text: str) -> str:
    t = (text or "").strip()
    if not t:
        raise ValidationFailed(
            "Isi pesan broadcast wajib diisi.", code="empty_text", details={"text": "wajib"}
        )
    if len(t) > MAX_TEXT:
        raise ValidationFailed(
            f"Pesan broadcast terlalu panjang: {len(t)} karakter, maksimal {MAX_TEXT}.",
            code="text_too_long",
            details={"text": f"maksimal {MAX_TEXT} karakter"},
        )
    return t


def preview(
    db: Session, *, business: Business, audience: dict[str, Any], text: str, consent_confirmed: bool = False
) -> dict[str, Any]:
    t = check_text(text)
    res = resolve_audience(db, business=business, audience=audience, consent_confirmed=consent_confirmed)
    return {
        "audience": res["audience"],
        "recipients": len(res["recipients"]),
        "excluded": res["excluded"],
        "samples": [{"name": c.name, "text": personalise(t, c)} for c, _ in res["recipients"][:3]],
    }


def get(db: Session, *, business_id: int, broadcast_id: int) -> Broadcast:
    b = db.get(Broadcast, broadcast_id)
    if b is None or b.business_id != business_id:
        raise NotFound("Broadcast tidak ditemukan.", code="broadcast_not_found")
    return b


def do_create(
    db: Session,
    *,
    business: Business,
    text: str,
    audience: dict[str, Any],
    name: str = "",
    consent_confirmed: bool = False,
    user_id: int | None = None,
) -> Broadcast:
    t = check_text(text)
    aud = check_audience(audience)
    b = Broadcast(
        business_id=business.id,
        name=(name or t.split("\n")[0])[:200],
        audience=aud,
        text=t,
        options={"consent_confirmed": bool(consent_confirmed)},
        created_by=user_id,
    )
    db.add(b)
    db.flush()
    return b


def _schedule(
    business: Business, cfg: dict[str, Any], start: datetime, count: int, rnd: random.Random
) -> list[datetime]:
    """Due times: a random gap between messages, at most daily_cap per business day."""
    zone = tz(business.timezone)
    lo, hi = float(cfg["min_delay_s"]), float(cfg["max_delay_s"])
    cap = int(cfg["daily_cap"]) or count
    out: list[datetime] = []
    t = start
    day = t.astimezone(zone).date()
    used = 0
    for _ in range(count):
        if used >= cap:
            day = day + timedelta(days=1)
            t = datetime.combine(day, time(int(cfg["day_start_hour"])), tzinfo=zone).astimezone(tz("UTC"))
            used = 0
        out.append(t)
        used += 1
        t = t + timedelta(seconds=rnd.uniform(lo, max(lo, hi)))
        if t.astimezone(zone).date() != day:
            day = t.astimezone(zone).date()
            used = 0
    return out


def do_start(
    db: Session, *, business: Business, broadcast: Broadcast, seed: int | None = None
) -> dict[str, Any]:
    """Pick the recipients now and schedule one durable send per recipient."""
    if broadcast.status != "draft":
        raise Conflict(
            f"Broadcast ini berstatus '{STATUS_LABELS[broadcast.status]}', tidak bisa dimulai lagi.",
            code="broadcast_not_draft",
        )
    consent = bool((broadcast.options or {}).get("consent_confirmed"))
    res = resolve_audience(db, business=business, audience=broadcast.audience, consent_confirmed=consent)
    if not res["recipients"]:
        raise ValidationFailed(
            "Tidak ada penerima: segmen/kelompok ini kosong atau semua penerimanya berhenti berlangganan, belum "
            "pernah chat, atau tidak punya nomor WhatsApp.",
            code="empty_audience",
            details=res["excluded"],
        )
    cfg = broadcast_settings(business)
    rnd = random.Random(seed)
    times = _schedule(business, cfg, utcnow(), len(res["recipients"]), rnd)
    for (customer, phone), due in zip(res["recipients"], times, strict=True):
        r = BroadcastRecipient(
            business_id=business.id,
            broadcast_id=broadcast.id,
            customer_id=customer.id,
            phone=phone,
            status="pending",
            due_at=due,
        )
        db.add(r)
        db.flush()
        enqueue(
            db,
            "publishing.broadcast_send",
            business_id=business.id,
            run_at=due,
            idempotency_key=f"broadcast:{r.id}:0",
            recipient_id=r.id,
        )
    broadcast.status = "sending"
    broadcast.started_at = utcnow()
    broadcast.options = {**(broadcast.options or {}), "pacing": cfg}
    db.flush()
    return {
        "recipients": len(res["recipients"]),
        "excluded": res["excluded"],
        "last_due": times[-1].isoformat(),
    }


def do_pause(db: Session, *, broadcast: Broadcast, reason: str = "dijeda oleh pemilik") -> Broadcast:
    if broadcast.status == "sending":
        broadcast.status, broadcast.pause_reason = "paused", reason[:500]
        db.flush()
    return broadcast


def do_resume(db: Session, *, business: Business, broadcast: Broadcast, seed: int | None = None) -> int:
    """Re-schedule the recipients not yet handed over, paced again from now."""
    if broadcast.status != "paused":
        raise Conflict("Hanya broadcast yang dijeda yang bisa dilanjutkan.", code="broadcast_not_paused")
    rows = list(
        db.scalars(
            sa.select(BroadcastRecipient)
            .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending")
            .order_by(BroadcastRecipient.id)
        )
    )
    broadcast.status, broadcast.pause_reason = "sending", None
    times = _schedule(business, broadcast_settings(business), utcnow(), len(rows), random.Random(seed))
    stamp = int(utcnow().timestamp())
    for r, due in zip(rows, times, strict=True):
        r.due_at = due
        enqueue(
            db,
            "publishing.broadcast_send",
            business_id=business.id,
            run_at=due,
            idempotency_key=f"broadcast:{r.id}:{stamp}",
            recipient_id=r.id,
        )
    db.flush()
    return len(rows)


def do_cancel(db: Session, *, broadcast: Broadcast) -> Broadcast:
    if broadcast.status in ("done", "cancelled"):
        return broadcast
    broadcast.status, broadcast.finished_at = "cancelled", utcnow()
    db.execute(
        sa.update(BroadcastRecipient)
        .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending")
        .values(status="skipped", error="dibatalkan")
    )
    db.flush()
    return broadcast


def _failed_deliveries(db: Session, broadcast_id: int) -> int:
    return int(
        db.scalar(
            sa.select(sa.func.count())
            .select_from(BroadcastRecipient)
            .join(Message, Message.id == BroadcastRecipient.message_id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id, Message.delivery_status == "failed")
        )
        or 0
    )


def _finish_if_done(db: Session, broadcast: Broadcast) -> None:
    left = db.scalar(
        sa.select(sa.func.count())
        .select_from(BroadcastRecipient)
        .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending")
    )
    if not left and broadcast.status == "sending":
        broadcast.status, broadcast.finished_at = "done", utcnow()


def _chat_id(db: Session, r: BroadcastRecipient) -> str:
    """The chat the customer already writes in (their WhatsApp identity), else the number the way the
    business's gateway names chats, so a reply lands in the same conversation."""
    from niaga.messaging import channels

    ident = db.scalar(
        sa.select(CustomerIdentity.external_id).where(
            CustomerIdentity.business_id == r.business_id,
            CustomerIdentity.customer_id == r.customer_id,
            CustomerIdentity.channel == "whatsapp",
        )
    )
    if ident:
        return str(ident)
    gateway = channels.whatsapp_gateway(db, business_id=r.business_id)
    return f"{r.phone}@c.us" if gateway is not None and gateway.kind == "waha" else r.phone


def send_one(recipient_id: int) -> str:
    """The body of job `publishing.broadcast_send`: checks, then hands the message to the outbound path."""
    with session_scope(immediate=True) as db:
        r = db.get(BroadcastRecipient, recipient_id)
        if r is None:
            return "gone"
        if r.status != "pending":
            return r.status
        b = db.get(Broadcast, r.broadcast_id)
        assert b is not None
        if b.status == "paused":
            return "paused"  # resume re-schedules it
        if b.status != "sending":
            r.status, r.error = "skipped", f"broadcast {b.status}"
            return "skipped"
        business = db.get(Business, b.business_id)
        customer = db.get(Customer, r.customer_id)
        assert business is not None
        if customer is None:
            r.status, r.error = "skipped", "pelanggan dihapus"
            _finish_if_done(db, b)
            return "skipped"
        if opted_out_ids(db, business_id=business.id, customer_ids=[customer.id]):
            r.status = "opted_out"
            _finish_if_done(db, b)
            return "opted_out"
        limit = int((b.options or {}).get("pacing", {}).get("stop_after_failures") or 0)
        if limit and _failed_deliveries(db, b.id) >= limit:
            do_pause(db, broadcast=b, reason=f"{limit} pesan gagal terkirim: periksa nomor/akun WhatsApp")
            queue_alert(
                db,
                business_id=business.id,
                topic=f"broadcast:{b.id}:paused",
                text=f"⚠️ Broadcast '{b.name}' dijeda: {limit} pesan gagal terkirim. Periksa akun WhatsApp lalu "
                "lanjutkan dari dasbor.",
            )
            return "paused"
        # A worker that fell behind must not send the backlog in a burst: keep the minimum gap.
        min_gap = float((b.options or {}).get("pacing", {}).get("min_delay_s") or 0)
        last = db.scalar(
            sa.select(sa.func.max(BroadcastRecipient.handed_at)).where(
                BroadcastRecipient.broadcast_id == b.id
            )
        )
        now = utcnow()
        if min_gap and last is not None and (now - last).total_seconds() < min_gap:
            wait = min_gap - (now - last).total_seconds()
            raise RetryLater("broadcast pacing", retry_after=round(wait + 0.01, 3))
        conv = conversations.get_or_open(
            db, business_id=business.id, customer_id=customer.id, channel="whatsapp", chat_id=_chat_id(db, r)
        )
        msg = do_send(
            db,
            conversation=conv,
            text=personalise(b.text, customer),
            sender_type="system",
            intent="broadcast",
        )
        msg.meta = {**(msg.meta or {}), "broadcast_id": b.id}
        r.message_id, r.status, r.handed_at = msg.id, "queued", now
        _finish_if_done(db, b)
    return "queued"


def stats(db: Session, *, broadcast: Broadcast) -> dict[str, int]:
    """Per-recipient outcome: not yet due, opted out, skipped, and the outbound message's delivery status."""
    out: dict[str, int] = {}
    rows = db.execute(
        sa.select(BroadcastRecipient.status, Message.delivery_status, sa.func.count())
        .select_from(BroadcastRecipient)
        .outerjoin(Message, Message.id == BroadcastRecipient.message_id)
        .where(BroadcastRecipient.broadcast_id == broadcast.id)
        .group_by(BroadcastRecipient.status, Message.delivery_status)
    ).all()
    for status, delivery, n in rows:
        key = delivery if status == "queued" and delivery else status
        out[key] = out.get(key, 0) + int(n)
    out["total"] = sum(v for k, v in out.items() if k != "total")
    return out


def broadcast_out(db: Session, b: Broadcast) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "audience": b.audience,
        "text": b.text,
        "status": b.status,
        "status_label": STATUS_LABELS.get(b.status, b.status),
        "pause_reason": b.pause_reason,
        "started_at": b.started_at.isoformat() if b.started_at else None,
        "finished_at": b.finished_at.isoformat() if b.finished_at else None,
        "stats": stats(db, broadcast=b),
    }


def list_broadcasts(db: Session, *, business_id: int, limit: int = 20) -> list[Broadcast]:
    return list(
        db.scalars(
            sa.select(Broadcast)
            .where(Broadcast.business_id == business_id)
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
    )
