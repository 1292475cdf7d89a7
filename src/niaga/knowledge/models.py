from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BusinessMixin, IdMixin, TimestampMixin


class KnowledgeDocument(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A policy/FAQ page the agent may quote. Facts about the store come only from here."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (sa.UniqueConstraint("business_id", "title"),)

    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    content: Mapped[str] = mapped_column(sa.Text, nullable=False)
    category: Mapped[str | None] = mapped_column(sa.String(100))
    tags: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
