"""Products and shipping rates. Every function takes the business id and filters on it: another
business's id is simply "not found". Services flush, never commit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.catalog import fts
from niaga.catalog.models import Product, ShippingRate
from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.tags import clean_tags as clean_tags  # re-export
from niaga.kit.tags import json_list_contains as json_list_contains  # re-export
from niaga.ops.logging import get_logger

log = get_logger("niaga.catalog")

PRODUCT_SORTS = {
    "name": Product.name,
    "price": Product.price,
    "stock": Product.stock,
    "sku": Product.sku,
    "category": Product.category,
    "created_at": Product.created_at,
    "updated_at": Product.updated_at,
}


# --- products -----------------------------------------------------------------------------------


def get_product(db: Session, *, business_id: int, product_id: int) -> Product:
    p = db.scalars(
        sa.select(Product).where(Product.id == product_id, Product.business_id == business_id)
    ).first()
    if p is None:
        raise NotFound("Produk tidak ditemukan.", code="product_not_found")
    return p


def get_product_by_sku(db: Session, *, business_id: int, sku: str) -> Product | None:
    return db.scalars(
        sa.select(Product).where(
            Product.business_id == business_id, sa.func.lower(Product.sku) == sku.strip().lower()
        )
    ).first()


def list_products(
    db: Session,
    *,
    business_id: int,
    search: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    is_active: bool | None = None,
    in_stock: bool | None = None,
    sort: str = "name",
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Product], int]:
    """Products of one business with the total before paging.

    `search`: every word must appear in sku, name, category, tags or description (case-insensitive
    substring, answered from the search index in `catalog.fts`); `in_stock=True`
    means untracked (services) or available > 0. `sort` is a field name, `-field` for descending.
    """
    q = sa.select(Product).where(Product.business_id == business_id)
    if search and search.strip():
        q = q.where(fts.search_condition(db.get_bind().dialect.name, search))
    if category:
        q = q.where(sa.func.lower(Product.category) == category.strip().lower())
    if tag:
        q = q.where(json_list_contains(Product.tags, tag))
    if is_active is not None:
        q = q.where(Product.is_active.is_(is_active))
    if in_stock is True:
        q = q.where(sa.or_(Product.stock.is_(None), Product.stock - Product.reserved > 0))
    elif in_stock is False:
        q = q.where(Product.stock.is_not(None), Product.stock - Product.reserved <= 0)
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in PRODUCT_SORTS:
        raise ValidationFailed(
            details={
                "sort": f"Urutan harus salah satu dari: {', '.join(sorted(PRODUCT_SORTS))} "
                "(awali '-' untuk menurun)."
            }
        )
    col = PRODUCT_SORTS[key]
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    q = q.order_by(col.desc() if desc else col.asc(), Product.id.desc() if desc else Product.id.asc())
    return list(db.scalars(q.offset(offset).limit(limit))), total


def check_product_values(*, price: int, sale_price: int | None) -> None:
    if price < 0:
        raise ValidationFailed(details={"price": "Harga tidak boleh negatif."})
    if sale_price is not None and sale_price > price:
        raise ValidationFailed(
            details={"sale_price": "Harga promo tidak boleh lebih besar dari harga normal."}
        )


def _check_sku_free(db: Session, *, business_id: int, sku: str, exclude_id: int | None = None) -> None:
    existing = get_product_by_sku(db, business_id=business_id, sku=sku)
    if existing is not None and existing.id != exclude_id:
        raise Conflict(
            f"SKU '{sku}' sudah dipakai produk lain.",
            code="sku_taken",
            details={"sku": "SKU sudah dipakai produk lain di toko ini."},
        )


def create_product(
    db: Session,
    *,
    business_id: int,
    sku: str,
    name: str,
    price: int,
    sale_price: int | None = None,
    category: str | None = None,
    description: str = "",
    stock: int | None = None,
    weight_g: int | None = None,
    tags: list[Any] | None = None,
    attributes: dict[str, Any] | None = None,
    is_active: bool = True,
) -> Product:
    """Raises Conflict (field `sku`) when the SKU exists in this business."""
    sku = sku.strip()
    check_product_values(price=price, sale_price=sale_price)
    _check_sku_free(db, business_id=business_id, sku=sku)
    p = Product(
        business_id=business_id,
        sku=sku,
        name=name.strip(),
        price=price,
        sale_price=sale_price,
        category=(category or "").strip() or None,
        description=description or "",
        stock=stock,
        weight_g=weight_g,
        tags=clean_tags(tags),
        attributes=attributes or {},
        is_active=is_active,
    )
    db.add(p)
    db.flush()
    return p


def update_product(db: Session, product: Product, **changes: Any) -> Product:
    """Apply a partial update; price/sale_price are validated together with the stored values."""
    if "sku" in changes and changes["sku"] is not None:
        changes["sku"] = changes["sku"].strip()
        _check_sku_free(db, business_id=product.business_id, sku=changes["sku"], exclude_id=product.id)
    for required in ("sku", "name", "price", "description", "tags", "attributes", "is_active"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(details={required: "Tidak boleh kosong."})
    price = changes.get("price", product.price)
    sale_price = changes.get("sale_price", product.sale_price)
    check_product_values(price=price, sale_price=sale_price)
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    if "category" in changes:
        changes["category"] = (changes["category"] or "").strip() or None
    for k, v in changes.items():
        setattr(product, k, v)
    db.flush()
    return product


def delete_product(db: Session, product: Product) -> None:
    """Hard delete; order lines keep their own name/price copies (product_id becomes NULL)."""
    db.delete(product)
    db.flush()


def do_adjust_stock(
    db: Session, product: Product, *, delta: int | None = None, set_to: int | None = None
) -> tuple[int | None, int]:
    """Change stock by `delta` or to `set_to`; returns (before, after).

    A delta on an untracked product (stock NULL) is refused — set a count first. The delta is applied
    with a conditional UPDATE so that concurrent adjustments never take stock below zero.
    """
    if (delta is None) == (set_to is None):
        raise ValidationFailed(
            details={"delta": "Isi salah satu: 'delta' (tambah/kurang) atau 'set' (jumlah baru)."}
        )
    before = product.stock
    if set_to is not None:
        if set_to < 0:
            raise ValidationFailed(details={"set": "Stok tidak boleh negatif."})
        product.stock = set_to
        db.flush()
        return before, set_to
    assert delta is not None
    if before is None:
        raise ValidationFailed(
            "Stok produk ini tidak dilacak.",
            code="stock_not_tracked",
            details={"delta": "Stok produk ini tidak dilacak; gunakan 'set' untuk mulai melacak."},
        )
    db.flush()
    result = db.execute(
        sa.update(Product)
        .where(
            Product.id == product.id,
            Product.business_id == product.business_id,
            Product.stock.is_not(None),
            Product.stock + delta >= 0,
        )
        .values(stock=Product.stock + delta)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(product)
        raise ValidationFailed(
            "Stok tidak cukup.",
            code="insufficient_stock",
            details={"delta": f"Stok tidak boleh negatif (stok sekarang {product.stock})."},
        )
    db.refresh(product)
    assert product.stock is not None
    return before, product.stock


# --- shipping rates -----------------------------------------------------------------------------


def get_rate(db: Session, *, business_id: int, rate_id: int) -> ShippingRate:
    r = db.scalars(
        sa.select(ShippingRate).where(ShippingRate.id == rate_id, ShippingRate.business_id == business_id)
    ).first()
    if r is None:
        raise NotFound("Tarif ongkir tidak ditemukan.", code="shipping_rate_not_found")
    return r


def find_rate(
    db: Session, *, business_id: int, origin_city: str, destination_city: str, courier: str, service: str
) -> ShippingRate | None:
    return db.scalars(
        sa.select(ShippingRate).where(
            ShippingRate.business_id == business_id,
            sa.func.lower(ShippingRate.origin_city) == origin_city.strip().lower(),
            sa.func.lower(ShippingRate.destination_city) == destination_city.strip().lower(),
            sa.func.lower(ShippingRate.courier) == courier.strip().lower(),
            sa.func.lower(ShippingRate.service) == service.strip().lower(),
        )
    ).first()


def list_rates(
    db: Session,
    *,
    business_id: int,
    search: str | None = None,
    origin: str | None = None,
    destination: str | None = None,
    courier: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[ShippingRate], int]:
    q = sa.select(ShippingRate).where(ShippingRate.business_id == business_id)
    if search and search.strip():
        term = search.strip()
        q = q.where(
            sa.or_(
                ShippingRate.origin_city.icontains(term, autoescape=True),
                ShippingRate.destination_city.icontains(term, autoescape=True),
                ShippingRate.courier.icontains(term, autoescape=True),
                ShippingRate.service.icontains(term, autoescape=True),
            )
        )
    for col, value in (
        (ShippingRate.origin_city, origin),
        (ShippingRate.destination_city, destination),
        (ShippingRate.courier, courier),
    ):
        if value:
            q = q.where(sa.func.lower(col) == value.strip().lower())
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    q = q.order_by(ShippingRate.destination_city, ShippingRate.courier, ShippingRate.service, ShippingRate.id)
    return list(db.scalars(q.offset(offset).limit(limit))), total


def _check_rate_free(
    db: Session, *, business_id: int, key: dict[str, str], exclude_id: int | None = None
) -> None:
    existing = find_rate(db, business_id=business_id, **key)
    if existing is not None and existing.id != exclude_id:
        raise Conflict(
            "Tarif untuk rute, kurir dan layanan ini sudah ada.",
            code="shipping_rate_exists",
            details={"service": "Kombinasi asal, tujuan, kurir dan layanan sudah ada."},
        )


def create_rate(
    db: Session,
    *,
    business_id: int,
    origin_city: str,
    destination_city: str,
    courier: str,
    service: str,
    price_per_kg: int,
    etd_days: str | None = None,
) -> ShippingRate:
    if price_per_kg < 0:
        raise ValidationFailed(details={"price_per_kg": "Tarif tidak boleh negatif."})
    key = {
        "origin_city": origin_city.strip(),
        "destination_city": destination_city.strip(),
        "courier": courier.strip(),
        "service": service.strip(),
    }
    _check_rate_free(db, business_id=business_id, key=key)
    r = ShippingRate(
        business_id=business_id, price_per_kg=price_per_kg, etd_days=(etd_days or "").strip() or None, **key
    )
    db.add(r)
    db.flush()
    return r


def update_rate(db: Session, rate: ShippingRate, **changes: Any) -> ShippingRate:
    for k in ("origin_city", "destination_city", "courier", "service", "price_per_kg"):
        if k in changes and changes[k] is None:
            raise ValidationFailed(details={k: "Tidak boleh kosong."})
    key = {
        k: (changes.get(k) or getattr(rate, k)).strip()
        for k in ("origin_city", "destination_city", "courier", "service")
    }
    _check_rate_free(db, business_id=rate.business_id, key=key, exclude_id=rate.id)
    for k, v in {**changes, **{k: v for k, v in key.items() if k in changes}}.items():
        setattr(rate, k, v)
    db.flush()
    return rate


def delete_rate(db: Session, rate: ShippingRate) -> None:
    db.delete(rate)
    db.flush()
