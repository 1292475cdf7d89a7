"""The API envelope `{success, data, error:{code,message,details}, meta:{page,limit,total}}`."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")


class Meta(BaseModel):
    page: int
    limit: int
    total: int


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T | None = None
    error: ErrorBody | None = None
    meta: Meta | None = None


def ok(data: Any = None, meta: Meta | dict | None = None) -> dict:
    out: dict[str, Any] = {"success": True, "data": data}
    if meta is not None:
        out["meta"] = meta.model_dump() if isinstance(meta, Meta) else meta
    return out


def fail(code: str, message: str, details: Any = None) -> dict:
    return {"success": False, "data": None, "error": {"code": code, "message": message, "details": details}}


class Page(BaseModel):
    page: int = Field(1, ge=1)
    limit: int = Field(20, ge=1, le=200)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def meta(self, total: int) -> Meta:
        return Meta(page=self.page, limit=self.limit, total=total)


def page_params(page: int = Query(1, ge=1), limit: int = Query(20, ge=1, le=200)) -> Page:
    return Page(page=page, limit=limit)


def _normalize_email(v: str) -> str:
    import re

    v = v.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v) or len(v) > 254:
        raise ValueError("alamat email tidak valid")
    return v


# A syntactic email check only: shops use any domain, and we never send to unverified addresses blindly.
from typing import Annotated  # noqa: E402

from pydantic import AfterValidator  # noqa: E402

Email = Annotated[str, AfterValidator(_normalize_email)]
