"""Issue 13, failure 4: the token-guessing limit holds against spoofed addresses, concurrent
guesses, many clients and several worker processes."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from soulmark.cli.serve import uvicorn_options
from soulmark.web import create_app
from soulmark.web.http_guard import ServeConfig
from soulmark.web.limits import MemoryAttempts, client_key, parse_proxies
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


def test_concurrent_bad_attempts_are_counted_before_the_lookup(web) -> None:
    web.world(NAMES)
    statuses = asyncio.run(_burst(web.app, [_bad(i) for i in range(200)]))
    assert statuses.count(429) == 180
    assert statuses.count(404) == 20


def test_good_tokens_give_their_attempt_back(web) -> None:
    world = web.world(NAMES)
    good = {"Authorization": f"Bearer {world.by_name('Ana Limit').token}"}
    for _ in range(10):  # a hundred polls, ten at a time: each one is given back
        assert asyncio.run(_burst(web.app, [good] * 10)) == [200] * 10
    # After them, a guesser still has the whole allowance and no more.
    assert asyncio.run(_burst(web.app, [_bad(i) for i in range(21)])).count(429) == 1


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


def test_the_limit_holds_across_worker_processes(web) -> None:
    world = web.world(NAMES)
    settings = dataclasses.replace(web.settings, shared_attempts=True)
    first, second = create_app(settings), create_app(settings)  # two workers, one database
    assert asyncio.run(_burst(first, [_bad(i) for i in range(20)])) == [404] * 20
    good = {"Authorization": f"Bearer {world.by_name('Bo Limit').token}"}
    assert asyncio.run(_burst(second, [good, _bad(99)])) == [429, 429]


def test_shared_counts_take_concurrent_guesses_before_the_lookup(web) -> None:
    web.world(NAMES)
    settings = dataclasses.replace(web.settings, shared_attempts=True)
    statuses = asyncio.run(_burst(create_app(settings), [_bad(i) for i in range(60)]))
    assert (statuses.count(404), statuses.count(429)) == (20, 40)


def test_an_answered_attempt_is_given_back_before_its_body_ends() -> None:
    """A long-lived stream (server-sent events) must not hold an attempt for its lifetime."""
    from soulmark.web.session import LinkSessions

    attempts = MemoryAttempts(limit=1, window_s=60.0)
    seen: list[bool] = []

    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        # Mid-stream, the one allowed attempt is free again for the next request.
        seen.append(attempts.take("127.0.0.1", 0.0))
        attempts.refund("127.0.0.1", 0.0)
        await send({"type": "http.response.body", "body": b"data: 1\n\n"})

    async def run() -> None:
        app = LinkSessions(streaming, attempts=attempts, clock=lambda: 0.0)
        scope = {"type": "http", "path": "/api/wrist/events", "method": "GET", "headers": [],
                 "client": ("127.0.0.1", 5)}  # fmt: skip

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: Any) -> None:
            pass

        await app(scope, receive, send)

    asyncio.run(run())
    assert seen == [True]
