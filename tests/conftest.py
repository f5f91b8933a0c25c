"""Shared fixtures.  ``SOULMARK_TEST_DB=postgresql`` runs the suite against the local PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

from soulmark.store import Store, open_store
from tests.harness.pg import PG_ADMIN, pg_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last in each process: Playwright's sync API keeps an event loop
    running for the rest of the session, and every later ``asyncio.run()`` (the limits,
    audit-guard and notices-worker tests) would refuse to start under it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _backend() -> str:
    return os.environ.get("SOULMARK_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated PostgreSQL database that each test's database is copied from: copying is
    much cheaper than creating and migrating one per test."""
    if _backend() != "postgresql":
        yield None
        return
    with pg_database(prefix="sm_tmpl") as url:
        open_store(url).close()
        yield make_url(url).database


@pytest.fixture
def db_url(tmp_path, pg_template) -> Iterator[str]:
    """A fresh database for one test (SQLite: empty; PostgreSQL: migrated, empty)."""
    if pg_template is None:
        yield f"sqlite:///{tmp_path / 'soulmark.db'}"
        return
    with pg_database(pg_template) as url:
        yield url


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL whose tables all go to a new, empty PostgreSQL schema (its search path), dropped
    after: much cheaper than a database of its own."""
    name = f"sm_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(PG_ADMIN).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_db_url(tmp_path) -> Iterator[str]:
    """A database with nothing in it, not even soulmark's tables, on the backend under test
    (PostgreSQL: a schema of its own)."""
    if _backend() != "postgresql":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    st = open_store(db_url)
    try:
        yield st
    finally:
        st.close()
