"""Issue 11, item 11: request bodies are validated with strict JSON types. Before the fix, lax coercion
accepted input the OpenAPI schema calls invalid (`is_enabled: 0`, `"quantity": "2"`, `"price": "1000"`)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from tests import factories as f


def _models() -> dict[str, type[BaseModel]]:
    out: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("niaga."):
                out.setdefault(sub.__name__, sub)
            todo.append(sub)
    return out


def _refs(node: Any, spec: dict[str, Any], seen: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                _refs(spec["components"]["schemas"][name], spec, seen)
        for v in node.values():
            _refs(v, spec, seen)
    elif isinstance(node, list):
        for v in node:
            _refs(v, spec, seen)


def test_every_json_request_body_model_is_strict(app):
    spec = app.openapi()
    names: set[str] = set()
    for ops in spec["paths"].values():
        for op in ops.values():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                _refs(body["schema"], spec, names)
    models = _models()
    assert len(names) >= 25
    lax = sorted(n for n in names if n in models and not models[n].model_config.get("strict"))
    assert lax == [], f"request body models without strict=True (inherit niaga.kit.strict.StrictIn): {lax}"
    assert not [n for n in names if n not in models], "every body schema maps to a model"


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("PUT", "/api/v1/payments/midtrans", {"server_key": "SB-Mid-server-xxxxxxxx", "is_enabled": 0}),
        ("PUT", "/api/v1/channels/telegram", {"is_enabled": 1}),
        ("POST", "/api/v1/orders", {"items": [{"sku": "X-1", "quantity": "2"}]}),
        ("POST", "/api/v1/orders", {"items": [{"sku": "X-1", "quantity": 2.0}]}),
        ("POST", "/api/v1/orders", {"items": [{"sku": "X-1"}], "discount": "0"}),
        ("POST", "/api/v1/products", {"sku": "S-1", "name": "Kaos", "price": "1000"}),
        ("POST", "/api/v1/products", {"sku": "S-2", "name": "Kaos", "price": 1000, "is_active": "true"}),
        ("POST", "/api/v1/customers", {"name": 123}),
    ],
)
def test_lax_coercions_are_refused(client, db, world, method, path, body):
    f.make_product(db, business=world.a, sku="X-1", price=1000, stock=5)
    r = client.request(method, path, json=body, headers=world.headers("owner"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


def test_strict_bodies_still_take_their_json_forms(client, db, world):
    f.make_product(db, business=world.a, sku="X-1", price=1000, stock=5)
    h = world.headers("owner")
    assert (
        client.post("/api/v1/orders", json={"items": [{"sku": "X-1", "quantity": 2}]}, headers=h).status_code
        == 201
    )
    r = client.post("/api/v1/rfm/calculate", json={"as_of": "2026-01-31"}, headers=h)
    assert r.status_code in (200, 201, 202), r.text
