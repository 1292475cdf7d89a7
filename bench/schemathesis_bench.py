"""Schemathesis over the whole OpenAPI at full size (the suite runs the same driver with a few cases per
operation: tests/security/test_schemathesis.py). Prints the counts; exit 1 on any server error or invalid
input accepted.

Usage: python bench/schemathesis_bench.py [--examples 50] [--seed 11]
PostgreSQL: set NIAGA_BENCH_DATABASE_URL to an empty database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=50, help="cases per operation and generation mode")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="niaga-fuzz-")
    os.environ.update(
        NIAGA_ENV="test",
        NIAGA_HOME=home,
        NIAGA_SECRET_KEY="bench-" + secrets.token_hex(16),
        NIAGA_JOBS_DISPATCH="manual",
        NIAGA_LOG_LEVEL="ERROR",
        NIAGA_LOG_JSON="false",
    )
    if os.environ.get("NIAGA_BENCH_DATABASE_URL"):
        os.environ["NIAGA_DATABASE_URL"] = os.environ["NIAGA_BENCH_DATABASE_URL"]
    from niaga.catalog import fts
    from niaga.db import engine as db_engine
    from niaga.db.models import metadata

    db_engine.configure()
    metadata.create_all(db_engine.get_engine())
    with db_engine.get_engine().begin() as conn:
        fts.install(conn)
    from alembic import command

    from niaga.db.migrate import alembic_config

    command.stamp(alembic_config(), "head")
    from fastapi.testclient import TestClient
    from tests import factories as f
    from tests.security.fuzz import run

    from niaga.app import create_app

    db = db_engine.new_session()
    world = f.make_world(db)
    for i in range(5):
        f.make_product(db, business=world.a, sku=f"FZ-{i}", stock=100)
        f.make_customer(db, business=world.a)
    headers = world.headers("owner")
    app = create_app()
    with TestClient(app, raise_server_exceptions=False):
        report = run(app, headers, examples=args.examples, seed=args.seed, full=True)
    print(report.summary())
    for line in report.server_errors + report.accepted_invalid:
        print("  " + line)
    return 1 if report.server_errors or report.accepted_invalid else 0


if __name__ == "__main__":
    sys.exit(main())
