"""Issue 11, item 2: nobody grants a role above their own, the last owner is never demoted or removed, and
only owners manage owners and owner keys — through the API as through the dashboard. Each attack below
succeeded before the fix (an admin became an owner in effect)."""

from __future__ import annotations

import sqlalchemy as sa

from niaga.tenancy.models import ApiKey, Membership


def _key(client, headers, role: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/api-keys", json={"name": f"k-{role}", "role": role}, headers=headers)


def test_admin_cannot_mint_an_owner_key_or_use_one(client, world, db):
    r = _key(client, world.headers("admin"), "owner")
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_above_own"
    assert db.scalar(sa.select(sa.func.count()).select_from(ApiKey).where(ApiKey.role == "owner")) == 0
    # an admin-level key is fine, and it cannot do owner-only things
    r = _key(client, world.headers("admin"), "admin")
    assert r.status_code == 201
    admin_key = {"Authorization": f"Bearer {r.json()['data']['key']}"}
    assert client.delete(f"/api/v1/users/{world.staff.id}", headers=admin_key).status_code == 403


def test_admin_cannot_demote_the_owner_by_adding_their_email(client, world, db):
    r = client.post(
        "/api/v1/users", json={"email": "owner@a.test", "role": "staff"}, headers=world.headers("admin")
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "member_above_own"
    m = db.scalars(
        sa.select(Membership).where(
            Membership.user_id == world.owner.id, Membership.business_id == world.a.id
        )
    ).one()
    assert m.role == "owner"
    # nor make anyone an owner
    r = client.post(
        "/api/v1/users", json={"email": "staff@a.test", "role": "owner"}, headers=world.headers("admin")
    )
    assert r.status_code == 403


def test_admin_cannot_revoke_an_owner_key(client, world):
    r = _key(client, world.headers("owner"), "owner")
    assert r.status_code == 201
    key_id = r.json()["data"]["id"]
    r = client.delete(f"/api/v1/api-keys/{key_id}", headers=world.headers("admin"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "key_above_own"
    assert client.delete(f"/api/v1/api-keys/{key_id}", headers=world.headers("owner")).status_code == 200


def test_the_last_owner_is_never_demoted_or_removed(client, world, db):
    r = client.post(
        "/api/v1/users", json={"email": "owner@a.test", "role": "admin"}, headers=world.headers("owner")
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_owner"
    r = client.delete(f"/api/v1/users/{world.owner.id}", headers=world.headers("owner"))
    assert r.status_code == 409
    # with a second owner, the first may step down
    assert (
        client.post(
            "/api/v1/users", json={"email": "admin@a.test", "role": "owner"}, headers=world.headers("owner")
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/users", json={"email": "owner@a.test", "role": "admin"}, headers=world.headers("owner")
    )
    assert r.status_code == 201 and r.json()["data"]["role"] == "admin"


def test_api_keys_are_compared_in_constant_time():
    import inspect

    from niaga.tenancy import auth

    src = inspect.getsource(auth)
    assert "compare_digest(key.key_hash" in src and "key.key_hash != " not in src
