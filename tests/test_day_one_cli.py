"""Day-one command line (issue 10, item 6): the demo prints the password it set and URLs with the port it
serves, `niaga serve --port` answers as that address, and an interactive `niaga chat` shows no log lines."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from niaga.settings import Settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NIAGA_PUBLIC_URL", "NIAGA_DATABASE_URL", "NIAGA_REDIS_URL", "NIAGA_JOBS_DISPATCH")
    }
    env.update(
        NIAGA_HOME=str(home), NIAGA_ENV="development", NIAGA_LOG_LEVEL="INFO", NIAGA_LOG_JSON="true", **extra
    )
    return env


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    home = tmp_path_factory.mktemp("demo-home")
    port = _free_port()
    p = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "init", "--demo"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(home, NIAGA_PORT=str(port), NIAGA_DEMO_PASSWORD="kopi-susu-77"),
    )
    assert p.returncode == 0, p.stderr[-2000:]
    yield home, p.stdout.replace(str(port), "{port}")


def test_public_url_follows_host_and_port_unless_set():
    assert Settings(port=8765, public_url="").public_url == "http://127.0.0.1:8765"
    assert Settings(host="0.0.0.0", port=9000, public_url="").public_url == "http://127.0.0.1:9000"
    assert Settings(port=8765, public_url="https://toko.example").public_url == "https://toko.example"


def test_demo_prints_the_password_and_the_served_port(demo_home):
    _, out = demo_home
    assert "Login: http://127.0.0.1:{port}/login" in out
    assert "Kata sandi: kopi-susu-77" in out
    assert "8000" not in out


def test_serve_port_option_is_the_public_address(demo_home, tmp_path):
    home, _ = demo_home
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "serve", "--port", str(port), "--no-worker"],
        env=_env(home),
        stdout=(tmp_path / "serve.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-2000:]
            time.sleep(0.2)
        # The embed snippet the owner copies names the address actually served, not :8000.
        with httpx.Client(base_url=base, timeout=30) as c:
            form = c.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            r = c.post(
                "/login",
                data={
                    "email": "owner@rizquna.demo",
                    "password": "kopi-susu-77",
                    "next": "/app",
                    "csrf_token": token.group(1),
                },
            )
            assert r.status_code in (200, 303), r.text[:500]
            page = c.get("/app/pengaturan/kanal").text
        assert f"&lt;script src=&#34;{base}/widget.js&#34;" in page or f'src="{base}/widget.js"' in page, (
            page[-3000:]
        )
        assert "127.0.0.1:8000" not in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def test_interactive_chat_shows_only_the_conversation(demo_home):
    home, _ = demo_home
    p = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "chat", "--business", "rizquna"],
        input="halo\nharga peci hitam brp\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        env=_env(home),
    )
    assert p.returncode == 0, p.stdout[-2000:]
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    for ln in lines:  # a terminal shows stdout and stderr together: no JSON or console log line among them
        assert not ln.lstrip("> ").startswith("{"), ln
        assert "[info" not in ln and '"event"' not in ln, ln
    assert any("Rp40.000" in ln for ln in lines)
    log = home / "logs" / "chat.log"
    assert log.exists() and all(json.loads(x) for x in log.read_text().splitlines())
