from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin


class Product(IdMixin, BusinessMixin, TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "sku"),
        sa.Index("ix_products_business_category", "business_id", "category"),
        sa.Index("ix_products_business_name", "business_id", "name"),
        # The product index's freshness key (count, max(updated_at)) and its catch-up read of recent changes.
        sa.Index("ix_products_business_updated", "business_id", "updated_at"),
        sa.CheckConstraint("price >= 0", name="price_nonneg"),
        sa.CheckConstraint("sale_price IS NULL OR sale_price >= 0", name="sale_price_nonneg"),
    )

    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    category: Mapped[str | None] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    price: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sale_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    # NULL = not stock-tracked (a service, e.g. printing).
    stock: Mapped[int | None] = mapped_column(sa.Integer)
    # Units held by orders awaiting payment; available = stock - reserved.
    reserved: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    weight_g: Mapped[int | None] = mapped_column(sa.Integer)
    tags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)

    @property
    def effective_price(self) -> int:
        return self.sale_price if self.sale_price is not None and self.sale_price < self.price else self.price

    @property
    def available(self) -> int | None:
        return None if self.stock is None else max(self.stock - self.reserved, 0)


class ProductSearchDoc(BusinessMixin, Base):
    """A product's analysed search document: the stems the agent's product index scores, with their field
    weights, and a signature of the fields they came from. Written in the product's own transaction (ORM
    writes) or by `catalog.search.store_docs` (bulk loads), so that a process builds its index by reading
    documents instead of analysing the whole catalogue again; a stale one (signature differs) is ignored."""

    __tablename__ = "product_search_docs"

    product_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    sig: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    terms: Mapped[dict[str, Any]] = mapped_column(nullable=False)


class ShippingRate(IdMixin, BusinessMixin, TimestampMixin, Base):
    __tablename__ = "shipping_rates"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "origin_city", "destination_city", "courier", "service"),
    )

    origin_city: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    destination_city: Mapped[str] = mapped_column(sa.String(100), nullable=False, index=True)
    courier: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    service: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    price_per_kg: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    etd_days: Mapped[str | None] = mapped_column(sa.String(20))
