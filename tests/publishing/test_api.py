"""REST API of the content studio: envelopes, roles (staff drafts, owner/admin approve and send), tenancy,
strict bodies, and the weekly batch's schedule."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from niaga.kit.timeutil import tz
from niaga.publishing import batch
from niaga.publishing.models import ContentItem
from tests import factories as f
from tests.publishing.conftest import photo


def _product(db, world) -> None:  # type: ignore[no-untyped-def]
    f.make_product(db, business=world.a, sku="KM-01", name="Kemeja Batik Kawung", price=175000, stock=9,
                   attributes={"image": photo("km01", (120, 70, 30))})  # fmt: skip


def test_generate_poster_item_and_approval_roles(db, world, client) -> None:  # type: ignore[no-untyped-def]
    _product(db, world)
    staff, owner, other = world.headers("staff"), world.headers("owner"), world.headers("other")
    r = client.post(
        "/api/v1/content/generate", json={"kind": "ig_caption", "product": "KM-01"}, headers=staff
    )
    body = r.json()
    assert r.status_code == 200 and body["success"] and "Rp175.000" in body["data"]["text"]
    again = client.post(
        "/api/v1/content/generate", json={"kind": "ig_caption", "product": "KM-01"}, headers=staff
    )
    assert again.json()["data"]["cached"] is True
    assert (
        client.post(
            "/api/v1/content/generate", json={"kind": "ig_caption", "extra": 1}, headers=staff
        ).status_code
        == 422
    )
    r = client.post("/api/v1/content/generate", json={"kind": "haiku"}, headers=staff)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_content_kind"
    usage = client.get("/api/v1/content/usage", headers=staff).json()["data"]
    assert usage["quota"] == {"used": 1, "limit": 10}

    poster = client.post(
        "/api/v1/content/posters", json={"product": "KM-01", "format": "story"}, headers=staff
    ).json()["data"]
    assert poster["url"].endswith(".jpg") and poster["photo"] is True
    img = client.get(poster["url"].removeprefix("http://127.0.0.1:8000"))
    assert img.status_code == 200 and img.content[:2] == b"\xff\xd8"
    assert client.get("/media/konten/1/../../etc/passwd").status_code == 404
    assert (
        client.get(f"/media/konten/{world.b.id}/{poster['token']}.jpg").status_code == 404
    )  # other business path

    item = client.post("/api/v1/content/items", headers=staff, json={
        "caption": "Kemeja Batik Kawung Rp175.000", "hashtags": ["batik"], "targets": ["instagram", "facebook"],
        "media": [poster["token"]], "scheduled_at": "2031-03-02T19:00:00",
    }).json()["data"]  # fmt: skip
    assert item["status"] == "draft" and item["scheduled_local"] == "2031-03-02 19:00"
    r = client.post(
        "/api/v1/content/items",
        headers=staff,
        json={"caption": "x", "targets": ["instagram"], "media": ["nope"]},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_not_found"
    iid = item["id"]
    assert (
        client.post(f"/api/v1/content/items/{iid}/submit", headers=staff).json()["data"]["status"]
        == "awaiting_approval"
    )
    r = client.post(f"/api/v1/content/items/{iid}/decision", json={"decision": "approve"}, headers=staff)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_approver"
    r = client.post(f"/api/v1/content/items/{iid}/decision", json={"decision": "reject"}, headers=owner)
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    assert client.get(f"/api/v1/content/items/{iid}", headers=other).status_code == 404
    assert (
        client.post(
            f"/api/v1/content/items/{iid}/decision", json={"decision": "approve"}, headers=other
        ).status_code
        == 404
    )
    r = client.post(f"/api/v1/content/items/{iid}/decision", json={"decision": "approve"}, headers=owner)
    data = r.json()["data"]
    assert data["status"] == "scheduled" and data["changed"] is True
    assert {p["platform"] for p in data["publications"]} == {"instagram", "facebook"}
    again = client.post(f"/api/v1/content/items/{iid}/decision", json={"decision": "approve"}, headers=owner)
    assert again.json()["data"]["changed"] is False
    # editing an approved item sends it back to draft (what is published is what was approved)
    r = client.patch(f"/api/v1/content/items/{iid}", json={"caption": "Baru"}, headers=staff)
    assert r.json()["data"]["status"] == "draft"
    listed = client.get("/api/v1/content/items?start=2031-03-02&days=7", headers=staff).json()["data"]
    assert [i["id"] for i in listed] == [iid]


def test_accounts_and_broadcast_api(db, world, client) -> None:  # type: ignore[no-untyped-def]
    owner, staff = world.headers("owner"), world.headers("staff")
    r = client.put(
        "/api/v1/content/accounts/meta", headers=staff, json={"config": {}, "secrets": {"access_token": "x"}}
    )
    assert r.status_code == 403
    r = client.put("/api/v1/content/accounts/meta", headers=owner,
                   json={"config": {"ig_user_id": "1784"}, "secrets": {"access_token": "EAAG"}})  # fmt: skip
    assert r.json()["data"] == {
        "kind": "meta",
        "config": {"ig_user_id": "1784"},
        "secrets": ["access_token"],
        "is_enabled": True,
    }
    r = client.put(
        "/api/v1/content/accounts/meta", headers=owner, json={"config": {"pixel": "1"}, "secrets": {}}
    )
    assert r.status_code == 422 and "pixel" in r.json()["error"]["message"]
    assert client.put("/api/v1/content/accounts/myspace", headers=owner, json={}).status_code == 404
    f.make_customer(db, business=world.a, name="Rina Ayu", phone="081300000001", tags=["member"])
    body = {"text": "Halo {nama}", "audience": {"tag": "member"}, "consent_confirmed": True}
    pv = client.post("/api/v1/broadcasts/preview", json=body, headers=staff).json()["data"]
    assert pv["recipients"] == 1 and pv["samples"][0]["text"] == "Halo Rina"
    assert client.post("/api/v1/broadcasts", json=body, headers=staff).status_code == 403
    bc = client.post("/api/v1/broadcasts", json=body, headers=owner).json()["data"]
    r = client.post(f"/api/v1/broadcasts/{bc['id']}/start", headers=owner).json()["data"]
    assert r["recipients"] == 1 and r["status"] == "sending"
    assert client.post(f"/api/v1/broadcasts/{bc['id']}/start", headers=owner).status_code == 409
    assert client.post(f"/api/v1/broadcasts/{bc['id']}/explode", headers=owner).status_code == 404
    assert client.get(f"/api/v1/broadcasts/{bc['id']}", headers=world.headers("other")).status_code == 404


def test_weekly_batch_runs_once_at_its_hour(db, world) -> None:  # type: ignore[no-untyped-def]
    _product(db, world)
    zone = tz(world.a.timezone)
    thursday = datetime(2031, 1, 9, 10, tzinfo=zone)  # not the batch day (Friday)
    assert batch.run_if_due(world.a.id, now=thursday) == "not_due"
    early = datetime(2031, 1, 10, 8, tzinfo=zone)
    assert batch.run_if_due(world.a.id, now=early) == "not_due"
    due = datetime(2031, 1, 10, 9, 30, tzinfo=zone)
    assert batch.run_if_due(world.a.id, now=due) == "drafted"
    assert batch.run_if_due(world.a.id, now=due.replace(hour=10)) == "done"
    items = list(db.scalars(sa.select(ContentItem).order_by(ContentItem.scheduled_at)))
    assert len(items) == 3 and all(i.status == "awaiting_approval" for i in items)
    local = [i.scheduled_at.astimezone(zone) for i in items]
    assert [d.strftime("%a %H:%M") for d in local] == ["Mon 19:00", "Wed 19:00", "Fri 19:00"]
    assert local[0].date().isoformat() == "2031-01-13"  # next week's Monday
    assert {i.batch_slot for i in items} == {"2031-W03:0", "2031-W03:1", "2031-W03:2"}
