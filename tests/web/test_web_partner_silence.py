"""Issue 22, item 3: nothing a bearer receives moves with what their partner did, except what
R8 and R10 hand over after the bearer's own look (the name, the contact once both reached
out).  Status, body, headers, the cache entry that answers them (and so their cost) and the
limit stay as they were while the partner shares, replaces their link, looks, reaches out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from soulmark import services
from soulmark.services.lifecycle import leave
from soulmark.services.shares import create_share
from soulmark.services.signin import replace_link
from soulmark.services.tokens import token_hash
from soulmark.store.changes import Change
from soulmark.web import Settings, create_app

NAMES = ["Izuku Midoriya", "Ochaco Uraraka"]


@pytest.fixture
def served(web) -> Iterator[tuple[FastAPI, TestClient]]:
    """A running app (its change feed on, so polls are kept) allowing two failures a minute;
    the change log is read once an hour: only the writer's own announcements drop entries."""
    settings = Settings(
        store=web.store,
        clock=web.clock,
        secret=b"k" * 32,
        token_failures_per_minute=2,
        live_tail_s=3600.0,
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://soulmark.test") as client:
        for _ in range(500):
            if app.state.hub.wrists.on:
                break
            client.portal.call(_pause)
        assert app.state.hub.wrists.on, "the hub never heard the change feed"
        yield app, client


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.01)


def _legible(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    b = world.people[a.partner]
    web.clock.now = max(a.legible_at, b.legible_at) + 1
    return a, b


def _answer(client: TestClient, token: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    r = client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
    return r.status_code, r.json(), {k: v for k, v in r.headers.items() if k != "date"}


def _spend_failures(client: TestClient) -> None:
    statuses = [
        client.get("/api/wrist", headers={"Authorization": f"Bearer w_guess-{i}-xxxxxxxxxxxx"})
        for i in range(3)
    ]
    assert [r.status_code for r in statuses] == [404, 404, 429]


def _partner_acts(web, token: str) -> Iterator[tuple[str, str]]:
    """Each thing a partner may do on their own, one at a time: its name, and the partner's
    token after it."""
    create_share(web.store, token=token, at=web.clock.now)
    yield "share link", token
    token = replace_link(web.store, token=token).token
    yield "replaced link", token
    services.look(web.store, token=token, at=web.clock.now)
    yield "look", token
    services.reach_out(web.store, token=token, at=web.clock.now)
    yield "reach out", token
    services.withdraw(web.store, token=token, at=web.clock.now)
    yield "withdraw", token


def test_issue22_a_partner_action_changes_nothing_in_the_bearers_answer(web, served):
    app, client = served
    a, b = _legible(web)
    _spend_failures(client)  # the bearer's address is over its limit
    before = _answer(client, a.token)
    assert before[0] == 200 and before[1]["state"] == "covered"
    key = token_hash(a.token)
    for act, _ in _partner_acts(web, b.token):
        assert _answer(client, a.token) == before, act
        # Served from the same entry: not even the answer's cost moved (no query).
        assert app.state.hub.wrists.get(key, web.clock.now) is not None, act


def test_issue22_after_the_bearers_look_only_both_reaching_out_reaches_their_wrist(web, served):
    app, client = served
    a, b = _legible(web)
    services.look(web.store, token=a.token, at=web.clock.now)
    _spend_failures(client)
    before = _answer(client, a.token)
    assert before[1]["name"] == b.name and "contact" not in before[1]
    key = token_hash(a.token)
    partner = b.token
    for act, token in _partner_acts(web, b.token):
        assert _answer(client, a.token) == before, act
        assert app.state.hub.wrists.get(key, web.clock.now) is not None, act
        partner = token
    services.reach_out(web.store, token=a.token, at=web.clock.now)
    assert "contact" not in _answer(client, a.token)[1]  # the partner took theirs back
    # R10: once both reached out, the contact reaches the bearer's very next poll.
    services.reach_out(web.store, token=partner, at=web.clock.now)
    assert _answer(client, a.token)[1]["contact"] == b.email


def test_issue22_a_partner_action_wakes_no_stream_of_the_bearers(web):
    """A live stream is woken (and reads again) only by a change that names its own wrist:
    the partner's acts reach the partner's streams, never the bearer's."""
    from soulmark.services.wrist_read import snapshot
    from soulmark.web.live import Hub

    a, b = _legible(web)
    services.look(web.store, token=a.token, at=web.clock.now)
    hub = Hub(web.store, web.clock, heartbeat_s=15.0, per_token=4, tick_s=1.0, tail_s=1.0)
    mine, theirs = hub.open("a"), hub.open("b")
    hub._attach(mine, snapshot(web.store, token=a.token, at=web.clock.now))
    hub._attach(theirs, snapshot(web.store, token=b.token, at=web.clock.now))
    heard: list[set[Change]] = []
    web.store.feed.subscribe(heard.append)
    try:
        for act, _ in _partner_acts(web, b.token):
            for change in heard.pop():
                hub.dispatch(change)
            assert theirs.reload and not mine.reload, act
            theirs.reload = False
    finally:
        web.store.feed.unsubscribe(heard.append)


def test_issue22_r10_both_reaching_out_and_a_leave_after_it_reach_the_looked_partner(web, served):
    app, client = served
    a, b = _legible(web)
    for who in (a, b):
        services.look(web.store, token=who.token, at=web.clock.now)
    services.reach_out(web.store, token=a.token, at=web.clock.now)
    assert "contact" not in _answer(client, a.token)[1]
    services.reach_out(web.store, token=b.token, at=web.clock.now)
    assert _answer(client, a.token)[1]["contact"] == b.email
    leave(web.store, token=b.token, at=web.clock.now)
    after = _answer(client, a.token)[1]
    assert "contact" not in after and after["name"] == b.name
