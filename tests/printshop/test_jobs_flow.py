"""The print-job customer loop over the real WAHA and Midtrans protocols (loopback fakes), service and HTTP
level: files + note in one buffer window → one job → findings, preview and quote → "ya" → payment link →
signed settlement → queued → ready → picked up, points credited; plus bad input and expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from niaga.customers.models import Customer
from niaga.integrations.midtrans.fake import FakeMidtrans
from niaga.integrations.waha import fake as waha_fake
from niaga.kit.money import format_rupiah
from niaga.orders.models import Order
from niaga.printshop.jobs_models import PrintJob, PrintJobEvent
from niaga.printshop.pricing import DEFAULT_PRICES
from tests.channels.conftest import drain_all
from tests.printshop.jobs_world import CHAT, MIXED_ORDER, NOTE, file_event, make_print_shop, post, say


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
    return make_print_shop(db, waha, midtrans, buffer_seconds=1.0)


def _fresh(db):  # type: ignore[no-untyped-def]
    db.rollback()
    db.expire_all()
    return db


def _jobs(db, shop) -> list[PrintJob]:  # type: ignore[no-untyped-def]
    return list(_fresh(db).scalars(sa.select(PrintJob).where(PrintJob.business_id == shop.business.id)))


def _send_mixed_order(client, shop) -> None:  # type: ignore[no-untyped-def]
    for path in sorted(MIXED_ORDER.iterdir()):
        post(client, shop.business, file_event(shop.waha, path))
    say(client, shop.business, NOTE)
    drain_all(ahead=2)  # the inbox jobs, then the one buffered turn
    drain_all(ahead=2)  # processing


def _expected_total() -> int:
    p = DEFAULT_PRICES
    # letter: 3 copies, hard cover (biru dongker is a standard colour), A4 80 g; appendix 4 B/W pages; the
    # photo of a page is a straightened photo page
    return 4 * 3 * p["per_page"]["A4"]["bw"] + 3 * p["photo_page"] + 3 * p["binding"]["hard cover"]


def test_three_files_and_a_note_are_one_job_quoted_paid_queued_ready_picked_up(
    db, client, shop, waha, midtrans
):  # type: ignore[no-untyped-def]
    _send_mixed_order(client, shop)
    (job,) = _jobs(db, shop)
    assert job.status == "quoted", (job.status, job.findings)
    assert {f["name"] for f in job.files} == {p.name for p in MIXED_ORDER.iterdir()}
    assert job.copies == 3 and job.pickup_text == "Senin"
    assert job.total == _expected_total()
    texts = waha.texts_to(CHAT)
    quote = texts[-1]
    assert f"Total: {format_rupiah(_expected_total())}" in quote, quote
    assert "Jilid hard cover (3 rangkap)" in quote and "surat pengantar" in quote
    assert "diluruskan" in quote  # the photo's finding, in Indonesian
    assert texts[0].startswith("Terima kasih kak, 3 file sudah kami terima"), texts
    previews = [m for m in waha.sent if m["to"] == CHAT and m["route"] == "sendImage"]
    assert len(previews) == 2  # the first pages as images

    say(client, shop.business, "ya")
    drain_all(ahead=2)
    job = _jobs(db, shop)[0]
    order = db.get(Order, job.order_id)
    assert (job.status, order.kind, order.status, order.total) == (
        "awaiting_payment",
        "print",
        "awaiting_payment",
        job.total,
    )
    link = midtrans.transactions[order.number].redirect_url
    assert any(link in t for t in waha.texts_to(CHAT)), waha.texts_to(CHAT)[-2:]

    resp = client.post(
        f"/webhooks/midtrans/{shop.business.slug}", json=midtrans.notification(order.number, "settlement")
    )
    assert resp.status_code == 200
    drain_all(ahead=2)
    job = _jobs(db, shop)[0]
    assert job.status == "queued"
    assert "Pembayaran pesanan cetak" in waha.texts_to(CHAT)[-1] or any(
        "Pembayaran pesanan cetak" in t for t in waha.texts_to(CHAT)
    )

    from niaga.printshop import jobs, jobs_actions

    job = _fresh(db).get(PrintJob, job.id)
    jobs_actions.do_mark_ready(
        db, business=shop.business, job=job, actor=jobs.Actor("user", shop.operator.id)
    )
    db.commit()
    drain_all()
    assert "siap diambil" in waha.texts_to(CHAT)[-1]
    job = _fresh(db).get(PrintJob, job.id)
    jobs_actions.do_picked_up(db, job=job, actor=jobs.Actor("user", shop.operator.id))
    db.commit()
    drain_all()
    job = _fresh(db).get(PrintJob, job.id)
    customer = db.get(Customer, job.customer_id)
    assert job.status == "completed" and db.get(Order, job.order_id).status == "completed"
    assert customer.points_balance == job.total // 1000
    assert f"bertambah {job.total // 1000} poin" in waha.texts_to(CHAT)[-1]
    events = [
        (e.to_status, e.actor_type)
        for e in db.scalars(
            sa.select(PrintJobEvent).where(PrintJobEvent.job_id == job.id).order_by(PrintJobEvent.id)
        )
        if e.to_status
    ]
    assert events == [
        ("received", "customer"),
        ("processing", "customer"),
        ("quoted", "system"),
        ("awaiting_payment", "customer"),
        ("paid", "provider"),
        ("queued", "system"),
        ("ready", "user"),
        ("picked_up", "user"),
        ("completed", "system"),
    ]


def test_corrupt_file_gets_a_clear_reply_and_the_rest_is_quoted(db, client, shop, waha):  # type: ignore[no-untyped-def]
    pdf = MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"
    post(client, shop.business, file_event(waha, pdf))
    post(client, shop.business, file_event(waha, Path("rusak.pdf"), data=b"%PDF-1.4 this is not a pdf"))
    say(client, shop.business, "print hitam putih 2 rangkap ya kak")
    drain_all(ahead=2)
    drain_all(ahead=2)
    (job,) = _jobs(db, shop)
    assert job.status == "quoted"
    quote = waha.texts_to(CHAT)[-1]
    assert 'File "rusak.pdf"' in quote and "berkas lain tetap kami proses" in quote.lower(), quote
    assert (
        job.total == 4 * 2 * DEFAULT_PRICES["per_page"]["A4"]["bw"]
        or job.total == DEFAULT_PRICES["minimum_charge"]
    )


def test_only_unreadable_files_ask_the_customer_again(db, client, shop, waha):  # type: ignore[no-untyped-def]
    post(client, shop.business, file_event(waha, Path("foto.jpg"), data=b"\xff\xd8\xff broken jpeg"))
    drain_all(ahead=2)
    drain_all(ahead=2)
    (job,) = _jobs(db, shop)
    assert job.status == "needs_customer"
    assert "kirim ulang" in waha.texts_to(CHAT)[-1]


def test_unanswered_quote_is_reminded_once_then_expires(db, client, shop, waha, clock):  # type: ignore[no-untyped-def]
    from niaga.printshop import jobs_retention

    post(client, shop.business, file_event(waha, MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"))
    drain_all(ahead=2)
    drain_all(ahead=2)
    (job,) = _jobs(db, shop)
    assert job.status == "quoted"
    before = len(waha.texts_to(CHAT))
    now = job.waiting_since + timedelta(hours=25)
    assert jobs_retention.remind_and_expire(db, now=now) == {"reminded": 1, "expired": 0}
    db.commit()
    assert jobs_retention.remind_and_expire(db, now=now + timedelta(hours=1)) == {"reminded": 0, "expired": 0}
    db.commit()
    drain_all()
    assert len(waha.texts_to(CHAT)) == before + 1 and "masih menunggu" in waha.texts_to(CHAT)[-1]
    assert jobs_retention.remind_and_expire(db, now=job.waiting_since + timedelta(hours=73)) == {
        "reminded": 0,
        "expired": 1,
    }
    db.commit()
    drain_all()
    (job,) = _jobs(db, shop)
    assert job.status == "cancelled"
    assert "kami batalkan" in waha.texts_to(CHAT)[-1]


def test_telegram_document_and_photo_are_one_job(db, client, shop):  # type: ignore[no-untyped-def]
    from niaga.integrations.telegram.fake import FakeTelegram, post_update, text_update
    from tests.channels.conftest import ADMIN_CHAT, TG_SECRET, configure

    with FakeTelegram() as tg:
        configure(
            db,
            shop.business,
            "telegram",
            base_url=tg.url,
            bot_token=tg.token,
            secret_token=TG_SECRET,
            admin_chat_id=ADMIN_CHAT,
        )
        pdf = MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"
        photo = MIXED_ORDER / "IMG_20240517_093512.jpg"
        tg.add_file("BQACdoc", pdf.read_bytes(), "documents/file_12.pdf")
        tg.add_file("AgACphoto", photo.read_bytes(), "photos/file_3.jpg")
        doc = text_update("", chat_id=555)
        doc["message"].pop("text")
        doc["message"].update(
            caption="print 2 rangkap jilid spiral",
            document={
                "file_name": pdf.name,
                "mime_type": "application/pdf",
                "file_id": "BQACdoc",
                "file_unique_id": "d1",
                "file_size": pdf.stat().st_size,
            },
        )
        ph = text_update("", chat_id=555)
        ph["message"].pop("text")
        ph["message"]["photo"] = [
            {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": "AgACphoto", "file_unique_id": "p1", "width": 800, "height": 800, "file_size": 9},
        ]
        for upd in (doc, ph):
            assert (
                post_update(
                    f"/webhooks/telegram/{shop.business.slug}", upd, TG_SECRET, client=client
                ).status_code
                == 200
            )
        drain_all(ahead=2)
        drain_all(ahead=2)
        (job,) = _jobs(db, shop)
        assert (job.source, job.status, job.copies, len(job.files)) == ("telegram", "quoted", 2, 2)
        texts = [m.get("text") or m.get("caption") or "" for m in tg.messages_to(555)]
        assert any("Jilid spiral (2 rangkap)" in t for t in texts), texts


def test_customer_asks_in_chat_to_delete_their_files(db, client, shop, waha):  # type: ignore[no-untyped-def]
    from niaga.printshop import jobs, jobs_chat

    post(client, shop.business, file_event(waha, MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"))
    drain_all(ahead=2)
    drain_all(ahead=2)
    say(client, shop.business, "hapus file saya ya kak")
    drain_all(ahead=2)
    assert "masih berjalan" in waha.texts_to(CHAT)[-1]  # a quoted job keeps its files
    say(client, shop.business, "batal")
    drain_all(ahead=2)
    (job,) = _jobs(db, shop)
    assert job.status == "cancelled"
    folder = jobs.job_dir(job.business_id, job.id)
    assert folder.exists()
    say(client, shop.business, "tolong hapus semua file saya")
    drain_all(ahead=2)
    assert "sudah kami hapus permanen" in waha.texts_to(CHAT)[-1]
    assert not folder.exists()
    assert jobs_chat.DELETE.search("hapus file saya")


def test_processing_that_gives_up_leaves_the_job_failed_on_the_board(db, client, shop, waha, monkeypatch):  # type: ignore[no-untyped-def]
    from niaga.jobs.registry import PermanentError
    from niaga.printshop import jobs_process

    def crash(job_id: int) -> str:
        raise PermanentError("LibreOffice berhenti saat membuka dokumen")

    monkeypatch.setattr(jobs_process, "run", crash)
    post(client, shop.business, file_event(waha, MIXED_ORDER / "Lampiran_Skripsi_FINAL_revisi2.pdf"))
    drain_all(ahead=2)
    drain_all(ahead=2)
    (job,) = _jobs(db, shop)
    assert job.status == "failed" and "LibreOffice berhenti" in (job.alert or "")
