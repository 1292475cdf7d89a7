from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from niaga.db.base import Base, BigId, BusinessMixin, IdMixin, TimestampMixin, UTCDateTime, business_fk
from niaga.kit.timeutil import utcnow

ROLES = ("owner", "admin", "staff", "operator")
ROLE_RANK = {"operator": 10, "staff": 20, "admin": 30, "owner": 40, "super_admin": 100}


class Business(IdMixin, TimestampMixin, Base):
    __tablename__ = "businesses"

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Jakarta", nullable=False)
    # profile: address, phone, email, city (shipping origin), persona, greeting, tone, opening hours
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    # settings: pricing, loyalty, agent, channels behaviour (buffer window, anti-ban), marketing quotas
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    is_super_admin: Mapped[bool] = mapped_column(default=False, nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)
    language: Mapped[str] = mapped_column(sa.String(5), default="id", nullable=False)
    failed_logins: Mapped[int] = mapped_column(default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_chat_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Dashboard cookies carry the version they were issued under; logout, a password change or a role change
    # bumps it, so every copy of an older cookie stops working at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Membership(IdMixin, TimestampMixin, Base):
    """A user's role in one business. A user may belong to several businesses."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "business_id"),)

    user_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    business_id: Mapped[int] = mapped_column(BigId, business_fk(), index=True, nullable=False)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    business: Mapped[Business] = relationship()


class ApiKey(IdMixin, BusinessMixin, TimestampMixin, Base):
    """`nk_<prefix>_<secret>`; only the SHA-256 of the whole key is stored."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True, nullable=False)
    key_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(20), default="admin", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditLog(IdMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_business_created", "business_id", "created_at"),)

    business_id: Mapped[int | None] = mapped_column(BigId, business_fk())
    actor_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # user|api_key|system|customer
    actor_id: Mapped[int | None] = mapped_column(BigId)
    action: Mapped[str] = mapped_column(sa.String(100), nullable=False)  # dotted: product.update
    entity_type: Mapped[str | None] = mapped_column(sa.String(50))
    entity_id: Mapped[int | None] = mapped_column(BigId)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class LoginThrottle(Base):
    """Failed logins counted per client address and per (account, address) within a window. Locking an
    account for everyone let anyone lock the owner out; this locks only the address that keeps guessing."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0, nullable=False)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProviderConfig(IdMixin, BusinessMixin, TimestampMixin, Base):
    """A business's connection to one provider (waha, fonnte, starsender, telegram, midtrans, resend, smtp,
    openai, gemini...). Non-secret settings in `config`; tokens and keys Fernet-encrypted in `secrets`."""

    __tablename__ = "provider_configs"
    __table_args__ = (sa.UniqueConstraint("business_id", "kind"),)

    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict, nullable=False)
    secrets: Mapped[str | None] = mapped_column(sa.Text)
    is_enabled: Mapped[bool] = mapped_column(default=True, nullable=False)
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_test_ok: Mapped[bool | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.Text)
