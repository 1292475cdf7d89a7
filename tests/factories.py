"""Factory functions with keyword defaults. Each flushes and commits so that the app (other sessions,
other threads) sees the rows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from niaga.catalog.models import Product, ShippingRate
from niaga.customers.models import Customer, CustomerIdentity
from niaga.knowledge.models import KnowledgeDocument
from niaga.tenancy import service as tenancy
from niaga.tenancy.models import Business, User
from niaga.tenancy.security import issue_token

_seq = itertools.count(1)
PASSWORD = "rahasia-123"


def make_business(
    db: Session,
    *,
    slug: str | None = None,
    name: str | None = None,
    profile: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Business:
    n = next(_seq)
    b = tenancy.create_business(
        db, slug=slug or f"toko-{n}", name=name or f"Toko {n}", profile=profile, settings=settings
    )
    db.commit()
    return b


def make_user(
    db: Session,
    *,
    email: str | None = None,
    business: Business | None = None,
    role: str = "owner",
    password: str = PASSWORD,
    name: str = "",
    super_admin: bool = False,
) -> User:
    u = tenancy.create_user(
        db,
        email=email or f"user{next(_seq)}@contoh.id",
        password=password,
        name=name,
        is_super_admin=super_admin,
    )
    if business is not None:
        tenancy.add_member(db, user=u, business=business, role=role)
    db.commit()
    return u


def token_for(user: User, business: Business | None = None) -> str:
    return issue_token(user.id, kind="access", business_id=business.id if business else None)[0]


def auth(user: User, business: Business | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user, business)}"}


def make_product(
    db: Session,
    *,
    business: Business,
    sku: str | None = None,
    name: str | None = None,
    price: int = 10000,
    sale_price: int | None = None,
    stock: int | None = 10,
    weight_g: int | None = 500,
    category: str | None = "Umum",
    description: str = "",
    tags: list[str] | None = None,
    attributes: dict[str, Any] | None = None,
    is_active: bool = True,
) -> Product:
    n = next(_seq)
    p = Product(
        business_id=business.id,
        sku=sku or f"SKU-{n:04d}",
        name=name or f"Produk {n}",
        price=price,
        sale_price=sale_price,
        stock=stock,
        weight_g=weight_g,
        category=category,
        description=description,
        tags=tags or [],
        attributes=attributes or {},
        is_active=is_active,
    )
    db.add(p)
    db.commit()
    return p


def make_customer(
    db: Session,
    *,
    business: Business,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    city: str | None = None,
    customer_ref: str | None = None,
    channel: str | None = None,
    external_id: str | None = None,
    tags: list[str] | None = None,
) -> Customer:
    n = next(_seq)
    c = Customer(
        business_id=business.id,
        name=name or f"Pelanggan {n}",
        phone=phone,
        email=email,
        city=city,
        customer_ref=customer_ref,
        tags=tags or [],
    )
    db.add(c)
    db.flush()
    if channel and external_id:
        db.add(
            CustomerIdentity(
                business_id=business.id, customer_id=c.id, channel=channel, external_id=external_id
            )
        )
    db.commit()
    return c


def make_knowledge(
    db: Session,
    *,
    business: Business,
    title: str | None = None,
    content: str = "Isi dokumen.",
    category: str | None = None,
) -> KnowledgeDocument:
    d = KnowledgeDocument(
        business_id=business.id, title=title or f"Dokumen {next(_seq)}", content=content, category=category
    )
    db.add(d)
    db.commit()
    return d


def make_rate(
    db: Session,
    *,
    business: Business,
    origin: str = "Yogyakarta",
    destination: str = "Bandung",
    courier: str = "JNE",
    service: str = "REG",
    price_per_kg: int = 16000,
    etd_days: str | None = "2-3",
) -> ShippingRate:
    r = ShippingRate(
        business_id=business.id,
        origin_city=origin,
        destination_city=destination,
        courier=courier,
        service=service,
        price_per_kg=price_per_kg,
        etd_days=etd_days,
    )
    db.add(r)
    db.commit()
    return r


@dataclass
class World:
    a: Business
    b: Business
    owner: User
    admin: User
    staff: User
    operator: User
    outsider: User
    other: User

    def headers(self, who: str) -> dict[str, str]:
        user = getattr(self, who)
        business = self.b if who == "other" else (None if who == "outsider" else self.a)
        return auth(user, business)


def make_world(db: Session) -> World:
    a = make_business(db, slug="toko-a", name="Toko A")
    b = make_business(db, slug="toko-b", name="Toko B")
    return World(
        a=a,
        b=b,
        owner=make_user(db, email="owner@a.test", business=a, role="owner"),
        admin=make_user(db, email="admin@a.test", business=a, role="admin"),
        staff=make_user(db, email="staff@a.test", business=a, role="staff"),
        operator=make_user(db, email="operator@a.test", business=a, role="operator"),
        outsider=make_user(db, email="outsider@x.test"),
        other=make_user(db, email="owner@b.test", business=b, role="owner"),
    )
