"""Keep the attacks (issue 11): the role matrix. Every API route is called by each role — as a signed-in
user and through an API key of that role — and the lowest role it lets through must be the one this table
states. Rights only grow with rank (operator ⊆ staff ⊆ admin ⊆ owner), and an API key never does more than
a user of its role (admin keys doing owner-only things was item 2).

A route added without an entry here fails the test with the observed table, to be reviewed and pasted."""

from __future__ import annotations

from typing import Any

from niaga.tenancy.service import create_api_key
from tests import factories as f
from tests.test_tenancy_isolation import ANY_PARAM, _is_public, _request_kwargs, api_routes

ORDER = ("operator", "staff", "admin", "owner")
# The sign-in routes belong to no role.
SKIP_PREFIXES = ("/api/v1/auth/",)
STREAMS = ("/events",)  # never end by themselves

# (method, path) -> the lowest role let through (None: nobody of the business; "owner" only owners).
EXPECTED: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/webhooks/deliveries"): "admin",
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/replay"): "admin",
    ("GET", "/api/v1/webhooks/subscriptions"): "admin",
    ("POST", "/api/v1/webhooks/subscriptions"): "admin",
    ("DELETE", "/api/v1/webhooks/subscriptions/{subscription_id}"): "admin",
    ("POST", "/api/v1/webhooks/subscriptions/{subscription_id}/{action}"): "admin",
    ("POST", "/api/v1/broadcasts"): "admin",
    ("POST", "/api/v1/broadcasts/preview"): "staff",
    ("GET", "/api/v1/broadcasts/{broadcast_id}"): "staff",
    ("POST", "/api/v1/broadcasts/{broadcast_id}/{action}"): "admin",
    ("PUT", "/api/v1/content/accounts/{kind}"): "admin",
    ("POST", "/api/v1/content/generate"): "staff",
    ("GET", "/api/v1/content/items"): "staff",
    ("POST", "/api/v1/content/items"): "staff",
    ("DELETE", "/api/v1/content/items/{item_id}"): "staff",
    ("GET", "/api/v1/content/items/{item_id}"): "staff",
    ("PATCH", "/api/v1/content/items/{item_id}"): "staff",
    ("POST", "/api/v1/content/items/{item_id}/decision"): "admin",
    ("POST", "/api/v1/content/items/{item_id}/publish-now"): "admin",
    ("POST", "/api/v1/content/items/{item_id}/submit"): "staff",
    ("POST", "/api/v1/content/posters"): "staff",
    ("GET", "/api/v1/content/usage"): "staff",
    ("POST", "/api/v1/content/videos"): "staff",
    ("GET", "/api/v1/ops/alerts"): "admin",
    ("GET", "/api/v1/printers"): "admin",
    ("POST", "/api/v1/printers"): "admin",
    ("POST", "/api/v1/printers/{printer_id}/test"): "admin",
    ("GET", "/api/v1/print-requests"): "admin",
    ("GET", "/api/v1/print-requests/{request_id}"): "admin",
    ("POST", "/api/v1/print-requests/{request_id}/{action}"): "admin",
    ("POST", "/api/v1/privacy/customers/{customer_id}/erase"): "admin",
    ("GET", "/api/v1/privacy/customers/{customer_id}/export"): "admin",
    ("POST", "/api/v1/agent/turn"): "admin",
    ("GET", "/api/v1/ai/usage"): "staff",
    ("GET", "/api/v1/ai/embeddings"): "admin",
    ("PUT", "/api/v1/ai/embeddings"): "admin",
    ("GET", "/api/v1/api-keys"): "admin",
    ("POST", "/api/v1/api-keys"): "admin",
    ("DELETE", "/api/v1/api-keys/{key_id}"): "admin",
    ("GET", "/api/v1/business"): "operator",
    ("PATCH", "/api/v1/business"): "admin",
    ("GET", "/api/v1/channels"): "admin",
    ("GET", "/api/v1/channels/{kind}"): "admin",
    ("PUT", "/api/v1/channels/{kind}"): "admin",
    ("POST", "/api/v1/channels/{kind}/test"): "admin",
    ("POST", "/api/v1/channels/{kind}/webhook-token"): "admin",
    ("GET", "/api/v1/conversations"): "staff",
    ("GET", "/api/v1/conversations/{conversation_id}"): "staff",
    ("POST", "/api/v1/conversations/{conversation_id}/handback"): "staff",
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): "staff",
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): "staff",
    ("POST", "/api/v1/conversations/{conversation_id}/read"): "staff",
    ("POST", "/api/v1/conversations/{conversation_id}/takeover"): "staff",
    ("GET", "/api/v1/customers"): "staff",
    ("POST", "/api/v1/customers"): "staff",
    ("POST", "/api/v1/customers/import"): "admin",
    ("DELETE", "/api/v1/customers/{id}"): "admin",
    ("GET", "/api/v1/customers/{id}"): "staff",
    ("PATCH", "/api/v1/customers/{id}"): "staff",
    ("GET", "/api/v1/customers/{id}/rfm"): "staff",
    ("POST", "/api/v1/files"): "staff",
    ("GET", "/api/v1/files/{file_id}"): "staff",
    ("GET", "/api/v1/jobs/failed"): "admin",
    ("GET", "/api/v1/jobs/failed/{dead_letter_id}"): "admin",
    ("POST", "/api/v1/jobs/failed/{dead_letter_id}/discard"): "admin",
    ("POST", "/api/v1/jobs/failed/{dead_letter_id}/replay"): "admin",
    ("GET", "/api/v1/knowledge"): "staff",
    ("POST", "/api/v1/knowledge"): "staff",
    ("POST", "/api/v1/knowledge/import"): "admin",
    ("DELETE", "/api/v1/knowledge/{id}"): "admin",
    ("GET", "/api/v1/knowledge/{id}"): "staff",
    ("PATCH", "/api/v1/knowledge/{id}"): "staff",
    ("GET", "/api/v1/orders"): "staff",
    ("POST", "/api/v1/orders"): "staff",
    ("GET", "/api/v1/orders/{order_id}"): "staff",
    ("GET", "/api/v1/orders/{order_id}/invoice.pdf"): "staff",
    ("POST", "/api/v1/orders/{order_id}/payment-link"): "staff",
    ("POST", "/api/v1/orders/{order_id}/payments"): "staff",
    ("POST", "/api/v1/orders/{order_id}/transition"): "staff",
    ("GET", "/api/v1/payments/midtrans"): "admin",
    ("PUT", "/api/v1/payments/midtrans"): "admin",
    ("GET", "/api/v1/products"): "staff",
    ("POST", "/api/v1/products"): "staff",
    ("POST", "/api/v1/products/import"): "admin",
    ("DELETE", "/api/v1/products/{id}"): "admin",
    ("GET", "/api/v1/products/{id}"): "staff",
    ("PATCH", "/api/v1/products/{id}"): "staff",
    ("POST", "/api/v1/products/{id}/stock"): "staff",
    ("GET", "/api/v1/rfm/analysis"): "staff",
    ("POST", "/api/v1/rfm/calculate"): "staff",
    ("GET", "/api/v1/rfm/settings"): "staff",
    ("PUT", "/api/v1/rfm/settings"): "admin",
    ("GET", "/api/v1/rfm/movements"): "staff",
    ("GET", "/api/v1/rfm/segments/{name}"): "staff",
    ("GET", "/api/v1/rfm/snapshots"): "staff",
    ("GET", "/api/v1/shipping-rates"): "staff",
    ("POST", "/api/v1/shipping-rates"): "admin",
    ("POST", "/api/v1/shipping-rates/import"): "admin",
    ("DELETE", "/api/v1/shipping-rates/{id}"): "admin",
    ("GET", "/api/v1/shipping-rates/{id}"): "staff",
    ("PATCH", "/api/v1/shipping-rates/{id}"): "admin",
    ("GET", "/api/v1/transactions"): "staff",
    ("POST", "/api/v1/transactions/import"): "admin",
    ("POST", "/api/v1/transactions/{id}/cancel"): "admin",
    ("POST", "/api/v1/transactions/{id}/refund"): "admin",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("DELETE", "/api/v1/users/{user_id}"): "owner",
}


def _objects(db: Any, w: Any) -> dict[str, Any]:
    from tests.test_tenancy_isolation import _conversation, _dead_letter, _order, _transaction

    # Objects of business A that the calls may change or delete without harming the principals.
    victim = f.make_user(db, email="victim@a.test", business=w.a, role="staff")
    key, _ = create_api_key(db, business_id=w.a.id, name="victim-key", role="staff")
    db.commit()
    values: dict[str, Any] = {
        "id": f.make_product(db, business=w.a).id,
        "user_id": victim.id,
        "key_id": key.id,
    }
    for maker in (_conversation, _dead_letter, _order):
        made = maker(db, _AsA(w))
        values.update(made)
    values["transaction_id"] = _transaction(db, _AsA(w))["id"]
    return values


class _AsA:
    """The tenancy-walk factories make objects in `w.b`; here we want them in A."""

    def __init__(self, w: Any) -> None:
        self.a = self.b = w.a
        self.other = w.owner


def _principals(db: Any, w: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for role in ORDER:
        user = getattr(w, role)
        out[f"user:{role}"] = f.auth(user, w.a)
        _, secret = create_api_key(db, business_id=w.a.id, name=f"matrix-{role}", role=role)
        out[f"key:{role}"] = {"Authorization": f"Bearer {secret}"}
    db.commit()
    return out


def test_role_matrix(app, client, world, db):
    spec = app.openapi()
    values = _objects(db, world)
    principals = _principals(db, world)
    routes = [
        (m, p)
        for m, p in api_routes(app)
        if not _is_public(m, p) and not p.startswith(SKIP_PREFIXES) and not p.endswith(STREAMS)
    ]
    observed: dict[tuple[str, str], dict[str, int]] = {}
    for method, path in routes:
        url = ANY_PARAM.sub(lambda m: str(values.get(m.group(1), values["id"])), path)
        row = {}
        for who in [f"{k}:{r}" for r in ORDER for k in ("user", "key")]:
            r = client.request(method, url, headers=principals[who], **_request_kwargs(spec, method, path))
            assert r.status_code != 401, (method, path, who, r.text[:200])
            assert r.status_code < 500, (method, path, who, r.status_code, r.text[:300])
            row[who] = r.status_code
        observed[(method, path)] = row
    lowest: dict[tuple[str, str], str | None] = {}
    problems = []
    for route, row in observed.items():
        for kind in ("user", "key"):
            allowed = [row[f"{kind}:{r}"] != 403 for r in ORDER]
            if allowed != sorted(allowed):  # False... then True...: rights grow with rank
                problems.append(f"{route} {kind}: not monotone {row}")
        users = [r for r in ORDER if row[f"user:{r}"] != 403]
        keys = [r for r in ORDER if row[f"key:{r}"] != 403]
        if keys[:1] != users[:1] and not (keys and users and ORDER.index(keys[0]) > ORDER.index(users[0])):
            problems.append(f"{route}: an API key does more than a user of its role {row}")
        lowest[route] = users[0] if users else None
    print(
        f"\nrole matrix: {len(routes)} routes x {len(principals)} principals = {len(routes) * len(principals)} calls"
    )
    assert not problems, "\n".join(problems)
    table = "\n".join(
        f"    {k!r}: {v!r}," for k, v in sorted(lowest.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    )
    assert lowest == EXPECTED, "observed table (review, then paste into EXPECTED):\n" + table
