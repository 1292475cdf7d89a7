"""Channel configuration through the API and the CLI: secrets encrypted and masked, admin only, scoped."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from niaga.integrations.models import ProviderConfig
from tests.channels.conftest import TG_SECRET


def test_put_get_masks_secrets_and_encrypts_at_rest(client, world, db, waha):
    body = {
        "config": {"base_url": waha.url, "session": "default"},
        "secrets": {"api_key": "super-secret-api-key", "hmac_key": "hmac-key-123456"},
    }
    r = client.put("/api/v1/channels/waha", json=body, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["config"]["base_url"] == waha.url
    assert data["secrets"] == {"api_key": "••••-key", "hmac_key": "••••3456"}
    assert data["webhook_url"].endswith("/webhooks/waha/toko-a")
    assert "super-secret-api-key" not in r.text
    raw = db.scalars(sa.select(ProviderConfig.secrets).where(ProviderConfig.business_id == world.a.id)).one()
    assert "super-secret" not in raw and "hmac-key" not in raw

    got = client.get("/api/v1/channels/waha", headers=world.headers("owner")).json()["data"]
    assert got["configured"] is True and got["secrets"]["api_key"] == "••••-key"
    # Updating a setting without secrets keeps the stored ones.
    r = client.put(
        "/api/v1/channels/waha", json={"config": {"session": "toko"}}, headers=world.headers("admin")
    )
    assert r.status_code == 200
    assert r.json()["data"]["secrets"]["hmac_key"] == "••••3456"
    assert r.json()["data"]["config"]["session"] == "toko"


def test_validation_roles_and_tenancy(client, world):
    r = client.put(
        "/api/v1/channels/waha", json={"secrets": {"api_key": "k"}}, headers=world.headers("admin")
    )
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert details["config.base_url"] == "Wajib diisi." and details["secrets.hmac_key"] == "Wajib diisi."
    r = client.put(
        "/api/v1/channels/telegram",
        json={"secrets": {"bot_token": "1:x", "secret_token": "bad token!"}},
        headers=world.headers("admin"),
    )
    assert r.status_code == 422 and "secrets.secret_token" in r.json()["error"]["details"]
    assert client.get("/api/v1/channels/waha", headers=world.headers("staff")).status_code == 403
    assert client.get("/api/v1/channels/nope", headers=world.headers("admin")).status_code == 404
    ok = client.put(
        "/api/v1/channels/fonnte", json={"secrets": {"token": "tok-a-123456"}}, headers=world.headers("owner")
    )
    assert ok.status_code == 200 and ok.json()["data"]["config"]["base_url"] == "https://api.fonnte.com"
    # Business B does not see A's configuration.
    other = client.get("/api/v1/channels/fonnte", headers=world.headers("other")).json()["data"]
    assert other["configured"] is False and other["secrets"]["token"] == ""


def test_test_endpoint_makes_a_real_call(client, world, waha):
    client.put(
        "/api/v1/channels/waha",
        json={"config": {"base_url": waha.url}, "secrets": {"api_key": waha.api_key, "hmac_key": "h"}},
        headers=world.headers("admin"),
    )
    r = client.post("/api/v1/channels/waha/test", headers=world.headers("admin"))
    assert r.status_code == 200
    assert r.json()["data"] == {
        "ok": True,
        "kind": "waha",
        "info": {"session": "default", "status": "WORKING", "me": "6281200000000@c.us"},
    }
    assert waha.calls("/api/sessions/default")[-1].headers["x-api-key"] == waha.api_key
    client.put(
        "/api/v1/channels/waha", json={"secrets": {"api_key": "wrong-key"}}, headers=world.headers("admin")
    )
    r = client.post("/api/v1/channels/waha/test", headers=world.headers("admin"))
    assert r.json()["data"]["ok"] is False and "401" in r.json()["data"]["error"]
    assert (
        client.get("/api/v1/channels/waha", headers=world.headers("admin")).json()["data"]["last_test_ok"]
        is False
    )


def test_cli_set_test_and_set_webhook(world, telegram, fonnte, starsender):
    from niaga.cli import app

    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "channel",
            "set",
            "toko-a",
            "telegram",
            "--bot-token",
            telegram.token,
            "--secret-token",
            TG_SECRET,
            "--base-url",
            telegram.url,
            "--admin-chat-id",
            "-100555",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["config"]["admin_chat_id"] == "-100555" and telegram.token not in r.output
    r = runner.invoke(app, ["channel", "test", "toko-a", "telegram"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["info"]["username"] == "shop_bot"
    r = runner.invoke(app, ["channel", "telegram", "set-webhook", "toko-a"])
    assert r.exit_code == 0, r.output
    assert telegram.webhook == {
        "url": "http://127.0.0.1:8000/webhooks/telegram/toko-a",
        "secret_token": TG_SECRET,
        "allowed_updates": ["message", "callback_query"],
        "max_connections": 40,
    }

    r = runner.invoke(
        app, ["channel", "set", "toko-a", "fonnte", "--token", fonnte.token, "--base-url", fonnte.url]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["channel", "test", "toko-a", "fonnte"])
    assert r.exit_code == 0 and json.loads(r.output)["info"]["status"] == "connect"
    r = runner.invoke(
        app, ["channel", "set", "toko-a", "starsender", "--api-key", "wrong", "--base-url", starsender.url]
    )
    assert r.exit_code == 0
    r = runner.invoke(app, ["channel", "test", "toko-a", "starsender"])
    assert r.exit_code == 1 and "401" in r.output
