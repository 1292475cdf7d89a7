"""Retention and privacy of print files (periodic purge, the customer's own delete request) and the
print-shop figures on the overview."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from niaga.kit.timeutil import utcnow
from niaga.printshop import jobs, jobs_retention, jobs_stats
from niaga.printshop.jobs_models import PrintJob
from niaga.settings import get_settings
from tests import factories as f
from tests.web.helpers import login


def _job(db, business, *, status: str, tmp: Path, customer=None, **kw) -> PrintJob:  # type: ignore[no-untyped-def]
    job = PrintJob(
        business_id=business.id,
        number=f"CTK-T{kw.pop('n', 1)}",
        source="whatsapp",
        status=status,
        customer_id=customer.id if customer else None,
        **kw,
    )
    db.add(job)
    db.flush()
    folder = jobs.job_dir(business.id, job.id)
    (folder / "in").mkdir(parents=True, exist_ok=True)
    (folder / "out").mkdir(parents=True, exist_ok=True)
    (folder / "preview").mkdir(parents=True, exist_ok=True)
    src = folder / "in" / "a.pdf"
    src.write_bytes(b"%PDF-1.4 x")
    origin = get_settings().files_dir / str(business.id) / "inbound" / f"{job.id}-a.pdf"
    origin.parent.mkdir(parents=True, exist_ok=True)
    origin.write_bytes(b"%PDF-1.4 x")
    out = folder / "out" / "o.pdf"
    out.write_bytes(b"%PDF-1.4 out")
    (folder / "preview" / "p.jpg").write_bytes(b"\xff\xd8")
    job.files = [{"name": "a.pdf", "path": jobs.rel(src), "origin": jobs.rel(origin)}]
    job.output_path = jobs.rel(out)
    job.previews = [jobs.rel(folder / "preview" / "p.jpg")]
    db.commit()
    return job


def test_temp_files_after_24h_archive_after_30_days_active_jobs_untouched(db, world, tmp_path):  # type: ignore[no-untyped-def]
    b = world.a
    now = utcnow()
    done = _job(db, b, status="completed", tmp=tmp_path, n=1, finished_at=now - timedelta(hours=25))
    fresh = _job(db, b, status="completed", tmp=tmp_path, n=2, finished_at=now - timedelta(hours=2))
    active = _job(db, b, status="queued", tmp=tmp_path, n=3)
    origin = get_settings().files_dir / done.files[0]["origin"]
    assert jobs_retention.run_retention(db, now=now) == {"temp": 1, "archive": 0}
    db.commit()
    assert not jobs.absolute(done.files[0]["path"]).exists() and not origin.exists()
    assert jobs.absolute(done.output_path).exists()  # the archive stays for 30 days
    assert jobs.absolute(fresh.files[0]["path"]).exists() and jobs.absolute(active.files[0]["path"]).exists()
    assert jobs_retention.run_retention(db, now=now) == {"temp": 0, "archive": 0}  # idempotent
    later = now + timedelta(days=31)
    assert jobs_retention.run_retention(db, now=later) == {"temp": 1, "archive": 2}
    db.commit()
    db.expire_all()
    assert db.get(PrintJob, done.id).output_path is None
    assert not jobs.job_dir(b.id, done.id).exists()
    assert jobs.absolute(active.files[0]["path"]).exists() and db.get(PrintJob, active.id).output_path


def test_per_business_retention_setting(db, world, tmp_path):  # type: ignore[no-untyped-def]
    b = world.a
    b.settings = {**(b.settings or {}), "printshop": {"temp_retention_hours": 1}}
    db.commit()
    job = _job(db, b, status="cancelled", tmp=tmp_path, finished_at=utcnow() - timedelta(hours=2))
    assert jobs_retention.run_retention(db)["temp"] == 1
    db.commit()
    assert not jobs.absolute(job.files[0]["path"]).exists()


def test_customer_asks_to_delete_files(db, world, tmp_path):  # type: ignore[no-untyped-def]
    b = world.a
    c = f.make_customer(db, business=b, name="Rina")
    done = _job(db, b, status="completed", tmp=tmp_path, customer=c, n=1, finished_at=utcnow())
    running = _job(db, b, status="printing", tmp=tmp_path, customer=c, n=2)
    n, active = jobs_retention.delete_customer_files(
        db, business_id=b.id, customer_id=c.id, actor=jobs.Actor("customer", c.id)
    )
    db.commit()
    assert (n, active) == (1, [running.number])
    assert not jobs.job_dir(b.id, done.id).exists()
    assert jobs.absolute(running.output_path).exists()


def test_print_figures_on_the_overview(db, world, client, tmp_path):  # type: ignore[no-untyped-def]
    b = world.a
    b.settings = {**(b.settings or {}), "modules": {"print": True}}
    db.commit()
    now = utcnow()
    quote = {
        "items": [
            {"code": "print_bw_A4", "label": "x", "qty": 10, "unit_price": 300, "amount": 3000},
            {"code": "binding_hard_cover", "label": "y", "qty": 1, "unit_price": 35000, "amount": 35000},
        ]
    }
    for i, (bw, col, copies, hours) in enumerate(((10, 2, 3, 5.0), (4, 0, 1, 3.0))):
        db.add(
            PrintJob(
                business_id=b.id,
                number=f"CTK-S{i}",
                source="whatsapp",
                status="completed",
                pages_bw=bw,
                pages_colour=col,
                copies=copies,
                quote=quote,
                created_at=now - timedelta(hours=hours),
                ready_at=now,
            )
        )
    db.add(
        PrintJob(
            business_id=b.id,
            number="CTK-W",
            source="whatsapp",
            status="quoted",
            waiting_since=now - timedelta(hours=6),
        )
    )
    db.commit()
    s = jobs_stats.compute(db, b, now=now + timedelta(minutes=1))
    assert sum(d["bw"] for d in s.days) == 10 * 3 + 4 and sum(d["colour"] for d in s.days) == 2 * 3
    assert s.turnaround_hours == 4.0 and s.turnaround_jobs == 2
    assert dict(s.revenue) == {"Jilid": 70000, "Cetak hitam-putih": 6000}
    assert s.waiting_total == 1 and s.oldest_waiting_hours == 6.0
    login(client, world.owner.email)
    page = client.get("/app")
    assert page.status_code == 200 and "Percetakan · 14 hari terakhir" in page.text and "4.0 jam" in page.text
