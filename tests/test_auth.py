from __future__ import annotations

from tests import factories as f


def test_login_returns_tokens_and_me(client, world):
    r = client.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": f.PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True
    token = body["data"]["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["data"]["business"]["slug"] == "toko-a"
    assert me["data"]["role"] == "owner"


def test_refresh_token_gives_new_access(client, world):
    body = client.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": f.PASSWORD}).json()
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": body["data"]["refresh_token"]})
    assert r.status_code == 200
    assert r.json()["data"]["access_token"]
    # an access token is not a refresh token
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": body["data"]["access_token"]})
    assert r.status_code == 401


def test_wrong_password_then_lockout(client, world):
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": "salah-salah"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "invalid_credentials"
    r = client.post("/api/v1/auth/login", json={"email": "owner@a.test", "password": f.PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "account_locked"


def test_malformed_json_is_400_and_schema_violation_422(client, world):
    r = client.post("/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"
    r = client.post("/api/v1/auth/login", json={"email": "bukan-email"})
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert "email" in details and "password" in details


def test_oversized_body_is_413(client, world):
    r = client.post(
        "/api/v1/auth/login", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_api_key_auth_and_revocation(client, world):
    r = client.post("/api/v1/api-keys", json={"name": "n8n", "role": "staff"}, headers=world.headers("owner"))
    assert r.status_code == 201, r.text
    key = r.json()["data"]["key"]
    assert key.startswith("nk_")
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["data"]["business"]["slug"] == "toko-a"
    kid = r.json()["data"]["id"]
    client.delete(f"/api/v1/api-keys/{kid}", headers=world.headers("owner"))
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_staff_cannot_manage_api_keys(client, world):
    r = client.post("/api/v1/api-keys", json={"name": "x"}, headers=world.headers("staff"))
    assert r.status_code == 403


def test_member_of_two_businesses_selects_with_header(client, db, world):
    from niaga.tenancy import service

    service.add_member(db, user=world.owner, business=world.b, role="staff")
    db.commit()
    h = world.headers("owner")
    assert client.get("/api/v1/business", headers=h).json()["data"]["slug"] == "toko-a"
    r = client.get("/api/v1/business", headers={**h, "X-Business": "toko-b"})
    assert r.json()["data"]["slug"] == "toko-b"
    # not a member of an unknown business: 404, never 403
    assert client.get("/api/v1/business", headers={**h, "X-Business": "nope"}).status_code == 404


def test_super_admin_acts_across_businesses_explicitly(client, db, world):
    root = f.make_user(db, email="root@niaga.test", super_admin=True)
    h = f.auth(root)
    assert client.get("/api/v1/business", headers=h).status_code == 400
    assert (
        client.get("/api/v1/business", headers={**h, "X-Business": "toko-b"}).json()["data"]["slug"]
        == "toko-b"
    )


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "queue": "ok", "storage": "ok"}
    m = client.get("/metrics")
    assert "niaga_http_requests_total" in m.text
