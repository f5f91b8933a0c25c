"""Issue 13, failure 4, and issue 22, item 9: the guessing limit counts failed lookups only;
it holds against spoofed addresses, concurrent guesses, many clients and several processes,
and never refuses a valid token."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from soulmark.cli.serve import uvicorn_options
from soulmark.web import create_app
from soulmark.web.http_guard import ServeConfig
from soulmark.web.limits import MemoryAttempts, StoreAttempts, client_key, parse_proxies
from tests.net import free_port

NAMES = ["Ana Limit", "Bo Limit", "Cy Limit", "Di Limit"]


def _bad(i: int) -> dict[str, str]:
    return {"Authorization": f"Bearer w_guess{i:04d}"}


async def _burst(app: Any, headers: list[dict[str, str]]) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://soulmark.test") as c:
        answers = await asyncio.gather(*(c.get("/api/wrist", headers=h) for h in headers))
    return [r.status_code for r in answers]


@pytest.fixture
def served(web) -> Iterator[str]:
    """The app under uvicorn configured exactly as ``soulmark serve`` configures it."""
    import uvicorn

    port = free_port()
    options = uvicorn_options(host="127.0.0.1", port=port, workers=1)
    options.update(log_level="warning")
    config = ServeConfig(create_app(web.settings), lifespan="off", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_spoofed_forwarded_for_from_loopback_is_not_believed(web, served: str) -> None:
    web.world(NAMES)
    statuses = []
    with httpx.Client(base_url=served) as client:
        for i in range(24):
            headers = {**_bad(i), "X-Forwarded-For": f"198.51.100.{i + 1}"}
            statuses.append(client.get("/api/wrist", headers=headers).status_code)
    assert statuses[:20] == [404] * 20
    assert statuses[20:] == [429] * 4


def test_forwarded_for_counts_only_behind_a_named_proxy(web) -> None:
    web.world(NAMES)
    settings = dataclasses.replace(web.settings, trusted_proxies=("127.0.0.0/8",))
    app = create_app(settings)
    spread = [{**_bad(i), "X-Forwarded-For": f"198.51.100.{i + 1}"} for i in range(24)]
    assert 429 not in asyncio.run(_burst(app, spread))
    # The left-most entries are the client's own to write: only the proxy's entry counts.
    same = [{**_bad(i), "X-Forwarded-For": f"10.9.9.{i}, 203.0.113.7"} for i in range(24)]
    assert asyncio.run(_burst(app, same)).count(429) == 4


def test_concurrent_guesses_are_bounded_by_an_atomic_count_of_failures(web) -> None:
    web.world(NAMES)
    statuses = asyncio.run(_burst(web.app, [_bad(i) for i in range(200)]))
    assert statuses.count(429) == 180
    assert statuses.count(404) == 20


def test_valid_tokens_are_never_counted_nor_refused(web) -> None:
    world = web.world(NAMES)
    good = {"Authorization": f"Bearer {world.by_name('Ana Limit').token}"}
    for _ in range(10):  # a hundred polls, ten at a time: none of them counts
        assert asyncio.run(_burst(web.app, [good] * 10)) == [200] * 10
    # After them, a guesser still has the whole allowance and no more...
    assert asyncio.run(_burst(web.app, [_bad(i) for i in range(21)])).count(429) == 1
    # ...and beyond it, the valid token opens its wrist as before.
    assert asyncio.run(_burst(web.app, [good] * 10 + [_bad(99)])) == [200] * 10 + [429]


def test_the_failure_table_is_bounded() -> None:
    attempts = MemoryAttempts(limit=20, window_s=60.0, max_clients=1000)
    for i in range(15_000):
        attempts.take(f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", 0.0)
    assert len(attempts) == 1000
    assert attempts.take("10.0.58.151", 0.0)  # the most recent ones are still counted


def test_ipv6_clients_count_per_64() -> None:
    one = client_key({"client": ("2001:db8:1:2::5", 1)}, ())
    other = client_key({"client": ("2001:db8:1:2:ffff::9", 1)}, ())
    assert one == other == "2001:db8:1:2::/64"
    assert parse_proxies(["10.0.0.1", " ", "fd00::/8"])[1].version == 6


def test_refused_failures_stop_adding_up(web) -> None:
    attempts = StoreAttempts(web.store, limit=3, window_s=60.0)
    assert [attempts.fail("10.0.0.1", 5.0) for _ in range(50)] == [True] * 3 + [False] * 47
    with web.store.read() as s:
        assert s.execute(text("SELECT attempts FROM token_attempts")).scalar_one() == 4
    other = StoreAttempts(web.store, limit=3, window_s=60.0)  # another process: the same count
    assert not other.fail("10.0.0.1", 6.0) and other.fail("10.0.0.2", 6.0)
    assert attempts.fail("10.0.0.1", 65.0)  # a new window starts from nothing


def test_the_limit_holds_across_worker_processes(web) -> None:
    world = web.world(NAMES)
    first, second = create_app(web.settings), create_app(web.settings)  # one database
    assert asyncio.run(_burst(first, [_bad(i) for i in range(20)])) == [404] * 20
    good = {"Authorization": f"Bearer {world.by_name('Bo Limit').token}"}
    assert asyncio.run(_burst(second, [good, _bad(99)])) == [200, 429]


class _Counted:
    blocking = False

    def __init__(self, limit: int) -> None:
        self.limit, self.calls = limit, 0

    def fail(self, client: str, now: float) -> bool:
        self.calls += 1
        return self.calls <= self.limit


async def _through(app: Any, path: str) -> list[Any]:
    scope = {"type": "http", "path": path, "method": "GET", "headers": [],
             "client": ("127.0.0.1", 5)}  # fmt: skip
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_only_a_failed_answer_is_counted_and_a_refused_one_shows_nothing_of_the_route() -> None:
    """A stream that opens is never counted (nor held for a count); a failure past the limit
    is answered 429 in place of the route's own answer, body and all."""
    from soulmark.web.session import LinkSessions

    async def route(scope: Any, receive: Any, send: Any) -> None:
        status = 200 if scope["path"].endswith("events") else 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"route", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    failures = _Counted(limit=1)
    app = LinkSessions(route, failures=failures, clock=lambda: 0.0)
    assert [m.get("status") for m in asyncio.run(_through(app, "/api/wrist/events"))] == [
        200, None, None]  # fmt: skip
    assert failures.calls == 0
    told = asyncio.run(_through(app, "/api/wrist"))
    assert told[0]["status"] == 404 and told[1]["body"] == b"route"
    refused = asyncio.run(_through(app, "/api/wrist"))
    assert [m.get("status") for m in refused] == [429, None]
    assert b"route" not in refused[1]["body"] and failures.calls == 2
