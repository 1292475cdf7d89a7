"""Midtrans for orders (the adapter behind `niaga.orders.payments.GATEWAYS`): per-business configuration, Snap payment links, notifications and reconciliation.

Each Snap transaction is a `Payment` row (provider "midtrans", provider_ref = the Midtrans order id: the order
number, or `<number>-2`, `-3`... for later links of the same order, since Midtrans refuses a used order id).
`Payment.status` is our accounting state (pending|paid|failed|mismatch|challenge); the Midtrans lifecycle
state is kept in `Payment.raw["status"]` and only moves forward.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.customers.models import Customer
from niaga.db.engine import get_engine, new_session, session_scope
from niaga.integrations.inbox import TwoPhase
from niaga.integrations.midtrans.client import MODES, MidtransClient, parse_amount
from niaga.integrations.models import InboundEvent, ProviderConfig
from niaga.jobs.registry import PermanentError, RetryLater
from niaga.kit.crypto import decrypt_json, encrypt_json
from niaga.kit.errors import BadRequest, Conflict, NotFound, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.kit.providers import ProviderError
from niaga.kit.timeutil import JAKARTA, utcnow
from niaga.ops.logging import get_logger
from niaga.orders import notify
from niaga.orders import service as orders
from niaga.orders.models import Order, Payment
from niaga.orders.service import Actor
from niaga.settings import get_settings
from niaga.tenancy.defaults import business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.orders.payments")  # stable log name

KIND = "midtrans"
SUCCESS = frozenset({"capture", "settlement"})
FAILED = frozenset({"deny", "cancel", "expire", "failure"})
REFUNDS = frozenset({"refund", "partial_refund"})
CHARGEBACKS = frozenset({"chargeback", "partial_chargeback"})
_NUMBER_RE = re.compile(r"^(ORD-\d{8}-\d{4,})(?:-(\d+))?$")


# --- configuration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MidtransSettings:
    server_key: str
    client_key: str
    mode: str
    base_url: str | None
    enabled: bool

    def client(self, *, timeout: float | None = None, keep_alive: bool = False) -> MidtransClient:
        return MidtransClient(
            self.server_key, mode=self.mode, base_url=self.base_url, timeout=timeout, keep_alive=keep_alive
        )


def _config_row(db: Session, business_id: int) -> ProviderConfig | None:
    return db.scalars(
        sa.select(ProviderConfig).where(
            ProviderConfig.business_id == business_id, ProviderConfig.kind == KIND
        )
    ).first()


def get_settings_for(db: Session, *, business_id: int) -> MidtransSettings | None:
    """The business's Midtrans keys, or None when not configured or disabled."""
    row = _config_row(db, business_id)
    if row is None:
        return None
    secrets = decrypt_json(row.secrets)
    if not secrets.get("server_key"):
        return None
    return MidtransSettings(
        server_key=secrets["server_key"],
        client_key=secrets.get("client_key", ""),
        mode=row.config.get("mode", "sandbox"),
        base_url=row.config.get("base_url") or None,
        enabled=row.is_enabled,
    )


def is_enabled(db: Session, *, business_id: int) -> bool:
    """True when the business has enabled Midtrans keys (payment links can be made)."""
    cfg = get_settings_for(db, business_id=business_id)
    return cfg is not None and cfg.enabled


def public_config(db: Session, *, business_id: int) -> dict[str, Any]:
    """What the API and CLI show: never the keys themselves."""
    row = _config_row(db, business_id)
    if row is None:
        return {
            "configured": False,
            "mode": None,
            "base_url": None,
            "is_enabled": False,
            "has_server_key": False,
            "has_client_key": False,
            "notification_url": None,
        }
    secrets = decrypt_json(row.secrets)
    business = orders.get_business(db, business_id)
    return {
        "configured": bool(secrets.get("server_key")),
        "mode": row.config.get("mode", "sandbox"),
        "base_url": row.config.get("base_url"),
        "is_enabled": row.is_enabled,
        "has_server_key": bool(secrets.get("server_key")),
        "has_client_key": bool(secrets.get("client_key")),
        "notification_url": notification_url(business),
    }


def notification_url(business: Business) -> str:
    return f"{get_settings().public_url.rstrip('/')}/webhooks/midtrans/{business.slug}"


# Bumped on every configuration change in this process (the webhook caches a business's keys briefly).
CONFIG_GENERATION = 0


def do_configure(
    db: Session,
    *,
    business_id: int,
    server_key: str | None,
    client_key: str | None,
    mode: str = "sandbox",
    base_url: str | None = None,
    is_enabled: bool = True,
) -> ProviderConfig:
    """Create or update the Midtrans connection; keys are encrypted at rest, omitted keys are kept."""
    if mode not in MODES:
        raise ValidationFailed(
            "Mode Midtrans harus sandbox atau production.", details={"mode": "tidak valid"}
        )
    if base_url and not re.match(r"^https?://", base_url):
        raise ValidationFailed(
            "base_url harus diawali http:// atau https://.", details={"base_url": "tidak valid"}
        )
    row = _config_row(db, business_id)
    secrets = decrypt_json(row.secrets) if row is not None else {}
    if server_key:
        secrets["server_key"] = server_key.strip()
    if client_key:
        secrets["client_key"] = client_key.strip()
    if not secrets.get("server_key"):
        raise ValidationFailed("Server key Midtrans wajib diisi.", details={"server_key": "wajib"})
    if mode == "production" and secrets["server_key"].startswith("SB-"):
        raise ValidationFailed(
            "Server key sandbox (SB-...) tidak bisa dipakai di mode production.",
            details={"server_key": "kunci sandbox"},
        )
    config = {"mode": mode, "base_url": base_url.rstrip("/") if base_url else None}
    if row is None:
        row = ProviderConfig(
            business_id=business_id,
            kind=KIND,
            config=config,
            secrets=encrypt_json(secrets),
            is_enabled=is_enabled,
        )
        db.add(row)
    else:
        row.config = config
        row.secrets = encrypt_json(secrets)
        row.is_enabled = is_enabled
    db.flush()
    global CONFIG_GENERATION
    CONFIG_GENERATION += 1  # the webhook's cached keys of this process are stale now
    log.info("midtrans.configured", business_id=business_id, mode=mode)
    return row


def _require(db: Session, business_id: int) -> MidtransSettings:
    cfg = get_settings_for(db, business_id=business_id)
    if cfg is None or not cfg.enabled:
        raise BadRequest("Pembayaran Midtrans belum diatur untuk toko ini.", code="midtrans_not_configured")
    return cfg


# --- payment links ------------------------------------------------------------------------------------


def midtrans_payments(db: Session, order: Order) -> list[Payment]:
    return list(
        db.scalars(
            sa.select(Payment)
            .where(
                Payment.business_id == order.business_id,
                Payment.order_id == order.id,
                Payment.provider == KIND,
            )
            .order_by(Payment.id)
        )
    )


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = (name or "Pelanggan").strip().partition(" ")
    return first[:255], last[:255]


def build_snap_payload(
    db: Session, *, order: Order, midtrans_order_id: str, gross: int, expiry_hours: int, now: datetime
) -> dict[str, Any]:
    """gross_amount must equal Σ price×quantity of item_details, so shipping, discount and points are
    lines too. A remaining balance after partial payments is one line."""
    items: list[dict[str, Any]]
    if gross == order.total:
        items = [
            {"id": i.sku[:50], "price": i.unit_price, "quantity": i.quantity, "name": i.name[:50]}
            for i in order.items
        ]
        if order.shipping_cost:
            label = " ".join(
                x for x in ("Ongkir", order.shipping.get("courier"), order.shipping.get("service")) if x
            )
            items.append({"id": "SHIPPING", "price": order.shipping_cost, "quantity": 1, "name": label[:50]})
        if order.discount:
            items.append({"id": "DISCOUNT", "price": -order.discount, "quantity": 1, "name": "Diskon"})
        if order.points_discount:
            items.append(
                {
                    "id": "POINTS",
                    "price": -order.points_discount,
                    "quantity": 1,
                    "name": f"Tukar {order.points_redeemed} poin"[:50],
                }
            )
    else:
        items = [
            {"id": "BALANCE", "price": gross, "quantity": 1, "name": f"Sisa pembayaran {order.number}"[:50]}
        ]
    assert sum(i["price"] * i["quantity"] for i in items) == gross
    payload: dict[str, Any] = {
        "transaction_details": {"order_id": midtrans_order_id, "gross_amount": gross},
        "item_details": items,
        "expiry": {
            "start_time": now.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M:%S +0700"),
            "unit": "hour",
            "duration": expiry_hours,
        },
        "custom_field1": order.number,
    }
    if order.customer_id:
        customer = db.get(Customer, order.customer_id)
        if customer is not None:
            first, last = _split_name(customer.name)
            details: dict[str, Any] = {"first_name": first}
            if last:
                details["last_name"] = last
            if customer.phone:
                details["phone"] = "+" + customer.phone.lstrip("+")
            if customer.email:
                details["email"] = customer.email
            if order.shipping.get("address"):
                details["shipping_address"] = {
                    "first_name": first,
                    "address": order.shipping["address"][:200],
                    "city": order.shipping.get("city", ""),
                    "country_code": "IDN",
                }
            payload["customer_details"] = details
    return payload


@dataclass(frozen=True)
class _LinkPlan:
    """What a new Snap link needs, read in one transaction and recorded in another."""

    cfg: MidtransSettings
    mid_id: str
    payload: dict[str, Any]
    outstanding: int
    hours: int


def _plan_link(db: Session, *, order: Order, now: datetime) -> Payment | _LinkPlan:
    """The current link when it is still valid for what the order owes, else the plan for a new one."""
    if order.status != "awaiting_payment":
        raise Conflict(
            f"Pesanan {order.number} tidak sedang menunggu pembayaran.", code="not_awaiting_payment"
        )
    outstanding = order.total - order.paid_amount
    if outstanding <= 0:
        raise Conflict("Pesanan ini sudah lunas.", code="nothing_due")
    cfg = _require(db, order.business_id)
    existing = midtrans_payments(db, order)
    for p in reversed(existing):
        expires = p.raw.get("expires_at")
        if (
            p.status == "pending"
            and p.amount == outstanding
            and p.raw.get("redirect_url")
            and p.raw.get("status") in (None, "pending")
            and (expires is None or datetime.fromisoformat(expires) > now + timedelta(minutes=5))
        ):
            return p
    business = orders.get_business(db, order.business_id)
    hours = int(business_settings(business)["orders"].get("payment_expiry_hours") or 24)
    mid_id = order.number if not existing else f"{order.number}-{len(existing) + 1}"
    payload = build_snap_payload(
        db, order=order, midtrans_order_id=mid_id, gross=outstanding, expiry_hours=hours, now=now
    )
    return _LinkPlan(cfg=cfg, mid_id=mid_id, payload=payload, outstanding=outstanding, hours=hours)


def _record_link(
    db: Session, *, order: Order, plan: _LinkPlan, answer: dict[str, Any], actor: Actor, now: datetime
) -> Payment:
    expires_at = now + timedelta(hours=plan.hours)
    payment = Payment(
        business_id=order.business_id,
        order_id=order.id,
        method="midtrans",
        provider=KIND,
        provider_ref=plan.mid_id,
        status="pending",
        amount=plan.outstanding,
        proof=[],
        raw={
            "token": answer["token"],
            "redirect_url": answer["redirect_url"],
            "expires_at": expires_at.isoformat(),
            "status": None,
            "notifications": [],
        },
    )
    db.add(payment)
    order.payment_url = answer["redirect_url"]
    if order.expires_at is None or order.expires_at < expires_at:
        order.expires_at = expires_at
    db.flush()
    orders.record_event(
        db,
        order,
        "payment_link.created",
        actor,
        data={"payment_id": payment.id, "midtrans_order_id": plan.mid_id, "amount": plan.outstanding},
    )
    log.info(
        "midtrans.link_created",
        business_id=order.business_id,
        order_id=order.id,
        midtrans_order_id=plan.mid_id,
    )
    return payment


def do_create_link(
    db: Session, *, order: Order, actor: Actor, now: datetime | None = None, timeout: float | None = None
) -> Payment:
    """A Snap payment link for what the order still owes, in the caller's transaction (staff API). Re-uses
    the current link while it is valid for the same amount, so a retried request does not create a second
    Midtrans transaction."""
    now = now or utcnow()
    plan = _plan_link(db, order=order, now=now)
    if isinstance(plan, Payment):
        return plan
    answer = plan.cfg.client(timeout=timeout).create_transaction(plan.payload)
    return _record_link(db, order=order, plan=plan, answer=answer, actor=actor, now=now)


def create_link(order_id: int, *, actor: Actor, timeout: float | None = None) -> int | None:
    """The Snap link of an order as a job does it: read the plan, call Midtrans with no transaction open,
    then record the link. Returns the payment id, or None when the order no longer awaits payment."""
    now = utcnow()
    with session_scope() as db:
        order = db.get(Order, order_id)
        if order is None or order.status != "awaiting_payment":
            return None
        plan = _plan_link(db, order=order, now=now)
        if isinstance(plan, Payment):
            return plan.id
    answer = plan.cfg.client(timeout=timeout).create_transaction(plan.payload)
    with session_scope(immediate=True) as db:
        order = db.get(Order, order_id)
        if order is None or order.status != "awaiting_payment":
            return None  # paid or cancelled meanwhile; the unused Snap transaction simply expires
        return _record_link(db, order=order, plan=plan, answer=answer, actor=actor, now=now).id


def link_message(order: Order, payment: Payment, *, hours: int | None = None) -> str:
    expires = payment.raw.get("expires_at")
    until = ""
    if expires:
        local = datetime.fromisoformat(expires).astimezone(JAKARTA)
        until = f" Link berlaku sampai {local.strftime('%d-%m-%Y %H:%M')} WIB."
    return (
        f"Pesanan {order.number} sebesar {format_rupiah(payment.amount)} siap dibayar. "
        f"Silakan bayar melalui link berikut: {payment.raw['redirect_url']}{until} "
        "Invoice akan kami kirim otomatis setelah pembayaran diterima."
    )


def do_send_link(db: Session, *, order: Order, payment: Payment) -> Any | None:
    """Send the link on the customer's channel (once per payment link)."""
    return notify.send_to_customer(db, order, text=link_message(order, payment))


# --- notifications ------------------------------------------------------------------------------------


def external_id(business_id: int, payload: dict[str, Any]) -> str:
    """One inbox row per distinct notification: the same status of the same transaction twice is a
    duplicate; a new status (pending → settlement) or fraud verdict is a new event."""
    parts = [
        str(business_id),
        str(payload.get("order_id", "")),
        str(payload.get("transaction_status", "")),
        str(payload.get("transaction_id") or payload.get("status_code") or ""),
    ]
    if payload.get("fraud_status"):
        parts.append(str(payload["fraud_status"]))
    if payload.get("transaction_status") in REFUNDS:
        parts.append(str(payload.get("refund_amount") or len(payload.get("refunds") or [])))
    return ":".join(parts)


# Built once: the usual lookup of a notification (building and cache-keying it per call cost more than
# running it).
_PAYMENT_WITH_ORDER = (
    sa.select(Payment, Order)
    .join(Order, sa.and_(Order.id == Payment.order_id, Order.business_id == Payment.business_id))
    .where(
        Payment.business_id == sa.bindparam("business_id"),
        Payment.provider == KIND,
        Payment.provider_ref == sa.bindparam("ref"),
    )
    .limit(1)
)


def _find_payment(db: Session, business_id: int, mid_id: str) -> tuple[Order | None, Payment | None]:
    # The usual case in one query: the link's payment row with its order (items load with the order).
    row = db.execute(_PAYMENT_WITH_ORDER, {"business_id": business_id, "ref": mid_id}).first()
    if row is not None:
        return row[1], row[0]
    payment = db.scalars(
        sa.select(Payment).where(
            Payment.business_id == business_id, Payment.provider == KIND, Payment.provider_ref == mid_id
        )
    ).first()
    if payment is not None:
        return orders.get(db, business_id=business_id, order_id=payment.order_id), payment
    m = _NUMBER_RE.match(mid_id)
    if not m:
        return None, None
    return orders.get_by_number(db, business_id=business_id, number=m.group(1)), None


def _known_order(db: Session | sa.Connection, business_id: int, mid_id: str) -> bool:
    """Whether `_find_payment` would find the order, without loading it (one indexed lookup)."""
    if db.scalar(_KNOWN_PAYMENT, {"business_id": business_id, "ref": mid_id}) is not None:
        return True  # payments.order_id references its order
    m = _NUMBER_RE.match(mid_id)
    if not m:
        return False
    return db.scalar(_KNOWN_NUMBER, {"business_id": business_id, "number": m.group(1)}) is not None


_PAYMENTS: Any = Payment.__table__
_ORDERS: Any = Order.__table__
_KNOWN_PAYMENT = sa.select(_PAYMENTS.c.order_id).where(
    _PAYMENTS.c.business_id == sa.bindparam("business_id"),
    _PAYMENTS.c.provider == KIND,
    _PAYMENTS.c.provider_ref == sa.bindparam("ref"),
)
_KNOWN_NUMBER = sa.select(_ORDERS.c.id).where(
    _ORDERS.c.business_id == sa.bindparam("business_id"), _ORDERS.c.number == sa.bindparam("number")
)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
    except ValueError:
        return None


def apply_status(
    db: Session,
    *,
    business_id: int,
    payload: dict[str, Any],
    source: str = "notification",
    confirmed_gross: int | None = None,
) -> str:
    """Apply one Midtrans transaction state (a verified notification or a status API answer) to our books.
    Idempotent; a state never goes back. `confirmed_gross` is the amount the status API reported for a
    confirmed notification (a difference is an amount mismatch). Returns what was done (for logs and
    tests)."""
    actor = Actor("provider", None, f"midtrans:{source}")
    mid_id = str(payload.get("order_id") or "")
    status = str(payload.get("transaction_status") or "")
    order, payment = _find_payment(db, business_id, mid_id)
    if order is None:
        log.warning(
            "midtrans.unknown_order", business_id=business_id, midtrans_order_id=mid_id, status=status
        )
        return "unknown_order"
    gross = parse_amount(payload.get("gross_amount"))
    if payment is None:
        # A link made by a request whose transaction was lost after Midtrans answered: adopt it.
        payment = Payment(
            business_id=business_id,
            order_id=order.id,
            method="midtrans",
            provider=KIND,
            provider_ref=mid_id,
            status="pending",
            amount=gross or 0,
            proof=[],
            raw={"status": None, "notifications": [], "adopted": True},
        )
        db.add(payment)
        db.flush()
    raw = dict(payment.raw or {})
    previous = raw.get("status")
    compact = {
        k: payload.get(k)
        for k in (
            "transaction_status",
            "transaction_id",
            "status_code",
            "gross_amount",
            "fraud_status",
            "payment_type",
            "transaction_time",
            "settlement_time",
        )
        if payload.get(k) is not None
    }
    raw["notifications"] = [*raw.get("notifications", [])[-19:], {**compact, "source": source}]
    raw["payment_type"] = payload.get("payment_type") or raw.get("payment_type")

    def done(outcome: str, *, new_status: str | None = None, note: str = "") -> str:
        if new_status is not None:
            raw["status"] = new_status
        payment.raw = raw
        orders.record_event(
            db,
            order,
            "payment.midtrans",
            actor,
            note=note,
            data={
                "payment_id": payment.id,
                "midtrans_status": status,
                "outcome": outcome,
                "midtrans_order_id": mid_id,
            },
        )
        log.info(
            "midtrans.applied", business_id=business_id, order_id=order.id, status=status, outcome=outcome
        )
        return outcome

    if status == previous:
        payment.raw = raw
        return "duplicate"
    if status == "pending" or status == "authorize":
        if previous is None:
            return done("pending", new_status=status)
        return done("ignored_out_of_order", note=f"{status} setelah {previous} diabaikan")
    if status in SUCCESS:
        fraud = payload.get("fraud_status")
        if status == "capture" and fraud == "challenge":
            payment.status = "challenge"
            orders.add_flag(
                db,
                order,
                code="payment_challenge",
                actor=actor,
                message="Pembayaran kartu ditahan (challenge) oleh Midtrans; setujui atau tolak di "
                "dashboard Midtrans.",
                data={"payment_id": payment.id},
            )
            return done("challenge", new_status="capture_challenge")
        if status == "capture" and fraud not in (None, "accept"):
            payment.status = "failed"
            return done("fraud_denied", new_status="deny")
        if previous in SUCCESS:
            return done(
                "ignored_out_of_order" if status == "capture" else "settled",
                new_status=previous if status == "capture" else status,
            )
        if previous in REFUNDS or previous in CHARGEBACKS:
            return done("ignored_out_of_order", note=f"{status} setelah {previous} diabaikan")
        if confirmed_gross is not None and gross is not None and confirmed_gross != gross:
            gross = None  # the notification and the status API disagree on the amount: never paid
        return _apply_success(
            db,
            order=order,
            payment=payment,
            raw=raw,
            gross=gross,
            status=status,
            payload=payload,
            actor=actor,
            done=done,
        )
    if status in FAILED:
        if previous in SUCCESS:
            if status == "deny":
                # Rare reversal (Permata VA, Mandiri Bill, Indomaret): the money did not arrive after all.
                orders.add_flag(
                    db,
                    order,
                    code="payment_reversed",
                    actor=actor,
                    message="Midtrans membatalkan pembayaran yang sudah sukses (deny setelah "
                    "settlement); cek mutasi sebelum mengirim barang.",
                    data={"payment_id": payment.id},
                )
                return done("reversal_flagged", new_status=status)
            return done("ignored_out_of_order", note=f"{status} setelah {previous} diabaikan")
        if previous in FAILED:
            return done("ignored_out_of_order", note=f"{status} setelah {previous} diabaikan")
        payment.status = "failed"
        latest = midtrans_payments(db, order)[-1]
        if (
            status in ("expire", "cancel")
            and order.status == "awaiting_payment"
            and latest.id == payment.id
            and order.paid_amount == 0
        ):
            orders.do_transition(
                db,
                order=order,
                to="expired" if status == "expire" else "cancelled",
                actor=actor,
                note=f"Midtrans: {status}",
            )
            order.payment_url = None
            return done(f"order_{order.status}", new_status=status)
        return done("not_paid", new_status=status)
    if status in REFUNDS:
        return _apply_refund(
            db,
            order=order,
            payment=payment,
            status=status,
            payload=payload,
            gross=gross,
            previous=previous,
            actor=actor,
            done=done,
        )
    if status in CHARGEBACKS:
        orders.add_flag(
            db,
            order,
            code="chargeback",
            actor=actor,
            message=f"Midtrans melaporkan {status} untuk {mid_id}.",
            data={"payment_id": payment.id},
        )
        return done("chargeback_flagged", new_status=status)
    log.warning("midtrans.unknown_status", business_id=business_id, order_id=order.id, status=status)
    payment.raw = raw
    return "unknown_status"


def _apply_success(
    db: Session,
    *,
    order: Order,
    payment: Payment,
    raw: dict[str, Any],
    gross: int | None,
    status: str,
    payload: dict[str, Any],
    actor: Actor,
    done: Any,
) -> str:
    expected = payment.amount
    if payment.raw.get("adopted"):
        expected = order.total - order.paid_amount
        payment.amount = gross or 0
    if gross is None or gross <= 0 or gross != expected:
        payment.status = "mismatch"
        payment.flag = "amount_mismatch"
        orders.add_flag(
            db,
            order,
            code="amount_mismatch",
            actor=actor,
            message=f"Jumlah dari Midtrans ({payload.get('gross_amount')}) tidak sama dengan "
            f"tagihan {format_rupiah(expected)}; pesanan tidak ditandai lunas.",
            data={"payment_id": payment.id, "gross_amount": payload.get("gross_amount")},
        )
        return done("amount_mismatch", new_status=status)
    payment.status = "paid"
    payment.paid_at = (
        _parse_time(payload.get("settlement_time"))
        or _parse_time(payload.get("transaction_time"))
        or utcnow()
    )
    # Every outcome below records this state: the payment row is written once, by the flush that
    # recompute_paid needs, not again at the end.
    raw["status"] = status
    payment.raw = raw
    before_status = order.status
    orders.recompute_paid(db, order)
    if before_status in ("draft", "awaiting_payment"):
        if order.paid_amount >= order.total:
            if before_status == "draft":
                orders.do_transition(db, order=order, to="awaiting_payment", actor=actor)
            orders.do_transition(db, order=order, to="paid", actor=actor, note=f"Midtrans: {status}")
            return done("paid", new_status=status)
        return done("partially_paid", new_status=status)
    if before_status in ("expired", "cancelled"):
        payment.flag = "late_settlement"
        orders.add_flag(
            db,
            order,
            code="late_settlement",
            actor=actor,
            message=f"Pembayaran {format_rupiah(gross)} masuk setelah pesanan "
            f"{orders.STATUS_LABELS_ID[before_status]}; cek stok lalu lanjutkan (ubah ke "
            "dibayar) atau kembalikan dananya.",
            data={"payment_id": payment.id},
        )
        return done("late_settlement_flagged", new_status=status)
    payment.flag = "refund_due"
    orders.add_flag(
        db,
        order,
        code="double_payment",
        actor=actor,
        message=f"Pembayaran ganda {format_rupiah(gross)} via Midtrans untuk pesanan yang sudah "
        "lunas; perlu dikembalikan.",
        data={"payment_id": payment.id},
    )
    return done("double_payment_flagged", new_status=status)


def _apply_refund(
    db: Session,
    *,
    order: Order,
    payment: Payment,
    status: str,
    payload: dict[str, Any],
    gross: int | None,
    previous: str | None,
    actor: Actor,
    done: Any,
) -> str:
    if payment.status != "paid":
        orders.add_flag(
            db,
            order,
            code="refund_unmatched",
            actor=actor,
            message=f"Midtrans melaporkan {status} untuk pembayaran yang belum tercatat lunas.",
            data={"payment_id": payment.id},
        )
        return done("refund_flagged", new_status=status)
    amount = parse_amount(payload.get("refund_amount"))
    refunds = payload.get("refunds") if isinstance(payload.get("refunds"), list) else []
    if amount is None and refunds:
        amount = sum(parse_amount(r.get("refund_amount")) or 0 for r in refunds if isinstance(r, dict))
    if amount is None:
        amount = gross if status == "refund" else None
    if not amount:
        orders.add_flag(
            db,
            order,
            code="refund_unknown_amount",
            actor=actor,
            message=f"Midtrans {status} tanpa jumlah refund yang jelas.",
            data={"payment_id": payment.id},
        )
        return done("refund_flagged", new_status=status)
    # Midtrans reports the cumulative refunded amount; record only what is new.
    already = -int(
        db.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
                Payment.business_id == order.business_id,
                Payment.order_id == order.id,
                Payment.provider == KIND,
                Payment.status == "refunded",
                Payment.provider_ref.like(f"{payment.provider_ref}:refund:%"),
            )
        )
        or 0
    )
    new = min(amount, payment.amount) - already
    if new <= 0:
        return done("duplicate_refund", new_status=status)
    orders.do_refund(
        db,
        order=order,
        method="midtrans",
        actor=actor,
        amount=min(new, order.paid_amount),
        provider=KIND,
        reference=f"{payment.provider_ref}:refund:{already + new}",
        note=f"Midtrans {status}",
        raw={"notification": {k: payload.get(k) for k in ("transaction_id", "refund_amount")}},
    )
    return done("refunded", new_status=status)


def pays(payload: dict[str, Any]) -> bool:
    """True for a state that would mark money received (settlement, or a capture not held for fraud)."""
    status = payload.get("transaction_status")
    return status == "settlement" or (
        status == "capture" and payload.get("fraud_status") in (None, "", "accept")
    )


@dataclass(frozen=True)
class Confirmation:
    """What the status API said about a paying notification (fetched with no transaction open)."""

    answer: dict[str, Any] | None
    problem: str | None  # why it does not confirm the notification; None when it does


NOT_CONFIGURED = "not_configured"

# business id -> (expires, config generation, settings): a burst of notifications need not read and decrypt
# the keys for each (a changed key is seen at once in this process, within _SETTINGS_TTL s in the others).
_SETTINGS_TTL = 5.0
SETTINGS_CACHE: dict[int, tuple[float, int, MidtransSettings | None]] = {}


def cached_settings(business_id: int) -> MidtransSettings | None:
    hit = SETTINGS_CACHE.get(business_id)
    if hit is not None and hit[0] > time.monotonic() and hit[1] == CONFIG_GENERATION:
        return hit[2]
    generation = CONFIG_GENERATION
    with new_session(readonly=True) as db:
        cfg = get_settings_for(db, business_id=business_id)
    if len(SETTINGS_CACHE) > 10_000:
        SETTINGS_CACHE.clear()
    SETTINGS_CACHE[business_id] = (time.monotonic() + _SETTINGS_TTL, generation, cfg)
    return cfg


def prepare_notification(business_id: int | None, payload: dict[str, Any]) -> Confirmation | str | None:
    """First step of the inbox handler, with no transaction open: a paying notification of a known order is
    checked with the status API (`Confirmation`); None for every other notification (applied as it is);
    NOT_CONFIGURED when the business has no keys any more. An unreachable Midtrans retries the job."""
    if business_id is None or not pays(payload):
        return None
    mid_id = str(payload.get("order_id") or "")
    with get_engine().connect() as conn:  # one read, no ORM session needed
        known = _known_order(conn, business_id, mid_id)
        conn.rollback()
    if not known:
        return None
    cfg = cached_settings(business_id)
    if cfg is None:
        log.warning("midtrans.confirm_unconfigured", business_id=business_id, midtrans_order_id=mid_id)
        return NOT_CONFIGURED
    try:
        answer = _status_client(cfg).get_status(mid_id)
    except ProviderError as exc:
        if exc.permanent:
            raise PermanentError(str(exc)) from exc
        raise RetryLater(str(exc), retry_after=exc.retry_after) from exc
    return Confirmation(answer=answer, problem=_confirmation_problem(payload, answer, mid_id))


def apply_notification(
    db: Session, business_id: int | None, payload: dict[str, Any], prepared: Confirmation | str | None
) -> None:
    """Second step of the inbox handler, in the transaction that marks the event handled: apply the
    notification (a paying one only as far as the status API confirmed it)."""
    if business_id is None or prepared == NOT_CONFIGURED:
        return
    if isinstance(prepared, Confirmation):
        _apply_confirmation(db, business_id=business_id, notification=payload, confirmation=prepared)
        return
    apply_status(db, business_id=business_id, payload=payload, source="notification")


# The inbox handler of stored notifications: one job confirms (status API, no transaction) and applies.
process_notification = TwoPhase(prepare=prepare_notification, apply=apply_notification)


_clients = threading.local()


def _status_client(cfg: MidtransSettings) -> MidtransClient:
    """A status-API client of this thread that keeps its connection between notifications."""
    key = (cfg.server_key, cfg.mode, cfg.base_url)
    held: dict[tuple[str, str, str | None], MidtransClient] | None = getattr(_clients, "by_key", None)
    if held is None:
        held = _clients.by_key = {}
    client = held.get(key)
    if client is None:
        if len(held) > 64:
            for old in held.values():
                old.close()
            held.clear()
        client = held[key] = cfg.client(keep_alive=True)
    return client


def _confirmation_problem(
    notification: dict[str, Any], answer: dict[str, Any] | None, mid_id: str
) -> str | None:
    """Why the status API's answer does not confirm a paying notification, or None when it does."""
    if answer is None:
        return "Midtrans tidak mengenal transaksi ini"
    if str(answer.get("order_id") or mid_id) != mid_id:
        return "API status menjawab untuk order_id lain"
    if not pays(answer):
        return f"API status Midtrans menyatakan {answer.get('transaction_status')!r}"
    return None


def confirm_event(event_id: int) -> str:
    """`confirm_payment` of a stored (verified) notification (job `midtrans.confirm_payment`, enqueued by
    earlier versions; the inbox job now confirms and applies in one)."""
    with new_session(readonly=True) as db:
        event = db.get(InboundEvent, event_id)
        if event is None or event.business_id is None:
            return "skipped"
        business_id, notification = event.business_id, dict(event.payload)
    return confirm_payment(business_id=business_id, notification=notification)


def confirm_payment(*, business_id: int, notification: dict[str, Any]) -> str:
    """Ask the status API (no transaction open) whether the paying notification is true, then apply it in one
    transaction. When Midtrans does not confirm, the order is not marked paid: the status API's own state is
    applied instead (it is authoritative) and staff get a flag. An unreachable Midtrans raises a temporary
    `ProviderError` (the job retries)."""
    mid_id = str(notification.get("order_id") or "")
    with new_session(readonly=True) as db:
        cfg = get_settings_for(db, business_id=business_id)
    if cfg is None:
        log.warning("midtrans.confirm_unconfigured", business_id=business_id, midtrans_order_id=mid_id)
        return "not_configured"
    answer = cfg.client().get_status(mid_id)
    confirmation = Confirmation(answer=answer, problem=_confirmation_problem(notification, answer, mid_id))
    with session_scope(immediate=True) as db:
        return _apply_confirmation(
            db, business_id=business_id, notification=notification, confirmation=confirmation
        )


def _apply_confirmation(
    db: Session, *, business_id: int, notification: dict[str, Any], confirmation: Confirmation
) -> str:
    mid_id = str(notification.get("order_id") or "")
    answer, problem = confirmation.answer, confirmation.problem
    if problem is None:
        assert answer is not None
        return apply_status(
            db,
            business_id=business_id,
            payload=notification,
            source="notification",
            confirmed_gross=parse_amount(answer.get("gross_amount")),
        )
    order, _payment = _find_payment(db, business_id, mid_id)
    log.warning(
        "midtrans.unconfirmed",
        business_id=business_id,
        midtrans_order_id=mid_id,
        status=notification.get("transaction_status"),
        problem=problem,
    )
    if order is not None:
        orders.add_flag(
            db,
            order,
            code="payment_unconfirmed",
            actor=Actor("provider", None, "midtrans:status_api"),
            message=f"Notifikasi Midtrans menyatakan {notification.get('transaction_status')}, tetapi "
            f"tidak terkonfirmasi: {problem}. Pesanan tidak ditandai lunas.",
            data={"midtrans_order_id": mid_id},
        )
    if answer is not None and str(answer.get("order_id") or mid_id) == mid_id:
        answer = {**answer, "order_id": mid_id}
        apply_status(db, business_id=business_id, payload=answer, source="status_api")
    return "unconfirmed"


# --- reconciliation -----------------------------------------------------------------------------------


def pending_links(
    db: Session,
    *,
    older_than: timedelta = timedelta(minutes=2),
    limit: int = 200,
    now: datetime | None = None,
) -> list[tuple[int, str]]:
    """(business_id, midtrans order id) of links still pending on orders awaiting payment."""
    now = now or utcnow()
    rows = db.execute(
        sa.select(Payment.business_id, Payment.provider_ref)
        .join(Order, sa.and_(Order.id == Payment.order_id, Order.business_id == Payment.business_id))
        .where(
            Payment.provider == KIND,
            Payment.status == "pending",
            Order.status == "awaiting_payment",
            Payment.created_at < now - older_than,
        )
        .order_by(Payment.id)
        .limit(limit)
    ).all()
    return [(int(b), str(r)) for b, r in rows if r]


def reconcile_one(*, business_id: int, midtrans_order_id: str) -> str:
    """Ask the status API about one pending link and apply the answer. HTTP happens outside a transaction."""
    with new_session(readonly=True) as db:
        cfg = get_settings_for(db, business_id=business_id)
    if cfg is None or not cfg.enabled:
        return "not_configured"
    status = cfg.client().get_status(midtrans_order_id)
    if status is None:
        return "no_transaction_yet"  # the customer has not chosen a payment method
    if str(status.get("order_id") or midtrans_order_id) != midtrans_order_id:
        return "mismatched_answer"
    status.setdefault("order_id", midtrans_order_id)
    with session_scope(immediate=True) as db:
        return apply_status(db, business_id=business_id, payload=status, source="status_api")


def reconcile_all(*, limit: int = 200) -> dict[str, int]:
    with new_session(readonly=True) as db:
        todo = pending_links(db, limit=limit)
    outcomes: dict[str, int] = {}
    for business_id, mid_id in todo:
        try:
            outcome = reconcile_one(business_id=business_id, midtrans_order_id=mid_id)
        except ProviderError as exc:
            log.warning(
                "midtrans.reconcile_failed", business_id=business_id, midtrans_order_id=mid_id, error=str(exc)
            )
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if todo:
        log.info("midtrans.reconciled", **outcomes)
    return outcomes


def business_for_slug(db: Session, slug: str) -> Business:
    b = db.scalars(sa.select(Business).where(Business.slug == slug, Business.is_active.is_(True))).first()
    if b is None:
        raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
    return b
