"""Orders REST API contracts: envelope, roles, tenancy, payments, payment link, invoice, Midtrans config, CLI."""

from __future__ import annotations

import sqlalchemy as sa
from pypdf import PdfReader

from niaga.integrations.midtrans.fake import SERVER_KEY


def _create(client, world, **body):  # type: ignore[no-untyped-def]
    payload = {"items": [{"sku": "BK-001", "quantity": 2}], **body}
    return client.post("/api/v1/orders", json=payload, headers=world.headers("staff"))


def test_create_get_list_and_tenancy(client, shop, world):  # type: ignore[no-untyped-def]
    resp = _create(
        client,
        world,
        customer_id=shop.customer.id,
        shipping={"city": "Bandung", "courier": "JNE", "service": "REG"},
    )
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["number"].startswith("ORD-") and data["status"] == "awaiting_payment"
    assert (data["subtotal"], data["shipping_cost"], data["total"]) == (298000, 48000, 346000)
    assert data["items"][0]["unit_price"] == 149000
    assert [e["event"] for e in data["timeline"]] == ["order.created", "order.awaiting_payment"]
    oid = data["id"]
    got = client.get(f"/api/v1/orders/{oid}", headers=world.headers("owner")).json()["data"]
    assert got["number"] == data["number"]
    listing = client.get("/api/v1/orders?status=awaiting_payment", headers=world.headers("staff")).json()
    assert listing["meta"]["total"] == 1 and listing["data"][0]["id"] == oid
    # Another business: 404, never 403; no auth: 401; operator: 403.
    assert client.get(f"/api/v1/orders/{oid}", headers=world.headers("other")).status_code == 404
    assert client.get("/api/v1/orders", headers=world.headers("other")).json()["meta"]["total"] == 0
    assert client.get(f"/api/v1/orders/{oid}").status_code == 401
    assert client.get("/api/v1/orders", headers=world.headers("operator")).status_code == 403


def test_create_errors_are_clear(client, shop, world):  # type: ignore[no-untyped-def]
    resp = _create(client, world, items=[{"sku": "QR-001", "quantity": 9}])
    assert resp.status_code == 409
    err = resp.json()["error"]
    assert (
        err["code"] == "out_of_stock"
        and err["message"] == "Maaf, stok Mushaf A5 tidak cukup: tersisa 5, diminta 9."
    )
    resp = _create(client, world, items=[{"sku": "NOPE"}])
    assert resp.status_code == 422 and resp.json()["error"]["details"] == {
        "items.0": "produk tidak ditemukan"
    }
    assert _create(client, world, items=[]).status_code == 422


def test_transition_payments_refund_roles(client, shop, world):  # type: ignore[no-untyped-def]
    oid = _create(client, world)
    oid = oid.json()["data"]["id"]
    bad = client.post(
        f"/api/v1/orders/{oid}/transition", json={"to": "shipped"}, headers=world.headers("staff")
    )
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "invalid_transition"
    proof = client.post(
        "/api/v1/files",
        files={"file": ("bukti.pdf", b"%PDF-1.4 bukti", "application/pdf")},
        headers=world.headers("staff"),
    ).json()["data"]
    part = client.post(
        f"/api/v1/orders/{oid}/payments",
        json={"method": "transfer", "amount": 100000, "proof": [{"file_id": proof["file_id"]}]},
        headers=world.headers("staff"),
    )
    assert part.status_code == 201, part.text
    assert part.json()["data"]["order"]["status"] == "awaiting_payment"
    cash = client.post(
        f"/api/v1/orders/{oid}/payments",
        json={"method": "cash", "tendered": 200000},
        headers=world.headers("staff"),
    ).json()["data"]
    assert (cash["payment"]["amount"], cash["payment"]["change"]) == (198000, 2000)
    assert cash["order"]["status"] == "paid" and cash["order"]["paid_amount"] == 298000
    for to in ("processing", "ready", "picked_up"):
        r = client.post(
            f"/api/v1/orders/{oid}/transition", json={"to": to, "note": "ok"}, headers=world.headers("staff")
        )
        assert r.status_code == 200, r.text
    refund = {"kind": "refund", "method": "cash", "amount": 298000}
    assert (
        client.post(f"/api/v1/orders/{oid}/payments", json=refund, headers=world.headers("staff")).status_code
        == 403
    )
    r = client.post(f"/api/v1/orders/{oid}/payments", json=refund, headers=world.headers("admin"))
    assert r.status_code == 201 and r.json()["data"]["order"]["status"] == "refunded"
    assert (
        client.post(
            f"/api/v1/orders/{oid}/payments", json={"method": "cash"}, headers=world.headers("other")
        ).status_code
        == 404
    )


def test_payment_link_and_invoice_download(client, shop, world, fake_midtrans, db):  # type: ignore[no-untyped-def]
    oid = _create(client, world, customer_id=shop.customer.id).json()["data"]["id"]
    assert client.get(f"/api/v1/orders/{oid}/invoice.pdf", headers=world.headers("staff")).status_code == 404
    r = client.post(
        f"/api/v1/orders/{oid}/payment-link", json={"send": False}, headers=world.headers("staff")
    )
    assert r.status_code == 200, r.text
    link = r.json()["data"]
    assert link["payment_url"].startswith("https://app.sandbox.midtrans.com/") and link["amount"] == 298000
    fake_midtrans.fail_next.append(500)
    oid2 = _create(client, world).json()["data"]["id"]
    r = client.post(f"/api/v1/orders/{oid2}/payment-link", headers=world.headers("staff"))
    assert r.status_code == 502 and r.json()["error"]["code"] == "midtrans_error"
    client.post(
        f"/api/v1/orders/{oid}/payments",
        json={"method": "qris", "reference": "RRN-1"},
        headers=world.headers("staff"),
    )
    pdf = client.get(f"/api/v1/orders/{oid}/invoice.pdf", headers=world.headers("staff"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "LUNAS" in text and "QRIS" in text
    assert client.get(f"/api/v1/orders/{oid}/invoice.pdf", headers=world.headers("other")).status_code == 404


def test_midtrans_config_api_admin_only_and_never_echoed(client, world, db):  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/payments/midtrans", headers=world.headers("staff")).status_code == 403
    got = client.get("/api/v1/payments/midtrans", headers=world.headers("admin")).json()["data"]
    assert got["configured"] is False
    body = {"server_key": SERVER_KEY, "client_key": "SB-Mid-client-X", "mode": "sandbox"}
    r = client.put("/api/v1/payments/midtrans", json=body, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert SERVER_KEY not in r.text and "SB-Mid-client-X" not in r.text
    data = r.json()["data"]
    assert data["configured"] and data["has_client_key"] and data["notification_url"].endswith("/toko-a")
    # Changing only the mode keeps the stored keys.
    r = client.put(
        "/api/v1/payments/midtrans",
        json={"mode": "sandbox", "base_url": "http://127.0.0.1:9"},
        headers=world.headers("owner"),
    )
    assert r.json()["data"]["has_server_key"] and r.json()["data"]["base_url"] == "http://127.0.0.1:9"
    # Business B sees its own (empty) configuration.
    assert (
        client.get("/api/v1/payments/midtrans", headers=world.headers("other")).json()["data"]["configured"]
        is False
    )


def test_cli_payment_set(world, db):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from niaga.cli import app
    from niaga.integrations.midtrans import payments

    result = CliRunner().invoke(
        app,
        [
            "payment",
            "set",
            "toko-a",
            "midtrans",
            "--server-key",
            SERVER_KEY,
            "--client-key",
            "SB-Mid-client-Y",
            "--mode",
            "sandbox",
            "--base-url",
            "http://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "/webhooks/midtrans/toko-a" in result.output and SERVER_KEY not in result.output
    db.rollback()
    cfg = payments.get_settings_for(db, business_id=world.a.id)
    assert cfg is not None and cfg.server_key == SERVER_KEY and cfg.base_url == "http://127.0.0.1:1"
    shown = CliRunner().invoke(app, ["payment", "show", "toko-a"])
    assert shown.exit_code == 0 and SERVER_KEY not in shown.output and '"configured": true' in shown.output


def test_integration_api_key_creates_orders(client, shop, world, db):  # type: ignore[no-untyped-def]
    """An integration (n8n) with an API key writes through the locked write session: authentication must not
    hold a write of its own (on SQLite that would block the order's transaction until the lock times out)."""
    from niaga.tenancy import service as tenancy

    _, key = tenancy.create_api_key(db, business_id=world.a.id, name="n8n", role="staff")
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(2):  # the second call finds last_used_at fresh and skips the update
        r = client.post("/api/v1/orders", json={"items": [{"sku": "BK-001", "quantity": 1}]}, headers=headers)
        assert r.status_code == 201, r.text
    db.rollback()
    from niaga.tenancy.models import ApiKey

    assert db.scalars(sa.select(ApiKey.last_used_at)).one() is not None


def test_email_delivery_is_configured_from_the_cli(db, world):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from niaga.cli import app
    from niaga.integrations.models import ProviderConfig
    from niaga.kit.crypto import decrypt_json

    r = CliRunner().invoke(
        app,
        ["email", "set", "toko-a", "resend", "--from", "Toko A <a@toko.id>", "--api-key", "re_secret_123"],
    )
    assert r.exit_code == 0, r.output
    assert "re_secret_123" not in r.output
    db.rollback()
    row = db.scalars(sa.select(ProviderConfig).where(ProviderConfig.kind == "resend")).one()
    assert row.business_id == world.a.id and row.config["from"] == "Toko A <a@toko.id>"
    assert (
        "re_secret_123" not in (row.secrets or "") and decrypt_json(row.secrets)["api_key"] == "re_secret_123"
    )
    bad = CliRunner().invoke(app, ["email", "set", "toko-a", "smtp", "--from", "a@toko.id"])
    assert bad.exit_code != 0  # SMTP without a host is refused
