"""Businesses, users, memberships, API keys, login and the audit log."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from niaga.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.tenancy.auth import Principal
from niaga.tenancy.models import ROLE_RANK, ROLES, ApiKey, AuditLog, Business, LoginThrottle, Membership, User
from niaga.tenancy.security import hash_password, needs_rehash, new_api_key, verify_password

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_FAILED_LOGINS = 5  # per (account, client address) within THROTTLE_WINDOW
MAX_FAILED_PER_ADDRESS = 30  # per client address, whatever the accounts
THROTTLE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
_DUMMY_HASH: str | None = None


def audit(
    db: Session,
    *,
    business_id: int | None,
    actor_type: str,
    actor_id: int | None,
    action: str,
    entity_type: str | None = None,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    db.add(
        AuditLog(
            business_id=business_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data or {},
        )
    )


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


def create_business(
    db: Session,
    *,
    slug: str,
    name: str,
    timezone: str = "Asia/Jakarta",
    profile: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Business:
    if not SLUG_RE.match(slug):
        raise ValidationFailed(details={"slug": "Hanya huruf kecil, angka dan tanda '-' (maks. 64)."})
    if db.scalars(sa.select(Business.id).where(Business.slug == slug)).first() is not None:
        raise Conflict(f"Slug '{slug}' sudah dipakai.", code="slug_taken")
    business = Business(
        slug=slug, name=name, timezone=timezone, profile=profile or {}, settings=settings or {}
    )
    db.add(business)
    db.flush()
    return business


def update_business(
    db: Session,
    business: Business,
    *,
    name: str | None = None,
    profile: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    timezone: str | None = None,
) -> Business:
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


def create_user(
    db: Session,
    *,
    email: str,
    password: str,
    name: str = "",
    is_super_admin: bool = False,
    min_length: int = 8,
) -> User:
    """`min_length` is lowered only for demo users whose password the operator chose explicitly."""
    if len(password) < max(min_length, 1):
        raise ValidationFailed(details={"password": "Kata sandi minimal 8 karakter."})
    if get_user_by_email(db, email) is not None:
        raise Conflict("Email sudah terdaftar.", code="email_taken")
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        is_super_admin=is_super_admin,
    )
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    if len(password) < 8:
        raise ValidationFailed(details={"password": "Kata sandi minimal 8 karakter."})
    user.password_hash = hash_password(password)
    end_sessions(db, user_id=user.id)
    db.flush()


def end_sessions(db: Session, *, user_id: int) -> None:
    """Every dashboard session of the user ends (logout, password change, role change or removal)."""
    db.execute(
        sa.update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )


def check_grant(actor_role: str, role: str) -> None:
    """Nobody grants a role above their own (an admin cannot make an owner or an owner-level API key)."""
    if role not in ROLES:
        raise ValidationFailed(details={"role": f"Peran harus salah satu dari: {', '.join(ROLES)}."})
    if ROLE_RANK.get(role, 0) > ROLE_RANK.get(actor_role, 0):
        raise Forbidden("Anda tidak dapat memberi peran di atas peran Anda sendiri.", code="role_above_own")


def owner_count(db: Session, *, business_id: int) -> int:
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.business_id == business_id, Membership.role == "owner")
        )
        or 0
    )


def check_member_change(
    db: Session, *, actor_role: str, membership: Membership, new_role: str | None
) -> None:
    """Changing or removing (`new_role` None) a member: only someone of at least their rank may, and the last
    owner can be neither demoted nor removed."""
    if ROLE_RANK.get(membership.role, 0) > ROLE_RANK.get(actor_role, 0):
        raise Forbidden("Peran pengguna ini di atas peran Anda.", code="member_above_own")
    if (
        membership.role == "owner"
        and new_role != "owner"
        and owner_count(db, business_id=membership.business_id) <= 1
    ):
        raise Conflict("Bisnis harus tetap punya minimal satu pemilik.", code="last_owner")


def add_member(
    db: Session, *, user: User, business: Business, role: str, actor_role: str | None = None
) -> Membership:
    """Give `user` the role in `business` (a new membership or a changed one). With `actor_role` (a person or
    key acting, not the system) the grant and the change are checked: no role above the actor's own, no
    change to a member who outranks the actor, never without an owner."""
    if role not in ROLES:
        raise ValidationFailed(details={"role": f"Peran harus salah satu dari: {', '.join(ROLES)}."})
    m = db.scalars(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.business_id == business.id)
    ).first()
    if actor_role is not None:
        check_grant(actor_role, role)
        if m is not None:
            check_member_change(db, actor_role=actor_role, membership=m, new_role=role)
    if m is None:
        m = Membership(user_id=user.id, business_id=business.id, role=role)
        db.add(m)
    else:
        if m.role != role:
            end_sessions(db, user_id=user.id)  # a session must not keep powers the role no longer has
        m.role = role
    db.flush()
    return m


def list_members(db: Session, *, business_id: int) -> list[tuple[User, Membership]]:
    rows = db.execute(
        sa.select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.business_id == business_id)
        .order_by(User.email)
    ).all()
    return [(u, m) for u, m in rows]


def memberships_of(db: Session, user_id: int) -> list[tuple[Business, str]]:
    rows = db.execute(
        sa.select(Business, Membership.role)
        .join(Membership, Membership.business_id == Business.id)
        .where(Membership.user_id == user_id)
        .order_by(Business.name)
    ).all()
    return [(b, r) for b, r in rows]


def _dummy_hash() -> str:
    """A hash with the same parameters as real ones: an unknown email costs the same time as a known one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def _throttle_keys(email: str, address: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"ip:{address}"[:128], f"acct:{digest}:{address}"[:128]


def _record_failure(db: Session, key: str, *, limit: int, now: datetime) -> None:
    for _ in range(2):
        try:
            with db.begin_nested():
                row = db.get(LoginThrottle, key)
                if row is None:
                    row = LoginThrottle(key=key, failures=0, window_start=now)
                    db.add(row)
                elif row.window_start < now - THROTTLE_WINDOW:
                    row.failures, row.window_start, row.locked_until = 0, now, None
                row.failures += 1
                if row.failures >= limit:
                    row.locked_until = now + LOCKOUT
                    row.failures, row.window_start = 0, now
                db.flush()
            return
        except IntegrityError:  # a concurrent first failure inserted the row: count on it
            continue


def check_login(db: Session, *, email: str, password: str, address: str = "unknown") -> User:
    """Verify credentials, throttled per client address (MAX_FAILED_PER_ADDRESS) and per account and address
    (MAX_FAILED_LOGINS) within THROTTLE_WINDOW; a lock lasts LOCKOUT and binds only that address, so a
    stranger guessing cannot lock the owner out.

    Unknown emails are answered like wrong passwords, after the same password-hash work and with the same
    throttling, so neither the message, the time nor a lock reveals which emails have accounts."""
    now = utcnow()
    keys = _throttle_keys(email, address)
    for key in keys:
        row = db.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise Unauthorized(
                f"Terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit.",
                code="account_locked",
                status=429,
            )
    user = get_user_by_email(db, email)
    valid = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    if user is None or not user.is_active or not valid:
        _record_failure(db, keys[0], limit=MAX_FAILED_PER_ADDRESS, now=now)
        _record_failure(db, keys[1], limit=MAX_FAILED_LOGINS, now=now)
        raise Unauthorized("Email atau kata sandi salah.", code="invalid_credentials")
    pair = db.get(LoginThrottle, keys[1])
    if pair is not None:
        db.delete(pair)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.flush()
    return user


# --- API keys -----------------------------------------------------------------------------------


def create_api_key(
    db: Session,
    *,
    business_id: int,
    name: str,
    role: str = "admin",
    created_by_id: int | None = None,
    actor_role: str | None = None,
) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise ValidationFailed(details={"role": f"Peran harus salah satu dari: {', '.join(ROLES)}."})
    if actor_role is not None:
        check_grant(actor_role, role)
    full, prefix, key_hash = new_api_key()
    key = ApiKey(
        business_id=business_id,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        role=role,
        created_by_id=created_by_id,
    )
    db.add(key)
    db.flush()
    return key, full


def list_api_keys(db: Session, *, business_id: int) -> list[ApiKey]:
    return list(db.scalars(sa.select(ApiKey).where(ApiKey.business_id == business_id).order_by(ApiKey.id)))


def revoke_api_key(db: Session, *, business_id: int, key_id: int, actor_role: str | None = None) -> ApiKey:
    key = db.scalars(sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.business_id == business_id)).first()
    if key is None:
        raise NotFound("API key tidak ditemukan.")
    if actor_role is not None and ROLE_RANK.get(key.role, 0) > ROLE_RANK.get(actor_role, 0):
        raise Forbidden("Hanya pemilik yang dapat mencabut API key pemilik.", code="key_above_own")
    key.revoked_at = key.revoked_at or utcnow()
    db.flush()
    return key


def record(
    db: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: int | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Audit an action done through the API by `principal` (the shared body of the routes' audit lines)."""
    audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        data=data,
    )
