"""Shared benchmark helpers: free ports, starting servers on loopback, a bounded load generator.

Figures are only meaningful as ratios against a baseline measured in the same run: the machines are
shared and noisy.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


def start_process(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        args, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
    )


def start_bare_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = start_process(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/ping")
    return proc, base


@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]

    def row(self, baseline: LoadResult | None = None) -> str:
        ratio = f"{self.rps / baseline.rps:6.1%}" if baseline and baseline.rps else "   -  "
        return (
            f"{self.name:<44} {self.rps:9.1f} req/s  p50 {self.pct(50):7.2f} ms  p95 {self.pct(95):7.2f} ms"
            f"  p99 {self.pct(99):7.2f} ms  errors {self.errors:4d}  vs baseline {ratio}"
        )


def run_load(
    name: str,
    make_request: Callable[[httpx.Client, int], httpx.Response],
    *,
    base_url: str,
    concurrency: int = 8,
    total: int = 2000,
    max_seconds: float = 60,
    headers: dict[str, str] | None = None,
    ok_status: tuple[int, ...] = (200,),
) -> LoadResult:
    """`total` requests from `concurrency` threads (bounded also by `max_seconds`)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base_url, headers=headers or {}, timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t = time.perf_counter()
                try:
                    r = make_request(client, i)
                    bad = r.status_code not in ok_status
                except httpx.HTTPError:
                    bad = True
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(dt)
                    errors += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return LoadResult(name, len(latencies), errors, time.perf_counter() - started, latencies)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")
