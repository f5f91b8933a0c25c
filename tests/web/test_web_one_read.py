"""Issue 21 targets: one GET of a page is one read, and a read never takes a write lock.

SQLAlchemy's engine events count what the database is asked while one page is served:
transactions begun, ``BEGIN IMMEDIATE`` (SQLite's write lock, taken up front) and
connections checked out of the pools (a one-statement read outside a session is one too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from soulmark.store import Store
from soulmark.web import create_app

from .conftest import Clock, Web


@dataclass
class Asked:
    begins: int = 0
    write_locks: int = 0
    checkouts: int = 0


@contextmanager
def counting(store: Store) -> Iterator[Asked]:
    asked = Asked()

    def begin(_conn: Any) -> None:
        asked.begins += 1

    def statement(_conn: Any, _cur: Any, sql: str, *_: Any) -> None:
        asked.write_locks += sql.strip().upper().startswith("BEGIN IMMEDIATE")

    def checkout(*_: Any) -> None:
        asked.checkouts += 1

    engines: list[Engine] = list({id(e): e for e in (store.engine, store.reads)}.values())
    hooks = [("begin", begin), ("before_cursor_execute", statement)]
    for engine in engines:
        for name, fn in hooks:
            event.listen(engine, name, fn)
        event.listen(engine.pool, "checkout", checkout)
    try:
        yield asked
    finally:
        for engine in engines:
            for name, fn in hooks:
                event.remove(engine, name, fn)
            event.remove(engine.pool, "checkout", checkout)


@pytest.fixture
def web(store: Store, clock: Clock) -> Iterator[Web]:
    """The usual app, whose live hub does not read the change log during a test: its own
    reads, on a timer, are no part of serving a page."""
    w = Web(store, clock)
    w.settings = replace(w.settings, live_tail_s=3600.0, live_tick_s=3600.0)
    w.app = create_app(w.settings)
    w.client = TestClient(w.app, base_url="http://soulmark.test")
    with w.client:
        yield w


def _opened(web: Any, token: str) -> str:
    """The wrist's link opened once (the token moves to a cookie): the page's own path."""
    page = web.client.get(f"/wrist/{token}")
    assert page.status_code == 200
    return str(page.url.path)


def test_issue21_the_wrist_pages_get_is_one_read_without_the_write_lock(web, clock):
    world = web.world(["Tenya Iida", "爆豪勝己"])
    a = world.by_name("Tenya Iida")
    clock.now = a.legible_at
    path = _opened(web, a.token)
    with counting(web.store) as asked:
        page = web.client.get(path)
    assert page.status_code == 200 and 'id="wrist"' in page.text
    assert (asked.begins, asked.write_locks, asked.checkouts) == (1, 0, 1)


def test_issue21_the_world_page_is_one_read_without_the_write_lock(web):
    world = web.world(["Tenya Iida", "爆豪勝己"])
    with counting(web.store) as asked:
        page = web.client.get(f"/w/{world.slug}")
    assert page.status_code == 200
    assert (asked.begins, asked.write_locks, asked.checkouts) == (1, 0, 1)


def test_issue21_listing_shares_and_exclusions_takes_no_write_lock(web):
    from soulmark.services import exclusions, shares

    world = web.world(["Tenya Iida", "爆豪勝己"])
    token = world.by_name("Tenya Iida").token
    with counting(web.store) as asked:
        shares.list_shares(web.store, token=token)
        exclusions.list_exclusions(web.store, token=token, at=web.clock.now)
    assert (asked.begins, asked.write_locks) == (2, 0)
