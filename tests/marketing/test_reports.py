"""The weekly owner report: PDF text and XLSX cells checked, only the business's own customers, the weekly
job at the business's Monday 07:00 (once per week, idempotent), and delivery by email (Resend), the
Telegram admin chat and WhatsApp (WAHA) through the loopback fakes."""

from __future__ import annotations

import base64
import io
import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from niaga.customers.models import Transaction
from niaga.kit.timeutil import local_today, tz, utcnow
from niaga.marketing import aggregates, reports, rfm, service, tasks
from niaga.marketing.models import RfmSnapshot
from tests import factories as f
from tests.fakes.resend import API_KEY, FakeResend
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waha import FakeWaha
from tests.marketing.helpers import load, random_transactions


def _two_weeks(db, world):  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    today = local_today(world.a.timezone)
    refs = [f"A{i:03d}" for i in range(40)]
    load(db, world.a, refs, random_transactions(rng, refs, 300, start=today - timedelta(days=400), end=today))
    load(
        db,
        world.b,
        ["BX1", "BX2"],
        random_transactions(rng, ["BX1", "BX2"], 10, start=today - timedelta(days=30), end=today),
    )
    db.execute(
        sa.update(sa.table("customers", sa.column("business_id"), sa.column("name")))
        .where(sa.column("business_id") == world.b.id)
        .values(name="Rahasia Toko B")
    )
    db.commit()
    service.do_run(db, business=world.a, as_of=today - timedelta(days=7))
    service.do_run(db, business=world.b)
    for tx in db.scalars(
        sa.select(Transaction)
        .where(Transaction.business_id == world.a.id, Transaction.status == "completed")
        .order_by(Transaction.amount.desc())
        .limit(15)
    ).all():
        aggregates.do_change_transaction(db, business_id=world.a.id, transaction_id=tx.id, action="refund")
    service.do_run(db, business=world.a)
    db.commit()


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_pdf_and_xlsx_contents(db):
    world = f.make_world(db)
    _two_weeks(db, world)
    data = reports.report_data(db, business=world.a)
    assert data.movements and data.previous_as_of == local_today(world.a.timezone) - timedelta(days=7)
    pdf = reports.render_pdf(data)
    text = _pdf_text(pdf)
    assert "Laporan Pelanggan Mingguan" in text and "Toko A" in text
    assert "Perpindahan segmen sejak" in text and "Saran tindakan" in text and "Peta R/F" in text
    assert "Tren ukuran segmen" in text
    for s in data.segments:
        assert s["label"] in text
    first = data.movements[0]
    assert first["from_label"] in text and first["to_label"] in text
    assert "Rahasia Toko B" not in text and "BX1" not in text
    wb = load_workbook(io.BytesIO(reports.render_xlsx(data)))
    assert wb.sheetnames == ["Ringkasan", *[rfm.label_of(s) for s in rfm.SEGMENT_ORDER]]
    summary = wb["Ringkasan"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:E11"
    assert [c.value for c in summary[1]] == [
        "Segmen",
        "Kode segmen",
        "Pelanggan",
        "Pendapatan",
        "Saran tindakan",
    ]
    by_label = {row[0].value: row for row in summary.iter_rows(min_row=2, max_row=11)}
    for s in data.segments:
        row = by_label[s["label"]]
        assert row[2].value == s["count"] and row[3].value == s["revenue"]
        assert row[3].number_format == reports.RUPIAH_FORMAT
    total_rows = 0
    for s in rfm.SEGMENT_ORDER:
        ws = wb[rfm.label_of(s)]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:K")
        assert ws["H1"].value == "Total belanja"
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        total_rows += len(rows)
        assert all(str(r[0]).startswith("A") for r in rows)
        money = [r[7] for r in rows]
        assert money == sorted(money, reverse=True)
        if rows:
            assert ws["H2"].number_format == reports.RUPIAH_FORMAT
    assert total_rows == data.customers_scored


def test_report_without_analysis_is_a_clear_error(db):
    world = f.make_world(db)
    import pytest

    from niaga.kit.errors import NotFound

    with pytest.raises(NotFound) as exc:
        reports.report_data(db, business=world.a)
    assert "Belum ada analisis" in exc.value.message
    service.do_run(db, business=world.a)  # no transactions at all: still a valid, empty report
    data = reports.report_data(db, business=world.a)
    assert data.customers_scored == 0 and "Laporan Pelanggan" in _pdf_text(reports.render_pdf(data))
    assert load_workbook(io.BytesIO(reports.render_xlsx(data)))["Juara"].max_row == 1


def _last_monday(zone: str, hour: int, minute: int = 30) -> datetime:
    local = utcnow().astimezone(tz(zone))
    monday = (local - timedelta(days=local.isoweekday() - 1)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )
    return monday if monday <= local else monday - timedelta(days=7)


def test_weekly_job_once_per_week_and_delivery(db):
    from niaga.jobs.runner import drain
    from niaga.orders import invoices
    from tests.channels.conftest import configure

    world = f.make_world(db)
    world.a.settings = {"marketing": {"report": {"whatsapp": "6281299990000"}}}
    db.commit()
    _two_weeks(db, world)
    before = _last_monday(world.a.timezone, 6)
    assert tasks.take_weekly(world.a.id, now=before) == "not_due"
    at = _last_monday(world.a.timezone, 7)
    with FakeResend() as resend, FakeTelegram() as telegram, FakeWaha() as waha:
        invoices.configure_email(
            db,
            business_id=world.a.id,
            kind="resend",
            api_key=API_KEY,
            sender="Toko A <noreply@toko-a.test>",
            base_url=resend.base_url,
        )
        db.commit()
        configure(
            db,
            world.a,
            "telegram",
            base_url=telegram.url,
            bot_token=telegram.token,
            secret_token="s3cret",
            admin_chat_id="-100777",
        )
        configure(
            db, world.a, "waha", base_url=waha.url, api_key=waha.api_key, session="default", hmac_key="k"
        )
        out = tasks.weekly_snapshots(now=at)
        assert out["taken"] == 2  # both businesses, each in its own week slot
        assert tasks.take_weekly(world.a.id, now=at + timedelta(hours=3)) == "done"
        db.expire_all()
        weekly = db.scalars(
            sa.select(RfmSnapshot).where(RfmSnapshot.kind == "weekly", RfmSnapshot.business_id == world.a.id)
        ).all()
        assert len(weekly) == 1 and weekly[0].period.startswith(str(at.isocalendar()[0]))
        assert "done" in drain(names={"marketing.send_weekly_report"})
        (email,) = [e for e in resend.emails if e["to"] == ["owner@a.test"]]
        assert email["subject"].startswith("Laporan pelanggan mingguan")
        names = sorted(a["filename"] for a in email["attachments"])
        assert names[0].endswith(".pdf") and names[1].endswith(".xlsx")
        pdf = next(
            base64.b64decode(a["content"]) for a in email["attachments"] if a["filename"].endswith(".pdf")
        )
        assert "Rahasia Toko B" not in _pdf_text(pdf)
        docs = telegram.messages_to("-100777")
        assert len(docs) == 2 and all(d["method"] == "sendDocument" for d in docs)
        assert "Laporan pelanggan mingguan" in docs[0]["caption"]
        assert len(waha.sent) == 2
