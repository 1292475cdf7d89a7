"""n8n against niaga, for real: n8n (installed from npm by scripts/n8n-install.sh into a cache folder) starts on
loopback with SQLite, imports and publishes the workflows in deploy/n8n with its CLI; niaga's signed event
webhooks trigger them and their effects are checked on niaga's API and on a local Sheets-like endpoint.

The install takes minutes the first time (cached after); NIAGA_N8N_CACHE points at the cache folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from niaga.db.engine import session_scope
from niaga.messaging import service as messaging
from niaga.messaging.models import Message
from niaga.tenancy import service as tenancy
from tests import factories as f
from tests.ops.helpers import ROOT, free_port, wait_http
from tests.ops.receiver import Receiver


@pytest.fixture(scope="module")
def n8n_bin() -> str:
    assert shutil.which("npm"), "npm is needed to install n8n (apt-get install nodejs npm)"
    env = dict(os.environ)
    env.setdefault("NIAGA_N8N_CACHE", str(Path.home() / ".cache" / "niaga-n8n"))
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "n8n-install.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]


def _n8n_env(bin_dir: str, folder: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIAGA_", "N8N_"))}
    env.update(
        PATH=f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}",
        N8N_USER_FOLDER=str(folder),
        N8N_PORT=str(port),
        # The Code nodes' task-runner broker listens on a fixed port (5679) by default: two n8n at once (the
        # SQLite and PostgreSQL suites side by side) made the second exit with "address in use".
        N8N_RUNNERS_BROKER_PORT=str(free_port()),
        N8N_LISTEN_ADDRESS="127.0.0.1",
        N8N_HOST="127.0.0.1",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/",
        N8N_DIAGNOSTICS_ENABLED="false",
        N8N_VERSION_NOTIFICATIONS_ENABLED="false",
        N8N_PERSONALIZATION_ENABLED="false",
        N8N_BLOCK_ENV_ACCESS_IN_NODE="false",
        NODE_FUNCTION_ALLOW_BUILTIN="crypto",
        DB_TYPE="sqlite",
        GENERIC_TIMEZONE="Asia/Jakarta",
    )
    env.update(extra)
    return env


def _n8n(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["n8n", *args], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def _eventually(check, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(0.5)


@pytest.mark.timeout(2400)
def test_workflows_in_real_n8n(n8n_bin, live, world, db) -> None:  # type: ignore[no-untyped-def]
    folder = Path(tempfile.mkdtemp(prefix="niaga-n8n-"))
    port = free_port()
    _key, api_key = tenancy.create_api_key(db, business_id=world.a.id, name="n8n", role="admin")
    # Everything the test writes itself is written before the live server and n8n are busy (SQLite).
    p = f.make_product(db, business=world.a, price=30000)
    c = f.make_customer(db, business=world.a, name="Budi", phone="6281300000001")
    c2 = f.make_customer(db, business=world.a, name="Citra", phone="6281300000002")
    conv = messaging.get_or_open(
        db, business_id=world.a.id, customer_id=c.id, channel="whatsapp", chat_id="6281300000001"
    )
    db.commit()
    n8n_proc = None
    with Receiver() as sheet:
        hook = f"http://127.0.0.1:{port}/webhook"
        r = httpx.post(
            f"{live.url}/api/v1/webhooks/subscriptions",
            headers=world.headers("owner"),
            json={"url": f"{hook}/niaga-order-paid", "events": ["order.paid"]},
        )
        assert r.status_code == 201, r.text
        secret_paid = r.json()["data"]["secret"]
        r = httpx.post(
            f"{live.url}/api/v1/webhooks/subscriptions",
            headers=world.headers("owner"),
            json={"url": f"{hook}/niaga-print-ready", "events": ["print_job.ready"]},
        )
        secret_print = r.json()["data"]["secret"]
        assert secret_paid != secret_print
        # One secret per workflow in real use; the two workflows here read the same variable, so the print
        # subscription is given the same secret as the paid one.
        from niaga.kit.crypto import encrypt_json
        from niaga.ops.models import EventSubscription

        db.execute(
            sa.update(EventSubscription)
            .where(EventSubscription.business_id == world.a.id)
            .values(secret_enc=encrypt_json({"secret": secret_paid}))
        )
        db.commit()

        env = _n8n_env(
            n8n_bin,
            folder,
            port,
            NIAGA_API_URL=live.url,
            NIAGA_API_KEY=api_key,
            NIAGA_WEBHOOK_SECRET=secret_paid,
            NIAGA_SHEET_URL=sheet.url,
        )
        # Every workflow of deploy/n8n in one CLI call (each n8n command boots the whole of n8n: 10-30 s).
        imported = _n8n(env, "import:workflow", "--separate", f"--input={ROOT / 'deploy' / 'n8n'}")
        assert "Successfully imported 3 workflows" in imported, imported[-2000:]
        # Publishing an id that was not imported fails (`_n8n` checks the exit status).
        for wid in ("niagaOrderPaid01", "niagaPrintReady1"):
            _n8n(env, "publish:workflow", f"--id={wid}")
        log = (folder / "n8n.log").open("wb")
        n8n_proc = subprocess.Popen(
            ["n8n", "start"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=180, proc=n8n_proc)
            # Webhooks are registered shortly after /healthz answers.
            time.sleep(3)

            # --- order.paid -> tag the customer in niaga + a row on the sheet
            h = world.headers("owner")
            order = httpx.post(
                f"{live.url}/api/v1/orders",
                headers=h,
                json={"customer_id": c.id, "items": [{"product_id": p.id, "quantity": 2}]},
            ).json()["data"]
            r = httpx.post(
                f"{live.url}/api/v1/orders/{order['id']}/payments", headers=h, json={"method": "cash"}
            )
            assert r.status_code == 201, r.text

            def tagged() -> bool:
                got = httpx.get(f"{live.url}/api/v1/customers/{c.id}", headers=h).json()["data"]
                return "sudah-bayar" in (got.get("tags") or [])

            ok = _eventually(lambda: tagged() and sheet.requests, timeout=90)
            assert ok, (folder / "n8n.log").read_text()[-4000:]
            row = json.loads(sheet.requests[0]["body"])
            assert row == {
                "nomor": order["number"],
                "total": order["total"],
                "pelanggan": "Budi",
                "status": "paid",
            }

            # --- print_job.ready -> a pickup message in the customer's conversation
            order2 = httpx.post(
                f"{live.url}/api/v1/orders",
                headers=h,
                json={"customer_id": c.id, "items": [{"product_id": p.id, "quantity": 1}]},
            ).json()["data"]
            from niaga.orders.models import Order

            with session_scope(immediate=True) as w:
                w.execute(
                    sa.update(Order)
                    .where(Order.id == order2["id"])
                    .values(kind="print", conversation_id=conv.id)
                )
            httpx.post(
                f"{live.url}/api/v1/orders/{order2['id']}/payments", headers=h, json={"method": "cash"}
            )
            r = httpx.post(
                f"{live.url}/api/v1/orders/{order2['id']}/transition", headers=h, json={"to": "ready"}
            )
            assert r.status_code == 200, r.text

            def pickup() -> list[str]:
                db.commit()
                return [
                    m.text
                    for m in db.scalars(
                        sa.select(Message).where(
                            Message.conversation_id == conv.id, Message.direction == "out"
                        )
                    )
                    if "siap diambil" in m.text
                ]

            texts = _eventually(pickup, timeout=120)
            assert texts and order2["number"] in texts[0], (folder / "n8n.log").read_text()[-4000:]
            assert len(texts) == 1
            # Only two sheet rows would mean a second order.paid; the print order was paid too.
            _eventually(lambda: len(sheet.requests) >= 2, timeout=60)
            assert len(sheet.requests) == 2

            # --- a forged event (wrong signature) has no effect
            before = len(sheet.requests)
            body = json.dumps({"id": "x", "type": "order.paid", "data": {"customer_id": c.id}}).encode()
            httpx.post(
                f"{hook}/niaga-order-paid",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Niaga-Timestamp": str(int(time.time())),
                    "X-Niaga-Signature": "v1=" + "0" * 64,
                },
            )
            time.sleep(5)
            assert len(sheet.requests) == before

            # --- a revoked API key: n8n's call to niaga gets 401, the customer is not tagged
            with session_scope(immediate=True) as w:
                tenancy.revoke_api_key(w, business_id=world.a.id, key_id=_key.id)
            order3 = httpx.post(
                f"{live.url}/api/v1/orders",
                headers=h,
                json={"customer_id": c2.id, "items": [{"product_id": p.id, "quantity": 1}]},
            ).json()["data"]
            httpx.post(
                f"{live.url}/api/v1/orders/{order3['id']}/payments", headers=h, json={"method": "cash"}
            )
            r401 = httpx.get(
                f"{live.url}/api/v1/customers/{c2.id}", headers={"Authorization": f"Bearer {api_key}"}
            )
            assert r401.status_code == 401
            time.sleep(8)
            got = httpx.get(f"{live.url}/api/v1/customers/{c2.id}", headers=h).json()["data"]
            assert "sudah-bayar" not in (got.get("tags") or [])
            assert len(sheet.requests) == before
        finally:
            if n8n_proc is not None and n8n_proc.poll() is None:
                os.killpg(n8n_proc.pid, signal.SIGTERM)
                try:
                    n8n_proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(n8n_proc.pid, signal.SIGKILL)
                    n8n_proc.wait()
            shutil.rmtree(folder, ignore_errors=True)
