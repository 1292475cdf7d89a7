"""`niaga backup ...` (create, verify, restore, prune) and `niaga ops ...` (env example, alerts)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from niaga.settings import get_settings

backup_app = typer.Typer(help="Backups: create, verify, restore, prune.", no_args_is_help=True)
ops_app = typer.Typer(help="Operations: .env example, alert check.", no_args_is_help=True)


def _passphrase(value: str | None) -> str | None:
    if value:
        return value
    s = get_settings().backup_passphrase
    return s.get_secret_value() if s is not None else (os.environ.get("NIAGA_BACKUP_PASSPHRASE") or None)


def _print(summary: dict, as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    typer.echo(
        f"{title}: {summary['archive']}\n"
        f"  {summary['tables']} tabel, {summary['rows']} baris, {summary['files']} berkas "
        f"({summary['file_bytes']} byte), arsip {summary['bytes']} byte\n  sha256 {summary['sha256']}"
    )


@backup_app.command("create")
def backup_create(
    to: str = typer.Option(
        None, "--to", help="Folder for the archive (default NIAGA_BACKUP_DIR), or s3://bucket/prefix."
    ),
    passphrase: str = typer.Option(None, "--passphrase", help="Encrypt (default NIAGA_BACKUP_PASSPHRASE)."),
    as_json: bool = typer.Option(False, "--json"),
    prune: bool = typer.Option(False, "--prune", help="Apply the retention rule afterwards."),
) -> None:
    """Write a consistent backup archive (database snapshot + files + manifest), to a folder or to S3."""
    import tempfile

    from niaga.ops.backup import create_backup, prune_backups, prune_s3, upload_backup
    from niaga.ops.s3 import S3Error, is_s3_url

    s = get_settings()
    if is_s3_url(to):
        s.ensure_home()
        with tempfile.TemporaryDirectory(prefix="niaga-s3-backup-", dir=s.home) as tmp:
            result = create_backup(s, Path(tmp), passphrase=_passphrase(passphrase))
            try:
                keys = upload_backup(s, result.archive, to)
                if prune:
                    result.summary["pruned"] = prune_s3(
                        s, to, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly
                    )
            except (S3Error, ValueError) as exc:
                typer.echo(f"unggah ke S3 gagal: {exc}", err=True)
                raise typer.Exit(1) from None
        result.summary["archive"] = f"{to.rstrip('/')}/{result.archive.name}"
        result.summary["uploaded"] = keys
        _print(result.summary, as_json, "cadangan diunggah")
        return
    target = Path(to) if to else s.backups_dir
    result = create_backup(s, target, passphrase=_passphrase(passphrase))
    if prune:
        result.summary["pruned"] = [
            str(p)
            for p in prune_backups(
                result.archive.parent, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly
            )
        ]
    _print(result.summary, as_json, "cadangan dibuat")


@backup_app.command("verify")
def backup_verify(
    archive: Path,
    passphrase: str = typer.Option(None, "--passphrase"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check every checksum and the database snapshot of an archive without restoring it."""
    from niaga.ops.backup import verify_backup

    _print(verify_backup(archive, passphrase=_passphrase(passphrase)), as_json, "arsip utuh")


@backup_app.command("restore")
def backup_restore(
    archive: str = typer.Argument(..., help="An archive file, or s3://bucket/prefix/niaga-backup-….tar.gz"),
    force: bool = typer.Option(False, "--force", help="Overwrite a home/database that already holds data."),
    passphrase: str = typer.Option(None, "--passphrase"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Restore an archive into NIAGA_HOME / NIAGA_DATABASE_URL (empty unless --force). Stop web and worker first."""
    import tempfile

    from niaga.ops.backup import download_backup, restore_backup
    from niaga.ops.s3 import S3Error, is_s3_url

    s = get_settings()
    if is_s3_url(archive):
        with tempfile.TemporaryDirectory(prefix="niaga-s3-restore-") as tmp:
            try:
                local = download_backup(s, archive, Path(tmp))
            except (S3Error, ValueError) as exc:
                typer.echo(f"unduh dari S3 gagal: {exc}", err=True)
                raise typer.Exit(1) from None
            summary = restore_backup(s, local, force=force, passphrase=_passphrase(passphrase))
        _print(summary, as_json, "dipulihkan dari")
        return
    _print(
        restore_backup(s, Path(archive), force=force, passphrase=_passphrase(passphrase)),
        as_json,
        "dipulihkan dari",
    )


@backup_app.command("prune")
def backup_prune(
    directory: str = typer.Option(
        None, "--dir", help="Folder (default NIAGA_BACKUP_DIR) or s3://bucket/prefix."
    ),
) -> None:
    """Delete archives beyond the retention rule (NIAGA_BACKUP_KEEP_DAILY / _WEEKLY)."""
    from niaga.ops.backup import prune_backups, prune_s3
    from niaga.ops.s3 import is_s3_url

    s = get_settings()
    if is_s3_url(directory):
        gone = prune_s3(s, directory, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly)
        typer.echo(f"{len(gone)} arsip dihapus")
        return
    deleted = prune_backups(
        Path(directory) if directory else s.backups_dir,
        keep_daily=s.backup_keep_daily,
        keep_weekly=s.backup_keep_weekly,
    )
    typer.echo(f"{len(deleted)} arsip dihapus")


@ops_app.command("env-example")
def env_example(check: Path = typer.Option(None, "--check", help="Fail if this file differs.")) -> None:
    """Print the .env example generated from the settings (or check a file against it)."""
    from niaga.ops.envfile import render_env_example

    text = render_env_example()
    if check is not None:
        if not check.exists() or check.read_text() != text:
            typer.echo(f"{check} is out of date: run `niaga ops env-example > {check}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{check} is up to date")
        return
    typer.echo(text, nl=False)
