"""API shapes of knowledge documents (store policies and FAQ the agent may quote)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from niaga.kit.strict import StrictIn


class KnowledgeIn(StrictIn):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1, max_length=100_000)
    category: str | None = Field(None, max_length=100)
    tags: list[str] = Field(default_factory=list)
    is_active: bool = True


class KnowledgeUpdate(StrictIn):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    content: str | None = Field(None, min_length=1, max_length=100_000)
    category: str | None = Field(None, max_length=100)
    tags: list[str] | None = None
    is_active: bool | None = None


class KnowledgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    content: str
    category: str | None
    tags: list[Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime
