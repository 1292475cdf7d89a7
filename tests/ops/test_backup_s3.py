"""Backups to S3-compatible storage, against `moto` in server mode on loopback: `niaga backup create --to
s3://bucket/prefix` uploads the archive and its checksum, `niaga backup restore s3://…` brings it back into a
fresh home, retention applies on S3, and the request signature is the one AWS's own library computes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from niaga.ops.backup import prunable
from niaga.ops.s3 import S3Client, S3Location
from tests.ops.helpers import base_env, free_port, niaga

BUCKET = "niaga-cadangan"
KEYS = {"NIAGA_S3_ACCESS_KEY_ID": "AKIAUJIUJIUJIUJIUJI1", "NIAGA_S3_SECRET_ACCESS_KEY": "rahasia/uji+kunci"}


@pytest.fixture
def s3() -> Iterator[dict[str, Any]]:
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    import httpx

    httpx.post(url + "/moto-api/reset", timeout=10)  # moto keeps buckets in-process across servers
    client = boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id=KEYS["NIAGA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["NIAGA_S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield {"url": url, "boto": client}
    finally:
        server.stop()


def _env(home: Path, s3: dict[str, Any], **extra: str) -> dict[str, str]:
    return base_env(home, NIAGA_S3_ENDPOINT_URL=s3["url"], **KEYS, **extra)


def test_backup_to_s3_and_restore_from_it(tmp_path, s3):
    home = tmp_path / "asal"
    home.mkdir()
    env = _env(home, s3)
    niaga(env, "migrate")
    (home / "files" / "uploads").mkdir(parents=True)
    doc = home / "files" / "uploads" / "skripsi.pdf"
    doc.write_bytes(b"%PDF-1.4 isi skripsi " * 1000)

    made = niaga(env, "backup", "create", "--to", f"s3://{BUCKET}/toko-a/harian", "--json")
    summary = json.loads(made.stdout.strip().splitlines()[-1])
    name = summary["archive"].rsplit("/", 1)[-1]
    assert summary["archive"] == f"s3://{BUCKET}/toko-a/harian/{name}"
    assert summary["uploaded"] == [f"toko-a/harian/{name}", f"toko-a/harian/{name}.sha256"]

    # what the bucket holds, read with AWS's own client
    boto = s3["boto"]
    keys = sorted(o["Key"] for o in boto.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [f"toko-a/harian/{name}", f"toko-a/harian/{name}.sha256"]
    body = boto.get_object(Bucket=BUCKET, Key=f"toko-a/harian/{name}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == summary["sha256"]
    side = boto.get_object(Bucket=BUCKET, Key=f"toko-a/harian/{name}.sha256")["Body"].read().decode()
    assert side.split() == [summary["sha256"], name]
    assert not list(home.glob("niaga-s3-backup-*"))  # the local temporary copy is gone

    fresh = tmp_path / "baru"
    fresh.mkdir()
    restored = niaga(_env(fresh, s3), "backup", "restore", f"s3://{BUCKET}/toko-a/harian/{name}", "--json")
    back = json.loads(restored.stdout.strip().splitlines()[-1])
    assert back["rows"] == summary["rows"] and back["tables"] == summary["tables"]
    assert (fresh / "files" / "uploads" / "skripsi.pdf").read_bytes() == doc.read_bytes()

    # a damaged copy on S3 is refused before anything is touched
    boto.put_object(Bucket=BUCKET, Key=f"toko-a/harian/{name}", Body=body[: len(body) // 2])
    other = tmp_path / "lain"
    other.mkdir()
    bad = niaga(_env(other, s3), "backup", "restore", f"s3://{BUCKET}/toko-a/harian/{name}", check=False)
    assert bad.returncode != 0
    assert "checksum" in (bad.stdout + bad.stderr)
    assert not (other / "files").exists()


def test_retention_on_s3(tmp_path, s3):
    boto = s3["boto"]
    prefix = "toko-a/"
    # one archive a day from 2026-10-21 to 2026-11-30 (a Monday), a second one earlier on the 30th
    names = []
    for n in range(41):
        when = datetime(2026, 11, 30, 2, 0, tzinfo=UTC).timestamp() - n * 86400
        stamp = datetime.fromtimestamp(when, UTC).strftime("%Y%m%dT%H%M%SZ")
        names.append(f"niaga-backup-{stamp}.tar.gz")
    names.append("niaga-backup-20261130T010000Z.tar.gz")
    for name in names:
        boto.put_object(Bucket=BUCKET, Key=prefix + name, Body=b"x")
        boto.put_object(Bucket=BUCKET, Key=prefix + name + ".sha256", Body=b"y")
    boto.put_object(Bucket=BUCKET, Key=prefix + "catatan.txt", Body=b"bukan arsip")
    boto.put_object(Bucket=BUCKET, Key=prefix + "lama/niaga-backup-20200101T000000Z.tar.gz", Body=b"x")

    home = tmp_path / "h"
    home.mkdir()
    out = niaga(_env(home, s3), "backup", "prune", "--dir", f"s3://{BUCKET}/toko-a")
    assert out.stdout.strip().splitlines()[-1] == f"{len(names) - 9} arsip dihapus"
    left = sorted(o["Key"][len(prefix) :] for o in boto.list_objects_v2(Bucket=BUCKET)["Contents"])
    # 7 days (Nov 24-30, the later one on the 30th) + the newest of the ISO weeks 47 and 46 (Nov 22, Nov 15)
    kept_days = [
        "20261115",
        "20261122",
        "20261124",
        "20261125",
        "20261126",
        "20261127",
        "20261128",
        "20261129",
    ]
    kept = [f"niaga-backup-{d}T020000Z.tar.gz" for d in [*kept_days, "20261130"]]
    assert left == sorted(
        [*kept, *(k + ".sha256" for k in kept), "catatan.txt", "lama/niaga-backup-20200101T000000Z.tar.gz"]
    )
    assert sorted(set(names) - set(prunable(names))) == sorted(kept)


def test_signature_matches_botocore(monkeypatch):
    """Our SigV4 headers equal botocore's for the same request (moto does not check signatures)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    client = S3Client(
        endpoint_url="https://s3.ap-southeast-3.example.com",
        access_key_id="AKIDEXAMPLE",
        secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region="ap-southeast-3",
    )
    now = datetime(2026, 11, 30, 12, 34, 56, tzinfo=UTC)
    import botocore.auth

    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now.replace(tzinfo=None))
    payload = b"isi arsip"
    digest = hashlib.sha256(payload).hexdigest()
    for method, key, query, body in (
        ("PUT", "toko a/niaga-backup-20261130T023000Z.tar.gz", {}, payload),
        ("GET", "", {"list-type": "2", "prefix": "toko a/"}, b""),
    ):
        path = S3Client._path("cadangan", key)
        sha = digest if body else hashlib.sha256(b"").hexdigest()
        ours = client._headers(method, path, query, sha, now=now)
        url = "https://s3.ap-southeast-3.example.com" + path
        req = AWSRequest(
            method=method, url=url, data=body, params=query, headers={"x-amz-content-sha256": sha}
        )
        auth = S3SigV4Auth(
            Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "s3", "ap-southeast-3"
        )
        auth.add_auth(req)
        assert ours["Authorization"] == req.headers["Authorization"], method


def test_bad_locations_and_missing_settings(tmp_path):
    with pytest.raises(ValueError):
        S3Location.parse("https://bucket/prefix")
    assert str(S3Location.parse("s3://b/a/b")) == "s3://b/a/b/"
    home = tmp_path / "h"
    home.mkdir()
    env = base_env(home)
    niaga(env, "migrate")
    out = niaga(env, "backup", "create", "--to", "s3://b/x", check=False)
    assert out.returncode == 1
    assert "NIAGA_S3_ENDPOINT_URL belum diisi" in out.stderr
    env = base_env(home, NIAGA_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}", **KEYS)
    out = niaga(env, "backup", "create", "--to", "s3://b/x", check=False)
    assert out.returncode == 1 and "S3 tidak dapat dihubungi" in out.stderr


def test_scheduled_backup_also_goes_to_s3(tmp_path, s3, monkeypatch):
    from niaga.operations.tasks import run_scheduled_backup
    from niaga.settings import reset_settings_cache

    monkeypatch.setenv("NIAGA_BACKUP_DIR", str(tmp_path / "lokal"))
    monkeypatch.setenv("NIAGA_BACKUP_S3_URL", f"s3://{BUCKET}/otomatis")
    monkeypatch.setenv("NIAGA_S3_ENDPOINT_URL", s3["url"])
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    reset_settings_cache()
    try:
        summary = run_scheduled_backup(min_age_hours=0)
    finally:
        monkeypatch.undo()
        reset_settings_cache()
    assert summary is not None and "upload_error" not in summary
    name = Path(summary["archive"]).name
    assert (tmp_path / "lokal" / name).exists()  # the local copy stays
    keys = sorted(o["Key"] for o in s3["boto"].list_objects_v2(Bucket=BUCKET, Prefix="otomatis/")["Contents"])
    assert keys == [f"otomatis/{name}", f"otomatis/{name}.sha256"]
    body = s3["boto"].get_object(Bucket=BUCKET, Key=f"otomatis/{name}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == summary["sha256"]
