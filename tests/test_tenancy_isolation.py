"""Tenancy isolation, table-driven over EVERY route of the app under /api/v1.

(a) Without credentials every route answers 401, except the explicitly public ones below.
(b) Every route with an id-style path parameter (`{id}` or `{…_id}`) is called as business A's owner
    with the id of an object that belongs to business B, and must answer 404 (never 403/200) and leave
    B's data untouched. Objects are made by OBJECT_FACTORIES, keyed by route path prefix.

When you add a route with an id parameter, add a factory for its path prefix to OBJECT_FACTORIES (and,
if its body cannot be derived from the OpenAPI schema, an entry in BODIES) — this test fails until you do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests import factories as f

API = "/api/v1"
PUBLIC_ROUTES = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
}
# Path prefixes that are public by design (the public web chat widget). Provider webhooks live outside /api/v1
# (/webhooks/...); /api/v1/webhooks/ holds the admin API of outgoing event webhooks, which needs credentials.
PUBLIC_PREFIXES = ("/api/v1/widget/", "/api/v1/public/")
ID_PARAM = re.compile(r"\{((?:\w+_)?id)(?::\w+)?\}")
ANY_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def api_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route under /api/v1, walking included routers of any FastAPI version."""
    out: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:  # FastAPI's lazily included router
                ctx = getattr(r, "include_context", None)
                walk(inner.routes, prefix + (getattr(ctx, "prefix", "") or ""))
                continue
            path, methods = getattr(r, "path", None), getattr(r, "methods", None)
            if path is None:
                continue
            if methods is None and getattr(r, "routes", None):  # Mount
                walk(r.routes, prefix + path)
                continue
            full = prefix + path
            if full.startswith(API + "/") or full == API:
                for m in methods or ():
                    if m not in ("HEAD", "OPTIONS"):
                        out.add((m, full))

    walk(app.routes, "")
    return sorted(out, key=lambda mp: (mp[1], mp[0]))


def _is_public(method: str, path: str) -> bool:
    return (method, path) in PUBLIC_ROUTES or path.startswith(PUBLIC_PREFIXES)


def _fill(path: str, values: dict[str, Any]) -> str:
    return ANY_PARAM.sub(lambda m: str(values.get(m.group(1), "1")), path)


# --- (a) 401 without credentials ------------------------------------------------------------------


def test_every_api_route_requires_credentials(app, client, world):
    routes = api_routes(app)
    paths = {p for _, p in routes}
    # the walker must see the routes (guards against silently testing nothing)
    assert {"/api/v1/auth/login", "/api/v1/products/{id}", "/api/v1/customers/{id}"} <= paths
    failures = []
    for method, path in routes:
        if _is_public(method, path):
            continue
        r = client.request(method, _fill(path, {}))
        if r.status_code != 401:
            failures.append(f"{method} {path} → {r.status_code}")
    assert not failures, "routes answering without credentials (expected 401):\n" + "\n".join(failures)


def test_public_routes_listed_here_exist(app):
    routes = set(api_routes(app))
    assert routes >= PUBLIC_ROUTES


# --- (b) another business's ids are 404 ---------------------------------------------------------


def _api_key(db: Session, w: Any) -> dict[str, int]:
    from niaga.tenancy.service import create_api_key

    key, _ = create_api_key(db, business_id=w.b.id, name="b-key")
    db.commit()
    return {"key_id": key.id}


def _dead_letter(db: Session, w: Any) -> dict[str, int]:
    from niaga.jobs.models import DeadLetter, Job

    job = Job(name="test.noop", business_id=w.b.id, status="dead")
    db.add(job)
    db.flush()
    dl = DeadLetter(job_id=job.id, business_id=w.b.id, name="test.noop", error="boom")
    db.add(dl)
    db.commit()
    return {"dead_letter_id": dl.id}


def _conversation(db: Session, w: Any) -> dict[str, int]:
    from niaga.messaging.models import Conversation

    c = f.make_customer(db, business=w.b)
    conv = Conversation(business_id=w.b.id, customer_id=c.id, channel="whatsapp", chat_id="628111")
    db.add(conv)
    db.commit()
    return {"conversation_id": conv.id}


def _order(db: Session, w: Any) -> dict[str, int]:
    from niaga.orders.models import Order

    c = f.make_customer(db, business=w.b)
    o = Order(
        business_id=w.b.id,
        number="ORD-B-0001",
        customer_id=c.id,
        status="pending_payment",
        subtotal=10000,
        total=10000,
    )
    db.add(o)
    db.commit()
    return {"order_id": o.id}


# Route path prefix → factory(db, world) returning the path parameters of an object owned by business B.
def _transaction(db: Session, w: Any) -> dict[str, Any]:
    from datetime import date

    from niaga.customers.models import Transaction

    c = f.make_customer(db, business=w.b)
    tx = Transaction(
        business_id=w.b.id,
        ref="TX-B-1",
        customer_id=c.id,
        occurred_on=date(2025, 1, 2),
        amount=150_000,
        status="completed",
        products=[],
        source="import",
    )
    db.add(tx)
    db.commit()
    return {"id": tx.id}


def _stored_file(db: Session, w: Any) -> dict[str, int]:
    from niaga.files import service as files

    row = files.save(
        db,
        business_id=w.b.id,
        data=b"%PDF-1.4 B",
        filename="b.pdf",
        mimetype="application/pdf",
        kind="upload",
    )
    db.commit()
    return {"file_id": row.id}


def _event_subscription(db: Session, w: Any) -> dict[str, Any]:
    from niaga.operations.events import create_subscription

    sub, _ = create_subscription(db, business_id=w.b.id, url="https://b.example/hook", events=["*"])
    db.commit()
    return {"subscription_id": sub.id, "action": "disable"}


def _event_delivery(db: Session, w: Any) -> dict[str, Any]:
    from niaga.operations.events import create_subscription
    from niaga.ops.models import EventDelivery

    sub, _ = create_subscription(db, business_id=w.b.id, url="https://b.example/hook2", events=["*"])
    d = EventDelivery(
        business_id=w.b.id, subscription_id=sub.id, event_id="e-b", event_type="ping", payload={}
    )
    db.add(d)
    db.commit()
    return {"delivery_id": d.id}


def _print_job(db: Session, w: Any) -> dict[str, Any]:
    from niaga.printshop import jobs
    from niaga.printshop.jobs_models import PrintJob

    job = PrintJob(business_id=w.b.id, number="CTK-B-0001", source="counter", status="queued", copies=1)
    db.add(job)
    db.flush()
    out = jobs.job_dir(w.b.id, job.id) / "out" / "CTK-B-0001.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"%PDF-1.4 rahasia B")
    job.output_path = jobs.rel(out)
    db.commit()
    return {"job_id": job.id}


def _content_item(db: Session, w: Any) -> dict[str, int]:
    from niaga.publishing.models import ContentItem

    item = ContentItem(
        business_id=w.b.id, caption="Konten B", targets=["facebook"], status="awaiting_approval"
    )
    db.add(item)
    db.flush()
    return {"item_id": item.id}


def _broadcast(db: Session, w: Any) -> dict[str, int]:
    from niaga.publishing.models import Broadcast

    b = Broadcast(business_id=w.b.id, text="Halo", audience={"tag": "member"})
    db.add(b)
    db.flush()
    return {"broadcast_id": b.id}


def _printer(db: Session, w: Any) -> dict[str, Any]:
    from niaga.printshop.printing import add_printer

    p = add_printer(db, business_id=w.b.id, name="Printer B", uri="ipp://127.0.0.1:9/ipp/print")
    db.commit()
    return {"printer_id": p.id}


def _print_request(db: Session, w: Any) -> dict[str, Any]:
    from niaga.printshop.printing_models import PrintRequest

    p = _printer(db, w)
    req = PrintRequest(
        business_id=w.b.id,
        printer_id=p["printer_id"],
        source="print_job:b",
        pdf_path="/nonexistent/b.pdf",
        options={},
        state="failed",
        reason="rejected",
        token="b",
    )
    db.add(req)
    db.commit()
    return {"request_id": req.id, "action": "retry"}


OBJECT_FACTORIES: dict[str, Callable[[Session, Any], dict[str, Any]]] = {
    "/api/v1/printers/{printer_id}": _printer,
    "/api/v1/print-requests/{request_id}": _print_request,
    "/api/v1/webhooks/subscriptions/{subscription_id}": _event_subscription,
    "/api/v1/webhooks/deliveries/{delivery_id}": _event_delivery,
    "/api/v1/privacy/customers/{customer_id}": lambda db, w: {
        "customer_id": f.make_customer(db, business=w.b).id
    },
    "/api/v1/products/{id}": lambda db, w: {"id": f.make_product(db, business=w.b).id},
    "/api/v1/shipping-rates/{id}": lambda db, w: {"id": f.make_rate(db, business=w.b).id},
    "/api/v1/knowledge/{id}": lambda db, w: {"id": f.make_knowledge(db, business=w.b).id},
    "/api/v1/customers/{id}": lambda db, w: {"id": f.make_customer(db, business=w.b).id},
    "/api/v1/users/{user_id}": lambda db, w: {"user_id": w.other.id},
    "/api/v1/api-keys/{key_id}": _api_key,
    "/api/v1/jobs/failed/{dead_letter_id}": _dead_letter,
    "/api/v1/conversations/{conversation_id}": _conversation,
    "/api/v1/orders/{order_id}": _order,
    "/api/v1/transactions/{id}": _transaction,
    "/api/v1/files/{file_id}": _stored_file,
    "/api/v1/content/items/{item_id}": _content_item,
    "/api/v1/broadcasts/{broadcast_id}": _broadcast,
}
# Bodies for routes whose request body cannot be derived from the OpenAPI schema.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/products/{id}/stock"): {"delta": 1, "reason": "uji tenancy"},
    ("POST", "/api/v1/content/items/{item_id}/decision"): {"decision": "approve"},
}


def _factory_for(path: str) -> Callable[[Session, Any], dict[str, Any]] | None:
    keys = [k for k in OBJECT_FACTORIES if path == k or path.startswith(k + "/")]
    return OBJECT_FACTORIES[max(keys, key=len)] if keys else None


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _sample(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A minimal value satisfying a JSON schema: required properties only, first enum member, …"""
    schema = _resolve(schema, spec)
    for combo in ("anyOf", "oneOf"):
        if combo in schema:
            options = [s for s in schema[combo] if _resolve(s, spec).get("type") != "null"]
            return _sample(options[0], spec) if options else None
    if "allOf" in schema:
        return _sample(schema["allOf"][0], spec)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _sample(props[k], spec) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return (
            [_sample(schema["items"], spec)] * max(schema.get("minItems", 0), 0) if "items" in schema else []
        )
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "email":
            return "uji@contoh.id"
        if schema.get("format") == "date":
            return "2024-01-01"
        return "x" * max(schema.get("minLength", 1), 1)
    return None


def _request_kwargs(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    if (method, path) in BODIES:
        return {"json": BODIES[(method, path)]}
    op = spec.get("paths", {}).get(path, {}).get(method.lower(), {})
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return {"json": _sample(content["application/json"].get("schema", {}), spec)}
    if "multipart/form-data" in content:
        schema = _resolve(content["multipart/form-data"].get("schema", {}), spec)
        files, data = {}, {}
        for name in schema.get("required", []):
            prop = _resolve(schema["properties"][name], spec)
            if prop.get("format") == "binary" or prop.get("contentMediaType"):
                files[name] = ("uji.txt", b"uji", "text/plain")
            else:
                data[name] = str(_sample(prop, spec))
        return {"files": files or None, "data": data or None}
    return {}


def _business_counts(db: Session, business_id: int) -> dict[str, int]:
    from niaga.db.models import metadata

    counts = {}
    for table in metadata.sorted_tables:
        if "business_id" in table.c:
            counts[table.name] = (
                db.scalar(
                    sa.select(sa.func.count()).select_from(table).where(table.c.business_id == business_id)
                )
                or 0
            )
    return counts


def test_other_business_ids_are_404(app, client, world, db):
    spec = app.openapi()
    routes = [(m, p) for m, p in api_routes(app) if ID_PARAM.search(p) and not _is_public(m, p)]
    assert routes, "no id routes found"
    unmapped = sorted({p for _, p in routes if _factory_for(p) is None})
    assert not unmapped, (
        "id routes without an entry in OBJECT_FACTORIES (add one that creates the object in "
        "business B):\n" + "\n".join(unmapped)
    )
    params: dict[str, dict[str, Any]] = {}
    for _, path in routes:
        prefix = max((k for k in OBJECT_FACTORIES if path == k or path.startswith(k + "/")), key=len)
        if prefix not in params:
            params[prefix] = OBJECT_FACTORIES[prefix](db, world)
    db.commit()
    before = _business_counts(db, world.b.id)
    headers = world.headers("owner")
    failures = []
    for method, path in routes:
        prefix = max((k for k in OBJECT_FACTORIES if path == k or path.startswith(k + "/")), key=len)
        values = params[prefix]
        missing = [n for n in ANY_PARAM.findall(path) if n not in values and ID_PARAM.search("{" + n + "}")]
        if missing:
            failures.append(f"{method} {path}: factory for {prefix} gives no value for {missing}")
            continue
        r = client.request(
            method, _fill(path, values), headers=headers, **_request_kwargs(spec, method, path)
        )
        if r.status_code != 404:
            failures.append(f"{method} {path} → {r.status_code} {r.text[:200]}")
    db.expire_all()
    assert not failures, "business A reached business B's objects (expected 404):\n" + "\n".join(failures)
    assert _business_counts(db, world.b.id) == before
