"""`niaga serve` runs the web app with an in-process job consumer (or job consumer processes beside it) and
shuts down gracefully."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from niaga.jobs.models import Job
from niaga.jobs.runner import enqueue
from tests.procs import alive, cmdline, descendants

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, *extra: str) -> tuple[subprocess.Popen, int, Path]:
    """`niaga serve` on a free port, jobs dispatched through Huey; returns once /readyz answers 200."""
    port = _free_port()
    env = dict(
        os.environ,
        NIAGA_JOBS_DISPATCH="huey",
        NIAGA_JOB_SWEEP_SECONDS="0.5",
        NIAGA_JOB_SWEEP_STALE_SECONDS="0",
        NIAGA_LOG_LEVEL="INFO",
    )
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "serve", "--port", str(port), *extra],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc, port, log
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("server did not become ready: " + log.read_text()[-2000:])


def _stop(proc: subprocess.Popen, log: Path, timeout: float = 30) -> int:
    """SIGTERM to the server's process group; its exit code (uvicorn re-raises the signal after its graceful
    shutdown)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        rc = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert rc in (0, -signal.SIGTERM), log.read_text()[-2000:]
    return rc


def test_serve_runs_jobs_in_process_and_stops_on_sigterm(db, tmp_path):
    proc, port, log = _serve(tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        r = httpx.get(base + "/readyz", timeout=5)
        assert r.json()["checks"] == {"database": "ok", "queue": "ok", "storage": "ok"}
        assert httpx.get(base + "/api/docs").status_code == 200
        assert "/api/v1/auth/login" in httpx.get(base + "/api/openapi.json").json()["paths"]

        marker = tmp_path / "job.log"
        job = enqueue(db, "jobs.selftest", path=str(marker))
        db.commit()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.rollback()
            db.expire_all()
            if db.get(Job, job.id).status == "done":
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the in-process worker did not run the job: " + log.read_text()[-2000:])
    finally:
        # uvicorn finishes its graceful shutdown (lifespan → the job consumer stops), then re-raises the signal.
        _stop(proc, log)
    assert "jobs.worker_stopped" in log.read_text()


def test_serve_with_two_job_processes_answers_customers_and_stops_them(db, tmp_path):
    """`niaga serve --job-processes 2`: the web process runs no consumer; `niaga worker --processes 2` beside
    it answers a customer's message (the agent's turn in a consumer process), and SIGTERM stops them all."""
    import sqlalchemy as sa

    from niaga.db.engine import session_scope
    from niaga.messaging.inbound import Inbound, do_receive
    from niaga.messaging.models import Message
    from niaga.tenancy.service import create_business

    business = create_business(
        db, slug="dua-proses", name="Toko Dua Proses", settings={"channels": {"buffer_seconds": 0}}
    )
    db.commit()
    proc, _port, log = _serve(tmp_path, "--job-processes", "2")
    try:
        with session_scope(immediate=True) as s:
            b = s.get(type(business), business.id)
            msg = do_receive(s, business=b, inbound=Inbound(channel="web", chat_id="v-1", text="halo kak"))
            assert msg is not None
            conv_id, msg_id = msg.conversation_id, msg.id
        deadline = time.monotonic() + 45
        reply = None
        while time.monotonic() < deadline and reply is None:
            db.rollback()
            reply = db.scalar(
                sa.select(Message).where(Message.conversation_id == conv_id, Message.direction == "out")
            )
            time.sleep(0.2)
        assert reply is not None, log.read_text()[-3000:]
        assert reply.reply_to_id == msg_id and reply.sender_type == "bot" and reply.text
        consumers = [p for p in descendants(proc.pid) if b"worker" in cmdline(p)]
        assert len(consumers) == 2, (consumers, log.read_text()[-2000:])
    finally:
        _stop(proc, log, timeout=60)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in consumers):
        time.sleep(0.2)
    assert not any(alive(p) for p in consumers), log.read_text()[-2000:]
