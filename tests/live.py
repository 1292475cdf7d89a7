"""The app under a real uvicorn on a free loopback port, for tests that need a browser or real HTTP clients."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class LiveServer:
    """uvicorn in a thread on 127.0.0.1:<free port>, plus (by default) a thread running due jobs every 50 ms —
    the in-process worker's role in `niaga serve`, since tests dispatch jobs manually."""

    def __init__(self, app: Any, *, run_jobs: bool = True) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
        )
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self._stop = threading.Event()
        self.jobs = threading.Thread(target=self._drain_loop, daemon=True) if run_jobs else None
        self.job_outcomes: list[str] = []

    def _drain_loop(self) -> None:
        from niaga.jobs.runner import drain

        while not self._stop.is_set():
            try:
                self.job_outcomes += drain()
            except Exception:  # keep draining; tests assert on what they observe
                pass
            self._stop.wait(0.05)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started, "uvicorn did not start"
        if self.jobs is not None:
            self.jobs.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self.jobs is not None:
            self.jobs.join(5)
        self.server.should_exit = True
        self.thread.join(5)
        self.sock.close()
