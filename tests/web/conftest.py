"""Browser fixtures: the app under uvicorn on a free loopback port with a job-draining thread, and the
system Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("NIAGA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class LiveServer:
    """uvicorn in a thread on 127.0.0.1:<free port>, plus a thread running due jobs every 50 ms (the
    in-process worker's role in `niaga serve`; tests dispatch manually)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                                    timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self._stop = threading.Event()
        self.jobs = threading.Thread(target=self._drain_loop, daemon=True)
        self.job_outcomes: list[str] = []

    def _drain_loop(self) -> None:
        from niaga.jobs.runner import drain

        while not self._stop.is_set():
            try:
                self.job_outcomes += drain()
            except Exception:  # keep draining; tests assert on what they see
                pass
            self._stop.wait(0.05)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "uvicorn did not start"
        self.jobs.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.jobs.join(5)
        self.server.should_exit = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail(f"system Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, live: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=live.url, locale="id-ID")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()


def shoot(page: Any, output_dir: Path, name: str) -> None:
    """Screenshots of the current page as seen at 1280×800 and 390×844, plus the whole page at each width
    (`-full`, where fixed bars sit at the first screen's edge), then back to desktop."""
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(250)
        page.screenshot(path=str(output_dir / f"{name}-{label}.png"))
        page.screenshot(path=str(output_dir / f"{name}-{label}-full.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(100)
