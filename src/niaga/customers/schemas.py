"""API shapes of customers, their channel identities and transactions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from niaga.kit.envelope import Email
from niaga.kit.strict import StrictIn


class CustomerIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32, description="0812…, +62812… or 62812…; stored as 62…")
    email: Email | None = None
    city: str | None = Field(None, max_length=100)
    address: str | None = None
    customer_ref: str | None = Field(None, max_length=64)
    language: str = Field("id", pattern="^(id|en)$")
    tags: list[str] = Field(default_factory=list)
    notes: str = ""


class CustomerUpdate(StrictIn):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    email: Email | None = None
    city: str | None = Field(None, max_length=100)
    address: str | None = None
    customer_ref: str | None = Field(None, max_length=64)
    language: str | None = Field(None, pattern="^(id|en)$")
    tags: list[str] | None = None
    notes: str | None = None
    is_blocked: bool | None = None


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    external_id: str
    display_name: str | None


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_ref: str | None
    name: str
    phone: str | None
    email: str | None
    city: str | None
    address: str | None
    language: str
    tags: list[Any]
    notes: str
    total_orders: int
    total_spent: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    points_balance: int
    last_seen_at: datetime | None
    is_blocked: bool
    created_at: datetime


class CustomerDetailOut(CustomerOut):
    preferences: dict[str, Any]
    identities: list[IdentityOut]


class TransactionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ref: str
    customer_id: int
    occurred_on: date
    amount: int
    status: str
    products: list[Any]
    source: str
    order_id: int | None
