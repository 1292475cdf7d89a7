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
    to: Path = typer.Option(None, "--to", help="Folder for the archive (default NIAGA_BACKUP_DIR)."),
    passphrase: str = typer.Option(None, "--passphrase", help="Encrypt (default NIAGA_BACKUP_PASSPHRASE)."),
    as_json: bool = typer.Option(False, "--json"),
    prune: bool = typer.Option(False, "--prune", help="Apply the retention rule afterwards."),
) -> None:
    """Write a consistent backup archive (database snapshot + files + manifest)."""
    from niaga.ops.backup import create_backup, prune_backups

    s = get_settings()
    result = create_backup(s, to or s.backups_dir, passphrase=_passphrase(passphrase))
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
    archive: Path,
    force: bool = typer.Option(False, "--force", help="Overwrite a home/database that already holds data."),
    passphrase: str = typer.Option(None, "--passphrase"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Restore an archive into NIAGA_HOME / NIAGA_DATABASE_URL (empty unless --force). Stop web and worker first."""
    from niaga.ops.backup import restore_backup

    _print(
        restore_backup(get_settings(), archive, force=force, passphrase=_passphrase(passphrase)),
        as_json,
        "dipulihkan dari",
    )


@backup_app.command("prune")
def backup_prune(
    directory: Path = typer.Option(None, "--dir"),
) -> None:
    """Delete archives beyond the retention rule (NIAGA_BACKUP_KEEP_DAILY / _WEEKLY)."""
    from niaga.ops.backup import prune_backups

    s = get_settings()
    deleted = prune_backups(
        directory or s.backups_dir, keep_daily=s.backup_keep_daily, keep_weekly=s.backup_keep_weekly
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
