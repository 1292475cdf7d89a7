from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from niaga.db.base import Base, BusinessMixin, IdMixin, TimestampMixin


class StoredFile(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A file under NIAGA_HOME/files owned by one business. `path` is relative to the files folder and
    written only by the server; it is never taken from a client."""

    __tablename__ = "stored_files"

    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # payment_proof|inbound|upload
    path: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(255), default="", nullable=False)
    mimetype: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream", nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
