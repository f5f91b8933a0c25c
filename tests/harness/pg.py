"""New PostgreSQL databases for tests and benchmarks, each dropped after use."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

__all__ = ["PG_ADMIN", "pg_database", "pg_url"]

PG_ADMIN = os.environ.get("SOULMARK_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_url(name: str) -> str:
    """The URL of database ``name`` on the server ``PG_ADMIN`` names."""
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def pg_database(template: str | None = None, prefix: str = "sm") -> Iterator[str]:
    """The URL of a new database (empty, or a copy of ``template``), dropped after, even when
    a test left sessions open on it."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
