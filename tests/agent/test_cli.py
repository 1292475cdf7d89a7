"""`niaga chat --jsonl`: the line contract the shared scorer relies on (`make eval` runs the scorer itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_jsonl_contract(rizquna) -> None:  # type: ignore[no-untyped-def]
    lines = [
        {"sender": "a", "text": "ada sajadah?", "channel": "whatsapp"},
        {"sender": "b", "text": "halo", "channel": "telegram"},
        {"sender": "a", "text": "yang travel berapa?", "channel": "whatsapp"},
        {"sender": "c", "text": "", "channel": "whatsapp"},
    ]
    stdin = "".join(json.dumps(x) + "\n" for x in lines) + "not json\n"
    p = subprocess.run(
        [sys.executable, "-m", "niaga.cli", "chat", "--business", "rizquna", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[2],
    )
    outs = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    assert p.returncode == 0 and len(outs) == 5
    assert all(set(o) >= {"intent", "entities", "reply", "handoff"} for o in outs)
    assert outs[2]["entities"].get("sku") == "RQ-SAJ-002"  # same sender, same conversation
    assert outs[3]["reply"] and outs[4]["intent"] == "other"
