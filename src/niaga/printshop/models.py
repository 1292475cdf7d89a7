"""Print-shop tables: a business's price list, its template overrides and the processing log of documents."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BusinessMixin, IdMixin, TimestampMixin


class PrintPriceList(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One active price list per business; `prices` follows pricing.PRICE_LIST_SCHEMA (integer rupiah)."""

    __tablename__ = "printshop_price_lists"
    __table_args__ = (sa.UniqueConstraint("business_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="default")
    prices: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)


class PrintTemplate(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A business's override of a packaged document template (only the keys that differ)."""

    __tablename__ = "printshop_templates"
    __table_args__ = (sa.UniqueConstraint("business_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    label: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)


class ProcessingStep(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One step of a document's processing run: what ran, how long, what it found and wrote."""

    __tablename__ = "printshop_processing_steps"
    __table_args__ = (sa.Index("ix_printshop_processing_steps_business_document", "business_id", "document"),)

    document: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    step: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="ok")
    duration_ms: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    findings: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    outputs: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
