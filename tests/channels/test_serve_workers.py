"""`niaga serve --workers N` (issue 18 §1): several web processes, each storing webhooks through its own
group committer, every event committed before its 200 and stored exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from niaga.integrations.models import InboundEvent
from niaga.integrations.waha.fake import message_event, post_webhook
from tests import factories as f
from tests.channels.conftest import HMAC_KEY, configure

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_two_workers_stores_each_webhook_once(db, tmp_path):
    b = f.make_business(db, slug="rizquna", name="Rizquna")
    configure(db, b, "waha", base_url="http://127.0.0.1:9", api_key="k", session="default", hmac_key=HMAC_KEY)
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "niaga.cli", "serve", "--no-worker", "--workers", "2", "--port", str(port)],
        env=dict(os.environ, NIAGA_JOBS_DISPATCH="manual"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError(log.read_text()[-2000:])
        events = [message_event(text=f"pesan {i}", chat_id=f"62811{i:07d}@c.us") for i in range(40)]
        url = base + "/webhooks/waha/rizquna"
        with ThreadPoolExecutor(8) as pool:
            first = list(pool.map(lambda ev: post_webhook(url, ev, HMAC_KEY), events))
            again = list(pool.map(lambda ev: post_webhook(url, ev, HMAC_KEY), events))
        assert [r.status_code for r in first + again] == [200] * 80
        assert all(r.json()["data"]["stored"] for r in first)
        assert not any(r.json()["data"]["stored"] for r in again)
        # Acknowledged means committed: every event is readable the moment its 200 came back.
        db.rollback()
        stored = db.scalar(sa.select(sa.func.count()).select_from(InboundEvent))
        assert stored == 40
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
