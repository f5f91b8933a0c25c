"""Backups (issue 17): taken while people join, they hold every join acknowledged before the
backup began, and a restored database audits; bad input is one line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from soulmark import services
from soulmark.core.times import DAY, now_us
from soulmark.services.audit import audit_report
from soulmark.store import open_store
from soulmark.store.backup import backup, restore
from soulmark.store.models import PersonRow
from tests.harness.pg import pg_database


@pytest.fixture
def spare_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same backend to restore into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with pg_database(prefix="sm_restore") as url:
        yield url


def _world(store, name: str) -> str:
    at = now_us()
    made = services.create_world(
        store, name=name, window_start=at + DAY, window_end=at + 30 * DAY, at=at
    )
    return made.world


def _joins(store, world: str, acked: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        email = f"p{n}@load.test"
        services.join(store, world=world, name=f"Joiner {n}", email=email, at=now_us())
        acked.append(email)  # acknowledged: the join's transaction committed


def test_i17_a_backup_during_joins_holds_every_acknowledged_join_and_audits(
    db_url: str, spare_url: str, tmp_path: Path
) -> None:
    store = open_store(db_url)
    sealed = _world(store, "Sealed Before")
    for i in range(4):
        services.join(store, world=sealed, name=f"Early {i}", email=f"e{i}@x.test", at=now_us())
    services.seal(store, world=sealed, at=now_us())
    transcript = services.transcript_text(store, world=sealed)
    loaded = _world(store, "Under Load")
    acked: list[str] = []
    stop = threading.Event()
    loader = threading.Thread(target=_joins, args=(store, loaded, acked, stop))
    loader.start()
    while len(acked) < 20:
        stop.wait(0.01)
    before = list(acked)  # every join acknowledged before the backup began
    copied = backup(db_url, tmp_path / "night.backup")
    stop.set()
    loader.join(30)
    store.close()
    assert copied.bytes > 0
    restore(spare_url, tmp_path / "night.backup")
    back = open_store(spare_url)
    try:
        with back.read() as s:
            emails = set(s.scalars(select(PersonRow.email)))
        assert set(before) <= emails, "an acknowledged join is never lost"
        text_back = services.transcript_text(back, world=sealed)
    finally:
        back.close()
    assert text_back == transcript and audit_report(text_back).ok
