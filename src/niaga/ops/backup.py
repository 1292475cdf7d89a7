"""Backups that restore: one archive per backup holding a consistent database snapshot, the files folder and a
manifest (versions, row counts and a checksum per table, SHA-256 of every member).

* SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while writers go on.
* PostgreSQL: a REPEATABLE READ transaction exports its snapshot; row counts and table checksums are taken in
  that transaction and `pg_dump --format=custom --snapshot=...` dumps exactly the same state.
* The database is snapshotted before the files are copied, so every file a row refers to is in the archive.
* With a passphrase the archive is encrypted (scrypt -> AES-256-GCM in 1 MiB chunks; the chunk index and a
  final-chunk flag are authenticated, so a truncated or reordered file is refused).
* `restore` reads and checks the whole archive before it touches the target, refuses a target that already
  holds data unless `force`, and checks row counts and table checksums after restoring.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from niaga.kit.errors import AppError
from niaga.settings import Settings

FORMAT_VERSION = 1
MAGIC = b"NIAGABK1"
CHUNK = 1024 * 1024
ARCHIVE_RE = re.compile(r"^niaga-backup-(\d{8}T\d{6}Z)\.tar\.gz(\.enc)?$")


class BackupError(AppError):
    """The archive is damaged, tampered with, encrypted without a passphrase, or the target is not empty."""

    code = "backup_error"


# --- table checksums -------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)


def _model_tables() -> list[sa.Table]:
    from niaga.db.models import metadata

    return list(metadata.sorted_tables)


def table_stats(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """{table: {"rows": n, "sha256": digest}} for every model table, rows in primary-key order."""
    out: dict[str, dict[str, Any]] = {}
    existing = set(sa.inspect(conn).get_table_names())
    for table in _model_tables():
        if table.name not in existing:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        h = hashlib.sha256()
        n = 0
        for row in conn.execute(sa.select(table).order_by(*order), execution_options={"yield_per": 2000}):
            h.update(json.dumps([_canonical(v) for v in row], default=str).encode())
            h.update(b"\n")
            n += 1
        out[table.name] = {"rows": n, "sha256": h.hexdigest()}
    return out


def _alembic_revision(conn: sa.Connection) -> str | None:
    try:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


# --- encryption ----------------------------------------------------------------------------------------


def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        passphrase.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32
    )


def encrypt_file(src: Path, dst: Path, passphrase: str) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = os.urandom(16)
    prefix = os.urandom(8)
    aes = AESGCM(_key(passphrase, salt))
    size = src.stat().st_size
    with src.open("rb") as fin, dst.open("wb") as fout:
        fout.write(MAGIC + salt + prefix)
        index = 0
        done = 0
        while True:
            block = fin.read(CHUNK)
            done += len(block)
            last = done >= size
            aad = struct.pack(">QB", index, 1 if last else 0)
            ct = aes.encrypt(prefix + struct.pack(">I", index & 0xFFFFFFFF), block, MAGIC + aad)
            fout.write(struct.pack(">IB", len(ct), 1 if last else 0) + ct)
            index += 1
            if last:
                break


def decrypt_file(src: Path, dst: Path, passphrase: str) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    with src.open("rb") as fin, dst.open("wb") as fout:
        head = fin.read(len(MAGIC) + 24)
        if len(head) != len(MAGIC) + 24 or not head.startswith(MAGIC):
            raise BackupError("berkas bukan arsip cadangan niaga terenkripsi")
        salt, prefix = head[len(MAGIC) : len(MAGIC) + 16], head[len(MAGIC) + 16 :]
        aes = AESGCM(_key(passphrase, salt))
        index = 0
        while True:
            hdr = fin.read(5)
            if len(hdr) < 5:
                raise BackupError("arsip terpotong: bagian terakhir tidak ada")
            length, last = struct.unpack(">IB", hdr)
            ct = fin.read(length)
            if len(ct) != length:
                raise BackupError("arsip terpotong")
            aad = struct.pack(">QB", index, last)
            try:
                fout.write(aes.decrypt(prefix + struct.pack(">I", index & 0xFFFFFFFF), ct, MAGIC + aad))
            except InvalidTag:
                raise BackupError("frasa sandi salah atau arsip telah diubah") from None
            index += 1
            if last:
                if fin.read(1):
                    raise BackupError("arsip berisi data tambahan setelah bagian terakhir")
                return


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


# --- create -----------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _libpq_url(url: str) -> str:
    u = sa.engine.make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _snapshot_sqlite(settings: Settings, dest: Path) -> tuple[dict[str, Any], str | None]:
    src_path = sa.engine.make_url(settings.db_url).database
    if not src_path or not Path(src_path).exists():
        raise BackupError(f"basis data SQLite tidak ditemukan: {src_path}")
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    engine = sa.create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            return table_stats(conn), _alembic_revision(conn)
    finally:
        engine.dispose()


def _snapshot_postgres(settings: Settings, dest: Path) -> tuple[dict[str, Any], str | None]:
    engine = sa.create_engine(settings.db_url, poolclass=sa.pool.NullPool)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            stats = table_stats(conn)
            revision = _alembic_revision(conn)
            # The transaction stays open while pg_dump reads the exported snapshot.
            proc = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--snapshot={snapshot}",
                    f"--file={dest}",
                    f"--dbname={_libpq_url(settings.db_url)}",
                ],
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_dump gagal: {proc.stderr.strip()[:500]}")
        return stats, revision
    finally:
        engine.dispose()


def _iter_files(root: Path) -> Iterator[Path]:
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".probe-"):
            yield path


@dataclass
class BackupResult:
    archive: Path
    summary: dict[str, Any]


def create_backup(settings: Settings, to: Path, *, passphrase: str | None = None) -> BackupResult:
    """Write `niaga-backup-<UTC time>.tar.gz[.enc]` (and a `.sha256` beside it) into `to`."""
    import niaga

    to.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"niaga-backup-{stamp}.tar.gz" + (".enc" if passphrase else "")
    with tempfile.TemporaryDirectory(prefix="niaga-backup-", dir=to) as tmp_s:
        tmp = Path(tmp_s)
        if settings.is_sqlite:
            db_member, engine_name = "database/niaga.sqlite3", "sqlite"
            stats, revision = _snapshot_sqlite(settings, tmp / "db")
        else:
            db_member, engine_name = "database/niaga.pgdump", "postgresql"
            stats, revision = _snapshot_postgres(settings, tmp / "db")
        members: dict[str, dict[str, Any]] = {
            db_member: {"sha256": _sha256_file(tmp / "db"), "bytes": (tmp / "db").stat().st_size}
        }
        files = list(_iter_files(settings.files_dir))
        secret = settings.home / "secret_key"
        manifest_files: dict[str, dict[str, Any]] = {}
        for path in files:
            rel = path.relative_to(settings.files_dir).as_posix()
            manifest_files[rel] = {"sha256": _sha256_file(path), "bytes": path.stat().st_size}
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "niaga_version": getattr(niaga, "__version__", "0"),
            "engine": engine_name,
            "alembic_revision": revision,
            "tables": stats,
            "database": members,
            "files": manifest_files,
            "secret_key": _sha256_file(secret) if secret.exists() and settings.secret_key is None else None,
        }
        plain = tmp / "archive.tar.gz"
        with tarfile.open(plain, "w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(tmp / "db", arcname=db_member)
            if manifest["secret_key"]:
                tar.add(secret, arcname="secret_key")
            for path in files:
                rel = path.relative_to(settings.files_dir).as_posix()
                tar.add(path, arcname=f"files/{rel}")
        final_tmp = to / (name + ".part")
        if passphrase:
            encrypt_file(plain, final_tmp, passphrase)
        else:
            shutil.move(plain, final_tmp)
        digest = _sha256_file(final_tmp)
        final = to / name
        final_tmp.replace(final)
        (to / (name + ".sha256")).write_text(f"{digest}  {name}\n")
    summary = _summary(manifest, final, digest)
    return BackupResult(final, summary)


def _summary(manifest: dict[str, Any], archive: Path, digest: str) -> dict[str, Any]:
    return {
        "archive": str(archive),
        "sha256": digest,
        "bytes": archive.stat().st_size,
        "engine": manifest["engine"],
        "alembic_revision": manifest["alembic_revision"],
        "created_at": manifest["created_at"],
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "files": len(manifest["files"]),
        "file_bytes": sum(f["bytes"] for f in manifest["files"].values()),
    }


# --- verify / unpack ---------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    p = Path(name)
    return not p.is_absolute() and ".." not in p.parts


def unpack(archive: Path, into: Path, *, passphrase: str | None = None) -> dict[str, Any]:
    """Decrypt (if needed), extract into `into` and check every member against the manifest. Returns the
    manifest. Raises BackupError on any mismatch, a missing member or an unexpected one."""
    if not archive.is_file():
        raise BackupError(f"arsip tidak ditemukan: {archive}")
    sidecar = archive.with_name(archive.name + ".sha256")
    if sidecar.exists():
        expected = sidecar.read_text().split()[0]
        if _sha256_file(archive) != expected:
            raise BackupError("checksum arsip tidak cocok dengan berkas .sha256: arsip rusak atau diubah")
    plain = archive
    if is_encrypted(archive):
        if not passphrase:
            raise BackupError(
                "arsip terenkripsi: berikan frasa sandi (--passphrase atau NIAGA_BACKUP_PASSPHRASE)"
            )
        plain = into / "archive.tar.gz"
        decrypt_file(archive, plain, passphrase)
    extracted = into / "x"
    extracted.mkdir()
    try:
        with tarfile.open(plain, "r:gz") as tar:
            for m in tar:
                if not _safe_member(m.name) or not (m.isfile() or m.isdir()):
                    raise BackupError(f"anggota arsip tidak diizinkan: {m.name}")
                tar.extract(m, extracted, filter="data")
            # Tar extraction stops at the end-of-archive block: read the gzip stream to its end so that its
            # trailer (CRC-32 and length of everything decompressed) is checked too. Without it a flipped
            # byte in the manifest or in a tar header could pass unnoticed when no .sha256 is beside the
            # archive.
            assert tar.fileobj is not None
            while tar.fileobj.read(1 << 20):
                pass
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        # zlib.error (a damaged deflate block) is not an OSError: without it a flipped byte was a crash.
        raise BackupError(f"arsip rusak atau terpotong: {exc}") from None
    if plain is not archive:
        plain.unlink()
    try:
        return _check_members(extracted)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        # The gzip trailer's CRC is never read by tar extraction: damage inside the manifest shows here.
        raise BackupError(f"manifest.json rusak: {type(exc).__name__}") from None


def _check_members(extracted: Path) -> dict[str, Any]:
    mpath = extracted / "manifest.json"
    if not mpath.exists():
        raise BackupError("arsip tanpa manifest.json")
    manifest = json.loads(mpath.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"format arsip {manifest.get('format')} tidak dikenal")
    expected_members = {f"{k}" for k in manifest["database"]} | {f"files/{k}" for k in manifest["files"]}
    if manifest.get("secret_key"):
        expected_members.add("secret_key")
    present = {p.relative_to(extracted).as_posix() for p in extracted.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    if present != expected_members:
        extra, missing = sorted(present - expected_members)[:5], sorted(expected_members - present)[:5]
        raise BackupError(f"isi arsip tidak sesuai manifest (lebih: {extra}, kurang: {missing})")
    checks = [(k, v["sha256"]) for k, v in manifest["database"].items()]
    checks += [(f"files/{k}", v["sha256"]) for k, v in manifest["files"].items()]
    if manifest.get("secret_key"):
        checks.append(("secret_key", manifest["secret_key"]))
    for rel, digest in checks:
        if _sha256_file(extracted / rel) != digest:
            raise BackupError(f"checksum tidak cocok untuk {rel}: arsip rusak atau diubah")
    return manifest


def _check_sqlite(path: Path, manifest: dict[str, Any]) -> None:
    """An unpacked SQLite database: intact, and holding what the manifest says."""
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                raise BackupError("integrity_check SQLite gagal")
            _compare(manifest, table_stats(conn))
    except sa.exc.DatabaseError as exc:
        raise BackupError(f"basis data dalam arsip rusak: {exc.orig}") from None
    finally:
        engine.dispose()


def verify_backup(archive: Path, *, passphrase: str | None = None) -> dict[str, Any]:
    """Check an archive end to end without restoring it; returns the summary."""
    with tempfile.TemporaryDirectory(prefix="niaga-verify-") as tmp:
        manifest = unpack(archive, Path(tmp), passphrase=passphrase)
        db_member = next(iter(manifest["database"]))
        if manifest["engine"] == "sqlite":
            _check_sqlite(Path(tmp) / "x" / db_member, manifest)
        else:
            proc = subprocess.run(
                ["pg_restore", "--list", str(Path(tmp) / "x" / db_member)], capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_restore --list gagal: {proc.stderr.strip()[:300]}")
    return _summary(manifest, archive, _sha256_file(archive))


def _compare(manifest: dict[str, Any], stats: dict[str, Any]) -> None:
    bad = [
        f"{t}: {v['rows']} -> {stats.get(t, {}).get('rows')}"
        for t, v in manifest["tables"].items()
        if stats.get(t) != v
    ]
    if bad:
        raise BackupError("isi basis data berbeda dari manifest: " + "; ".join(bad[:10]))


# --- restore ------------------------------------------------------------------------------------------


def _target_has_data(settings: Settings) -> str | None:
    if settings.files_dir.exists() and any(_iter_files(settings.files_dir)):
        return f"folder berkas {settings.files_dir} tidak kosong"
    if settings.is_sqlite:
        path = sa.engine.make_url(settings.db_url).database
        if not path or not Path(path).exists():
            return None
    engine = sa.create_engine(settings.db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
            for name in names:
                if conn.execute(sa.text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():
                    return f"basis data tujuan sudah berisi data (tabel {name})"
    finally:
        engine.dispose()
    return None


def restore_backup(
    settings: Settings, archive: Path, *, force: bool = False, passphrase: str | None = None
) -> dict[str, Any]:
    """Restore `archive` into the home and database that `settings` name. Everything is checked first."""
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".niaga-restore-", dir=settings.home) as tmp_s:
        tmp = Path(tmp_s)
        manifest = unpack(archive, tmp, passphrase=passphrase)
        engine_name = "sqlite" if settings.is_sqlite else "postgresql"
        if manifest["engine"] != engine_name:
            raise BackupError(
                f"arsip berasal dari {manifest['engine']}, tujuan adalah {engine_name}: pulihkan ke mesin yang sama"
            )
        if not force:
            reason = _target_has_data(settings)
            if reason:
                raise BackupError(f"{reason}; pakai --force untuk menimpa")
        src = tmp / "x"
        db_member = next(iter(manifest["database"]))
        if engine_name == "sqlite":
            # The database is checked where it was unpacked, before the target is touched.
            _check_sqlite(src / db_member, manifest)
            dest = Path(sa.engine.make_url(settings.db_url).database or "")
            dest.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(dest) + suffix).unlink(missing_ok=True)
            staged = dest.with_name(dest.name + ".restoring")
            shutil.copyfile(src / db_member, staged)
            staged.replace(dest)
        else:
            proc = subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    "--single-transaction",
                    *(["--clean", "--if-exists"] if force else []),
                    f"--dbname={_libpq_url(settings.db_url)}",
                    str(src / db_member),
                ],
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_restore gagal: {proc.stderr.strip()[:500]}")
        if force and settings.files_dir.exists():
            shutil.rmtree(settings.files_dir)
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        if (src / "files").exists():
            shutil.copytree(src / "files", settings.files_dir, dirs_exist_ok=True)
        if manifest.get("secret_key"):
            target = settings.home / "secret_key"
            if not target.exists() or force:
                shutil.copyfile(src / "secret_key", target)
                target.chmod(0o600)
    engine = sa.create_engine(settings.db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            _compare(manifest, table_stats(conn))
    finally:
        engine.dispose()
    for rel, meta in manifest["files"].items():
        if _sha256_file(settings.files_dir / rel) != meta["sha256"]:
            raise BackupError(f"berkas {rel} berbeda setelah dipulihkan")
    return _summary(manifest, archive, _sha256_file(archive))


# --- retention --------------------------------------------------------------------------------------------


def prunable(names: list[str], *, keep_daily: int = 7, keep_weekly: int = 4) -> list[str]:
    """Of these archive names, the ones the retention rule deletes: keep the newest archive of each of the
    last `keep_daily` days that have one and of each of the last `keep_weekly` ISO weeks."""
    found: list[tuple[datetime, str]] = []
    for name in names:
        m = ARCHIVE_RE.match(name)
        if m:
            found.append((datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC), name))
    found.sort(reverse=True)
    keep: set[str] = set()
    days: set[str] = set()
    weeks: set[tuple[int, int]] = set()
    for when, name in found:
        day = when.strftime("%Y-%m-%d")
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(name)
        week = when.isocalendar()[:2]
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            keep.add(name)
    return [name for _when, name in found if name not in keep]


def prune_backups(directory: Path, *, keep_daily: int = 7, keep_weekly: int = 4) -> list[Path]:
    """Delete the archives in `directory` beyond the retention rule (`prunable`), with their .sha256.
    Returns the deleted archives."""
    names = [p.name for p in directory.iterdir()] if directory.exists() else []
    deleted = []
    for name in prunable(names, keep_daily=keep_daily, keep_weekly=keep_weekly):
        p = directory / name
        p.unlink()
        p.with_name(name + ".sha256").unlink(missing_ok=True)
        deleted.append(p)
    return deleted


# --- S3-compatible storage -------------------------------------------------------------------------------


def upload_backup(settings: Settings, archive: Path, location: str) -> list[str]:
    """Upload an archive and its .sha256 to `s3://bucket/prefix`; the keys written."""
    from niaga.ops.s3 import S3Client, S3Location

    loc = S3Location.parse(location)
    client = S3Client.from_settings(settings)
    side = archive.with_name(archive.name + ".sha256")
    digest = side.read_text().split()[0] if side.exists() else _sha256_file(archive)
    key = loc.prefix + archive.name
    client.put_file(loc.bucket, key, archive, sha256=digest)
    # the checksum last: its presence says the archive above is complete
    client.put_bytes(loc.bucket, key + ".sha256", f"{digest}  {archive.name}\n".encode())
    return [key, key + ".sha256"]


def prune_s3(settings: Settings, location: str, *, keep_daily: int = 7, keep_weekly: int = 4) -> list[str]:
    """Apply the retention rule to the archives under `s3://bucket/prefix` (not below sub-prefixes)."""
    from niaga.ops.s3 import S3Client, S3Location

    loc = S3Location.parse(location)
    client = S3Client.from_settings(settings)
    names = [
        o.key[len(loc.prefix) :]
        for o in client.list(loc.bucket, loc.prefix)
        if "/" not in o.key[len(loc.prefix) :]
    ]
    deleted = []
    for name in prunable(names, keep_daily=keep_daily, keep_weekly=keep_weekly):
        client.delete(loc.bucket, loc.prefix + name)
        if name + ".sha256" in names:
            client.delete(loc.bucket, loc.prefix + name + ".sha256")
        deleted.append(loc.prefix + name)
    return deleted


def download_backup(settings: Settings, url: str, into: Path) -> Path:
    """Fetch `s3://bucket/prefix/niaga-backup-….tar.gz[.enc]` into the folder `into`, checked against its
    .sha256 when one is stored beside it (a mismatch refuses before anything is restored)."""
    from niaga.ops.s3 import S3Client, S3Error, S3Location

    loc = S3Location.parse(url)
    key = loc.prefix.rstrip("/")
    name = key.rsplit("/", 1)[-1]
    if not ARCHIVE_RE.match(name):
        raise BackupError(f"Bukan arsip cadangan niaga: {url}")
    client = S3Client.from_settings(settings)
    into.mkdir(parents=True, exist_ok=True)
    dest = client.get_file(loc.bucket, key, into / name)
    try:
        side = client.get_file(loc.bucket, key + ".sha256", into / (name + ".sha256"))
    except S3Error as exc:
        if exc.status != 404:
            raise
        return dest
    expected = side.read_text().split()[0]
    if _sha256_file(dest) != expected:
        raise BackupError("Arsip dari S3 tidak cocok dengan checksum-nya (rusak atau terpotong).")
    return dest


def latest_backup_age_seconds(directory: Path, now: datetime | None = None) -> float | None:
    """Age of the newest archive in `directory` (None when there is none)."""
    now = now or datetime.now(UTC)
    stamps = [
        datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        for p in (directory.iterdir() if directory.exists() else [])
        if (m := ARCHIVE_RE.match(p.name))
    ]
    return (now - max(stamps)).total_seconds() if stamps else None
