"""The queue board over HTTP: operator access, another business's jobs stay invisible, board actions, the
signed PDF link, staff upload at the counter and the customer upload page with its signed, expiring token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from niaga.integrations.midtrans.fake import FakeMidtrans
from niaga.integrations.waha import fake as waha_fake
from niaga.printshop import jobs, jobs_links
from niaga.printshop.jobs_models import PrintJob
from tests import factories as f
from tests.channels.conftest import drain_all
from tests.printshop.jobs_world import CHAT, MIXED_ORDER, file_event, make_print_shop, post, say
from tests.web.helpers import csrf_of, login

PDF = MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"


@pytest.fixture
def waha() -> Iterator[waha_fake.FakeWaha]:
    with waha_fake.FakeWaha() as fake:
        yield fake


@pytest.fixture
def midtrans() -> Iterator[FakeMidtrans]:
    with FakeMidtrans() as fake:
        yield fake


@pytest.fixture
def shop(db, waha, midtrans):  # type: ignore[no-untyped-def]
    return make_print_shop(db, waha, midtrans, buffer_seconds=0.5)


def _quoted_job(db, client, shop) -> PrintJob:  # type: ignore[no-untyped-def]
    post(client, shop.business, file_event(shop.waha, PDF))
    say(client, shop.business, "print 2 rangkap ekspres")
    drain_all(ahead=2)
    drain_all(ahead=2)
    db.rollback()
    job = db.scalars(sa.select(PrintJob).where(PrintJob.business_id == shop.business.id)).one()
    assert job.status == "quoted", job.findings
    return job


def _act(client, job_id: int, action: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/app/cetak")
    resp = client.post(
        f"/app/cetak/{job_id}/aksi",
        data={"do": action, "csrf_token": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    return resp.text


def test_operator_board_actions_and_signed_pdf(db, client, shop, waha):  # type: ignore[no-untyped-def]
    job = _quoted_job(db, client, shop)
    assert job.express
    assert login(client, shop.operator.email).status_code == 303
    board = client.get("/app/cetak")
    assert board.status_code == 200
    assert job.number in board.text and "EKSPRES" in board.text and "Menunggu pelanggan" in board.text
    detail = client.get(f"/app/cetak/{job.id}")
    assert "Lihat PDF siap cetak" in detail.text
    pdf_link = re.search(r'href="(/cetak/berkas/[^"]+)"', detail.text).group(1)  # type: ignore[union-attr]
    pdf = client.get(pdf_link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(pdf_link[:-3] + "xyz").status_code == 404  # tampered
    assert (
        client.get(
            f"/u/{jobs_links.file_token(business_id=job.business_id, job_id=job.id, what='pdf')}"
        ).status_code
        == 404
    )  # wrong purpose

    _act(client, job.id, "accept_counter")
    db.rollback()
    assert db.get(PrintJob, job.id).status == "awaiting_payment"
    text = _act(client, job.id, "cash")
    db.rollback()
    assert db.get(PrintJob, job.id).status == "queued", text[:2000]
    _act(client, job.id, "ready")
    _act(client, job.id, "picked_up")
    db.rollback()
    assert db.get(PrintJob, job.id).status == "completed"
    drain_all()
    assert "siap diambil" in " ".join(waha.texts_to(CHAT))
    # an action not offered in the current state is refused, nothing moves
    text = _act(client, job.id, "cancel")
    assert "tidak tersedia" in text


def test_other_business_and_roles(db, client, shop, world):  # type: ignore[no-untyped-def]
    job = _quoted_job(db, client, shop)
    login(client, world.owner.email)  # owner of a business without the print module / not this business
    assert client.get(f"/app/cetak/{job.id}").status_code == 404
    db.rollback()
    outsider_biz = f.make_business(db, settings={"modules": {"print": True}})
    other = f.make_user(db, email="op2@x.test", business=outsider_biz, role="operator")
    client.cookies.clear()
    login(client, other.email)
    assert client.get("/app/cetak").status_code == 200
    assert client.get(f"/app/cetak/{job.id}").status_code == 404
    page = client.get("/app/cetak")
    resp = client.post(f"/app/cetak/{job.id}/aksi", data={"do": "cancel", "csrf_token": csrf_of(page.text)})
    assert resp.status_code == 404
    db.rollback()
    assert db.get(PrintJob, job.id).status == "quoted"


def test_customer_upload_page(db, client, shop, waha):  # type: ignore[no-untyped-def]
    say(client, shop.business, "tolong cetak tesis saya 2 eksemplar, jilid soft cover")
    drain_all(ahead=2)
    from niaga.messaging.models import Conversation

    conv = db.scalars(sa.select(Conversation).where(Conversation.business_id == shop.business.id)).one()
    reply = waha.texts_to(CHAT)[-1]
    m = re.search(r"https?://\S+/u/(\S+)", reply)
    assert m, reply  # the agent's answer to a print request carries the customer's signed upload link
    token = m.group(1)
    page = client.get(f"/u/{token}")
    assert page.status_code == 200 and "Tarik &amp; lepas" in page.text and "multiple" in page.text
    resp = client.post(
        f"/u/{token}",
        files=[
            ("files", (PDF.name, PDF.read_bytes(), "application/pdf")),
            ("files", ("virus.exe", b"MZ", "application/octet-stream")),
        ],
        data={"note": "2 rangkap jilid spiral"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ok"] and body["refused"] == ["virus.exe (jenis file tidak didukung)"]
    drain_all(ahead=2)
    db.rollback()
    job = db.scalars(sa.select(PrintJob).where(PrintJob.business_id == shop.business.id)).one()
    assert (job.source, job.status, job.copies, job.conversation_id) == ("upload", "quoted", 2, conv.id)
    assert "Jilid spiral" in waha.texts_to(CHAT)[-1]
    # tampered and expired tokens
    assert client.get(f"/u/{token}x").status_code == 404
    shop.business.settings = {**shop.business.settings, "printshop": {"upload_link_hours": 0}}
    db.merge(shop.business)
    db.commit()
    import time

    time.sleep(1.1)
    expired = client.get(f"/u/{token}")
    assert expired.status_code == 404 and "kedaluwarsa" in expired.text


def test_counter_upload_creates_a_job_for_a_walk_in(db, client, shop, waha):  # type: ignore[no-untyped-def]
    login(client, shop.operator.email)
    page = client.get("/app/cetak/baru")
    resp = client.post(
        "/app/cetak/baru",
        data={
            "csrf_token": csrf_of(page.text),
            "note": "1 rangkap hitam putih",
            "name": "Sari",
            "phone": "0812-3456-7890",
        },
        files=[("files", (PDF.name, PDF.read_bytes(), "application/pdf"))],
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text[:500]
    drain_all(ahead=2)
    db.rollback()
    job = db.scalars(sa.select(PrintJob).where(PrintJob.business_id == shop.business.id)).one()
    assert (job.source, job.status) == ("counter", "quoted")
    assert any("Total" in t for t in waha.texts_to("6281234567890@c.us"))
    assert jobs.STATE_LABELS_ID[job.status] in client.get(f"/app/cetak/{job.id}").text
