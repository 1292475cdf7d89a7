"""Customers and their channel identities."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from niaga.customers.models import Customer, CustomerIdentity, Transaction
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.ports import Port
from niaga.kit.tags import clean_tags, json_list_contains
from niaga.kit.timeutil import tz, utcnow

# The customer behind an identity in one select; `identities` (eager by default) is loaded only if read.
_BY_IDENTITY = (
    sa.select(Customer)
    .join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id)
    .where(
        CustomerIdentity.business_id == sa.bindparam("business_id"),
        CustomerIdentity.channel == sa.bindparam("channel"),
        CustomerIdentity.external_id == sa.bindparam("external_id"),
    )
    .options(lazyload(Customer.identities))
)
_CUSTOMERS: Any = Customer.__table__
_SEEN = (
    _CUSTOMERS.update()
    .where(_CUSTOMERS.c.id == sa.bindparam("cid"))
    .values(last_seen_at=sa.bindparam("seen"), updated_at=sa.bindparam("seen"))
)


def _touch_seen(db: Session, customer: Customer) -> None:
    """`customer.last_seen_at = now` (and `updated_at`, as the ORM's onupdate sets it), written at once.
    A customer with other pending changes is left to the ORM's flush, which writes them together."""
    now = utcnow()
    if customer in db.dirty or customer in db.new:
        customer.last_seen_at = now
        return
    db.execute(_SEEN, {"cid": customer.id, "seen": now})
    set_committed_value(customer, "last_seen_at", now)
    set_committed_value(customer, "updated_at", now)


def get_or_create_by_identity(
    db: Session,
    *,
    business_id: int,
    channel: str,
    external_id: str,
    name: str | None = None,
    phone: str | None = None,
) -> Customer:
    """The customer behind a channel identity (WhatsApp number, Telegram chat id, web visitor id),
    created on first contact. Safe under concurrent first messages (unique per business+channel+id).

    A known identity (every message after the first: the hot path of an agent turn) costs one select and one
    statement: `last_seen_at` is written by an UPDATE of its own rather than left for the next flush, which
    would cost the turn a flush of its own."""
    customer = db.scalars(
        _BY_IDENTITY, {"business_id": business_id, "channel": channel, "external_id": external_id}
    ).first()
    if customer is not None:
        if name and not customer.name:
            customer.name = name
        _touch_seen(db, customer)
        return customer
    customer = None
    if phone:
        # A WhatsApp number may already be known from an import: link instead of duplicating.
        customer = db.scalars(
            sa.select(Customer).where(Customer.business_id == business_id, Customer.phone == phone)
        ).first()
    try:
        with db.begin_nested():
            if customer is None:
                customer = Customer(
                    business_id=business_id, name=name or "", phone=phone, last_seen_at=utcnow()
                )
                db.add(customer)
                db.flush()
            db.add(
                CustomerIdentity(
                    business_id=business_id,
                    customer_id=customer.id,
                    channel=channel,
                    external_id=external_id,
                    display_name=name,
                )
            )
            db.flush()
    except IntegrityError:
        ident = db.scalars(
            sa.select(CustomerIdentity).where(
                CustomerIdentity.business_id == business_id,
                CustomerIdentity.channel == channel,
                CustomerIdentity.external_id == external_id,
            )
        ).one()
        customer = db.get(Customer, ident.customer_id)
        assert customer is not None
    return customer


# --- customers: CRUD, search, totals --------------------------------------------------------------

TRANSACTION_STATUSES = ("completed", "cancelled", "refunded", "pending")


def normalize_phone(raw: object) -> str | None:
    """Indonesian numbers as E.164 digits without '+': `0812-3456-7890`, `+62 812…`, `812…` → `62812…`.

    Returns None for an empty value; raises ValueError for something that is not a phone number.
    """
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # Excel stores long numbers as floats
    s = str(raw).strip()
    if not s:
        return None
    digits = re.sub(r"[\s\-().]", "", s)
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        raise ValueError("invalid phone")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not 8 <= len(digits) <= 15:
        raise ValueError("invalid phone")
    return digits


def get_customer(db: Session, *, business_id: int, customer_id: int) -> Customer:
    c = db.scalars(
        sa.select(Customer).where(Customer.id == customer_id, Customer.business_id == business_id)
    ).first()
    if c is None:
        raise NotFound("Pelanggan tidak ditemukan.", code="customer_not_found")
    return c


def get_by_ref(db: Session, *, business_id: int, customer_ref: str) -> Customer | None:
    return db.scalars(
        sa.select(Customer).where(
            Customer.business_id == business_id, Customer.customer_ref == customer_ref.strip()
        )
    ).first()


def list_customers(
    db: Session,
    *,
    business_id: int,
    search: str | None = None,
    tag: str | None = None,
    city: str | None = None,
    sort: str = "name",
    offset: int = 0,
    limit: int = 20,
    ids_in: Any = None,
) -> tuple[list[Customer], int]:
    """`search` matches name, phone, email and customer_ref (case-insensitive); a phone typed as
    `0812…` also finds `62812…`. `ids_in` (a select of ids, e.g. an RFM segment) narrows the list."""
    q = sa.select(Customer).where(Customer.business_id == business_id)
    if ids_in is not None:
        q = q.where(Customer.id.in_(ids_in))
    if search and search.strip():
        term = search.strip()
        conds = [
            Customer.name.icontains(term, autoescape=True),
            Customer.email.icontains(term, autoescape=True),
            Customer.phone.contains(term, autoescape=True),
            Customer.customer_ref.icontains(term, autoescape=True),
        ]
        digits = re.sub(r"[\s\-().+]", "", term)
        if digits.isdigit() and digits.startswith("0"):
            conds.append(Customer.phone.startswith("62" + digits[1:], autoescape=True))
        elif digits.isdigit() and digits != term:
            conds.append(Customer.phone.contains(digits, autoescape=True))
        q = q.where(sa.or_(*conds))
    if tag:
        q = q.where(json_list_contains(Customer.tags, tag))
    if city:
        q = q.where(sa.func.lower(Customer.city) == city.strip().lower())
    sorts = {
        "name": Customer.name,
        "created_at": Customer.created_at,
        "total_spent": Customer.total_spent,
        "total_orders": Customer.total_orders,
        "last_order_at": Customer.last_order_at,
    }
    desc = sort.startswith("-")
    if sort.lstrip("-") not in sorts:
        raise ValidationFailed(details={"sort": f"Urutan harus salah satu dari: {', '.join(sorted(sorts))}."})
    col = sorts[sort.lstrip("-")]
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    q = q.order_by(col.desc() if desc else col.asc(), Customer.id.desc() if desc else Customer.id.asc())
    return list(db.scalars(q.offset(offset).limit(limit))), total


def _check_ref_free(
    db: Session, *, business_id: int, customer_ref: str | None, exclude_id: int | None = None
) -> None:
    if not customer_ref:
        return
    existing = get_by_ref(db, business_id=business_id, customer_ref=customer_ref)
    if existing is not None and existing.id != exclude_id:
        raise Conflict(
            f"Kode pelanggan '{customer_ref}' sudah dipakai.",
            code="customer_ref_taken",
            details={"customer_ref": "Kode pelanggan sudah dipakai."},
        )


def _clean_phone_field(value: Any) -> str | None:
    try:
        return normalize_phone(value)
    except ValueError:
        raise ValidationFailed(details={"phone": "Nomor telepon tidak valid."})


def create_customer(
    db: Session,
    *,
    business_id: int,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    city: str | None = None,
    address: str | None = None,
    customer_ref: str | None = None,
    language: str = "id",
    tags: list[Any] | None = None,
    notes: str = "",
) -> Customer:
    customer_ref = (customer_ref or "").strip() or None
    _check_ref_free(db, business_id=business_id, customer_ref=customer_ref)
    c = Customer(
        business_id=business_id,
        name=name.strip(),
        phone=_clean_phone_field(phone),
        email=(email or "").strip().lower() or None,
        city=(city or "").strip() or None,
        address=address,
        customer_ref=customer_ref,
        language=language,
        tags=clean_tags(tags),
        notes=notes or "",
    )
    db.add(c)
    db.flush()
    return c


def update_customer(db: Session, customer: Customer, **changes: Any) -> Customer:
    for k in ("name", "tags", "language", "preferences", "is_blocked"):
        if k in changes and changes[k] is None:
            raise ValidationFailed(details={k: "Tidak boleh kosong."})
    if "customer_ref" in changes:
        changes["customer_ref"] = (changes["customer_ref"] or "").strip() or None
        _check_ref_free(
            db, business_id=customer.business_id, customer_ref=changes["customer_ref"], exclude_id=customer.id
        )
    if "phone" in changes:
        changes["phone"] = _clean_phone_field(changes["phone"])
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip().lower() or None
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    for k, v in changes.items():
        setattr(customer, k, v)
    db.flush()
    return customer


# The customer list's `segment` filter: fn(db, business_id=, segment=) -> subquery of customer ids, or None
# when no analysis exists yet. Marketing (above customers) registers its RFM segments as "rfm".
SEGMENT_FILTERS: Port[Callable[..., sa.Select | None]] = Port("customer segment filter")


# Domains above customers that keep rows derived from a customer without a foreign key (marketing's RFM
# snapshot rows) add a hook fn(db, business_id, customer_id) here, run before the customer is deleted.
FORGET_HOOKS: list[Callable[[Session, int, int], None]] = []


def forget_derived(db: Session, *, business_id: int, customer_id: int) -> None:
    for hook in FORGET_HOOKS:
        hook(db, business_id, customer_id)


def delete_customer(db: Session, customer: Customer) -> None:
    """Deletes the customer with identities and transactions (orders keep their copy, customer_id NULL)."""
    forget_derived(db, business_id=customer.business_id, customer_id=customer.id)
    db.delete(customer)
    db.flush()


def _local_midnight(day: date, zone: str | None) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz(zone))


def _same_day_or_midnight(current: datetime | None, day: date | None, zone: str | None) -> datetime | None:
    """Keep a precise timestamp (e.g. the moment an order was paid) when it is on the computed day."""
    if day is None:
        return None
    if current is not None and current.astimezone(tz(zone)).date() == day:
        return current
    return _local_midnight(day, zone)


def refresh_totals(
    db: Session, *, business_id: int, customer_ids: list[int] | None = None, zone: str | None = None
) -> int:
    """Recompute total_orders, total_spent, first/last order dates from the customer's transactions
    (only status `completed` counts). Dates are local midnights of the business's time zone.
    `customer_ids=None` refreshes every customer of the business. Returns the number refreshed."""
    q = sa.select(Customer).where(Customer.business_id == business_id)
    agg = (
        sa.select(
            Transaction.customer_id,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Transaction.amount), 0),
            sa.func.min(Transaction.occurred_on),
            sa.func.max(Transaction.occurred_on),
        )
        .where(Transaction.business_id == business_id, Transaction.status == "completed")
        .group_by(Transaction.customer_id)
    )
    if customer_ids is not None:
        if not customer_ids:
            return 0
        ids = sorted(set(customer_ids))
        q = q.where(Customer.id.in_(ids))
        agg = agg.where(Transaction.customer_id.in_(ids))
    stats = {row[0]: row[1:] for row in db.execute(agg)}
    n = 0
    for c in db.scalars(q):
        count, spent, first, last = stats.get(c.id, (0, 0, None, None))
        c.total_orders = int(count)
        c.total_spent = int(spent)
        c.first_order_at = _same_day_or_midnight(c.first_order_at, first, zone)
        c.last_order_at = _same_day_or_midnight(c.last_order_at, last, zone)
        n += 1
    db.flush()
    return n


def list_transactions(
    db: Session,
    *,
    business_id: int,
    customer_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Transaction], int]:
    """Newest first. date_from/date_to are inclusive local dates."""
    q = sa.select(Transaction).where(Transaction.business_id == business_id)
    if customer_id is not None:
        q = q.where(Transaction.customer_id == customer_id)
    if date_from is not None:
        q = q.where(Transaction.occurred_on >= date_from)
    if date_to is not None:
        q = q.where(Transaction.occurred_on <= date_to)
    if status:
        q = q.where(Transaction.status == status)
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    q = q.order_by(Transaction.occurred_on.desc(), Transaction.id.desc())
    return list(db.scalars(q.offset(offset).limit(limit))), total


# --- how staff see a customer ----------------------------------------------------------------------

ANONYMOUS_LABELS = {
    "id": {
        "web": "Pengunjung web",
        "telegram": "Pengguna Telegram",
        "whatsapp": "Pelanggan WhatsApp",
        "": "Pelanggan",
    },
    "en": {
        "web": "Web visitor",
        "telegram": "Telegram user",
        "whatsapp": "WhatsApp customer",
        "": "Customer",
    },
}


def _label(customer_id: int, name: str | None, phone: str | None, channel: str, lang: str) -> str:
    if (name or "").strip():
        return (name or "").strip()
    if phone:
        return f"+{phone}"
    labels = ANONYMOUS_LABELS.get(lang, ANONYMOUS_LABELS["id"])
    return f"{labels.get(channel, labels[''])} #{customer_id}"


def display_name(customer: Customer | None, *, channel: str | None = None, lang: str = "id") -> str:
    """The name staff see: the customer's name, else their phone number, else "Pengunjung web #123" by the
    channel they came from — never an internal id or a visitor hash."""
    if customer is None:
        return "—"
    if channel is None and not (customer.name or "").strip() and not customer.phone:
        channel = next((i.channel for i in customer.identities), "")
    return _label(customer.id, customer.name, customer.phone, channel or "", lang)


def display_names(db: Session, *, business_id: int, ids: list[int], lang: str = "id") -> dict[int, str]:
    """display_name for many customers with two queries (lists of orders and conversations)."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    rows = db.execute(
        sa.select(Customer.id, Customer.name, Customer.phone).where(
            Customer.business_id == business_id, Customer.id.in_(ids)
        )
    ).all()
    first_channel: dict[int, str] = {}
    for cid, ch in db.execute(
        sa.select(CustomerIdentity.customer_id, CustomerIdentity.channel)
        .where(CustomerIdentity.business_id == business_id, CustomerIdentity.customer_id.in_(ids))
        .order_by(CustomerIdentity.id)
    ):
        first_channel.setdefault(cid, ch)
    return {cid: _label(cid, name, phone, first_channel.get(cid, ""), lang) for cid, name, phone in rows}
