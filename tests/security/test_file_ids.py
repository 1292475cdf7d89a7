"""Issue 11, item 1: files are referenced by server-issued ids scoped to the business, never by client
paths. The first test is the attack from the issue (a proof "path" pointing at another business's invoice,
then the proof viewer): it read business B's invoice byte for byte before the fix."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from niaga.db.migrate import alembic_config
from niaga.files.models import StoredFile
from niaga.orders.models import Payment
from niaga.settings import get_settings
from tests import factories as f
from tests.web.helpers import csrf_of, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _order(client, db, world, who: str = "staff") -> int:  # type: ignore[no-untyped-def]
    business = world.b if who == "other" else world.a
    f.make_product(db, business=business, sku=f"P-{who}", price=50000, stock=10)
    r = client.post(
        "/api/v1/orders", json={"items": [{"sku": f"P-{who}", "quantity": 1}]}, headers=world.headers(who)
    )
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["id"])


def _b_invoice(world) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    rel = f"invoices/{world.b.id}/INV-20260101-0001.pdf"
    secret = b"%PDF-1.4 business B's invoice " + bytes(range(32))
    target = get_settings().files_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(secret)
    return rel, secret


def test_a_client_path_to_another_business_file_is_refused(client, db, world):
    rel, secret = _b_invoice(world)
    order_id = _order(client, db, world)
    r = client.post(
        f"/api/v1/orders/{order_id}/payments",
        json={"method": "transfer", "amount": 1000, "proof": [{"path": rel}]},
        headers=world.headers("staff"),
    )
    assert r.status_code == 422, r.text
    # whatever got stored, no proof link of this order serves B's bytes
    login(client, "staff@a.test")
    for p in db.scalars(sa.select(Payment).where(Payment.order_id == order_id)).all():
        for i in range(len(p.proof or [])):
            got = client.get(f"/app/pesanan/{order_id}/bukti/{p.id}/{i}")
            assert got.content != secret


def test_upload_gives_an_id_and_the_id_is_scoped_to_the_business(client, db, world):
    r = client.post(
        "/api/v1/files", files={"file": ("bukti.png", PNG, "image/png")}, headers=world.headers("staff")
    )
    assert r.status_code == 201, r.text
    fid = r.json()["data"]["file_id"]
    assert "path" not in r.json()["data"]
    assert client.get(f"/api/v1/files/{fid}", headers=world.headers("staff")).content == PNG
    # B cannot read it, nor attach it to B's own payment
    assert client.get(f"/api/v1/files/{fid}", headers=world.headers("other")).status_code == 404
    b_order = _order(client, db, world, "other")
    r = client.post(
        f"/api/v1/orders/{b_order}/payments",
        json={"method": "transfer", "amount": 1000, "proof": [{"file_id": fid}]},
        headers=world.headers("other"),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_file"
    # unknown id and ids beyond 64 bits
    for bad in (fid + 1000, 0, 2**64):
        r = client.post(
            f"/api/v1/orders/{b_order}/payments",
            json={"method": "transfer", "amount": 1000, "proof": [{"file_id": bad}]},
            headers=world.headers("other"),
        )
        assert r.status_code == 422, (bad, r.text)
    assert client.get(f"/api/v1/files/{fid + 1000}", headers=world.headers("staff")).status_code == 404
    # A attaches it and views it through the dashboard
    order_id = _order(client, db, world)
    r = client.post(
        f"/api/v1/orders/{order_id}/payments",
        json={"method": "transfer", "amount": 1000, "proof": [{"file_id": fid}]},
        headers=world.headers("staff"),
    )
    assert r.status_code == 201, r.text
    pay = r.json()["data"]["payment"]
    assert pay["proof"][0]["file_id"] == fid and "path" not in pay["proof"][0]
    login(client, "staff@a.test")
    assert client.get(f"/app/pesanan/{order_id}/bukti/{pay['id']}/0").content == PNG
    client.cookies.clear()
    login(client, "owner@b.test")
    assert client.get(f"/app/pesanan/{order_id}/bukti/{pay['id']}/0").status_code == 404


def test_other_proof_shapes_are_refused(client, db, world):
    order_id = _order(client, db, world)
    for proof in ([{"url": "file:///etc/passwd"}], [{"file_id": "1"}], [{"file_id": 1, "path": "x"}], ["x"]):
        r = client.post(
            f"/api/v1/orders/{order_id}/payments",
            json={"method": "transfer", "amount": 1000, "proof": proof},
            headers=world.headers("staff"),
        )
        assert r.status_code == 422, (proof, r.text)


def test_dashboard_upload_is_stored_by_id(client, db, world):
    order_id = _order(client, db, world)
    login(client, "staff@a.test")
    page = client.get(f"/app/pesanan/{order_id}")
    r = client.post(
        f"/app/pesanan/{order_id}/bayar",
        data={"method": "transfer", "amount": "1000", "csrf_token": csrf_of(page.text)},
        files={"proof": ("bukti.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text[:500]
    db.expire_all()
    p = db.scalars(sa.select(Payment).where(Payment.order_id == order_id)).one()
    row = db.get(StoredFile, p.proof[0]["file_id"])
    assert row is not None and row.business_id == world.a.id and "path" not in p.proof[0]
    assert client.get(f"/app/pesanan/{order_id}/bukti/{p.id}/0").content == PNG


def test_chat_proof_keeps_only_own_downloaded_files(db, world):
    from niaga.orders import service as orders

    rel_a = f"{world.a.id}/inbound/abc-bukti.png"
    (get_settings().files_dir / rel_a).parent.mkdir(parents=True, exist_ok=True)
    (get_settings().files_dir / rel_a).write_bytes(PNG)
    rel_b, _ = _b_invoice(world)
    refs = orders._proof_refs(
        db,
        world.a.id,
        [
            {"path": rel_a, "mimetype": "image/png", "filename": "bukti.png"},
            {"path": rel_b, "mimetype": "application/pdf"},
            {"path": "../../etc/passwd"},
        ],
    )
    assert len(refs) == 1 and db.get(StoredFile, refs[0]["file_id"]).path == rel_a


def _filler(c: sa.Column) -> object:  # type: ignore[type-arg]
    from datetime import UTC, datetime

    t = c.type
    if isinstance(t, sa.JSON):
        return {}
    if isinstance(t, sa.Boolean):
        return True
    if isinstance(t, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(t, sa.Integer | sa.Numeric):
        return 0
    return "x"


def test_migration_gives_old_proofs_ids_and_drops_foreign_paths(tmp_path, world):
    """Old data keeps working: a proof path the server wrote for the payment's business gets a file id;
    a path into another business's folder is dropped."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()
    root = get_settings().files_dir
    own = f"payments/{world.a.id}/7-aa.png"
    (root / own).parent.mkdir(parents=True, exist_ok=True)
    (root / own).write_bytes(PNG)
    foreign, _ = _b_invoice(world)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006_login_throttle")
        meta = sa.MetaData()
        meta.reflect(conn, only=("businesses", "orders", "payments"))

        def insert(table: str, **values: object) -> None:
            t = meta.tables[table]
            row = {c.name: _filler(c) for c in t.columns if not c.nullable and c.server_default is None}
            conn.execute(t.insert().values({**row, **values}))

        for bid in (world.a.id, world.b.id):
            insert("businesses", id=bid, slug=f"b{bid}")
        insert("orders", id=1, business_id=world.a.id, number="ORD-1", status="awaiting_payment")
        insert(
            "payments",
            id=1,
            business_id=world.a.id,
            order_id=1,
            proof=[{"path": own, "mimetype": "image/png"}, {"path": foreign}],
        )
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        import json

        proof = json.loads(conn.exec_driver_sql("SELECT proof FROM payments WHERE id = 1").scalar_one())
        files = conn.exec_driver_sql("SELECT id, business_id, path FROM stored_files").all()
    engine.dispose()
    assert files == [(proof[0]["file_id"], world.a.id, own)]
    assert "file_id" not in proof[1] and "path" not in proof[1]
