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


# --- issue 11, item 10: login throttling that nobody can use to lock the owner out ---------------------


def test_a_stranger_guessing_cannot_lock_the_owner_out(app, world):
    from fastapi.testclient import TestClient

    from tests import factories as f

    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 5000)) as attacker:
        for _ in range(5):
            assert (
                attacker.post(
                    "/api/v1/auth/login", json={"email": "owner@a.test", "password": "tebak-tebak"}
                ).status_code
                == 401
            )
        r = attacker.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": f.PASSWORD})
        assert r.status_code == 429  # the guessing address is locked for this account...
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.7", 5000)) as owner:
        r = owner.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": f.PASSWORD})
        assert r.status_code == 200  # ...the owner elsewhere is not


def test_unknown_and_known_emails_look_the_same(app, world):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.1", 5000)) as c:
        known = [
            c.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": "x-salah-1"})
            for _ in range(6)
        ]
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.2", 5000)) as c:
        unknown = [
            c.post("/api/v1/auth/login", json={"email": "tidak-ada@a.test", "password": "x-salah-1"})
            for _ in range(6)
        ]
    # same answers in the same order: 401 ×5 then locked, whether the account exists or not
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429]
    assert [r.json()["error"]["message"] for r in known] == [r.json()["error"]["message"] for r in unknown]


def test_one_address_trying_many_accounts_is_slowed(app, world):
    from fastapi.testclient import TestClient

    from niaga.tenancy.service import MAX_FAILED_PER_ADDRESS

    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.50", 5000)) as c:
        codes = [
            c.post("/api/v1/auth/login", json={"email": f"u{i}@a.test", "password": "x-salah-1"}).status_code
            for i in range(MAX_FAILED_PER_ADDRESS + 1)
        ]
    assert codes[:MAX_FAILED_PER_ADDRESS] == [401] * MAX_FAILED_PER_ADDRESS and codes[-1] == 429
