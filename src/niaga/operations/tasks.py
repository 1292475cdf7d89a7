"""Periodic operations jobs: the daily backup with retention."""

from __future__ import annotations

import fcntl
from typing import Any

from niaga.jobs.registry import periodic
from niaga.ops.logging import get_logger
from niaga.settings import get_settings

log = get_logger("niaga.ops")


def run_scheduled_backup(min_age_hours: float = 20.0) -> dict[str, Any] | None:
    """Make today's backup unless one younger than `min_age_hours` exists, then prune. Several workers may
    call this at once: an exclusive lock on the backup folder lets one of them do it."""
    from niaga.ops.backup import create_backup, latest_backup_age_seconds, prune_backups

    s = get_settings()
    target = s.backups_dir
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        age = latest_backup_age_seconds(target)
        if age is not None and age < min_age_hours * 3600:
            return None
        passphrase = s.backup_passphrase.get_secret_value() if s.backup_passphrase else None
        result = create_backup(s, target, passphrase=passphrase)
        deleted = prune_backups(target, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly)
        if s.backup_s3_url:
            # The off-site copy. A failed upload keeps the local archive and is logged as an error (the log
            # alert and the summary show it); the next day's backup is uploaded as usual.
            from niaga.ops.backup import prune_s3, upload_backup

            try:
                result.summary["uploaded"] = upload_backup(s, result.archive, s.backup_s3_url)
                result.summary["pruned_s3"] = prune_s3(
                    s, s.backup_s3_url, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly
                )
            except Exception as exc:
                log.error("ops.backup.upload_failed", error=str(exc), location=s.backup_s3_url)
                result.summary["upload_error"] = str(exc)
        log.info("ops.backup.done", **result.summary, pruned=len(deleted))
        return result.summary


@periodic("ops.daily_backup", minute="23", hour="*")
def daily_backup() -> None:
    # Checked every hour; runs at NIAGA_BACKUP_SCHEDULE_HOUR or whenever the newest backup is over a day old.
    from datetime import datetime

    s = get_settings()
    if datetime.now().hour == s.backup_schedule_hour:
        run_scheduled_backup(min_age_hours=20.0)
    else:
        run_scheduled_backup(min_age_hours=25.0)


# --- alerts, event webhooks, retention ------------------------------------------------------------------
from niaga.operations import events as _events  # noqa: E402,F401  (registers ops.deliver_event, installs the listener)


@periodic("ops.check_alerts", minute="*/5")
def check_alerts() -> None:
    from niaga.db.engine import session_scope
    from niaga.operations.alerts import check_alerts as run_checks

    with session_scope() as db:
        report = run_checks(db)
    firing = {k: v for k, v in report.items() if v}
    if firing:
        log.warning("ops.alerts.firing", firing=firing)


@periodic("ops.retention", minute="41", hour="3")
def retention() -> None:
    from niaga.db.engine import session_scope
    from niaga.operations.events import purge_deliveries
    from niaga.operations.privacy import purge_expired

    with session_scope() as db:
        out = purge_expired(db)
        out["deliveries"] = purge_deliveries(db, older_than_days=30)
    log.info("ops.retention.done", **out)
