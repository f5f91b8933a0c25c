"""The poll's cache (issue 8, the read path): a polled wrist is kept until somebody acts,
and every action, in this process or another, is seen by the very next poll."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from soulmark import services
from soulmark.services.signin import replace_link
from soulmark.services.tokens import token_hash
from soulmark.services.wrist_read import snapshot
from soulmark.store import open_store
from soulmark.store.changes import Change
from soulmark.web import Settings, create_app
from soulmark.web.wrist_cache import WristCache

NAMES = ["Ochaco Uraraka", "Tenya Iida"]


def _app(web, **kw) -> FastAPI:
    values = {"store": web.store, "clock": web.clock, "secret": b"k" * 32, **kw}
    return create_app(Settings(**values))


@pytest.fixture
def served(web) -> Iterator[tuple[FastAPI, TestClient]]:
    """A running app whose change log is read only once an hour: a fresh poll after an
    action can then only come from the writer's own announcement."""
    app = _app(web, live_tail_s=3600.0)
    with TestClient(app, base_url="http://soulmark.test") as client:
        _until_listening(app, client)
        yield app, client


def _until_listening(app: FastAPI, client: TestClient) -> None:
    """PostgreSQL's LISTEN starts in the background; SQLite's log is placed before start."""
    for _ in range(500):
        if app.state.hub.wrists.on:
            return
        client.portal.call(_pause)
    raise AssertionError("the hub never heard the change feed")


def _get(client: TestClient, token: str) -> dict:
    response = client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def _legible(web, names=NAMES):
    world = web.world(names)
    a = world.by_name(names[0])
    b = world.people[a.partner]
    web.clock.now = max(a.legible_at, b.legible_at) + 1
    return world, a, b


def test_i8_a_poll_is_served_again_without_a_query(web, served):
    app, client = served
    _, a, _ = _legible(web)
    first = _get(client, a.token)
    assert len(app.state.hub.wrists) == 1
    assert app.state.hub.wrists.get(token_hash(a.token), web.clock.now) is not None
    assert _get(client, a.token) == first


def test_r8_a_poll_right_after_a_look_shows_the_name(web, served):
    app, client = served
    _, a, b = _legible(web)
    assert _get(client, a.token)["state"] == "covered"
    services.look(web.store, token=a.token, at=web.clock.now)
    after = _get(client, a.token)
    assert after["state"] == "revealed" and after["name"] == b.name


def test_r10_the_partner_reaching_out_reaches_a_kept_wrist(web, served):
    _, client = served
    _, a, b = _legible(web)
    for who in (a, b):
        services.look(web.store, token=who.token, at=web.clock.now)
    services.reach_out(web.store, token=a.token, at=web.clock.now)
    assert "contact" not in _get(client, a.token)
    services.reach_out(web.store, token=b.token, at=web.clock.now)
    assert _get(client, a.token)["contact"] == b.email


def test_i9_a_replaced_link_stops_opening_the_wrist_at_once(web, served):
    _, client = served
    _, a, _ = _legible(web)
    _get(client, a.token)
    fresh = replace_link(web.store, token=a.token).token
    old = client.get("/api/wrist", headers={"Authorization": f"Bearer {a.token}"})
    assert old.status_code in (401, 404)
    assert _get(client, fresh)["person"] == a.pid


def test_i8_another_process_s_change_reaches_the_cache_through_the_change_log(web):
    _, a, b = _legible(web)
    app = _app(web, live_tail_s=0.02)
    with TestClient(app, base_url="http://soulmark.test") as client:
        _until_listening(app, client)
        assert _get(client, a.token)["state"] == "covered"
        # Another store on the same database, as another process would hold: its commits are
        # heard here only through the change log (SQLite) or NOTIFY (PostgreSQL).
        other = open_store(web.store.engine.url.render_as_string(hide_password=False))
        try:
            services.look(other, token=a.token, at=web.clock.now)
        finally:
            other.close()
        for _ in range(500):
            if app.state.hub.wrists.get(token_hash(a.token), web.clock.now) is None:
                break
            client.portal.call(_pause)
        assert _get(client, a.token)["name"] == b.name


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.01)


def test_i8_nothing_is_kept_while_no_change_feed_runs(web):
    _, a, _ = _legible(web)
    app = _app(web)
    client = TestClient(app, base_url="http://soulmark.test")  # no lifespan: no hub running
    _get(client, a.token)
    _get(client, a.token)
    assert len(app.state.hub.wrists) == 0


def test_i8_a_read_that_raced_a_change_is_not_kept(web):
    _, a, _ = _legible(web)
    snap = snapshot(web.store, token=a.token, at=web.clock.now)
    cache = WristCache()
    cache.on = True
    began = cache.generation
    cache.drop(Change(snap.world_id, snap.partner_id))  # another wrist: nothing to refuse
    cache.put("k", snap, web.clock.now, began)
    assert cache.get("k", web.clock.now) is snap
    cache.drop(Change(snap.world_id, snap.person_id))
    began = cache.generation
    cache.drop(Change(snap.world_id, snap.person_id))  # its own, committed while it ran
    cache.put("k", snap, web.clock.now, began)
    assert cache.get("k", web.clock.now) is None
    cache.put("k", snap, web.clock.now, cache.generation)
    assert cache.get("k", web.clock.now) is snap
    assert cache.get("k", web.clock.now - 1) is None  # a clock that went back: read again
    cache.drop(Change(snap.world_id, None))  # a seal or an erasure: the whole world
    assert cache.get("k", web.clock.now) is None


def test_i8_a_known_wrist_polls_while_its_address_is_refused(web):
    _, a, _ = _legible(web)
    app = _app(web, token_failures_per_minute=2)
    with TestClient(app, base_url="http://soulmark.test") as client:
        _until_listening(app, client)
        _get(client, a.token)
        for guess in ("w_guess-one-xxxxxxxxxxxx", "w_guess-two-xxxxxxxxxxxx"):
            assert _get_status(client, guess) in (401, 404)
        assert _get_status(client, "w_guess-three-xxxxxxxxxx") == 429
        assert _get(client, a.token)["person"] == a.pid


def _get_status(client: TestClient, token: str) -> int:
    return client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"}).status_code
