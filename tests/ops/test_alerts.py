"""Monitoring: business metrics on /metrics, and alert conditions that reach the admin chat at most once per
condition per hour and resolve when the condition clears; the Prometheus rules load and name real metrics."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
import yaml

from niaga.jobs.models import DeadLetter, Job
from niaga.kit.timeutil import utcnow
from niaga.operations.alerts import check_alerts
from niaga.ops.models import OpsAlert
from niaga.tenancy.models import ProviderConfig
from tests.ops.helpers import ROOT


def _dead_letter(db, business_id: int, name: str = "channels.send_message") -> DeadLetter:  # type: ignore[no-untyped-def]
    job = Job(name=name, args={}, business_id=business_id, status="dead", attempts=8, max_attempts=8)
    db.add(job)
    db.flush()
    dl = DeadLetter(job_id=job.id, business_id=business_id, name=name, args={}, error="boom", attempts=8)
    db.add(dl)
    db.flush()
    return dl


def _alert_jobs(db) -> list[Job]:  # type: ignore[no-untyped-def]
    """The alert messages queued so far; marks them sent, as a worker would (else they become a backlog)."""
    jobs = list(db.scalars(sa.select(Job).where(Job.name == "channels.alert").order_by(Job.id)))
    db.execute(sa.update(Job).where(Job.name == "channels.alert").values(status="done"))
    db.commit()
    return jobs


def test_conditions_alert_once_per_hour_and_resolve(world, db, clock, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.settings import reset_settings_cache

    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / f"niaga-backup-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.tar.gz").write_bytes(b"x")
    monkeypatch.setenv("NIAGA_BACKUP_DIR", str(backups))
    monkeypatch.setenv("NIAGA_ALERT_DISK_PERCENT", "100")
    reset_settings_cache()
    try:
        report = check_alerts(db)
        db.commit()
        assert report == {"toko-a": [], "toko-b": []}
        dl = _dead_letter(db, world.a.id)
        db.add(
            ProviderConfig(
                business_id=world.b.id, kind="waha", config={"session_status": "SCAN_QR_CODE"}, secrets=None
            )
        )
        db.commit()
        report = check_alerts(db)
        db.commit()
        assert report == {"toko-a": ["dead_letters"], "toko-b": ["whatsapp_session"]}
        jobs = _alert_jobs(db)
        assert [
            (j.business_id, "dead letter" in j.args["text"] or "WAHA" in j.args["text"]) for j in jobs
        ] == [
            (world.a.id, True),
            (world.b.id, True),
        ]
        # Within the hour: no second message, the condition stays active.
        clock.advance(30 * 60)
        check_alerts(db)
        db.commit()
        assert len(_alert_jobs(db)) == 2
        # After the hour: reminded once more.
        clock.advance(31 * 60)
        check_alerts(db)
        db.commit()
        assert len(_alert_jobs(db)) == 4
        # Cleared: resolved, no message.
        dl.status = "replayed"
        db.commit()
        assert check_alerts(db)["toko-a"] == []
        db.commit()
        row = db.scalars(
            sa.select(OpsAlert).where(
                OpsAlert.business_id == world.a.id, OpsAlert.condition == "dead_letters"
            )
        ).one()
        assert not row.active
        # Backups older than 26 hours alert too.
        clock.advance(27 * 3600)
        assert "backup_stale" in check_alerts(db)["toko-a"]
    finally:
        monkeypatch.delenv("NIAGA_BACKUP_DIR")
        monkeypatch.delenv("NIAGA_ALERT_DISK_PERCENT")
        reset_settings_cache()


def test_metrics_expose_business_figures(client, world, db) -> None:  # type: ignore[no-untyped-def]
    _dead_letter(db, world.a.id, "channels.send_message")
    _dead_letter(db, world.a.id, "ops.deliver_event")
    db.add(Job(name="agent.reply", args={}, business_id=world.a.id, run_at=utcnow() - timedelta(minutes=20)))
    db.commit()
    text = client.get("/metrics").text
    assert re.search(r'^niaga_dead_letters_by_kind\{kind="channels.send_message"\} 1\.0$', text, re.M)
    assert re.search(r"^niaga_dead_letters 2\.0$", text, re.M)
    age = float(re.search(r"^niaga_job_oldest_due_seconds (\S+)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert 1190 < age < 1300
    for name in ("niaga_disk_used_ratio", "niaga_backup_age_seconds", "niaga_reply_latency_seconds"):
        assert re.search(rf"^{name}", text, re.M), name


def test_prometheus_rules_and_dashboard_use_exported_metrics(client) -> None:  # type: ignore[no-untyped-def]
    text = client.get("/metrics").text
    exported = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    names = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    assert {
        "NiagaQueueBacklog",
        "NiagaDeadLetters",
        "NiagaWhatsAppSessionDown",
        "NiagaNoInbound",
        "NiagaBackupStale",
        "NiagaDiskFull",
        "NiagaDown",
    } <= names
    import json

    dashboard = json.loads((ROOT / "deploy" / "grafana" / "niaga.json").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    exprs += [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    for expr in exprs:
        for metric in re.findall(r"\bniaga_[a-z_]+", expr):
            base = re.sub(r"_(bucket|sum|count|total|created)$", "", metric)
            assert metric in exported or base in exported, (metric, expr)
