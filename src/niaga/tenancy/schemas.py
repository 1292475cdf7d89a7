from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from niaga.kit.envelope import Email
from niaga.kit.strict import StrictIn


class LoginIn(StrictIn):
    email: Email
    password: str = Field(min_length=1, max_length=512)
    business: str | None = None


class RefreshIn(StrictIn):
    refresh_token: str


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    business: str | None = None


class BusinessOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    timezone: str
    profile: dict[str, Any]
    settings: dict[str, Any]


class BusinessUpdate(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = None
    profile: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    is_super_admin: bool
    business: BusinessOut
    businesses: list[dict[str, Any]]


class MemberIn(StrictIn):
    email: Email
    name: str = ""
    role: str = Field(pattern="^(owner|admin|staff|operator)$")
    password: str | None = Field(None, min_length=8, max_length=512)


class MemberOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    last_login_at: datetime | None


class ApiKeyIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    role: str = Field("admin", pattern="^(owner|admin|staff|operator)$")


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    key: str | None = None
