"""The store: migrations, transactions and the SQLite settings that make a join durable (B6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from soulmark.core.errors import SoulmarkError
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join
from soulmark.store import Store, default_url, open_store
from soulmark.store.models import PersonRow, WorldRow

T0 = parse_iso("2030-04-01T00:00:00Z")


def test_store_has_the_core_tables(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"worlds", "rounds", "people", "marks", "alembic_version"} <= tables


def test_store_migrations_are_idempotent_and_keep_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'again.db'}"
    first = open_store(url)
    created = create_world(first, name="Kept", window_start=T0, window_end=T0 + DAY, at=T0)
    join(first, world=created.world, name="Tenya Iida", email="t@ua.example", at=T0)
    with first.transaction() as s:
        heads = set(s.scalars(text("SELECT version_num FROM alembic_version")).all())
    first.close()
    for _ in range(2):
        again = open_store(url)
        with again.transaction() as s:
            assert set(s.scalars(text("SELECT version_num FROM alembic_version")).all()) == heads
            assert s.scalar(select(func.count()).select_from(PersonRow)) == 1
        again.close()


def test_b6_sqlite_is_durable_on_acknowledgement(tmp_path: Path) -> None:
    st = open_store(f"sqlite:///{tmp_path / 'durable.db'}")
    try:
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        st.close()


def test_b6_a_transaction_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as s:
        s.add(
            WorldRow(
                slug="half",
                name="Half",
                window_start=T0,
                window_end=T0 + DAY,
                params={},
                organizer_token_hash="0" * 64,
                created_at=T0,
            )
        )
        s.flush()
        raise RuntimeError("crash before commit")
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WorldRow)) == 0


def test_store_reports_an_unopenable_database_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(SoulmarkError) as info:
        open_store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    assert "\n" not in str(info.value)


def test_default_url_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # SOULMARK_DB is read by the entry point (soulmark.settings), which passes it on.
    monkeypatch.setenv("SOULMARK_DB", "sqlite:////tmp/elsewhere.db")
    assert default_url().endswith("/soulmark.db")
    assert default_url("sqlite:////tmp/given.db") == "sqlite:////tmp/given.db"
