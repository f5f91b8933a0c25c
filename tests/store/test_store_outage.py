"""Issue 22, item 8, at the store: pooled connections whose server side died are noticed,
on the fast read path (soulmark.store.quick) and the ORM path alike, and an outage is told
from any other error in fixed words (soulmark.store.outage)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from soulmark import services
from soulmark.core.times import now_us
from soulmark.services import wrist_read
from soulmark.store import Store
from soulmark.store.outage import cause, unreachable
from tests.harness.pg import PG_ADMIN


def _kill_other_sessions(store: Store) -> int:
    """What a server restart does to a pool: every session of the database ends (FATAL)."""
    name = store.engine.url.database
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(killed)


def _warm(store: Store, token: str, n: int = 4) -> None:
    """Several pooled connections on both engines, all checked in."""
    for _ in range(n):
        wrist_read.snapshot(store, token=token, at=now_us())
    with store.transaction() as s:
        s.execute(text("SELECT 1"))


def test_issue22_dead_pooled_connections_are_replaced_on_the_fast_and_the_orm_path(
    store: Store,
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("needs a server whose sessions can be ended (SOULMARK_TEST_DB=postgresql)")
    made = services.create_world(
        store,
        name="Outage",
        window_start=now_us() + 10**9,
        window_end=now_us() + 10**11,
        at=now_us(),
    )
    me = services.join(store, world=made.world, name="Pooled", email="pooled@o.test", at=now_us())
    _warm(store, me.token)
    assert _kill_other_sessions(store) >= 2
    # Each path reads on at once, without an error: no request pays for the dead pool.
    assert wrist_read.snapshot(store, token=me.token, at=now_us()).person == me.person
    with store.transaction() as s:
        assert s.execute(text("SELECT 1")).scalar_one() == 1


def test_issue22_an_unreachable_database_is_named_and_other_errors_are_not() -> None:
    refused = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(OperationalError) as caught:
        refused.connect()
    assert unreachable(caught.value) == "connection refused"
    shutdown = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    assert cause(shutdown) == "the server shut down (57P01)"
    assert unreachable(IntegrityError("INSERT", {}, Exception("duplicate key"))) is None
    locked = sqlite3.OperationalError("database is locked")
    assert unreachable(OperationalError("INSERT", {}, locked)) is None
    assert unreachable(ValueError("not a database error")) is None
