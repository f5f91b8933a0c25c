"""Shared fixtures.  ``SOULMARK_TEST_DB=postgresql`` runs the suite against the local PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from soulmark.store import Store, open_store

PG_ADMIN = os.environ.get("SOULMARK_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _backend() -> str:
    return os.environ.get("SOULMARK_TEST_DB", "sqlite")


@pytest.fixture
def db_url(tmp_path) -> Iterator[str]:
    """A fresh, empty database for one test."""
    if _backend() != "postgresql":
        yield f"sqlite:///{tmp_path / 'soulmark.db'}"
        return
    name = f"sm_{secrets.token_hex(6)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
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
