"""Real `niaga worker` processes for the job tests (`test_poison.py`, `test_time_limit.py`): started with this
test's tasks imported (`poison_tasks`), the sweeper finding the jobs quickly, and stopped (the whole process
group) when the test ends. Each start is a new process, as systemd's Restart=always starts one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NIAGA_JOBS_DISPATCH="huey",
        NIAGA_JOB_LEASE_SECONDS="2",
        NIAGA_JOB_SWEEP_SECONDS="0.3",
        NIAGA_JOB_SWEEP_STALE_SECONDS="0",
        NIAGA_WORKER_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    env.update(overrides)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    code = "import tests.jobs.poison_tasks; from niaga.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "worker"],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
