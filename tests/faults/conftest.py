"""The faults tests' private PostgreSQL cluster: one each, so a test may stop and restart it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg_cluster import Cluster, binaries


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")
    made = Cluster(bin_dir).init()
    made.start()
    try:
        yield made
    finally:
        made.destroy()
