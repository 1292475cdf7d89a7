"""Orders: creation with catalogue prices, the state machine, stock holds and what happens on `paid`.

States: draft → awaiting_payment → paid → processing → ready → shipped|picked_up → completed, plus cancelled,
expired and refunded. Stock is held (`Product.reserved`) while an order awaits payment, taken from `stock` when
it is paid and released when it is cancelled or expires. Every state change is a conditional UPDATE on the
current status (two workers cannot both move an order) and an `OrderEvent` naming the actor.

Money is integer rupiah: total = subtotal + shipping - discount - points discount (never below 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from niaga.catalog.models import Product, ShippingRate
from niaga.customers import aggregates
from niaga.customers.models import Customer, Transaction
from niaga.db.engine import affected, per_dialect, upsert_insert
from niaga.db.states import StateMachine
from niaga.files import service as files
from niaga.jobs.runner import enqueue
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.money import format_rupiah
from niaga.kit.timeutil import tz, utcnow
from niaga.messaging.events import publish_after_commit
from niaga.messaging.models import Message
from niaga.ops.logging import get_logger
from niaga.orders import loyalty
from niaga.orders.models import Order, OrderEvent, OrderItem, Payment
from niaga.orders.numbering import allocate_number
from niaga.tenancy.defaults import business_profile, business_settings
from niaga.tenancy.models import Business

log = get_logger("niaga.orders")

# Where each state may go next. Cancelling is possible until the order is paid; after that money must be
# returned (refunded). `expired` is set by the expiry job (or a Midtrans `expire`).
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"awaiting_payment", "cancelled"}),
    "awaiting_payment": frozenset({"paid", "cancelled", "expired"}),
    "paid": frozenset({"processing", "ready", "shipped", "picked_up", "completed", "refunded"}),
    "processing": frozenset({"ready", "shipped", "picked_up", "refunded"}),
    "ready": frozenset({"shipped", "picked_up", "refunded"}),
    "shipped": frozenset({"completed", "refunded"}),
    "picked_up": frozenset({"completed", "refunded"}),
    "completed": frozenset({"refunded"}),
    "cancelled": frozenset(),
    # A Midtrans settlement that arrived after the order expired is flagged; staff may then reinstate it.
    "expired": frozenset({"paid"}),
    "refunded": frozenset(),
}
# States in which the goods are sold (stock already taken).
SOLD_STATES = frozenset({"paid", "processing", "ready", "shipped", "picked_up", "completed"})
OPEN_STATES = frozenset({"draft", "awaiting_payment"})
# Payment rows whose amount counts towards `Order.paid_amount` (refunds are negative amounts).
COUNTED_PAYMENT_STATES = ("paid", "refunded")

STATUS_LABELS_ID = {
    "draft": "draf (belum dikonfirmasi)",
    "awaiting_payment": "menunggu pembayaran",
    "paid": "sudah dibayar",
    "processing": "sedang diproses",
    "ready": "siap diambil/dikirim",
    "shipped": "sudah dikirim",
    "picked_up": "sudah diambil",
    "completed": "selesai",
    "cancelled": "dibatalkan",
    "expired": "kedaluwarsa (tidak dibayar)",
    "refunded": "dana dikembalikan",
}
MACHINE = StateMachine(noun="Pesanan", transitions=TRANSITIONS, labels=STATUS_LABELS_ID)


@dataclass(frozen=True)
class Actor:
    """Who or what caused a change: user (staff), api_key, customer (chat), system (jobs), provider (Midtrans)."""

    type: str
    id: int | None = None
    name: str | None = None

    @classmethod
    def system(cls, name: str | None = None) -> Actor:
        return cls("system", None, name)

    @classmethod
    def of(cls, principal: Any) -> Actor:
        return cls(principal.actor_type, principal.actor_id)


@dataclass
class Line:
    product: Product
    quantity: int


@dataclass
class ShippingQuote:
    city: str
    courier: str
    service: str
    weight_g: int
    kg: int
    price_per_kg: int
    cost: int
    free: bool = False
    etd_days: str | None = None
    address: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "courier": self.courier,
            "service": self.service,
            "weight_g": self.weight_g,
            "kg": self.kg,
            "price_per_kg": self.price_per_kg,
            "cost": self.cost,
            "free": self.free,
            "etd_days": self.etd_days,
            "address": self.address,
        }


@dataclass
class Pricing:
    lines: list[tuple[Product, int, int]] = field(default_factory=list)  # product, quantity, unit price
    subtotal: int = 0
    shipping: ShippingQuote | None = None
    discount: int = 0
    points: int = 0
    points_discount: int = 0

    @property
    def shipping_cost(self) -> int:
        return self.shipping.cost if self.shipping else 0

    @property
    def total(self) -> int:
        return max(self.subtotal + self.shipping_cost - self.discount - self.points_discount, 0)


# --- live events after commit ------------------------------------------------------------------------


def _publish_later(db: Session, business_id: int, event_type: str, **data: Any) -> None:
    """Dashboard live event, published once the transaction commits (dropped on rollback)."""
    publish_after_commit(db, business_id, event_type, **data)


# --- reads --------------------------------------------------------------------------------------------


def get_business(db: Session, business_id: int) -> Business:
    b = db.get(Business, business_id)
    if b is None:
        raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
    # The session's identity map holds objects weakly: pinned here, many orders of one business handled in
    # one transaction (a burst of payment notifications) read the business row once.
    db.info.setdefault(_PINNED_BUSINESSES, {})[business_id] = b
    return b


_PINNED_BUSINESSES = "niaga.orders.businesses"


def get(db: Session, *, business_id: int, order_id: int) -> Order:
    order = db.scalars(sa.select(Order).where(Order.id == order_id, Order.business_id == business_id)).first()
    if order is None:
        raise NotFound("Pesanan tidak ditemukan.", code="order_not_found")
    return order


def get_by_number(db: Session, *, business_id: int, number: str) -> Order | None:
    return db.scalars(
        sa.select(Order).where(Order.business_id == business_id, Order.number == number.strip().upper())
    ).first()


def list_orders(
    db: Session,
    *,
    business_id: int,
    status: str | None = None,
    customer_id: int | None = None,
    q: str | None = None,
    flagged: bool | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Order], int]:
    stmt = sa.select(Order).where(Order.business_id == business_id)
    if status:
        stmt = stmt.where(Order.status.in_([s.strip() for s in status.split(",") if s.strip()]))
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    if q:
        stmt = stmt.where(Order.number.ilike(f"%{q.strip()}%"))
    if flagged is not None:
        # `flags` is a JSON list; an order needs attention when it is not empty (same text on SQLite and PG).
        empty = sa.cast(Order.flags, sa.String) == "[]"
        stmt = stmt.where(sa.not_(empty) if flagged else empty)
    total = db.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        db.scalars(stmt.order_by(Order.created_at.desc(), Order.id.desc()).offset(offset).limit(limit))
    )
    return rows, int(total)


def list_for_customer(db: Session, *, business_id: int, customer_id: int, limit: int = 5) -> list[Order]:
    """Latest orders of a customer (the agent's order_status tool)."""
    return list(
        db.scalars(
            sa.select(Order)
            .where(
                Order.business_id == business_id, Order.customer_id == customer_id, Order.status != "draft"
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
    )


def payments_of(db: Session, order: Order) -> list[Payment]:
    return list(
        db.scalars(
            sa.select(Payment)
            .where(Payment.business_id == order.business_id, Payment.order_id == order.id)
            .order_by(Payment.id)
        )
    )


def timeline(db: Session, order: Order) -> list[OrderEvent]:
    return list(
        db.scalars(
            sa.select(OrderEvent)
            .where(OrderEvent.business_id == order.business_id, OrderEvent.order_id == order.id)
            .order_by(OrderEvent.id)
        )
    )


def describe_status(order: Order) -> str:
    """Indonesian sentence for chat: number, state, total and what the customer can do next."""
    label = STATUS_LABELS_ID.get(order.status, order.status)
    text = f"Pesanan {order.number}: {label}. Total {format_rupiah(order.total)}."
    if order.status == "awaiting_payment":
        outstanding = max(order.total - order.paid_amount, 0)
        if order.paid_amount:
            text += f" Sudah dibayar {format_rupiah(order.paid_amount)}, sisa {format_rupiah(outstanding)}."
        if order.payment_url:
            text += f" Link pembayaran: {order.payment_url}"
    return text


# --- pricing ------------------------------------------------------------------------------------------


def resolve_lines(db: Session, *, business_id: int, items: Iterable[dict[str, Any]]) -> list[Line]:
    """Products for `[{product_id|sku, quantity}]`, same product merged. Unknown or inactive → 422."""
    merged: dict[int, Line] = {}
    errors: dict[str, str] = {}
    for i, item in enumerate(items):
        qty = int(item.get("quantity") or 1)
        if qty < 1:
            errors[f"items.{i}.quantity"] = "jumlah minimal 1"
            continue
        stmt = sa.select(Product).where(Product.business_id == business_id)
        if item.get("product_id") is not None:
            stmt = stmt.where(Product.id == int(item["product_id"]))
        elif item.get("sku"):
            stmt = stmt.where(Product.sku == str(item["sku"]).strip())
        else:
            errors[f"items.{i}"] = "isi product_id atau sku"
            continue
        product = db.scalars(stmt).first()
        if product is None:
            errors[f"items.{i}"] = "produk tidak ditemukan"
            continue
        if not product.is_active:
            errors[f"items.{i}"] = f"{product.name} sedang tidak dijual"
            continue
        if product.id in merged:
            merged[product.id].quantity += qty
        else:
            merged[product.id] = Line(product, qty)
    if errors:
        raise ValidationFailed("Ada produk yang tidak bisa dipesan.", code="invalid_items", details=errors)
    if not merged:
        raise ValidationFailed(
            "Pesanan harus berisi minimal satu produk.", code="empty_order", details={"items": "kosong"}
        )
    return list(merged.values())


def origin_city(business: Business) -> str:
    return (
        business_settings(business)["shipping"].get("origin_city") or business_profile(business)["city"] or ""
    ).strip()


def quote_shipping(
    db: Session,
    *,
    business: Business,
    city: str,
    weight_g: int,
    subtotal: int = 0,
    courier: str | None = None,
    service: str | None = None,
    address: str = "",
) -> ShippingQuote:
    """Shipping from the business's rates table: weight rounded up to whole kg (min 1) × price per kg, the
    chosen courier/service or else the cheapest; free when the business's free-shipping rule applies."""
    dest = city.strip()
    stmt = sa.select(ShippingRate).where(
        ShippingRate.business_id == business.id, sa.func.lower(ShippingRate.destination_city) == dest.lower()
    )
    origin = origin_city(business)
    if origin:
        stmt = stmt.where(sa.func.lower(ShippingRate.origin_city) == origin.lower())
    if courier:
        stmt = stmt.where(sa.func.lower(ShippingRate.courier) == courier.strip().lower())
    if service:
        stmt = stmt.where(sa.func.lower(ShippingRate.service) == service.strip().lower())
    rate = db.scalars(stmt.order_by(ShippingRate.price_per_kg, ShippingRate.id).limit(1)).first()
    if rate is None:
        what = " ".join(x for x in (courier, service) if x)
        raise ValidationFailed(
            f"Ongkir ke {dest}{' dengan ' + what if what else ''} belum tersedia.",
            code="shipping_unavailable",
            details={"shipping.city": "tarif tidak ditemukan"},
        )
    kg = max(1, math.ceil(max(weight_g, 0) / 1000))
    cost = kg * rate.price_per_kg
    rule = business_settings(business)["shipping"].get("free_shipping") or {}
    min_subtotal, cities = int(rule.get("min_subtotal") or 0), [c.lower() for c in rule.get("cities") or []]
    free = (
        bool(min_subtotal or cities) and subtotal >= min_subtotal and (not cities or dest.lower() in cities)
    )
    return ShippingQuote(
        city=rate.destination_city,
        courier=rate.courier,
        service=rate.service,
        weight_g=weight_g,
        kg=kg,
        price_per_kg=rate.price_per_kg,
        cost=0 if free else cost,
        free=free,
        etd_days=rate.etd_days,
        address=address,
    )


def price(
    db: Session,
    *,
    business: Business,
    lines: list[Line],
    shipping: dict[str, Any] | None = None,
    discount: int = 0,
    redeem_points: int = 0,
) -> Pricing:
    """Price lines from the catalogue now (the sale price wins when lower), then shipping, discount, points."""
    p = Pricing()
    weight = 0
    for line in lines:
        unit = line.product.effective_price
        p.lines.append((line.product, line.quantity, unit))
        p.subtotal += unit * line.quantity
        weight += (line.product.weight_g or 0) * line.quantity
    if shipping and shipping.get("weight_g"):
        # A weight the customer or staff stated (a packed parcel, a product without a recorded weight) wins.
        weight = max(int(shipping["weight_g"]), 1)
    if shipping and shipping.get("city"):
        p.shipping = quote_shipping(
            db,
            business=business,
            city=shipping["city"],
            weight_g=weight,
            subtotal=p.subtotal,
            courier=shipping.get("courier"),
            service=shipping.get("service"),
            address=shipping.get("address") or "",
        )
    if discount < 0:
        raise ValidationFailed("Diskon tidak boleh negatif.", details={"discount": "negatif"})
    p.discount = min(discount, p.subtotal + p.shipping_cost)
    if redeem_points:
        value = loyalty.check_redeem(business, points=redeem_points)
        room = p.subtotal + p.shipping_cost - p.discount
        if value > room:
            raise ValidationFailed(
                "Potongan poin melebihi total belanja.",
                code="points_exceed_total",
                details={"redeem_points": "terlalu banyak"},
            )
        p.points, p.points_discount = redeem_points, value
    return p


# --- creation -----------------------------------------------------------------------------------------


def _shipping_record(pricing: Pricing, asked: dict[str, Any] | None) -> dict[str, Any]:
    if pricing.shipping is not None:
        stated = bool(asked and asked.get("weight_g"))
        return {
            **pricing.shipping.as_dict(),
            "method": "delivery",
            **({"weight_stated": True} if stated else {}),
        }
    if asked and asked.get("method") == "pickup":
        return {"method": "pickup"}
    return {}


def create(
    db: Session,
    *,
    business_id: int,
    items: list[dict[str, Any]],
    actor: Actor,
    customer_id: int | None = None,
    conversation_id: int | None = None,
    shipping: dict[str, Any] | None = None,
    discount: int = 0,
    redeem_points: int = 0,
    notes: str = "",
    source: str = "dashboard",
    status: str = "awaiting_payment",
    kind: str = "retail",
    now: datetime | None = None,
) -> Order:
    """Create an order priced from the catalogue. With status `awaiting_payment` (the default) the stock is
    held at once; an order that would oversell is refused (409 `out_of_stock`) and nothing is written."""
    if status not in ("draft", "awaiting_payment"):
        raise ValidationFailed(
            "Pesanan baru hanya bisa draf atau menunggu pembayaran.", details={"status": "tidak valid"}
        )
    business = get_business(db, business_id)
    customer = None
    if customer_id is not None:
        customer = db.scalars(
            sa.select(Customer).where(Customer.id == customer_id, Customer.business_id == business_id)
        ).first()
        if customer is None:
            raise NotFound("Pelanggan tidak ditemukan.", code="customer_not_found")
    if redeem_points and customer is None:
        raise ValidationFailed(
            "Tukar poin perlu data pelanggan.", details={"redeem_points": "tanpa pelanggan"}
        )
    lines = resolve_lines(db, business_id=business_id, items=items)
    pricing = price(
        db, business=business, lines=lines, shipping=shipping, discount=discount, redeem_points=redeem_points
    )
    now = now or utcnow()
    # A savepoint: a refused order (stock, points) leaves no counter bump, row or hold behind, even when the
    # caller's transaction goes on (the agent answers the customer in the same transaction).
    with db.begin_nested():
        order = Order(
            business_id=business_id,
            number=allocate_number(db, business_id=business_id, timezone=business.timezone, now=now),
            customer_id=customer_id,
            conversation_id=conversation_id,
            kind=kind,
            source=source,
            status="draft",
            subtotal=pricing.subtotal,
            shipping_cost=pricing.shipping_cost,
            discount=pricing.discount,
            points_redeemed=pricing.points,
            points_discount=pricing.points_discount,
            total=pricing.total,
            shipping=_shipping_record(pricing, shipping),
            notes=notes or "",
            created_by_user_id=actor.id if actor.type == "user" else None,
            flags=[],
        )
        for product, qty, unit in pricing.lines:
            order.items.append(
                OrderItem(
                    business_id=business_id,
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=qty,
                    unit_price=unit,
                    total=unit * qty,
                    weight_g=product.weight_g,
                )
            )
        db.add(order)
        db.flush()
        record_event(
            db,
            order,
            "order.created",
            actor,
            to_status="draft",
            data={"total": order.total, "source": source},
        )
        if pricing.points:
            loyalty.do_redeem(
                db,
                business=business,
                customer_id=customer_id,  # type: ignore[arg-type]
                points=pricing.points,
                order_id=order.id,
            )
        if status == "awaiting_payment":
            do_transition(db, order=order, to="awaiting_payment", actor=actor, now=now)
    log.info(
        "order.created", business_id=business_id, order_id=order.id, number=order.number, total=order.total
    )
    _publish_later(
        db, business_id, "order.created", order_id=order.id, number=order.number, status=order.status
    )
    return order


# --- shipping on an existing order ----------------------------------------------------------------------

SHIPPING_EDITABLE = ("draft", "awaiting_payment")


def do_set_shipping(
    db: Session,
    *,
    order: Order,
    actor: Actor,
    city: str | None,
    courier: str | None = None,
    service: str | None = None,
    address: str = "",
    weight_g: int | None = None,
) -> Order:
    """Set or change how an unpaid order reaches the customer: delivery (city, courier/service, address,
    optional stated weight; priced from the rates table) or pick-up at the shop (`city` None). The total is
    recomputed; an outstanding Midtrans link for the old amount is replaced by a job once this commits.

    Preconditions: the order is a draft or awaiting payment and nothing has been paid on it yet."""
    if order.status not in SHIPPING_EDITABLE or order.paid_amount:
        raise Conflict("Ongkir hanya bisa diubah sebelum pesanan dibayar.", code="shipping_locked")
    business = get_business(db, order.business_id)
    before = {
        "shipping": dict(order.shipping or {}),
        "shipping_cost": order.shipping_cost,
        "total": order.total,
    }
    if city and city.strip():
        weight = (
            weight_g
            if weight_g and weight_g > 0
            else sum((i.weight_g or 0) * i.quantity for i in order.items)
        )
        quote = quote_shipping(
            db,
            business=business,
            city=city,
            weight_g=weight,
            subtotal=order.subtotal,
            courier=courier or None,
            service=service or None,
            address=(address or "").strip(),
        )
        order.shipping = {
            **quote.as_dict(),
            "method": "delivery",
            **({"weight_stated": True} if weight_g and weight_g > 0 else {}),
        }
        order.shipping_cost = quote.cost
    else:
        order.shipping = {"method": "pickup"}
        order.shipping_cost = 0
    order.discount = min(order.discount, order.subtotal + order.shipping_cost)
    order.total = max(order.subtotal + order.shipping_cost - order.discount - order.points_discount, 0)
    db.flush()
    record_event(
        db,
        order,
        "order.shipping_set",
        actor,
        data={
            "before": before,
            "after": {"shipping": order.shipping, "shipping_cost": order.shipping_cost, "total": order.total},
        },
    )
    if order.status == "awaiting_payment" and order.payment_url and order.total != before["total"]:
        order.payment_url = None
        enqueue(
            db,
            "orders.payment_link",
            business_id=order.business_id,
            order_id=order.id,
            idempotency_key=f"payment-link-reprice:{order.id}:{order.total}",
        )
    _publish_later(
        db, order.business_id, "order.updated", order_id=order.id, number=order.number, status=order.status
    )
    return order


# --- stock --------------------------------------------------------------------------------------------


def _tracked(db: Session, order: Order) -> list[tuple[OrderItem, Any]]:
    """The order's lines whose product tracks stock, each with its product's id, name and sku (one query of
    those columns: the products are not loaded)."""
    ids = {item.product_id for item in order.items if item.product_id is not None}
    if not ids:
        return []
    db.flush()  # as loading the products would (autoflush): a stock change pending in this session counts
    rows = {
        row.id: row
        for row in db.execute(_TRACKED_PRODUCTS, {"ids": list(ids), "business_id": order.business_id})
    }
    return [(item, rows[item.product_id]) for item in order.items if item.product_id in rows]


_PRODUCTS: Any = Product.__table__
_TRACKED_PRODUCTS = sa.select(_PRODUCTS.c.id, _PRODUCTS.c.name, _PRODUCTS.c.sku).where(
    _PRODUCTS.c.id.in_(sa.bindparam("ids", expanding=True)),
    _PRODUCTS.c.business_id == sa.bindparam("business_id"),
    _PRODUCTS.c.stock.is_not(None),
)


def _reserve_stock(db: Session, order: Order) -> None:
    """Hold stock for every tracked line: reserved += q only where stock - reserved >= q."""
    tracked = _tracked(db, order)
    for item, product in tracked:
        done = affected(
            db.execute(
                sa.update(Product)
                .where(
                    Product.id == product.id,
                    Product.business_id == order.business_id,
                    Product.stock.is_not(None),
                    Product.stock - Product.reserved >= item.quantity,
                )
                .values(reserved=Product.reserved + item.quantity)
                .execution_options(synchronize_session=False)
            )
        )
        if not done:
            loaded = db.get(Product, product.id)
            assert loaded is not None
            db.refresh(loaded)
            left = loaded.available or 0
            msg = (
                f"Maaf, stok {product.name} tidak cukup: tersisa {left}, diminta {item.quantity}."
                if left
                else f"Maaf, stok {product.name} sedang habis."
            )
            raise Conflict(
                msg,
                code="out_of_stock",
                details={"sku": product.sku, "available": left, "requested": item.quantity},
            )
    _expire_products(db, tracked)


def _release_stock(db: Session, order: Order) -> None:
    tracked = _tracked(db, order)
    for item, product in tracked:
        db.execute(
            sa.update(Product)
            .where(Product.id == product.id, Product.business_id == order.business_id)
            .values(
                reserved=sa.case(
                    (Product.reserved >= item.quantity, Product.reserved - item.quantity), else_=0
                )
            )
            .execution_options(synchronize_session=False)
        )
    _expire_products(db, tracked)


def _take_stock(db: Session, order: Order, *, held: bool) -> None:
    """Sell the goods: stock -= q, and the hold is dropped when there was one. Without a hold (an expired
    order paid late and reinstated by staff) the stock must still be there."""
    tracked = _tracked(db, order)
    for item, product in tracked:
        stmt = sa.update(Product).where(Product.id == product.id, Product.business_id == order.business_id)
        if held:
            stmt = stmt.values(
                stock=Product.stock - item.quantity,
                reserved=sa.case(
                    (Product.reserved >= item.quantity, Product.reserved - item.quantity), else_=0
                ),
            )
        else:
            stmt = stmt.where(Product.stock - Product.reserved >= item.quantity).values(
                stock=Product.stock - item.quantity
            )
        if not affected(db.execute(stmt.execution_options(synchronize_session=False))):
            raise Conflict(
                f"Maaf, stok {product.name} tidak cukup untuk pesanan ini.",
                code="out_of_stock",
                details={"sku": product.sku},
            )
    _expire_products(db, tracked)


def _expire_products(db: Session, tracked: list[tuple[OrderItem, Any]]) -> None:
    """The stock columns of the products just updated in SQL are stale where the session holds them."""
    for _item, product in tracked:
        loaded = db.identity_map.get(identity_key(Product, product.id))
        if loaded is not None:
            db.expire(loaded, ["stock", "reserved"])


# --- transitions --------------------------------------------------------------------------------------


def record_event(
    db: Session,
    order: Order,
    name: str,
    actor: Actor,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    ev = OrderEvent(
        business_id=order.business_id,
        order_id=order.id,
        from_status=from_status,
        to_status=to_status,
        event=name,
        actor_type=actor.type,
        actor_id=actor.id,
        note=note or "",
        data={**(data or {}), **({"actor": actor.name} if actor.name else {})},
        created_at=utcnow(),
    )
    db.add(ev)
    return ev


def add_flag(
    db: Session, order: Order, *, code: str, message: str, actor: Actor, data: dict[str, Any] | None = None
) -> None:
    """Mark the order for staff attention (amount mismatch, double payment, late settlement...)."""
    flag = {"code": code, "message": message, "at": utcnow().isoformat(), **({"data": data} if data else {})}
    order.flags = [*(order.flags or []), flag]
    record_event(db, order, "order.flagged", actor, note=message, data={"code": code, **(data or {})})
    log.warning("order.flagged", business_id=order.business_id, order_id=order.id, code=code)
    _publish_later(db, order.business_id, "order.flagged", order_id=order.id, number=order.number, code=code)


def _proof_refs(db: Session, business_id: int, media: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat attachments -> proof entries by file id. Only files the server downloaded for this business get an
    id; a link without a stored file is kept as a link (shown, never served as a file)."""
    refs: list[dict[str, Any]] = []
    for m in media:
        if m.get("path"):
            row = files.register(
                db,
                business_id=business_id,
                path=str(m["path"]),
                filename=m.get("filename"),
                mimetype=m.get("mimetype"),
                kind="inbound",
            )
            if row is not None:
                refs.append(files.ref(row))
        elif m.get("url"):
            refs.append({"url": str(m["url"]), "filename": m.get("filename"), "mimetype": m.get("mimetype")})
    return refs


def proof_from_refs(db: Session, *, business_id: int, refs: list[dict[str, int]]) -> list[dict[str, Any]]:
    """A client's proof references (`file_id`, or `message_id` of a chat message with an attachment) -> stored
    entries by file id. Anything that is not this business's is a 422 naming it."""
    out: list[dict[str, Any]] = []
    for r in refs:
        if "file_id" in r:
            out += files.resolve_refs(db, business_id=business_id, file_ids=[r["file_id"]])
            continue
        msg = db.scalars(
            sa.select(Message).where(Message.id == r["message_id"], Message.business_id == business_id)
        ).first()
        found = _proof_refs(
            db, business_id, [m for m in (msg.media if msg else None) or [] if isinstance(m, dict)]
        )
        if msg is None or not found:
            raise ValidationFailed(
                f"Pesan {r['message_id']} tidak ditemukan atau tidak berisi file.",
                code="unknown_file",
                details={"message_id": r["message_id"]},
            )
        out += found
    return out


def do_attach_transfer_proof(
    db: Session,
    *,
    business_id: int,
    customer_id: int,
    proof: list[dict[str, Any]],
    order_number: str | None = None,
) -> Order | None:
    """A customer sent a transfer proof in chat ("sudah transfer" + photo). Attach it to their order awaiting
    payment (the named one, else the newest) as a pending manual transfer and flag the order for staff, who
    verify it and record the payment. Nothing is marked paid here. Returns the order, or None if the customer
    has no order awaiting payment."""
    q = sa.select(Order).where(
        Order.business_id == business_id, Order.customer_id == customer_id, Order.status == "awaiting_payment"
    )
    if order_number:
        q = q.where(Order.number == order_number.upper())
    order = db.scalars(q.order_by(Order.created_at.desc(), Order.id.desc()).limit(1)).first()
    if order is None:
        return None
    actor = Actor("customer", customer_id)
    proof = _proof_refs(db, business_id, proof)
    db.add(
        Payment(
            business_id=business_id,
            order_id=order.id,
            method="transfer",
            provider="manual",
            status="pending",
            amount=max(order.total - order.paid_amount, 0),
            proof=proof,
            flag="proof_review",
        )
    )
    add_flag(
        db,
        order,
        code="transfer_proof",
        actor=actor,
        message="Pelanggan mengirim bukti transfer lewat chat: cek mutasi rekening lalu catat pembayarannya.",
        data={"files": [m.get("filename") or m.get("path") for m in proof]},
    )
    db.flush()
    return order


def do_transition(
    db: Session,
    *,
    order: Order,
    to: str,
    actor: Actor,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Order:
    """Move the order to `to` with its side effects (stock, points, stats, invoice job) and an event.
    Raises Conflict when the move is not allowed or another process moved the order first."""
    MACHINE.check(number=order.number, status=order.status, to=to)
    if to == "paid" and order.paid_amount < order.total:
        raise Conflict(
            f"Pembayaran belum lunas: terbayar {format_rupiah(order.paid_amount)} dari "
            f"{format_rupiah(order.total)}.",
            code="not_fully_paid",
        )
    now = now or utcnow()
    frm = order.status
    business = get_business(db, order.business_id)
    values: dict[str, Any] = {"status": to, "updated_at": now}
    if to == "paid":
        values["paid_at"] = order.paid_at or now
    try:
        with db.begin_nested():
            MACHINE.move(db, order, number=order.number, values=values)
            if to == "awaiting_payment":
                _reserve_stock(db, order)
                hours = int(business_settings(business)["orders"].get("payment_expiry_hours") or 24)
                order.expires_at = now + timedelta(hours=hours)
            elif to == "paid":
                _take_stock(db, order, held=frm == "awaiting_payment")
                _on_paid(db, business=business, order=order, actor=actor, now=now)
            elif to in ("cancelled", "expired"):
                if frm == "awaiting_payment":
                    _release_stock(db, order)
                loyalty.do_restore_redeemed(db, business=business, order=order)
            elif to == "refunded":
                loyalty.do_reverse_earned(db, business=business, order=order)

                aggregates.sync_order_transaction(db, order=order)
            elif to == "completed":
                order.completed_at = now
            record_event(db, order, f"order.{to}", actor, from_status=frm, to_status=to, note=note, data=data)
            db.flush()
    except BaseException:
        # The savepoint rolled back, but the committed values set above are not undone by that: reload them.
        if order in db:
            db.expire(order, list(values))
        raise
    log.info(
        "order.transition", business_id=order.business_id, order_id=order.id, frm=frm, to=to, actor=actor.type
    )
    _publish_later(
        db, order.business_id, "order.status", order_id=order.id, number=order.number, status=to, previous=frm
    )
    return order


# Domains above orders (the print shop) react to a paid order here: listener(db, order, actor), called in the
# transaction that marks the order paid, so their change commits (or rolls back) with it.
PAID_LISTENERS: list[Callable[[Session, Order, Actor], None]] = []


def _on_paid(db: Session, *, business: Business, order: Order, actor: Actor, now: datetime) -> None:
    """Customer stats, an RFM transaction, loyalty points, the invoice job and the paid listeners."""
    if order.customer_id:
        # The stats move in one UPDATE (the customer row need not be loaded); a customer of another business
        # (or none) matches nothing.
        counted = affected(
            db.execute(
                _PAID_STATS,
                {
                    "b_id": order.customer_id,
                    "b_business_id": order.business_id,
                    "b_total": order.total,
                    "b_now": now,
                },
            )
        )
        if counted:
            customer_id = order.customer_id
            loaded = db.identity_map.get(identity_key(Customer, customer_id))
            if loaded is not None:
                db.expire(
                    loaded, ["total_orders", "total_spent", "first_order_at", "last_order_at", "updated_at"]
                )
            # The RFM transaction, once per order number (an import may have brought it already).
            day = now.astimezone(tz(business.timezone)).date()
            inserted = db.execute(
                _order_transaction_insert(db),
                {
                    "business_id": order.business_id,
                    "ref": order.number,
                    "customer_id": customer_id,
                    "occurred_on": day,
                    "amount": order.total,
                    "order_id": order.id,
                    "products": [
                        {"sku": i.sku, "name": i.name, "quantity": i.quantity, "total": i.total}
                        for i in order.items
                    ],
                    "created_at": now,
                },
            ).scalar()
            if inserted is not None:
                aggregates.record_completed(
                    db, business_id=order.business_id, items=[(customer_id, day, order.total)]
                )
        points = loyalty.do_earn(db, business=business, order=order)
        if points:
            record_event(db, order, "loyalty.earned", actor, data={"points": points})
    enqueue(
        db,
        "orders.send_invoice",
        business_id=order.business_id,
        order_id=order.id,
        idempotency_key=f"invoice:{order.business_id}:{order.id}",
    )
    for listener in PAID_LISTENERS:
        listener(db, order, actor)


# The paid bookkeeping's statements, built once (building and cache-keying them per order cost more than
# running them): the customer's stats in one UPDATE (the row need not be loaded; a customer of another
# business, or none, matches nothing) and the order's RFM transaction, once per order number.
_CUSTOMERS: Any = Customer.__table__
_NOW = sa.bindparam("b_now", type_=_CUSTOMERS.c.last_order_at.type)
_PAID_STATS = (
    sa.update(_CUSTOMERS)
    .where(_CUSTOMERS.c.id == sa.bindparam("b_id"), _CUSTOMERS.c.business_id == sa.bindparam("b_business_id"))
    .values(
        total_orders=_CUSTOMERS.c.total_orders + 1,
        total_spent=_CUSTOMERS.c.total_spent + sa.bindparam("b_total"),
        first_order_at=sa.case(
            (
                sa.or_(_CUSTOMERS.c.first_order_at.is_(None), _CUSTOMERS.c.first_order_at > _NOW),
                _NOW,
            ),
            else_=_CUSTOMERS.c.first_order_at,
        ),
        last_order_at=sa.case(
            (
                sa.or_(_CUSTOMERS.c.last_order_at.is_(None), _CUSTOMERS.c.last_order_at < _NOW),
                _NOW,
            ),
            else_=_CUSTOMERS.c.last_order_at,
        ),
        updated_at=_NOW,
    )
)
_ORDER_TRANSACTION: dict[str, Any] = {}


def _order_transaction_insert(db: Session) -> Any:
    return per_dialect(db, _ORDER_TRANSACTION, _build_order_transaction)


def _build_order_transaction(db: Session) -> Any:
    t: Any = Transaction.__table__
    return (
        upsert_insert(db, t)
        .values(
            business_id=sa.bindparam("business_id"),
            ref=sa.bindparam("ref"),
            customer_id=sa.bindparam("customer_id"),
            occurred_on=sa.bindparam("occurred_on", type_=t.c.occurred_on.type),
            amount=sa.bindparam("amount"),
            status="completed",
            source="order",
            order_id=sa.bindparam("order_id"),
            products=sa.bindparam("products", type_=t.c.products.type),
            created_at=sa.bindparam("created_at", type_=t.c.created_at.type),
        )
        .on_conflict_do_nothing(index_elements=[t.c.business_id, t.c.ref])
        .returning(t.c.id)
    )


# --- manual payments and refunds ----------------------------------------------------------------------


def recompute_paid(db: Session, order: Order) -> int:
    db.flush()
    paid = db.scalar(_PAID_SUM, {"business_id": order.business_id, "order_id": order.id}) or 0
    order.paid_amount = int(paid)
    return order.paid_amount


_PAYMENTS: Any = Payment.__table__
_PAID_SUM = sa.select(sa.func.coalesce(sa.func.sum(_PAYMENTS.c.amount), 0)).where(
    _PAYMENTS.c.business_id == sa.bindparam("business_id"),
    _PAYMENTS.c.order_id == sa.bindparam("order_id"),
    _PAYMENTS.c.status.in_(COUNTED_PAYMENT_STATES),
)


def do_record_payment(
    db: Session,
    *,
    order: Order,
    method: str,
    actor: Actor,
    amount: int | None = None,
    tendered: int | None = None,
    proof: list[dict[str, Any]] | None = None,
    reference: str | None = None,
    note: str = "",
    provider: str = "manual",
    raw: dict[str, Any] | None = None,
    paid_at: datetime | None = None,
) -> Payment:
    """Record money received. Cash: `tendered` gives the change. Partial payments add up; when the total is
    reached an open order becomes paid. Money for an order already paid (or closed) is recorded and
    flagged for refund."""
    outstanding = max(order.total - order.paid_amount, 0)
    change = None
    if method == "cash" and tendered is not None:
        amount = amount if amount is not None else min(tendered, outstanding) if outstanding else tendered
        if tendered < amount:
            raise ValidationFailed(
                f"Uang diterima {format_rupiah(tendered)} kurang dari jumlah bayar {format_rupiah(amount)}.",
                details={"tendered": "kurang"},
            )
        change = tendered - amount
    if amount is None:
        amount = outstanding
    if amount <= 0:
        raise ValidationFailed(
            "Pesanan ini sudah lunas; tidak ada yang perlu dibayar.",
            code="nothing_due",
            details={"amount": "tidak ada tagihan"},
        )
    if reference:
        # The same bank/transfer reference recorded twice is one payment, not two.
        existing = db.scalar(
            sa.select(Payment.id).where(
                Payment.business_id == order.business_id,
                Payment.provider == provider,
                Payment.provider_ref == reference,
            )
        )
        if existing is not None:
            raise Conflict(
                f"Pembayaran dengan referensi {reference} sudah tercatat.",
                code="duplicate_reference",
                details={"payment_id": existing},
            )
    if order.status == "draft":
        do_transition(db, order=order, to="awaiting_payment", actor=actor, note="pembayaran dicatat")
    now = utcnow()
    payment = Payment(
        business_id=order.business_id,
        order_id=order.id,
        method=method,
        provider=provider,
        provider_ref=reference,
        status="paid",
        amount=amount,
        tendered=tendered,
        change=change,
        proof=list(proof or []),
        raw=raw or ({"note": note} if note else {}),
        recorded_by_user_id=actor.id if actor.type == "user" else None,
        paid_at=paid_at or now,
    )
    db.add(payment)
    was_open = order.status == "awaiting_payment"
    before = order.paid_amount
    recompute_paid(db, order)
    record_event(
        db,
        order,
        "payment.recorded",
        actor,
        note=note,
        data={
            "payment_id": payment.id,
            "method": method,
            "amount": amount,
            "paid_amount": order.paid_amount,
            **({"tendered": tendered, "change": change} if tendered is not None else {}),
        },
    )
    if not was_open or before >= order.total:
        payment.flag = "refund_due"
        add_flag(
            db,
            order,
            code="double_payment",
            message=f"Pembayaran {format_rupiah(amount)} masuk untuk pesanan yang sudah "
            f"{STATUS_LABELS_ID.get(order.status, order.status)}; perlu dikembalikan.",
            actor=actor,
            data={"payment_id": payment.id},
        )
    elif order.paid_amount >= order.total:
        if order.paid_amount > order.total and method != "cash":
            payment.flag = "overpaid"
            add_flag(
                db,
                order,
                code="overpaid",
                message=f"Kelebihan bayar {format_rupiah(order.paid_amount - order.total)}; perlu dikembalikan.",
                actor=actor,
                data={"payment_id": payment.id},
            )
        do_transition(db, order=order, to="paid", actor=actor, note=f"lunas via {method}")
    return payment


def do_refund(
    db: Session,
    *,
    order: Order,
    method: str,
    actor: Actor,
    amount: int | None = None,
    reference: str | None = None,
    note: str = "",
    provider: str = "manual",
    raw: dict[str, Any] | None = None,
) -> Payment:
    """Record money returned (a negative payment). When everything paid is returned, a sold order becomes
    `refunded` (stock is not put back automatically: returned goods are counted by staff)."""
    if order.paid_amount <= 0:
        raise ValidationFailed(
            "Belum ada pembayaran yang bisa dikembalikan.",
            code="nothing_to_refund",
            details={"amount": "tidak ada pembayaran"},
        )
    amount = order.paid_amount if amount is None else amount
    if amount <= 0 or amount > order.paid_amount:
        raise ValidationFailed(
            f"Refund maksimal {format_rupiah(order.paid_amount)}.",
            code="refund_too_large",
            details={"amount": "melebihi yang dibayar"},
        )
    payment = Payment(
        business_id=order.business_id,
        order_id=order.id,
        method=method,
        provider=provider,
        provider_ref=reference,
        status="refunded",
        amount=-amount,
        proof=[],
        raw=raw or ({"note": note} if note else {}),
        recorded_by_user_id=actor.id if actor.type == "user" else None,
        paid_at=utcnow(),
    )
    db.add(payment)
    recompute_paid(db, order)
    record_event(
        db,
        order,
        "payment.refunded",
        actor,
        note=note,
        data={"payment_id": payment.id, "amount": amount, "paid_amount": order.paid_amount},
    )
    if order.paid_amount <= 0 and order.status in SOLD_STATES:
        do_transition(db, order=order, to="refunded", actor=actor, note=note or "refund penuh")

    aggregates.sync_order_transaction(db, order=order)
    return payment


# --- periodic work ------------------------------------------------------------------------------------


def due_for_expiry(
    db: Session, *, now: datetime | None = None, grace_minutes: int = 5, limit: int = 200
) -> list[tuple[int, int]]:
    now = now or utcnow()
    rows = db.execute(
        sa.select(Order.business_id, Order.id)
        .where(
            Order.status == "awaiting_payment",
            Order.expires_at.is_not(None),
            Order.expires_at < now - timedelta(minutes=grace_minutes),
        )
        .order_by(Order.expires_at)
        .limit(limit)
    ).all()
    return [(int(b), int(o)) for b, o in rows]


def do_expire(db: Session, *, business_id: int, order_id: int, now: datetime | None = None) -> bool:
    """Expire one overdue unpaid order (releases its stock). False when it was paid or moved meanwhile."""
    order = get(db, business_id=business_id, order_id=order_id)
    now = now or utcnow()
    if order.status != "awaiting_payment" or order.expires_at is None or order.expires_at >= now:
        return False
    try:
        do_transition(
            db,
            order=order,
            to="expired",
            actor=Actor.system("orders.expire"),
            note="batas waktu pembayaran habis",
            now=now,
        )
    except Conflict:
        return False
    return True
