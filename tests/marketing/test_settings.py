"""Marketing settings (method, bin edges, weekly schedule, report recipients): the dashboard form and the API
save them for the business, refuse bad input field by field without saving anything, and staff can only
read them; the weekly slot and a bins run follow what was saved."""

from __future__ import annotations

from datetime import UTC, datetime

from niaga.marketing import service
from niaga.tenancy.models import Business
from tests import factories as f
from tests.marketing.helpers import seed_shop
from tests.web.helpers import login, post_form


def _stored(business_id: int) -> dict:  # type: ignore[type-arg]
    """The business's settings as committed (a fresh session, not the test's)."""
    from niaga.db.engine import new_session

    with new_session() as s:
        return dict(s.get(Business, business_id).settings or {})


GOOD = {
    "rfm_method": "bins",
    "recency": "7, 14, 28, 56",
    "frequency": "2;4;8;16",
    "monetary": "10.000, 50.000, 250.000, 1.000.000",
    "weekly_enabled": "1",
    "weekday": "5",
    "hour": "18",
    "email": "Pemilik@Toko.test, admin@toko.test",
    "telegram": "",
    "whatsapp": "0812-3456-7890",
}


def test_dashboard_form_saves_and_refuses_bad_input(client, db):
    world = f.make_world(db)
    assert login(client, "admin@a.test").status_code == 303
    page = client.get("/app/pemasaran/pengaturan")
    assert page.status_code == 200 and "Pengaturan pemasaran" in page.text and "Jumat" in page.text

    bad = {**GOOD, "recency": "90, 60, 30, 10", "monetary": "banyak", "hour": "25", "email": "bukan-email"}
    r = post_form(client, "/app/pemasaran/pengaturan", "/app/pemasaran/pengaturan", bad)
    assert r.status_code == 422
    for msg in (
        "Batas recency harus naik",
        "Batas monetary harus",
        "Jam harus antara 0 dan 23",
        "bukan-email",
    ):
        assert msg in r.text, msg
    assert 'value="banyak"' in r.text  # what was typed is kept
    assert "marketing" not in _stored(world.a.id)  # nothing saved

    r = post_form(client, "/app/pemasaran/pengaturan", "/app/pemasaran/pengaturan", GOOD)
    assert r.status_code == 303
    cfg = service.marketing_settings(Business(settings=_stored(world.a.id)))
    assert cfg["rfm_method"] == "bins"
    assert cfg["rfm_bins"] == {
        "recency": [7, 14, 28, 56],
        "frequency": [2, 4, 8, 16],
        "monetary": [10_000, 50_000, 250_000, 1_000_000],
    }
    assert cfg["weekly"] == {"enabled": True, "weekday": 5, "hour": 18}
    assert cfg["report"] == {
        "email": ["admin@toko.test", "pemilik@toko.test"],
        "telegram": False,
        "whatsapp": "6281234567890",
    }
    assert "Jumat pukul 18.00" in client.get("/app/pemasaran").text  # the schedule shown before a first run
    assert "marketing" not in _stored(world.b.id)  # the other business untouched


def test_staff_reads_only_and_schedule_follows_settings(client, db):
    world = f.make_world(db)
    assert login(client, "staff@a.test").status_code == 303
    assert client.get("/app/pemasaran/pengaturan").status_code == 403
    assert 'id="mk-settings-link"' not in client.get("/app/pemasaran").text
    staff, admin = world.headers("staff"), world.headers("admin")
    assert client.get("/api/v1/rfm/settings", headers=staff).json()["data"]["weekly"]["weekday"] == 1
    body = {"rfm_method": "quantile", "weekly": {"enabled": True, "weekday": 3, "hour": 9}}
    assert client.put("/api/v1/rfm/settings", json=body, headers=staff).status_code == 403
    r = client.put("/api/v1/rfm/settings", json=body, headers=admin)
    assert r.status_code == 200, r.text
    biz = db.get(Business, world.a.id)
    db.refresh(biz)
    # Wednesday 2026-12-02 08:59 Jakarta time is before the slot, 09:00 is in it (01:59 / 02:00 UTC).
    assert service.weekly_slot(biz, datetime(2026, 12, 2, 1, 59, tzinfo=UTC)) is None
    assert service.weekly_slot(biz, datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == (
        "2026-W49",
        datetime(2026, 12, 2).date(),
    )
    r = client.put("/api/v1/rfm/settings", json={"weekly": {"weekday": 8, "hour": -1}}, headers=admin)
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert "weekly.weekday" in str(details) and "weekly.hour" in str(details)
    r = client.put("/api/v1/rfm/settings", json={"rfm_bins": {"frequency": [1, 2, 3]}}, headers=admin)
    assert r.status_code == 422 and "4 angka" in r.text
    r = client.put("/api/v1/rfm/settings", json={"surprise": 1}, headers=admin)
    assert r.status_code == 422


def test_bins_run_uses_saved_edges(client, db):
    world = f.make_world(db)
    seed_shop(db, world)
    admin = world.headers("admin")
    edges = {"recency": [1, 2, 3, 4], "frequency": [100, 200, 300, 400], "monetary": [1, 2, 3, 4]}
    assert (
        client.put(
            "/api/v1/rfm/settings", json={"rfm_method": "bins", "rfm_bins": edges}, headers=admin
        ).status_code
        == 200
    )
    r = client.post("/api/v1/rfm/calculate", json={"include_customers": True}, headers=admin)
    data = r.json()["data"]
    assert data["method"] == "bins"
    # Every customer buys fewer than 100 times and spends more than Rp4: F = 1 and M = 5 for all.
    assert {(c["f"], c["m"]) for c in data["customers"]} == {(1, 5)}
