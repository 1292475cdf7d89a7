"""Backups that restore: demo data + orders + uploaded files -> `niaga backup create` -> `niaga backup restore`
into a fresh home (and a fresh PostgreSQL database) -> identical row counts and per-table checksums,
byte-identical files, and the restored app logs in and answers the same API pages. Damaged archives are refused
before anything is touched."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from niaga.ops import backup
from niaga.settings import Settings
from tests.ops.helpers import PgCluster, base_env, niaga, serving

PASSWORD = "rahasia-demo-123"


def _stats(url: str) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return backup.table_stats(conn)
    finally:
        engine.dispose()


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _login(base: str, email: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=20)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['data']['access_token']}"}


def _pages(base: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for email in ("owner@rizquna.demo", "owner@batik-sekar.demo"):
        h = _login(base, email)
        for path in ("/api/v1/orders?limit=100", "/api/v1/products?limit=100", "/api/v1/customers?limit=50"):
            r = httpx.get(base + path, headers=h, timeout=20)
            assert r.status_code == 200, (path, r.text[:300])
            out[f"{email} {path}"] = r.json()
    return out


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_round_trip_demo_orders_and_files(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    extra = {"NIAGA_DEMO_PASSWORD": PASSWORD, "NIAGA_JOBS_DISPATCH": "manual"}
    env_b_extra = dict(extra)
    if engine == "postgresql":
        pg: PgCluster = request.getfixturevalue("pg")
        extra["NIAGA_DATABASE_URL"] = pg.create_database()
        env_b_extra["NIAGA_DATABASE_URL"] = pg.create_database()
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    home_a.mkdir()
    home_b.mkdir()
    env_a = base_env(home_a, **extra)
    env_b = base_env(home_b, **env_b_extra)
    niaga(env_a, "init", "--demo")

    # Orders through the API and uploaded files in the files folder.
    with serving(env_a) as base:
        h = _login(base, "owner@rizquna.demo")
        products = httpx.get(f"{base}/api/v1/products?limit=5", headers=h).json()["data"]
        assert len(products) >= 2
        for i in range(3):
            r = httpx.post(
                f"{base}/api/v1/orders",
                headers=h,
                json={
                    "items": [{"product_id": products[i % 2]["id"], "quantity": i + 1}],
                    "notes": f"uji {i}",
                },
            )
            assert r.status_code == 201, r.text
        before_pages = _pages(base)
    files = home_a / "files" / "uploads" / "2026" / "11"
    files.mkdir(parents=True)
    (files / "skripsi.pdf").write_bytes(os.urandom(200_000))
    (files / "bukti transfer.jpg").write_bytes(os.urandom(30_000))
    (home_a / "files" / "catatan.txt").write_text("berkas kecil")

    url_a = extra.get("NIAGA_DATABASE_URL") or f"sqlite:///{home_a / 'niaga.db'}"
    url_b = env_b_extra.get("NIAGA_DATABASE_URL") or f"sqlite:///{home_b / 'niaga.db'}"
    out = niaga(
        env_a, "backup", "create", "--to", str(tmp_path / "bk"), "--json", "--passphrase", "sandi rahasia"
    )
    created = json.loads(out.stdout)
    assert created["engine"] == engine and created["files"] == 3 and created["rows"] > 1000
    archive = Path(created["archive"])
    assert archive.name.endswith(".tar.gz.enc")

    restored = json.loads(
        niaga(env_b, "backup", "restore", str(archive), "--json", "--passphrase", "sandi rahasia").stdout
    )
    assert restored["sha256"] == created["sha256"]
    assert restored["rows"] == created["rows"] and restored["tables"] == created["tables"]

    stats_a, stats_b = _stats(url_a), _stats(url_b)
    assert stats_a == stats_b
    assert stats_a["orders"]["rows"] == 3
    assert _tree(home_a / "files") == _tree(home_b / "files")
    assert (home_a / "secret_key").read_bytes() == (home_b / "secret_key").read_bytes()

    with serving(env_b) as base:
        assert _pages(base) == before_pages

    # A second restore into the now non-empty target is refused without --force.
    again = niaga(env_b, "backup", "restore", str(archive), "--passphrase", "sandi rahasia", check=False)
    assert again.returncode == 2 and "--force" in again.stderr


def _small_home(tmp_path: Path, name: str = "src") -> Settings:
    from niaga.db.models import metadata

    home = tmp_path / name
    s = Settings(home=home, database_url=None, env="test")
    s.ensure_home()
    from niaga.tenancy.models import Business

    engine = sa.create_engine(s.db_url)
    metadata.create_all(engine)
    with sa.orm.Session(engine) as db:
        db.add(Business(slug="toko", name="Toko"))
        db.commit()
    engine.dispose()
    (s.files_dir / "a").mkdir()
    (s.files_dir / "a" / "foto.jpg").write_bytes(os.urandom(5000))
    return s


def test_tampered_truncated_and_wrong_passphrase_refuse_before_touching_target(tmp_path: Path) -> None:
    src = _small_home(tmp_path)
    plain = backup.create_backup(src, tmp_path / "bk").archive
    enc = backup.create_backup(src, tmp_path / "bk2", passphrase="benar").archive
    target = Settings(home=tmp_path / "dst", database_url=None, env="test")

    def refused(archive: Path, match: str, passphrase: str | None = None) -> None:
        with pytest.raises(backup.BackupError, match=match):
            backup.restore_backup(target, archive, passphrase=passphrase)
        assert not (target.home / "niaga.db").exists()
        assert not target.files_dir.exists() or not any(target.files_dir.iterdir())

    # One flipped byte: the .sha256 beside the archive catches it.
    data = bytearray(plain.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "t" / plain.name
    tampered.parent.mkdir()
    tampered.write_bytes(bytes(data))
    (tampered.parent / (plain.name + ".sha256")).write_text(
        (plain.parent / (plain.name + ".sha256")).read_text()
    )
    refused(tampered, "checksum arsip")
    # Without the sidecar, the gzip/tar layer, the per-member SHA-256 or the manifest's member list catches
    # it (which one depends on where the byte lands: a damaged tar header hides the members after it).
    (tampered.parent / (plain.name + ".sha256")).unlink()
    refused(tampered, "rusak|checksum|manifest")
    # Wherever the flipped byte lands (gzip header, a deflate block, the tar headers, a member, the
    # trailer): a clear refusal, never a crash (a damaged deflate block once raised a bare zlib.error).
    # A flip can also leave the decompressed bytes as they were (deflate has bits that decode to nothing,
    # e.g. code lengths of symbols never used): only such an archive, holding the very same bytes, restores.
    original = plain.read_bytes()
    content = gzip.decompress(original)
    for k in range(1, 32):
        data = bytearray(original)
        data[k * len(data) // 32] ^= 0x5A
        tampered.write_bytes(bytes(data))
        fresh = Settings(home=tmp_path / f"dst{k}", database_url=None, env="test")
        try:
            backup.restore_backup(fresh, tampered)
        except backup.BackupError as exc:
            assert re.search("rusak|checksum|manifest|tidak|berbeda", str(exc)), exc
            assert not (fresh.home / "niaga.db").exists()
        else:
            assert gzip.decompress(bytes(data)) == content, k
    # The gzip trailer (CRC-32 of everything decompressed) is read too: tar extraction alone stops before it.
    data = bytearray(original)
    data[-8] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused(tampered, "rusak")
    # Truncated.
    cut = tmp_path / "cut" / plain.name
    cut.parent.mkdir()
    cut.write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    refused(cut, "rusak|terpotong")
    # Encrypted: truncation, a flipped byte and a wrong passphrase are all refused.
    ecut = tmp_path / "ecut" / enc.name
    ecut.parent.mkdir()
    ecut.write_bytes(enc.read_bytes()[:-20])
    refused(ecut, "terpotong|diubah", passphrase="benar")
    refused(enc, "frasa sandi salah", passphrase="salah")
    refused(enc, "terenkripsi")
    # The untouched archive restores, and then a second restore needs --force.
    summary = backup.restore_backup(target, enc, passphrase="benar")
    assert summary["files"] == 1 and summary["rows"] == 1
    with pytest.raises(backup.BackupError, match="--force"):
        backup.restore_backup(target, enc, passphrase="benar")
    assert backup.restore_backup(target, enc, passphrase="benar", force=True)["rows"] == 1


def test_backup_while_writes_continue_is_consistent(tmp_path: Path) -> None:
    """Every write transaction inserts two customers; any consistent snapshot holds an even number."""
    src = _small_home(tmp_path)
    path = src.home / "niaga.db"
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        from niaga.customers.models import Customer
        from niaga.db.engine import make_engine

        engine = make_engine(f"sqlite:///{path}")
        i = 0
        while not stop.is_set():
            with engine.begin() as conn:
                for _ in range(2):
                    i += 1
                    conn.execute(
                        sa.insert(Customer.__table__).values(
                            business_id=1, name=f"c{i}", phone=f"62812{i:07d}"
                        )
                    )
            written[0] = i
        engine.dispose()

    t = threading.Thread(target=writer)
    t.start()
    try:
        archives = [backup.create_backup(src, tmp_path / f"bk{n}") for n in range(3)]
    finally:
        stop.set()
        t.join()
    assert written[0] > 0
    counts = []
    for n, result in enumerate(archives):
        target = Settings(home=tmp_path / f"r{n}", database_url=None, env="test")
        backup.restore_backup(target, result.archive)
        counts.append(_stats(target.db_url)["customers"]["rows"])
    assert all(c % 2 == 0 for c in counts), counts
    assert counts[-1] > 0


def test_retention_keeps_seven_daily_and_four_weekly(tmp_path: Path) -> None:
    start = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    names = []
    for d in range(60):
        for hour in (2, 14):  # two a day: only the newest of a day is kept
            when = start - timedelta(days=d) + timedelta(hours=hour - 2)
            name = f"niaga-backup-{when.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
            (tmp_path / name).write_bytes(b"x")
            (tmp_path / (name + ".sha256")).write_text("x")
            names.append((when, name))
    (tmp_path / "unrelated.txt").write_text("keep me")
    deleted = backup.prune_backups(tmp_path, keep_daily=7, keep_weekly=4)
    kept = sorted(p.name for p in tmp_path.glob("niaga-backup-*.tar.gz"))
    assert len(deleted) == 120 - len(kept)
    days = {n[13:21] for n in kept}
    expected_days = {(start - timedelta(days=d)).strftime("%Y%m%d") for d in range(7)}
    assert expected_days <= days
    assert all("T14" in n for n in kept)  # the newest of each day
    weeks = {datetime.strptime(n[13:21], "%Y%m%d").isocalendar()[:2] for n in kept}
    assert len(weeks) == 4 and len(kept) <= 7 + 4
    assert (tmp_path / "unrelated.txt").exists()
    assert not any((tmp_path / (p.name + ".sha256")).exists() for p in deleted)


def test_scheduled_backup_runs_once_per_day_and_prunes(
    world: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`world` gives the session database rows, so the backup is not empty."""
    from niaga.jobs.registry import PERIODIC, load_all
    from niaga.operations import tasks
    from niaga.settings import reset_settings_cache

    load_all()
    assert "ops.daily_backup" in PERIODIC
    monkeypatch.setenv("NIAGA_BACKUP_DIR", str(tmp_path / "scheduled"))
    reset_settings_cache()
    try:
        first = tasks.run_scheduled_backup()
        assert first is not None and first["rows"] > 0
        assert tasks.run_scheduled_backup() is None  # a fresh one exists
        assert len(list((tmp_path / "scheduled").glob("niaga-backup-*.tar.gz"))) == 1
        assert backup.verify_backup(Path(first["archive"]))["sha256"] == first["sha256"]
    finally:
        monkeypatch.delenv("NIAGA_BACKUP_DIR")
        reset_settings_cache()


def test_a_repacked_archive_whose_manifest_disagrees_is_refused_before_the_target_is_touched(
    tmp_path: Path,
) -> None:
    # A well-formed archive (valid gzip, every member's SHA-256 as listed) whose manifest claims other table
    # contents: the unpacked database is compared with the manifest before anything is written to the target.
    import io
    import tarfile

    src = _small_home(tmp_path)
    plain = backup.create_backup(src, tmp_path / "bk").archive
    repacked = tmp_path / "re" / plain.name
    repacked.parent.mkdir()
    with tarfile.open(plain, "r:gz") as tin, tarfile.open(repacked, "w:gz") as tout:
        for m in tin:
            data = tin.extractfile(m).read() if m.isfile() else None  # type: ignore[union-attr]
            if m.name.endswith("manifest.json") and data is not None:
                manifest = json.loads(data)
                manifest["tables"]["businesses"]["rows"] = 2
                data = json.dumps(manifest).encode()
                m.size = len(data)
            tout.addfile(m, io.BytesIO(data) if data is not None else None)
    target = Settings(home=tmp_path / "dst", database_url=None, env="test")
    with pytest.raises(backup.BackupError, match="berbeda dari manifest"):
        backup.restore_backup(target, repacked)
    assert not (target.home / "niaga.db").exists()
    with pytest.raises(backup.BackupError, match="berbeda dari manifest"):
        backup.verify_backup(repacked)
