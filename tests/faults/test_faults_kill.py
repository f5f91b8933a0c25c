"""B6 under fire: a real ``soulmark serve`` SIGKILLed at random moments under join load.

The full campaign (``python -m bench.faults --kills 100``) writes bench/results/faults.md;
this is its small version, on the suite's database (SQLite, or PostgreSQL in that pass).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness.joins import check_joins, store_opens
from tests.harness.kills import kill_campaign, new_world
from tests.harness.server import Ack

KILLS = 10
BUDGET_S = 30.0
"""Stop killing after this long (a busy machine starts servers slowly); at least 3 kills."""


@pytest.mark.slow
def test_b6_sigkill_under_join_load_loses_and_duplicates_nothing(
    db_url: str, tmp_path: Path
) -> None:
    seed = int.from_bytes(os.urandom(4), "little")
    report = kill_campaign(db_url, "suite", KILLS, workdir=tmp_path, seed=seed, budget_s=BUDGET_S)
    print(report)
    assert report.kills >= 3
    assert report.acked > 0, "no join was ever acknowledged"
    assert report.open_failures == []
    assert report.opened_clean == report.kills
    assert report.lost_at_a_kill == 0
    assert report.final.lost == []
    assert report.final.duplicated == []
    assert report.final.stray == []
    assert report.final.rows >= report.acked
    assert report.sealed_after


def test_the_checks_catch_a_lost_a_changed_and_a_stray_join(db_url: str) -> None:
    # The harness's own checks must be able to fail: a join acknowledged but never stored,
    # one stored with another token, and a stored row that no client sent.
    from soulmark import services
    from soulmark.store import open_store

    slug, _ = new_world(db_url)
    store = open_store(db_url)
    try:
        kept = services.join(store, world=slug, name="Kept", email="kept@f.test", at=0)
        services.join(store, world=slug, name="Stray", email="stray@f.test", at=0)
    finally:
        store.close()
    acks = [
        Ack("kept@f.test", kept.person, kept.token),
        Ack("kept@f.test", kept.person, "w_not-the-token"),
        Ack("ghost@f.test", "0123456789abcdef", "w_ghost"),
    ]
    found = check_joins(db_url, slug, acks, {"kept@f.test", "ghost@f.test"})
    assert store_opens(db_url) == "ok"
    assert found.rows == 2
    assert len(found.lost) == 2
    assert found.duplicated == ["kept@f.test x2"]  # acknowledged twice
    assert found.stray == ["stray@f.test"]
    assert not found.clean


def test_a_torn_sqlite_file_does_not_open_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "torn.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert store_opens(f"sqlite:///{path}") != "ok"
