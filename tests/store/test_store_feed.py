"""The change feed belongs to its store (issue 21, no hidden globals): a store's listeners hear
what that store's sessions commit, and nothing of another store's, nor of a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soulmark.store import Store, open_store
from soulmark.store.changes import Change, announce
from soulmark.store.models import WorldRow
from tests.notices.notices_support import make_world


def test_21_a_store_s_feed_hears_its_own_commits_and_no_other_store_s(store, db_url):
    other = open_store(db_url)
    mine: list[set[Change]] = []
    theirs: list[set[Change]] = []
    store.feed.subscribe(mine.append)
    other.feed.subscribe(theirs.append)
    try:
        world = make_world(store)
        assert mine and theirs == []
        assert any(c.world_id == _id(store, world.slug) for heard in mine for c in heard)
    finally:
        other.close()


def test_21_a_rolled_back_change_is_heard_by_nobody(store):
    world = _id(store, make_world(store).slug)
    heard: list[set[Change]] = []
    store.feed.subscribe(heard.append)
    with pytest.raises(RuntimeError), store.transaction() as session:
        announce(session, {Change(world, None)})
        raise RuntimeError("the unit of work fails")
    assert heard == []
    store.feed.unsubscribe(heard.append)
    with store.transaction() as session:
        announce(session, {Change(world, None)})
    assert heard == []


def _id(store: Store, slug: str) -> int:
    with store.read() as session:
        return int(session.scalar(select(WorldRow.id).where(WorldRow.slug == slug)) or 0)
