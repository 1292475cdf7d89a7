"""WhatsApp broadcasts (issue 16 acceptance): a broadcast to the `at_risk` customers of the demo data reaches
exactly those who did not opt out, paced as configured; a customer replying "berhenti" receives no later
broadcast; plus consent, empty segments, provider warnings and statistics."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from niaga.integrations.waha.fake import FakeWaha
from niaga.jobs.runner import drain
from niaga.kit.errors import ValidationFailed
from niaga.kit.timeutil import utcnow
from niaga.marketing import service as rfm_service
from niaga.messaging.inbound import Inbound, do_receive
from niaga.publishing import broadcast
from niaga.publishing.models import BroadcastRecipient
from niaga.tenancy.service import get_business_by_slug
from tests import factories as f
from tests.channels.conftest import configure

PACING = {"min_delay_s": 5, "max_delay_s": 10, "daily_cap": 1000, "stop_after_failures": 3}


@pytest.fixture
def waha() -> Iterator[FakeWaha]:
    with FakeWaha() as fake:
        yield fake  # type: ignore[misc]


def _run_all(max_steps: int = 5000) -> None:
    """Run the queue the way time passes: step the injected clock to the next due job, run what is due."""
    from niaga.db.engine import session_scope
    from niaga.jobs.models import Job
    from niaga.kit.timeutil import clock

    for _ in range(max_steps):
        with session_scope() as s:
            nxt = s.scalar(sa.select(sa.func.min(Job.run_at)).where(Job.status == "pending"))
        if nxt is None:
            return
        if nxt > utcnow():
            clock.advance((nxt - utcnow()).total_seconds())
        drain(now=utcnow())
    raise AssertionError("the queue did not empty")


def _say(db, business, phone: str, text: str) -> None:  # type: ignore[no-untyped-def]
    do_receive(
        db,
        business=business,
        inbound=Inbound(channel="whatsapp", chat_id=f"{phone}@c.us", text=text, phone=phone),
    )
    db.commit()


def test_broadcast_to_at_risk_demo_customers(db, waha, monkeypatch, clock) -> None:  # type: ignore[no-untyped-def]
    from niaga.demo.loader import load_demo

    monkeypatch.setenv("NIAGA_DEMO_PASSWORD", "demo-pass")
    load_demo()
    b = get_business_by_slug(db, "batik-sekar")
    b.settings = {**b.settings, "broadcast": PACING, "channels": {"buffer_seconds": 0}}
    db.commit()
    configure(db, b, "waha", base_url=waha.url, api_key=waha.api_key, session="default", hmac_key="k")
    snap = rfm_service.do_run(db, business=b)
    db.commit()
    at_risk = sorted(
        (
            c
            for x, c in rfm_service.segment_rows(
                db,
                snapshot=rfm_service.get_snapshot(db, business_id=b.id, snapshot_id=snap.snapshot_id),
                segment="at_risk",
                limit=None,
            )[0]
        ),
        key=lambda c: c.id,
    )
    assert len(at_risk) > 20
    # three of them asked to stop, in different words; the agent confirms
    for c, word in zip(at_risk[:3], ("berhenti", "STOP", "Unsubscribe!"), strict=True):
        _say(db, b, c.phone, word)
    _run_all()
    for c in at_risk[:3]:
        assert broadcast.OPT_OUT_CONFIRMATION in waha.texts_to(f"{c.phone}@c.us")
    waha.sent.clear()

    text = "Halo {nama}, kami kangen! Ada koleksi batik baru di Batik Sekar. Balas STOP untuk berhenti."
    # imported customers never wrote to the shop: without the owner's confirmation nobody is reached
    pv = broadcast.preview(db, business=b, audience={"segment": "at_risk"}, text=text)
    assert pv["recipients"] == 0 and pv["excluded"]["no_consent"] == len(at_risk) - 3
    pv = broadcast.preview(db, business=b, audience={"segment": "at_risk"}, text=text, consent_confirmed=True)
    assert pv["recipients"] == len(at_risk) - 3 and pv["excluded"]["opted_out"] == 3
    assert pv["samples"][0]["text"].startswith("Halo " + pv["samples"][0]["name"].split(" ")[0] + ",")

    bc = broadcast.do_create(
        db, business=b, text=text, audience={"segment": "at_risk"}, consent_confirmed=True
    )
    started = utcnow()
    out = broadcast.do_start(db, business=b, broadcast=bc, seed=7)
    db.commit()
    assert out["recipients"] == len(at_risk) - 3
    rows = list(
        db.scalars(
            sa.select(BroadcastRecipient)
            .where(BroadcastRecipient.broadcast_id == bc.id)
            .order_by(BroadcastRecipient.due_at)
        )
    )
    gaps = [(y.due_at - x.due_at).total_seconds() for x, y in itertools.pairwise(rows)]
    assert all(5 <= g <= 10 for g in gaps)
    per_minute = len(rows) / ((rows[-1].due_at - started).total_seconds() / 60)
    assert 6 <= per_minute <= 12  # 60 s / 5..10 s per message

    # a recipient later in the queue replies "berhenti" before their turn
    late = next(c for c in at_risk[3:] if c.id == rows[-1].customer_id)
    _say(db, b, late.phone, "berhenti")
    # nothing goes out before its time
    drain(now=utcnow())
    early = {m["to"] for m in waha.sent if m["body"].startswith("Halo")}
    assert len(early) <= 1
    _run_all()
    db.close()  # a fresh snapshot: the jobs committed in other sessions
    reached = {m["to"] for m in waha.sent if m["body"].startswith("Halo ")}
    expected = {f"{c.phone}@c.us" for c in at_risk[3:] if c.id != late.id}
    assert reached == expected
    assert all(
        len([m for m in waha.sent if m["to"] == t and m["body"].startswith("Halo ")]) == 1 for t in reached
    )
    first = next(c for c in at_risk[3:] if c.id != late.id)
    assert waha.texts_to(f"{first.phone}@c.us")[0].startswith(
        f"Halo {first.name.split(' ')[0]}, kami kangen!"
    )
    stats = broadcast.stats(db, broadcast=broadcast.get(db, business_id=b.id, broadcast_id=bc.id))
    assert stats == {"sent": len(expected), "opted_out": 1, "total": len(expected) + 1}
    # paced as configured when actually handed to the outbound path, not only as planned
    handed = sorted(
        t
        for t in db.scalars(
            sa.select(BroadcastRecipient.handed_at).where(BroadcastRecipient.broadcast_id == bc.id)
        )
        if t
    )
    sent_gaps = [(y - x).total_seconds() for x, y in itertools.pairwise(handed)]
    assert min(sent_gaps) >= 5.0
    rate = (len(handed) - 1) / (handed[-1] - handed[0]).total_seconds() * 60
    assert 6 <= rate <= 12
    db.close()  # a fresh snapshot: the jobs committed in other sessions
    assert broadcast.get(db, business_id=b.id, broadcast_id=bc.id).status == "done"

    # a later broadcast leaves out all four who said stop, forever
    bc2 = broadcast.do_create(
        db, business=b, text="Promo {nama}", audience={"segment": "at_risk"}, consent_confirmed=True
    )
    assert broadcast.do_start(db, business=b, broadcast=bc2)["excluded"]["opted_out"] == 4


def test_consent_empty_segment_and_bad_text(db, world) -> None:  # type: ignore[no-untyped-def]
    b = world.a
    with pytest.raises(ValidationFailed, match="Pilih penerima"):
        broadcast.do_create(db, business=b, text="Halo", audience={})
    with pytest.raises(ValidationFailed, match="Segmen 'vip'"):
        broadcast.preview(db, business=b, audience={"segment": "vip"}, text="Halo")
    with pytest.raises(ValidationFailed, match="wajib diisi"):
        broadcast.do_create(db, business=b, text="  ", audience={"tag": "x"})
    with pytest.raises(ValidationFailed, match="terlalu panjang"):
        broadcast.do_create(db, business=b, text="x" * 1200, audience={"tag": "x"})
    with pytest.raises(ValidationFailed, match="Belum ada analisis RFM"):
        broadcast.preview(db, business=b, audience={"segment": "at_risk"}, text="Halo")
    f.make_customer(db, business=b, name="Sari", phone="6281200001111", tags=["reseller"])
    bc = broadcast.do_create(db, business=b, text="Halo {nama}", audience={"tag": "reseller"})
    with pytest.raises(ValidationFailed) as exc:
        broadcast.do_start(db, business=b, broadcast=bc)
    assert exc.value.code == "empty_audience" and exc.value.details["no_consent"] == 1


def test_provider_warnings_pause_the_broadcast(db, world, waha, clock) -> None:  # type: ignore[no-untyped-def]
    b = world.a
    b.settings = {"broadcast": {**PACING, "stop_after_failures": 2}}
    db.commit()
    configure(db, b, "waha", base_url=waha.url, api_key=waha.api_key, session="default", hmac_key="k")
    for i in range(6):
        f.make_customer(db, business=b, name=f"Pelanggan {i}", phone=f"62812000020{i:02d}", city="Bandung")
    bc = broadcast.do_create(
        db, business=b, text="Halo {nama}", audience={"city": "bandung"}, consent_confirmed=True
    )
    broadcast.do_start(db, business=b, broadcast=bc, seed=1)
    db.commit()
    waha.script("sendText", [422, 422, 422, 422, 422, 422])  # the number is being blocked
    _run_all()
    db.close()  # a fresh snapshot: the jobs committed in other sessions
    bc = broadcast.get(db, business_id=b.id, broadcast_id=bc.id)
    assert bc.status == "paused" and "gagal terkirim" in bc.pause_reason
    stats = broadcast.stats(db, broadcast=bc)
    assert stats["failed"] == 2 and stats["pending"] == 4
    assert waha.calls("/api/sendText")  # it tried, then stopped
    tried = len(waha.calls("/api/sendText"))
    _run_all()
    assert len(waha.calls("/api/sendText")) == tried
