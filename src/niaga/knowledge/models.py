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


class Embedding(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One embedded text of a business (`kind` "product" | "knowledge", `ref_id` that row's id): float32
    bytes of `dim` values from `model`; `text_hash` (sha256 of the text sent) lets the embedding job skip
    rows whose text did not change. Plain bytes, so SQLite and PostgreSQL alike (no pgvector)."""

    __tablename__ = "embeddings"
    __table_args__ = (sa.UniqueConstraint("business_id", "kind", "ref_id"),)

    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    ref_id: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    model: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    dim: Mapped[int] = mapped_column(nullable=False)
    text_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
