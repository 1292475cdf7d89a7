"""Printing tables: a business's printers (IPP queues) and the print requests sent to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin

REQUEST_STATES = ("pending", "sent", "printing", "completed", "error", "failed", "cancelled")
TERMINAL_STATES = ("completed", "failed", "cancelled")


class Printer(IdMixin, BusinessMixin, TimestampMixin, Base):
    """An IPP printer or CUPS queue (`ipp://host:631/printers/NAME`) of a business."""

    __tablename__ = "printers"
    __table_args__ = (sa.UniqueConstraint("business_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    uri: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    is_default: Mapped[bool] = mapped_column(default=False, nullable=False)
    color: Mapped[bool] = mapped_column(default=False, nullable=False)
    duplex: Mapped[bool] = mapped_column(default=False, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    # what the printer said last time we asked (idle|processing|stopped|offline|unknown)
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="unknown")
    state_reasons: Mapped[list[Any]] = mapped_column(default=list, nullable=False)
    checked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PrintRequest(IdMixin, BusinessMixin, TimestampMixin, Base):
    """One PDF to print with its options, followed until the printer says completed. `source` names the
    caller's object ("print_job:123") and is unique per business, so submitting twice is one request."""

    __tablename__ = "print_requests"
    __table_args__ = (
        sa.UniqueConstraint("business_id", "source"),
        sa.Index("ix_print_requests_business_state", "business_id", "state"),
    )

    printer_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("printers.id", ondelete="SET NULL"), nullable=True
    )
    source: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    pdf_path: Mapped[str] = mapped_column(sa.Text, nullable=False)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="pending")
    reason: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    ipp_job_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    # a random tag put in the IPP job-name: finds our job on the printer after a crash between "sent" and
    # "stored", so that an accepted job is adopted instead of sent again
    token: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # the step of the follow chain: each job of the chain carries it, a stale duplicate sees a newer one
    step: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
