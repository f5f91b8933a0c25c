"""Shared fixtures.  ``SOULMARK_TEST_DB=postgresql`` runs the suite against the local PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from soulmark.store import Store, open_store

PG_ADMIN = os.environ.get("SOULMARK_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last in each process: Playwright's sync API keeps an event loop
    running for the rest of the session, and every later ``asyncio.run()`` (the limits,
    audit-guard and notices-worker tests) would refuse to start under it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _backend() -> str:
    return os.environ.get("SOULMARK_TEST_DB", "sqlite")


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated PostgreSQL database that each test's database is copied from: copying is
    much cheaper than creating and migrating one per test."""
    if _backend() != "postgresql":
        yield None
        return
    name = f"sm_tmpl_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    open_store(_pg_url(name)).close()
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path, pg_template) -> Iterator[str]:
    """A fresh database for one test (SQLite: empty; PostgreSQL: migrated, empty)."""
    if pg_template is None:
        yield f"sqlite:///{tmp_path / 'soulmark.db'}"
        return
    name = f"sm_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    st = open_store(db_url)
    try:
        yield st
    finally:
        st.close()
