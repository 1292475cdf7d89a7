from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, IdMixin, UTCDateTime, business_fk
from niaga.kit.timeutil import utcnow
from niaga.tenancy.models import ProviderConfig as ProviderConfig  # re-export: the table lives in tenancy


class InboundEvent(IdMixin, Base):
    """A raw webhook as received: stored before it is acknowledged, processed by a job, never lost."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        sa.UniqueConstraint("provider", "external_id"),
        sa.Index("ix_inbound_events_pending", "handled_at", "received_at"),
    )

    provider: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    external_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    business_id: Mapped[int | None] = mapped_column(BigId, business_fk(), index=True)
    event_type: Mapped[str | None] = mapped_column(sa.String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
