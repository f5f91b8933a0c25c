"""Opening the store checks its schema and never migrates it, except an empty database, which
is created at the head, once, however many processes open it together (issue 17 item 5)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from soulmark.core.errors import SoulmarkError
from soulmark.store import Store, migrate_store, open_store
from soulmark.store.schema import (
    SchemaBehind,
    SchemaNewer,
    SchemaState,
    SchemaUnknown,
    alembic_config,
    head,
    line,
)


def _versions(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return rows


def _at(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    engine.dispose()


def test_an_empty_database_is_created_at_the_head_once_when_opened_together(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = threading.Barrier(4)
    read = Store.schema_state

    def read_then_wait(store: Store) -> SchemaState:
        found = read(store)
        if found.kind == "empty":  # all four have seen it empty before any creates it
            together.wait(timeout=30)
        return found

    monkeypatch.setattr(Store, "schema_state", read_then_wait)
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: open_store(empty_db_url), range(4)))
    for store in stores:
        assert store.schema_state().kind == "current"
        store.close()
    assert _versions(empty_db_url) == [head()]


def test_opening_a_database_that_is_behind_migrates_nothing(empty_db_url: str) -> None:
    _at(empty_db_url, line()[-2])
    with pytest.raises(SchemaBehind) as info:
        open_store(empty_db_url)
    assert "soulmark migrate" in str(info.value) and "\n" not in str(info.value)
    assert _versions(empty_db_url) == [line()[-2]]
    assert migrate_store(empty_db_url).rows == (line()[-2],)
    open_store(empty_db_url).close()


def test_a_newer_database_is_refused_by_open_and_by_migrate_and_left_alone(
    empty_db_url: str,
) -> None:
    _at(empty_db_url, "head")
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_later'"))
    engine.dispose()
    for attempt in (open_store, migrate_store):
        with pytest.raises(SchemaNewer, match=r"newer soulmark \(revision 0099_later\)"):
            attempt(empty_db_url)
    assert _versions(empty_db_url) == ["0099_later"]


def test_soulmark_tables_without_a_revision_are_refused_not_created_again(
    empty_db_url: str,
) -> None:
    _at(empty_db_url, "head")
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    engine.dispose()
    for attempt in (open_store, migrate_store):
        with pytest.raises(SchemaUnknown):
            attempt(empty_db_url)


def test_a_migration_that_fails_leaves_the_database_as_it_was(empty_db_url: str) -> None:
    _at(empty_db_url, "0020_look_key")
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:  # 0022 will find its column taken, after 0021 has run
        conn.execute(text("ALTER TABLE notices ADD COLUMN leased_until BIGINT"))
    with pytest.raises(SoulmarkError, match="migrating the database failed"):
        migrate_store(empty_db_url)
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("worlds")}
    engine.dispose()
    assert "sender_confirmed" not in columns  # 0021 was rolled back with it
    assert _versions(empty_db_url) == ["0020_look_key"]
