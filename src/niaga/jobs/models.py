from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, IdMixin, UTCDateTime, business_fk
from niaga.kit.timeutil import utcnow

JOB_STATES = ("pending", "running", "done", "dead", "cancelled")


class Job(IdMixin, Base):
    """The durable record of a unit of background work (a transactional outbox).

    The row is written in the same transaction as the change that needs it; Huey only carries the id.
    A worker claims a row with a conditional UPDATE and a lease, so a job whose worker died is picked up
    again when its lease runs out, and two workers never run the same attempt.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index("ix_jobs_due", "status", "run_at"),
        sa.UniqueConstraint("idempotency_key"),
    )

    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    args: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    business_id: Mapped[int | None] = mapped_column(BigId, business_fk(), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    max_attempts: Mapped[int] = mapped_column(default=8, nullable=False)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(sa.String(100))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeadLetter(IdMixin, Base):
    """A job that failed permanently or ran out of attempts: visible to staff, replayable or discardable."""

    __tablename__ = "dead_letters"
    __table_args__ = (sa.Index("ix_dead_letters_business_status", "business_id", "status"),)

    job_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True, nullable=False
    )
    business_id: Mapped[int | None] = mapped_column(BigId, business_fk())
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    args: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    error: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    error_class: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    permanent: Mapped[bool] = mapped_column(default=False, nullable=False)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(12), default="dead", nullable=False
    )  # dead|replayed|discarded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("users.id", ondelete="SET NULL")
    )
