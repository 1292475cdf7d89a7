"""Dashboard → Konten over HTTP: the calendar, the studio making a grounded draft with a poster, approval
from the dashboard (owner/admin only, a reason required to reject), the item page, and broadcasts (preview,
send, clear messages for an empty audience). Tenancy: another business's item is not found."""

from __future__ import annotations

import re

import sqlalchemy as sa

from niaga.publishing.models import Broadcast, ContentItem
from tests import factories as f
from tests.publishing.conftest import photo
from tests.web.helpers import csrf_of, login, post_form


def _setup(db, world):  # type: ignore[no-untyped-def]
    f.make_product(db, business=world.a, sku="KM-01", name="Kemeja Batik Kawung", price=175000, stock=9,
                   attributes={"image": photo("km01", (120, 70, 30))})  # fmt: skip


def test_studio_draft_calendar_and_dashboard_approval(db, world, client) -> None:  # type: ignore[no-untyped-def]
    _setup(db, world)
    assert login(client, "staff@a.test").status_code == 303
    page = client.get("/app/konten")
    assert page.status_code == 200 and "Kalender" in page.text and "Buat konten" in page.text
    r = post_form(client, "/app/konten", "/app/konten/buat", {
        "kind": "ig_caption", "product": "KM-01", "segment": "champions", "occasion": "payday",
        "targets": ["instagram", "telegram_channel"], "poster": "1", "format": "feed",
        "scheduled_at": "2031-01-06T19:00",
    })  # fmt: skip
    assert r.status_code == 303, r.text[:300]
    item = db.scalars(sa.select(ContentItem)).one()
    assert r.headers["location"] == f"/app/konten/{item.id}"
    assert item.status == "draft" and "Rp175.000" in item.caption and item.media[0]["kind"] == "image"
    assert item.scheduled_at.isoformat() == "2031-01-06T12:00:00+00:00"  # 19:00 Jakarta
    detail = client.get(f"/app/konten/{item.id}")
    poster = re.search(r'<img class="ct-poster" src="([^"]+)"', detail.text)
    assert poster and client.get(poster.group(1)).content[:2] == b"\xff\xd8"
    assert post_form(client, f"/app/konten/{item.id}", f"/app/konten/{item.id}/ajukan", {}).status_code == 303
    db.close()  # a fresh snapshot of what the requests committed
    assert db.get(ContentItem, item.id).status == "awaiting_approval"
    week = client.get("/app/konten?view=week&date=2031-01-06")
    assert f'data-item="{item.id}"' in week.text and "Menunggu persetujuan" in week.text
    month = client.get("/app/konten?view=month&date=2031-01-01")
    assert f'href="/app/konten/{item.id}"' in month.text
    # staff cannot approve
    r = post_form(
        client, f"/app/konten/{item.id}", f"/app/konten/{item.id}/keputusan", {"decision": "approve"}
    )
    follow = client.get(r.headers["location"])
    assert "Hanya pemilik atau admin" in follow.text
    db.close()  # a fresh snapshot of what the requests committed
    assert db.get(ContentItem, item.id).status == "awaiting_approval"
    client.cookies.clear()
    login(client, "owner@a.test")
    r = post_form(client, "/app/konten", f"/app/konten/{item.id}/keputusan?back=list",
                  {"decision": "revise", "reason_code": "r1"})  # fmt: skip
    assert r.headers["location"] == "/app/konten"
    db.close()  # a fresh snapshot of what the requests committed
    it = db.get(ContentItem, item.id)
    assert it.status == "draft" and it.decision_reason == "Isi atau harga perlu diperbaiki"
    # edit: a caption too long for Instagram is refused with the limit
    r = post_form(client, f"/app/konten/{item.id}", f"/app/konten/{item.id}/ubah",
                  {"caption": "x" * 2500, "targets": ["instagram"], "scheduled_at": "2031-01-06T19:00"})  # fmt: skip
    assert "Caption terlalu panjang untuk Instagram" in client.get(r.headers["location"]).text
    post_form(client, f"/app/konten/{item.id}", f"/app/konten/{item.id}/ajukan", {})
    post_form(client, "/app/konten", f"/app/konten/{item.id}/keputusan", {"decision": "approve"})
    db.close()  # a fresh snapshot of what the requests committed
    assert db.get(ContentItem, item.id).status == "scheduled"
    # another business cannot see it
    client.cookies.clear()
    login(client, "owner@b.test")
    assert client.get(f"/app/konten/{item.id}").status_code == 404


def test_studio_bad_input_is_a_clear_message(db, world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, "owner@a.test")
    r = post_form(client, "/app/konten", "/app/konten/buat", {"kind": "ig_caption", "targets": ["facebook"]})
    assert "Belum ada produk aktif" in client.get(r.headers["location"]).text
    _setup(db, world)
    r = post_form(client, "/app/konten", "/app/konten/buat",
                  {"kind": "ig_caption", "product": "KM-01", "targets": ["tiktok"], "poster": "1"})  # fmt: skip
    assert "TikTok hanya menerima video" in client.get(r.headers["location"]).text


def test_broadcast_page_preview_send_and_empty(db, world, client) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        f.make_customer(db, business=world.a, name=f"Rina {i}", phone=f"6281300000{i:02d}", tags=["member"])
    login(client, "owner@a.test")
    page = client.get("/app/konten-broadcast")
    assert page.status_code == 200 and "Broadcast baru" in page.text
    data = {"tag": "member", "text": "Halo {nama}, ada promo!", "action": "preview"}
    r = client.post("/app/konten-broadcast", data={**data, "csrf_token": csrf_of(page.text)})
    assert "0 penerima" in r.text and "3 belum pernah chat" in r.text
    r = client.post("/app/konten-broadcast", data={**data, "consent": "1", "csrf_token": csrf_of(page.text)})
    assert "3 penerima" in r.text and "Halo Rina, ada promo!" in r.text
    r = client.post("/app/konten-broadcast", data={**data, "action": "send", "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 200 and "Tidak ada penerima" in r.text
    assert not db.scalars(sa.select(Broadcast).where(Broadcast.status == "sending")).all()
    r = client.post("/app/konten-broadcast", data={**data, "consent": "1", "action": "send",
                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert "Broadcast dimulai ke 3 pelanggan" in client.get("/app/konten-broadcast").text
    db.close()  # a fresh snapshot of what the requests committed
    assert db.scalars(sa.select(Broadcast)).one().status == "sending"
