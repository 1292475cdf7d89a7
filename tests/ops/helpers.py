"""Helpers for the operations tests: a throwaway PostgreSQL cluster, free ports, `niaga` subprocesses."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
NIAGA = [sys.executable, "-m", "niaga.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a `niaga` subprocess: no NIAGA_* from the test session leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIAGA_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT / "src"),
            "NIAGA_HOME": str(home),
            "NIAGA_LOG_JSON": "false",
            "NIAGA_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def niaga(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [*NIAGA, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=env["NIAGA_HOME"]
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"niaga {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"process exited with {proc.returncode} before {url} answered:\n{out}")
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
            last = f"{r.status_code} {r.text[:300]}"
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.25)
    raise AssertionError(f"{url} did not answer 200 within {timeout}s: {last}")


@contextmanager
def serving(env: dict[str, str], *extra: str) -> Iterator[str]:
    """`niaga serve --no-worker` on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [*NIAGA, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=env["NIAGA_HOME"],
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/readyz", proc=proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _pg_program(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, or where Debian puts it (/usr/lib/postgresql/<v>/bin)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


class PgCluster:
    """A PostgreSQL server for the test run: NIAGA_TEST_DATABASE_URL when set, otherwise a throwaway cluster
    (initdb + pg_ctl as the `postgres` system user when running as root) on a free loopback port."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get("NIAGA_TEST_DATABASE_URL", "")
        self.datadir: Path | None = None
        self.runas: list[str] = []

    def start(self) -> PgCluster:
        if self.admin_url:
            return self
        initdb, pg_ctl = _pg_program("initdb"), _pg_program("pg_ctl")
        assert initdb and pg_ctl, (
            "PostgreSQL server programs (initdb, pg_ctl) are needed: apt-get install postgresql, "
            "or set NIAGA_TEST_DATABASE_URL"
        )
        self.datadir = Path(tempfile.mkdtemp(prefix="niaga-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            self.runas = ["runuser", "-u", "postgres", "--"]
        port = free_port()
        subprocess.run(
            [
                *self.runas,
                initdb,
                "-D",
                str(self.datadir / "data"),
                "-U",
                "niaga",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        opts = f"-p {port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.runas,
                pg_ctl,
                "-D",
                str(self.datadir / "data"),
                "-o",
                opts,
                "-l",
                str(self.datadir / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        self.admin_url = f"postgresql+psycopg://niaga@127.0.0.1:{port}/postgres"
        return self

    def create_database(self) -> str:
        name = f"niaga_ops_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return sa.engine.make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self.datadir is None:
            return
        subprocess.run(
            [
                *self.runas,
                _pg_program("pg_ctl") or "pg_ctl",
                "-D",
                str(self.datadir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.datadir, ignore_errors=True)
