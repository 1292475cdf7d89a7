"""Businesses, users, memberships, API keys, login and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.tenancy.auth import Principal
from niaga.tenancy.models import ROLES, ApiKey, AuditLog, Business, Membership, User
from niaga.tenancy.security import hash_password, needs_rehash, new_api_key, verify_password

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def audit(db: Session, *, business_id: int | None, actor_type: str, actor_id: int | None, action: str,
          entity_type: str | None = None, entity_id: int | None = None, data: dict[str, Any] | None = None) -> None:
    db.add(AuditLog(business_id=business_id, actor_type=actor_type, actor_id=actor_id, action=action,
                    entity_type=entity_type, entity_id=entity_id, data=data or {}))


# --- businesses ---------------------------------------------------------------------------------

def get_business(db: Session, business_id: int) -> Business:
    business = db.get(Business, business_id)
    if business is None:
        raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
    return business


def get_business_by_slug(db: Session, slug: str) -> Business:
    business = db.scalars(sa.select(Business).where(Business.slug == slug)).first()
    if business is None:
        raise NotFound(f"Bisnis '{slug}' tidak ditemukan.", code="business_not_found")
    return business


def create_business(db: Session, *, slug: str, name: str, timezone: str = "Asia/Jakarta",
                    profile: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> Business:
    if not SLUG_RE.match(slug):
        raise ValidationFailed(details={"slug": "Hanya huruf kecil, angka dan tanda '-' (maks. 64)."})
    if db.scalars(sa.select(Business.id).where(Business.slug == slug)).first() is not None:
        raise Conflict(f"Slug '{slug}' sudah dipakai.", code="slug_taken")
    business = Business(slug=slug, name=name, timezone=timezone, profile=profile or {}, settings=settings or {})
    db.add(business)
    db.flush()
    return business


def update_business(db: Session, business: Business, *, name: str | None = None,
                    profile: dict[str, Any] | None = None, settings: dict[str, Any] | None = None,
                    timezone: str | None = None) -> Business:
    """Profile and settings are merged key by key (a partial update never drops other keys)."""
    if name is not None:
        business.name = name
    if timezone is not None:
        business.timezone = timezone
    if profile is not None:
        business.profile = {**business.profile, **profile}
    if settings is not None:
        business.settings = _deep_merge(business.settings, settings)
    db.flush()
    return business


def _deep_merge(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in new.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# --- users --------------------------------------------------------------------------------------

def get_user_by_email(db: Session, email: str) -> User | None:
    return db.scalars(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())).first()


def create_user(db: Session, *, email: str, password: str, name: str = "", is_super_admin: bool = False,
                min_length: int = 8) -> User:
    """`min_length` is lowered only for demo users whose password the operator chose explicitly."""
    if len(password) < max(min_length, 1):
        raise ValidationFailed(details={"password": "Kata sandi minimal 8 karakter."})
    if get_user_by_email(db, email) is not None:
        raise Conflict("Email sudah terdaftar.", code="email_taken")
    user = User(email=email.strip().lower(), name=name, password_hash=hash_password(password),
                is_super_admin=is_super_admin)
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    if len(password) < 8:
        raise ValidationFailed(details={"password": "Kata sandi minimal 8 karakter."})
    user.password_hash = hash_password(password)
    db.flush()


def add_member(db: Session, *, user: User, business: Business, role: str) -> Membership:
    if role not in ROLES:
        raise ValidationFailed(details={"role": f"Peran harus salah satu dari: {', '.join(ROLES)}."})
    m = db.scalars(sa.select(Membership).where(Membership.user_id == user.id,
                                               Membership.business_id == business.id)).first()
    if m is None:
        m = Membership(user_id=user.id, business_id=business.id, role=role)
        db.add(m)
    else:
        m.role = role
    db.flush()
    return m


def list_members(db: Session, *, business_id: int) -> list[tuple[User, Membership]]:
    rows = db.execute(sa.select(User, Membership).join(Membership, Membership.user_id == User.id)
                      .where(Membership.business_id == business_id).order_by(User.email)).all()
    return [(u, m) for u, m in rows]


def memberships_of(db: Session, user_id: int) -> list[tuple[Business, str]]:
    rows = db.execute(sa.select(Business, Membership.role).join(Membership, Membership.business_id == Business.id)
                      .where(Membership.user_id == user_id).order_by(Business.name)).all()
    return [(b, r) for b, r in rows]


def check_login(db: Session, *, email: str, password: str) -> User:
    """Verify credentials with lockout after MAX_FAILED_LOGINS failures (15 minutes).

    The same message is given for an unknown email and a wrong password.
    """
    user = get_user_by_email(db, email)
    now = utcnow()
    if user is None:
        raise Unauthorized("Email atau kata sandi salah.", code="invalid_credentials")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise Unauthorized(f"Terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit.",
                           code="account_locked", status=429)
    if not user.is_active or not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        db.flush()
        raise Unauthorized("Email atau kata sandi salah.", code="invalid_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.flush()
    return user


# --- API keys -----------------------------------------------------------------------------------

def create_api_key(db: Session, *, business_id: int, name: str, role: str = "admin",
                   created_by_id: int | None = None) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise ValidationFailed(details={"role": f"Peran harus salah satu dari: {', '.join(ROLES)}."})
    full, prefix, key_hash = new_api_key()
    key = ApiKey(business_id=business_id, name=name, prefix=prefix, key_hash=key_hash, role=role,
                 created_by_id=created_by_id)
    db.add(key)
    db.flush()
    return key, full


def list_api_keys(db: Session, *, business_id: int) -> list[ApiKey]:
    return list(db.scalars(sa.select(ApiKey).where(ApiKey.business_id == business_id).order_by(ApiKey.id)))


def revoke_api_key(db: Session, *, business_id: int, key_id: int) -> ApiKey:
    key = db.scalars(sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.business_id == business_id)).first()
    if key is None:
        raise NotFound("API key tidak ditemukan.")
    key.revoked_at = key.revoked_at or utcnow()
    db.flush()
    return key


def record(db: Session, principal: Principal, action: str, entity_type: str, entity_id: int | None,
           data: dict[str, Any] | None = None) -> None:
    """Audit an action done through the API by `principal` (the shared body of the routes' audit lines)."""
    audit(db, business_id=principal.business_id, actor_type=principal.actor_type, actor_id=principal.actor_id,
          action=action, entity_type=entity_type, entity_id=entity_id, data=data)
