"""Keep the attacks (issue 11): the tenant walk over every dashboard route with an id in its path — HTML
pages, form posts and the file-serving routes (proof, attachment, invoice) — as business A's owner with
business B's ids: every one answers 404, serves none of B's bytes and changes none of B's rows. The API
routes are walked by tests/test_tenancy_isolation.py (which also covers /api/v1/files/{file_id})."""

from __future__ import annotations

import re
from typing import Any

from niaga.files import service as files
from niaga.settings import get_settings
from tests import factories as f
from tests.test_tenancy_isolation import (
    _api_key,
    _broadcast,
    _business_counts,
    _content_item,
    _dead_letter,
    _event_delivery,
    _print_job,
)
from tests.web.helpers import csrf_of, login

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
SECRET = b"%PDF-1.4 business B only " + bytes(range(40))
# Path parameters that are not ids of a business's rows (a segment name, an export format, a channel kind).
NOT_IDS = {"name", "fmt", "kind"}


def app_routes(app: Any) -> list[tuple[str, str]]:
    from tests.test_tenancy_isolation import api_routes

    out: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                ctx = getattr(r, "include_context", None)
                walk(inner.routes, prefix + (getattr(ctx, "prefix", "") or ""))
                continue
            path, methods = getattr(r, "path", None), getattr(r, "methods", None)
            if path and (prefix + path).startswith("/app/"):
                for m in methods or ():
                    if m not in ("HEAD", "OPTIONS"):
                        out.add((m, prefix + path))

    walk(app.routes, "")
    assert api_routes  # same walker shape as the API walk
    return sorted(out, key=lambda mp: (mp[1], mp[0]))


def _b_objects(db: Any, w: Any) -> dict[str, Any]:
    from niaga.catalog.models import ShippingRate  # noqa: F401 - factories below
    from niaga.messaging.models import Conversation, Message
    from niaga.orders.models import Invoice, Order, Payment

    customer = f.make_customer(db, business=w.b)
    product = f.make_product(db, business=w.b)
    doc = f.make_knowledge(db, business=w.b)
    rate = f.make_rate(db, business=w.b)
    proof = files.save(
        db,
        business_id=w.b.id,
        data=SECRET,
        filename="b.pdf",
        mimetype="application/pdf",
        kind="payment_proof",
    )
    order = Order(
        business_id=w.b.id, number="ORD-B-0001", customer_id=customer.id, status="paid", subtotal=1, total=1
    )
    db.add(order)
    db.flush()
    pay = Payment(
        business_id=w.b.id,
        order_id=order.id,
        method="transfer",
        status="paid",
        amount=1,
        proof=[files.ref(proof)],
    )
    inv_rel = f"invoices/{w.b.id}/INV-B-0001.pdf"
    (get_settings().files_dir / inv_rel).parent.mkdir(parents=True, exist_ok=True)
    (get_settings().files_dir / inv_rel).write_bytes(SECRET)
    db.add_all([pay, Invoice(business_id=w.b.id, order_id=order.id, number="INV-B-0001", path=inv_rel)])
    media_rel = f"{w.b.id}/inbound/b-secret.pdf"
    (get_settings().files_dir / media_rel).parent.mkdir(parents=True, exist_ok=True)
    (get_settings().files_dir / media_rel).write_bytes(SECRET)
    conv = Conversation(business_id=w.b.id, customer_id=customer.id, channel="whatsapp", chat_id="628111")
    db.add(conv)
    db.flush()
    msg = Message(
        business_id=w.b.id,
        conversation_id=conv.id,
        channel="whatsapp",
        direction="in",
        sender_type="customer",
        text="rahasia B",
        media=[{"path": media_rel, "mimetype": "application/pdf", "filename": "b.pdf"}],
    )
    db.add(msg)
    content = {**_content_item(db, w), **_broadcast(db, w)}  # the content studio's pages (Konten)
    db.commit()
    return {
        **content,
        "product_id": product.id,
        "doc_id": doc.id,
        "rate_id": rate.id,
        "customer_id": customer.id,
        "conversation_id": conv.id,
        "message_id": msg.id,
        "order_id": order.id,
        "payment_id": pay.id,
        "index": 0,
        "user_id": w.other.id,
        "action": "replay",
        **_api_key(db, w),
        **_dead_letter(db, w),
        **_print_job(db, w),  # the print queue board (Cetak)
        **_event_delivery(db, w),  # Pengaturan -> Webhook's delivery replay
    }


def test_business_a_reaches_none_of_business_bs_pages_or_files(app, client, world, db):
    values = _b_objects(db, world)
    before = _business_counts(db, world.b.id)
    routes = [(m, p) for m, p in app_routes(app) if set(PARAM.findall(p)) - NOT_IDS]
    assert len(routes) >= 25, routes
    unmapped = sorted(
        {p for _, p in routes for n in PARAM.findall(p) if n not in values and n not in NOT_IDS}
    )
    assert not unmapped, f"dashboard id routes without a business-B value here: {unmapped}"
    assert login(client, "owner@a.test").status_code in (302, 303)
    token = csrf_of(client.get("/app/pesanan").text)
    failures = []
    for method, path in routes:
        url = PARAM.sub(
            lambda m: str(values.get(m.group(1), "whatsapp" if m.group(1) == "kind" else "csv")), path
        )
        data = {
            "csrf_token": token,
            "to": "cancelled",
            "text": "x",
            "name": "x",
            "role": "staff",
            "delta": "1",
        }
        r = client.request(method, url, data=data if method == "POST" else None, follow_redirects=False)
        if r.status_code != 404 or SECRET in r.content or b"rahasia B" in r.content:
            failures.append(f"{method} {path} -> {r.status_code} {r.text[:120]!r}")
    db.expire_all()
    print(f"\ntenant walk: {len(routes)} dashboard id routes as business A with business B's ids")
    assert not failures, "business A reached business B (expected 404):\n" + "\n".join(failures)
    assert _business_counts(db, world.b.id) == before
    # B's owner does reach them (the walk is not vacuous)
    client.cookies.clear()
    login(client, "owner@b.test")
    for url in (
        f"/app/pesanan/{values['order_id']}/bukti/{values['payment_id']}/0",
        f"/app/inbox/{values['conversation_id']}/lampiran/{values['message_id']}/0",
        f"/app/pesanan/{values['order_id']}/invoice",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r.content == SECRET, (url, r.status_code)
