"""Deploy: the VPS install script's steps run here as root into a temporary prefix, the systemd units'
ExecStart commands are started directly (no systemd here) and answer /readyz and run a job; the compose file
is validated by `docker compose config` (or `docker-compose config`); .env.example is generated from Settings."""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sysconfig
import tempfile
from pathlib import Path

import pytest
import yaml

from niaga.ops.envfile import render_env_example
from niaga.settings import Settings
from tests.ops.helpers import ROOT, free_port, wait_http

RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def test_env_example_names_every_setting_and_matches_the_generator() -> None:
    text = (ROOT / ".env.example").read_text()
    assert text == render_env_example(), "run `niaga ops env-example > .env.example`"
    for name in Settings.model_fields:
        assert f"NIAGA_{name.upper()}=" in text, name


def _compose_cmd() -> list[str]:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    exe = shutil.which("docker-compose")
    assert exe, (
        "docker compose is needed to validate deploy/compose.yaml (scripts/system-deps.sh installs it)"
    )
    return [exe]


def _compose_config(folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(POSTGRES_PASSWORD="pw", NIAGA_PUBLIC_URL="https://toko.example.id", DOMAIN="toko.example.id")
    env.update(WAHA_API_KEY="k")
    return subprocess.run(
        [*_compose_cmd(), "-f", str(folder / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env=env,
    )


def test_compose_file_is_valid_and_complete(tmp_path: Path) -> None:
    folder = tmp_path / "deploy"
    shutil.copytree(ROOT / "deploy", folder)
    (folder / ".env").write_text((ROOT / ".env.example").read_text())
    proc = _compose_config(folder)
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load(proc.stdout)
    services = config["services"]
    assert {"web", "worker", "postgres", "redis", "caddy", "waha", "migrate", "uptime-kuma", "n8n"} <= set(
        services
    )
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "NIAGA_DATABASE_URL" in services["worker"]["environment"]
    assert services["web"]["command"][:2] == ["niaga", "serve"]
    assert services["worker"]["command"] == ["niaga", "worker"]
    # The validator is real: a misspelt key is refused.
    broken = (
        (folder / "compose.yaml").read_text().replace("    restart: unless-stopped\n", "    restrat: no\n", 1)
    )
    (folder / "compose.yaml").write_text(broken)
    assert _compose_config(folder).returncode != 0
    # The required variables are enforced.
    env_less = subprocess.run(
        [*_compose_cmd(), "-f", str(ROOT / "deploy" / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("POSTGRES_PASSWORD",)},
        cwd=tmp_path,
    )
    assert env_less.returncode != 0


def test_dockerfile_runs_as_non_root_with_healthcheck_and_print_shop_tools() -> None:
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln.strip() for ln in text.splitlines()]
    users = [ln for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] != "USER root"
    assert any(ln.startswith("HEALTHCHECK") for ln in lines) and "/healthz" in text
    for pkg in ("libreoffice-writer-nogui", "cups-client", "fonts-crosextra-carlito", "postgresql-client"):
        assert pkg in text


def _unit(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


def _env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


@pytest.mark.timeout(600)
def test_install_script_then_units_start_and_answer_readyz() -> None:
    assert os.geteuid() == 0, "the install test runs the script as root (as on a VPS)"
    # The script creates the machine-wide `niaga` user; two suite runs at once (SQLite and PostgreSQL side by
    # side, as .ci/run does on a machine with cores to spare) take turns here instead of racing on useradd.
    lock = open("/tmp/niaga-test-install-vps.lock", "w")  # noqa: SIM115 - held until the test ends
    fcntl.flock(lock, fcntl.LOCK_EX)
    prefix = Path(tempfile.mkdtemp(prefix="niaga-vps-", dir="/tmp"))
    prefix.chmod(0o755)
    procs: list[subprocess.Popen] = []
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NIAGA_")}
        env.update(
            NIAGA_PREFIX=str(prefix),
            NIAGA_SKIP_APT="1",
            # The new venv imports the dependencies already installed for this test run instead of downloading
            # them again; niaga itself is built and installed from the working tree.
            NIAGA_EXTRA_SITE_PACKAGES=sysconfig.get_paths()["purelib"],
            NIAGA_PIP_ARGS="--no-deps",
        )
        run = subprocess.run(
            ["bash", str(ROOT / "scripts" / "install-vps.sh"), "--domain", "toko.example.id"],
            env=env,
            capture_output=True,
            text=True,
            timeout=500,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "database is up to date" in run.stdout

        etc = prefix / "etc" / "niaga" / "niaga.env"
        assert oct(etc.stat().st_mode & 0o777) == "0o640"
        config = _env_file(etc)
        assert config["NIAGA_ENV"] == "production" and config["NIAGA_PUBLIC_URL"] == "https://toko.example.id"
        assert len(config["NIAGA_SECRET_KEY"]) >= 32
        cores = min(len(os.sched_getaffinity(0)), 4)
        assert config.get("NIAGA_WORKER_PROCESSES", "1") == str(cores)  # a consumer process per core
        port = free_port()
        with etc.open("a") as f:
            f.write(f"NIAGA_PORT={port}\n")
        config = _env_file(etc)

        units = prefix / "etc" / "systemd" / "system"
        web, worker = _unit(units / "niaga-web.service"), _unit(units / "niaga-worker.service")
        assert web["User"] == ["niaga"] and worker["User"] == ["niaga"]
        assert web["EnvironmentFile"] == [str(etc)]
        if shutil.which("systemd-analyze"):
            check = subprocess.run(
                [
                    "systemd-analyze",
                    "verify",
                    str(units / "niaga-web.service"),
                    str(units / "niaga-worker.service"),
                ],
                capture_output=True,
                text=True,
            )
            assert "Unknown key" not in check.stderr and "Invalid" not in check.stderr, check.stderr
        assert (
            (prefix / "etc" / "logrotate.d" / "niaga").read_text().startswith(str(prefix / "var/log/niaga"))
        )

        svc_env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            **config,
        }
        data = prefix / "var" / "lib" / "niaga"

        def start(cmdline: str, log: str) -> subprocess.Popen:
            return subprocess.Popen(
                [RUNUSER, "-u", "niaga", "--", *shlex.split(cmdline)],
                env=svc_env,
                cwd=data,
                stdout=(prefix / "var" / "log" / "niaga" / log).open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        pre = subprocess.run(
            [RUNUSER, "-u", "niaga", "--", *shlex.split(web["ExecStartPre"][0])],
            env=svc_env,
            cwd=data,
            capture_output=True,
            text=True,
        )
        assert pre.returncode == 0, pre.stderr
        procs.append(start(web["ExecStart"][0], "web.log"))
        procs.append(start(worker["ExecStart"][0], "worker.log"))
        ready = wait_http(f"http://127.0.0.1:{port}/readyz", timeout=90, proc=procs[0])
        assert ready.json()["status"] == "ok"
        # The worker unit runs jobs: `niaga jobs selftest` waits until a worker has run one.
        selftest = subprocess.run(
            [RUNUSER, "-u", "niaga", "--", str(prefix / "opt/niaga/venv/bin/niaga"), "jobs", "selftest"],
            env=svc_env,
            cwd=data,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert selftest.returncode == 0, selftest.stderr + (prefix / "var/log/niaga/worker.log").read_text()
        # Files are owned by the service user, not root.
        assert (data / "niaga.db").stat().st_uid != 0
        # SIGTERM (systemctl stop) ends both cleanly.
        for p in procs:
            # runuser's child is the service process; systemd would signal it (runuser passes on its status).
            children = Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split()
            assert children, "runuser has no child process"
            os.kill(int(children[0]), signal.SIGTERM)
        # Uvicorn re-raises SIGTERM after its graceful shutdown (143 through runuser), which systemd counts as a
        # clean stop; anything else (a crash, a hang until SIGKILL) fails here.
        for p in procs:
            assert p.wait(90) in (0, 128 + signal.SIGTERM), (p.args, p.returncode)
        procs.clear()
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        shutil.rmtree(prefix, ignore_errors=True)
