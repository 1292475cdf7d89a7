"""API shapes of products and shipping rates. Money is integer rupiah (no decimals)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from niaga.kit.money import MAX_RUPIAH
from niaga.kit.strict import StrictIn

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$"


class ProductIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    category: str | None = Field(None, max_length=100)
    description: str = ""
    price: int = Field(
        ge=0, le=MAX_RUPIAH, strict=True, description="Harga dalam rupiah (bilangan bulat >= 0)."
    )
    sale_price: int | None = Field(None, ge=0, le=MAX_RUPIAH, strict=True)
    stock: int | None = Field(
        None, ge=0, le=10**9, strict=True, description="Kosong = stok tidak dilacak (jasa)."
    )
    weight_g: int | None = Field(None, ge=0, strict=True)
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True

    @field_validator("sale_price")
    @classmethod
    def _sale_not_above_price(cls, v: int | None, info: ValidationInfo) -> int | None:
        price = info.data.get("price")
        if v is not None and isinstance(price, int) and v > price:
            raise ValueError("harga promo tidak boleh lebih besar dari harga normal")
        return v


class ProductUpdate(StrictIn):
    """Partial update: only the fields sent change. Stock is changed through the stock endpoint (audited),
    but may be set here too (`null` = stop tracking)."""

    model_config = ConfigDict(extra="forbid")

    sku: str | None = Field(None, min_length=1, max_length=64, pattern=SKU_PATTERN)
    name: str | None = Field(None, min_length=1, max_length=300)
    category: str | None = Field(None, max_length=100)
    description: str | None = None
    price: int | None = Field(None, ge=0, le=MAX_RUPIAH, strict=True)
    sale_price: int | None = Field(None, ge=0, le=MAX_RUPIAH, strict=True)
    stock: int | None = Field(None, ge=0, le=10**9, strict=True)
    weight_g: int | None = Field(None, ge=0, strict=True)
    tags: list[str] | None = None
    attributes: dict[str, Any] | None = None
    is_active: bool | None = None


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    category: str | None
    description: str
    price: int
    sale_price: int | None
    effective_price: int
    stock: int | None
    reserved: int
    available: int | None
    weight_g: int | None
    tags: list[Any]
    attributes: dict[str, Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class StockAdjustIn(StrictIn):
    """Either `delta` (+/- units) or `set` (absolute count) — exactly one — and a reason for the audit log."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    delta: int | None = Field(None, strict=True)
    set_to: int | None = Field(None, alias="set", ge=0, strict=True)
    reason: str = Field(min_length=1, max_length=300)


class ShippingRateIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    origin_city: str = Field(min_length=1, max_length=100)
    destination_city: str = Field(min_length=1, max_length=100)
    courier: str = Field(min_length=1, max_length=50)
    service: str = Field(min_length=1, max_length=50)
    price_per_kg: int = Field(ge=0, strict=True)
    etd_days: str | None = Field(None, max_length=20)


class ShippingRateUpdate(StrictIn):
    model_config = ConfigDict(extra="forbid")

    origin_city: str | None = Field(None, min_length=1, max_length=100)
    destination_city: str | None = Field(None, min_length=1, max_length=100)
    courier: str | None = Field(None, min_length=1, max_length=50)
    service: str | None = Field(None, min_length=1, max_length=50)
    price_per_kg: int | None = Field(None, ge=0, strict=True)
    etd_days: str | None = Field(None, max_length=20)


class ShippingRateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    origin_city: str
    destination_city: str
    courier: str
    service: str
    price_per_kg: int
    etd_days: str | None


class ImportRowError(BaseModel):
    row: int
    reason: str


class ImportReportOut(BaseModel):
    rows: int
    accepted: int
    rejected: int
    errors: list[ImportRowError]
