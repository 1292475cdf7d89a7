"""Who is calling and for which business. Every API route depends on `PrincipalDep` or `require_role`.

Business selection: the `X-Business` header (slug or id) when given — a member of several businesses or a
super_admin acting across businesses says so explicitly — else the business in the token, else the
user's first membership. An unknown or foreign business is a 404, never a 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from niaga.db.engine import session_scope
from niaga.db.session import get_db
from niaga.kit.crypto import sha256_hex
from niaga.kit.errors import BadRequest, Forbidden, NotFound, Unauthorized
from niaga.kit.timeutil import utcnow
from niaga.tenancy.models import ROLE_RANK, ApiKey, Business, Membership, User
from niaga.tenancy.security import decode_token, split_api_key


@dataclass(frozen=True)
class Principal:
    kind: str  # user|api_key
    business_id: int
    role: str
    user_id: int | None = None
    api_key_id: int | None = None
    is_super_admin: bool = False

    @property
    def actor_type(self) -> str:
        return "user" if self.kind == "user" else "api_key"

    @property
    def actor_id(self) -> int | None:
        return self.user_id if self.kind == "user" else self.api_key_id

    def has_role(self, role: str) -> bool:
        if self.is_super_admin:
            return True
        if role == "operator":
            # The print queue is for operators and everyone above staff level.
            return self.role in ("operator", "staff", "admin", "owner")
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role] and self.role != "operator"


# The dashboard registers a resolver that reads its cookie session (returns a user id or None).
cookie_user_resolver: Callable[[Request], int | None] | None = None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def resolve_business(db: Session, ref: str) -> Business | None:
    q = sa.select(Business).where(Business.is_active.is_(True))
    if ref.isdigit():
        q = q.where(sa.or_(Business.id == int(ref), Business.slug == ref))
    else:
        q = q.where(Business.slug == ref)
    return db.scalars(q).first()


def principal_for_user(db: Session, user: User, *, requested: str | None, token_bid: int | None) -> Principal:
    memberships = {
        m.business_id: m.role
        for m in db.scalars(sa.select(Membership).where(Membership.user_id == user.id)).all()
    }
    if requested:
        business = resolve_business(db, requested)
        if business is None or (business.id not in memberships and not user.is_super_admin):
            raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
        return Principal(
            "user",
            business.id,
            memberships.get(business.id, "super_admin"),
            user_id=user.id,
            is_super_admin=user.is_super_admin,
        )
    if token_bid is not None and token_bid in memberships:
        return Principal(
            "user", token_bid, memberships[token_bid], user_id=user.id, is_super_admin=user.is_super_admin
        )
    if memberships:
        bid = min(memberships)
        return Principal("user", bid, memberships[bid], user_id=user.id, is_super_admin=user.is_super_admin)
    if user.is_super_admin:
        raise BadRequest("Pilih bisnis dengan header X-Business.", code="business_required")
    raise Forbidden("Akun ini belum terhubung ke bisnis mana pun.", code="no_business")


def authenticate(request: Request, db: Session) -> Principal:
    token = _bearer(request)
    requested = request.headers.get("x-business")
    if token is None:
        user_id = cookie_user_resolver(request) if cookie_user_resolver else None
        if user_id is None:
            raise Unauthorized()
        user = db.get(User, user_id)
        if user is None or not user.is_active:
            raise Unauthorized()
        requested = requested or request.cookies.get("niaga_business")
        return principal_for_user(db, user, requested=requested, token_bid=None)
    prefix = split_api_key(token)
    if prefix is not None:
        key = db.scalars(sa.select(ApiKey).where(ApiKey.prefix == prefix)).first()
        if (
            key is None
            or key.revoked_at is not None
            or not hmac.compare_digest(key.key_hash, sha256_hex(token))
        ):
            raise Unauthorized("API key tidak valid.", code="invalid_api_key")
        if requested:
            business = resolve_business(db, requested)
            if business is None or business.id != key.business_id:
                raise NotFound("Bisnis tidak ditemukan.", code="business_not_found")
        _touch_api_key(key, db if request.method not in ("GET", "HEAD", "OPTIONS") else None)
        return Principal("api_key", key.business_id, key.role, api_key_id=key.id)
    claims = decode_token(token, kind="access")
    user = db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise Unauthorized("Akun tidak aktif.", code="inactive_user")
    return principal_for_user(db, user, requested=requested, token_bid=claims.get("bid"))


def _touch_api_key(key: ApiKey, write_db: Session | None = None) -> None:
    """Record when a key was last used, at most every 5 minutes. A write request does it in its own
    transaction, which already holds SQLite's write lock (a second connection would wait on it); a read
    request in its own short transaction, so that a read never holds a write (SQLite has one writer)."""
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at < timedelta(minutes=5):
        return
    stmt = (
        sa.update(ApiKey)
        .where(ApiKey.id == key.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if write_db is not None:
        write_db.execute(stmt)
        return
    with session_scope() as s:
        s.execute(stmt)


def get_principal(request: Request, db: Session = Depends(get_db, scope="function")) -> Principal:
    principal = authenticate(request, db)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(role: str) -> Callable[..., Principal]:
    def dep(principal: PrincipalDep) -> Principal:
        if not principal.has_role(role):
            raise Forbidden()
        return principal

    dep.__name__ = f"require_{role}"
    return dep


StaffDep = Annotated[Principal, Depends(require_role("staff"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]
OwnerDep = Annotated[Principal, Depends(require_role("owner"))]


def get_principal_outside_tx(request: Request) -> Principal:
    """For endpoints that call a provider and keep their own short transactions (the staff payment link):
    the caller is authenticated in a short transaction of its own that ends before the handler runs, so no
    request transaction holds SQLite's write lock while the provider answers (the handler's own writes would
    otherwise wait on it)."""
    with session_scope(immediate=request.method not in ("GET", "HEAD", "OPTIONS")) as db:
        principal = authenticate(request, db)
    request.state.principal = principal
    return principal


def _staff_outside_tx(principal: Principal = Depends(get_principal_outside_tx)) -> Principal:
    if not principal.has_role("staff"):
        raise Forbidden()
    return principal


StaffOutsideTxDep = Annotated[Principal, Depends(_staff_outside_tx)]
