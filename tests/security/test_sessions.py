"""Issue 11, item 9: a copied dashboard cookie stops working after logout, a password change or a role
change (a session version per user, checked on every page and on API calls made with the cookie)."""

from __future__ import annotations

from niaga.tenancy import service as tenancy
from tests.web.helpers import csrf_of, login

SESSION_COOKIE = "niaga_session"


def _copy(client) -> str:  # type: ignore[no-untyped-def]
    return client.cookies.get(SESSION_COOKIE)


def _opens_app(app, cookie: str) -> bool:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as other:
        other.cookies.set(SESSION_COOKIE, cookie)
        r = other.get("/app", follow_redirects=False)
        api = other.get("/api/v1/auth/me")
        return r.status_code == 200 and api.status_code == 200


def test_logout_ends_every_copy_of_the_session(client, app, world):
    assert login(client, "staff@a.test").status_code == 303
    stolen = _copy(client)
    assert _opens_app(app, stolen)
    page = client.get("/app").text
    r = client.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert not _opens_app(app, stolen)
    # logging in again works, with a new cookie
    assert login(client, "staff@a.test").status_code == 303 and _opens_app(app, _copy(client))


def test_password_and_role_changes_end_sessions(client, app, world, db):
    login(client, "staff@a.test")
    cookie = _copy(client)
    tenancy.set_password(db, world.staff, "kata-sandi-baru-123")
    db.commit()
    assert not _opens_app(app, cookie)
    login(client, "admin@a.test")
    cookie = _copy(client)
    tenancy.add_member(db, user=world.admin, business=world.a, role="staff")
    db.commit()
    assert not _opens_app(app, cookie)
    login(client, "owner@a.test")
    cookie = _copy(client)
    tenancy.add_member(db, user=world.owner, business=world.a, role="owner")  # unchanged role: session stays
    db.commit()
    assert _opens_app(app, cookie)
