from __future__ import annotations

import secrets

import sqlalchemy as sa
from fastapi import APIRouter, Request

from niaga.db.session import SessionDep
from niaga.kit.envelope import ok
from niaga.kit.errors import NotFound, Unauthorized
from niaga.tenancy import service
from niaga.tenancy.auth import AdminDep, OwnerDep, Principal, PrincipalDep, principal_for_user
from niaga.tenancy.models import Membership, User
from niaga.tenancy.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    BusinessOut,
    BusinessUpdate,
    LoginIn,
    MemberIn,
    MemberOut,
    RefreshIn,
    TokenOut,
)
from niaga.tenancy.security import decode_token, issue_token

router = APIRouter(prefix="/api/v1", tags=["auth & tenancy"])


def _tokens(db, user: User, business: str | None) -> dict:  # type: ignore[no-untyped-def]
    principal = principal_for_user(db, user, requested=business, token_bid=None)
    access, ttl = issue_token(user.id, kind="access", business_id=principal.business_id)
    refresh, _ = issue_token(user.id, kind="refresh", business_id=principal.business_id)
    slug = service.get_business(db, principal.business_id).slug
    return TokenOut(access_token=access, refresh_token=refresh, expires_in=ttl, business=slug).model_dump()


@router.post("/auth/login")
def login(body: LoginIn, request: Request, db: SessionDep) -> dict:
    try:
        user = service.check_login(
            db,
            email=body.email,
            password=body.password,
            address=request.client.host if request.client else "unknown",
        )
    except Unauthorized:
        db.commit()  # the failure counter / lockout must persist although the request fails
        raise
    return ok(_tokens(db, user, body.business))


@router.post("/auth/refresh")
def refresh(body: RefreshIn, db: SessionDep) -> dict:
    claims = decode_token(body.refresh_token, kind="refresh")
    user = db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise Unauthorized("Akun tidak aktif.", code="inactive_user")
    business = str(claims["bid"]) if "bid" in claims else None
    return ok(_tokens(db, user, business))


@router.get("/auth/me")
def me(principal: PrincipalDep, db: SessionDep) -> dict:
    business = service.get_business(db, principal.business_id)
    data: dict = {
        "role": principal.role,
        "business": BusinessOut.model_validate(business).model_dump(mode="json"),
    }
    if principal.user_id is not None:
        user = db.get(User, principal.user_id)
        assert user is not None
        data.update(
            id=user.id,
            email=user.email,
            name=user.name,
            is_super_admin=user.is_super_admin,
            businesses=[
                {"id": b.id, "slug": b.slug, "name": b.name, "role": r}
                for b, r in service.memberships_of(db, user.id)
            ],
        )
    else:
        data.update(api_key_id=principal.api_key_id)
    return ok(data)


@router.get("/business")
def get_business(principal: PrincipalDep, db: SessionDep) -> dict:
    return ok(
        BusinessOut.model_validate(service.get_business(db, principal.business_id)).model_dump(mode="json")
    )


@router.patch("/business")
def update_business(body: BusinessUpdate, principal: AdminDep, db: SessionDep) -> dict:
    business = service.get_business(db, principal.business_id)
    service.update_business(db, business, **body.model_dump(exclude_unset=True))
    service.audit(
        db,
        business_id=business.id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="business.update",
        entity_type="business",
        entity_id=business.id,
        data={"fields": sorted(body.model_dump(exclude_unset=True))},
    )
    return ok(BusinessOut.model_validate(business).model_dump(mode="json"))


def _acting_role(principal: Principal) -> str:
    """The rank the caller acts with (a platform super admin acts as an owner of the business)."""
    return "owner" if principal.is_super_admin else principal.role


@router.get("/users")
def list_users(principal: AdminDep, db: SessionDep) -> dict:
    rows = service.list_members(db, business_id=principal.business_id)
    return ok(
        [
            MemberOut(
                id=u.id,
                email=u.email,
                name=u.name,
                role=m.role,
                is_active=u.is_active,
                last_login_at=u.last_login_at,
            ).model_dump(mode="json")
            for u, m in rows
        ]
    )


@router.post("/users", status_code=201)
def add_user(body: MemberIn, principal: AdminDep, db: SessionDep) -> dict:
    """Add a member: an existing account gets the role here; a new one is created (a password is
    generated and returned once when none is given). Only an owner can grant `owner`."""
    service.check_grant(_acting_role(principal), body.role)
    business = service.get_business(db, principal.business_id)
    user = service.get_user_by_email(db, body.email)
    generated = None
    if user is None:
        generated = body.password or secrets.token_urlsafe(10)
        user = service.create_user(db, email=body.email, password=generated, name=body.name)
    m = service.add_member(
        db, user=user, business=business, role=body.role, actor_role=_acting_role(principal)
    )
    service.audit(
        db,
        business_id=business.id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="user.add",
        entity_type="user",
        entity_id=user.id,
        data={"role": m.role},
    )
    out = MemberOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=m.role,
        is_active=user.is_active,
        last_login_at=user.last_login_at,
    ).model_dump(mode="json")
    if generated and not body.password:
        out["password"] = generated
    return ok(out)


@router.delete("/users/{user_id}")
def remove_user(user_id: int, principal: OwnerDep, db: SessionDep) -> dict:
    m = db.scalars(
        sa.select(Membership).where(
            Membership.user_id == user_id, Membership.business_id == principal.business_id
        )
    ).first()
    if m is None:
        raise NotFound("Pengguna tidak ditemukan.")
    service.check_member_change(db, actor_role=_acting_role(principal), membership=m, new_role=None)
    db.delete(m)
    service.end_sessions(db, user_id=user_id)
    service.audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="user.remove",
        entity_type="user",
        entity_id=user_id,
    )
    return ok({"id": user_id, "removed": True})


@router.get("/api-keys")
def list_keys(principal: AdminDep, db: SessionDep) -> dict:
    keys = service.list_api_keys(db, business_id=principal.business_id)
    return ok([ApiKeyOut.model_validate(k).model_dump(mode="json") for k in keys])


@router.post("/api-keys", status_code=201)
def create_key(body: ApiKeyIn, principal: AdminDep, db: SessionDep) -> dict:
    key, full = service.create_api_key(
        db,
        business_id=principal.business_id,
        name=body.name,
        role=body.role,
        created_by_id=principal.user_id,
        actor_role=_acting_role(principal),
    )
    service.audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="api_key.create",
        entity_type="api_key",
        entity_id=key.id,
    )
    out = ApiKeyOut.model_validate(key).model_dump(mode="json")
    out["key"] = full
    return ok(out)


@router.delete("/api-keys/{key_id}")
def revoke_key(key_id: int, principal: AdminDep, db: SessionDep) -> dict:
    key = service.revoke_api_key(
        db, business_id=principal.business_id, key_id=key_id, actor_role=_acting_role(principal)
    )
    service.audit(
        db,
        business_id=principal.business_id,
        actor_type=principal.actor_type,
        actor_id=principal.actor_id,
        action="api_key.revoke",
        entity_type="api_key",
        entity_id=key.id,
    )
    return ok(ApiKeyOut.model_validate(key).model_dump(mode="json"))
