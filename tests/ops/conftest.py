from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ops.helpers import PgCluster


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()
