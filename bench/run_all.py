"""`make bench`: run every benchmark script in bench/ one after another and print their tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "api_bench.py",
    "agent_bench.py",
    "webhook_bench.py",
    "orders_bench.py",
    "dashboard_bench.py",
    "reply_bench.py",
    "printshop_bench.py",
    "rfm_bench.py",
    "schemathesis_bench.py",
    "kill9_bench.py",
]

if __name__ == "__main__":
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n===== {name} =====", flush=True)
        rc = subprocess.call([sys.executable, str(path)])
        if rc:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        sys.exit(1)
