"""Tables of the content studio: generated texts (the cache and the daily quota count one row per
generation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BusinessMixin, IdMixin, UTCDateTime
from niaga.kit.timeutil import utcnow


class ContentGeneration(IdMixin, BusinessMixin, Base):
    """One generated text. The cache answers a request with the latest row of the same key (business +
    segment + kind + prompt hash); a regeneration adds a new row. Every row counts against the business's
    daily quota and carries its provider, tokens and cost in rupiah."""

    __tablename__ = "content_generations"
    __table_args__ = (
        sa.Index("ix_content_generations_key", "business_id", "cache_key", "id"),
        sa.Index("ix_content_generations_business_created", "business_id", "created_at"),
    )

    cache_key: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    segment: Mapped[str | None] = mapped_column(sa.String(32))
    product_sku: Mapped[str | None] = mapped_column(sa.String(64))
    occasion: Mapped[str | None] = mapped_column(sa.String(40))
    prompt_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    hashtags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # offline|openai|gemini|...
    model: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    prompt_tokens: Mapped[int] = mapped_column(default=0, nullable=False)
    completion_tokens: Mapped[int] = mapped_column(default=0, nullable=False)
    cost_idr: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    # why the model's text was not used (guard_override, empty, provider_failed), when it was not
    note: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
