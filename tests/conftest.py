"""Shared fixtures.  ``SOULMARK_TEST_DB=postgresql`` runs the suite against the local PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

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


@contextmanager
def _pg_database(template: str) -> Iterator[str]:
    """A new PostgreSQL database for one test, a copy of ``template``, dropped after it."""
    name = f"sm_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_url(name)
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
    with _pg_database(pg_template) as url:
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
