"""API shapes for orders, payments and the Midtrans configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from niaga.kit.money import MAX_RUPIAH
from niaga.kit.strict import StrictIn
from niaga.orders.models import ORDER_STATES


class LineIn(StrictIn):
    product_id: int | None = None
    sku: str | None = Field(None, max_length=64)
    quantity: int = Field(1, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_ref(self) -> LineIn:
        if self.product_id is None and not self.sku:
            raise ValueError("isi product_id atau sku")
        return self


class ShippingIn(StrictIn):
    city: str = Field(..., min_length=1, max_length=100)
    courier: str | None = Field(None, max_length=50)
    service: str | None = Field(None, max_length=50)
    address: str = Field("", max_length=1000)


class OrderCreate(StrictIn):
    customer_id: int | None = None
    items: list[LineIn] = Field(..., min_length=1, max_length=200)
    shipping: ShippingIn | None = None  # None = picked up at the shop
    discount: int = Field(0, ge=0, le=MAX_RUPIAH)
    redeem_points: int = Field(0, ge=0)
    notes: str = Field("", max_length=2000)
    status: Literal["draft", "awaiting_payment"] = "awaiting_payment"


class TransitionIn(StrictIn):
    to: Literal[ORDER_STATES]  # type: ignore[valid-type]
    note: str = Field("", max_length=1000)


class ProofRef(StrictIn):
    """A transfer proof: the id `POST /api/v1/files` answered, or a chat message of this business carrying
    the file; never a path."""

    model_config = ConfigDict(extra="forbid")
    file_id: int | None = Field(None, gt=0, le=2**63 - 1, strict=True)
    message_id: int | None = Field(None, gt=0, le=2**63 - 1, strict=True)  # a chat message with the file

    @model_validator(mode="after")
    def _one(self) -> ProofRef:
        if (self.file_id is None) == (self.message_id is None):
            raise ValueError("isi salah satu: file_id atau message_id")
        return self


class PaymentIn(StrictIn):
    kind: Literal["payment", "refund"] = "payment"
    method: Literal["cash", "transfer", "qris", "midtrans", "other"]
    amount: int | None = Field(
        None, gt=0, le=MAX_RUPIAH
    )  # default: what is still owed (payment) / everything paid (refund)
    tendered: int | None = Field(None, gt=0, le=MAX_RUPIAH)  # cash handed over; change is computed
    proof: list[ProofRef] = Field(default_factory=list, max_length=10)
    reference: str | None = Field(None, max_length=128)  # bank reference / QRIS RRN
    note: str = Field("", max_length=1000)


class PaymentLinkIn(StrictIn):
    send: bool = True  # also send the link on the customer's channel


class MidtransConfigIn(StrictIn):
    server_key: str | None = Field(None, min_length=8, max_length=200)
    client_key: str | None = Field(None, min_length=4, max_length=200)
    mode: Literal["sandbox", "production"] = "sandbox"
    base_url: str | None = Field(None, max_length=300)
    is_enabled: bool = True


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    product_id: int | None
    sku: str
    name: str
    quantity: int
    unit_price: int
    total: int
    weight_g: int | None


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    method: str
    provider: str
    provider_ref: str | None
    status: str
    amount: int
    tendered: int | None
    change: int | None
    proof: list[Any]
    flag: str | None
    recorded_by_user_id: int | None
    paid_at: datetime | None
    created_at: datetime


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    event: str
    from_status: str | None
    to_status: str | None
    actor_type: str
    actor_id: int | None
    note: str
    data: dict[str, Any]
    created_at: datetime


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    status: str
    kind: str
    source: str
    customer_id: int | None
    conversation_id: int | None
    subtotal: int
    shipping_cost: int
    discount: int
    points_redeemed: int
    points_discount: int
    total: int
    paid_amount: int
    shipping: dict[str, Any]
    notes: str
    flags: list[Any]
    payment_url: str | None
    expires_at: datetime | None
    paid_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrderDetail(OrderOut):
    items: list[ItemOut]
    payments: list[PaymentOut] = []
    timeline: list[EventOut] = []
    invoice: dict[str, Any] | None = None
