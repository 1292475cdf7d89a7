"""Issue 11, item 11 and "keep the attacks": schemathesis over the whole OpenAPI, bounded (a few cases per
operation and generation mode) so the suite stays fast; counts printed. Goal: 0 server errors, 0 invalid
inputs accepted. The full-size run is `python bench/schemathesis_bench.py`."""

from __future__ import annotations

import os

from tests.security.fuzz import run


def test_schemathesis_finds_no_server_errors_and_no_accepted_invalid_input(app, client, world):
    examples = int(os.environ.get("NIAGA_FUZZ_EXAMPLES", "2"))
    report = run(app, world.headers("owner"), examples=examples)
    print("\n" + report.summary())
    print("  slowest: " + ", ".join(f"{label} {t:.1f}s" for t, label in report.slowest))
    for line in report.server_errors[:20] + report.accepted_invalid[:20]:
        print("  " + line)
    assert report.operations >= 70
    assert sum(report.cases.values()) >= report.operations * 2
    assert report.server_errors == []
    assert report.accepted_invalid == []
