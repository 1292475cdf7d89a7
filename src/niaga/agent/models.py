from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BusinessMixin, IdMixin


class AiUsage(IdMixin, BusinessMixin, Base):
    """Tokens and cost per business, per day, per provider/model (day in the business's time zone)."""

    __tablename__ = "ai_usage"
    __table_args__ = (sa.UniqueConstraint("business_id", "day", "provider", "model"),)

    day: Mapped[date] = mapped_column(sa.Date, nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    model: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    requests: Mapped[int] = mapped_column(default=0, nullable=False)
    failures: Mapped[int] = mapped_column(default=0, nullable=False)
    prompt_tokens: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    completion_tokens: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    # Cost in millionths of a US dollar (providers price per token in USD); shown converted in the UI.
    cost_micro_usd: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
