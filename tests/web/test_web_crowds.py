"""Issue 22, item 9: a crowd behind one address (a school's NAT, a proxy without
``--trusted-proxy``) opening valid links is never refused, a guesser behind that address is,
and a client's failures are one count whichever processes answer them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from soulmark.cli.serve import uvicorn_options
from soulmark.web import create_app
from soulmark.web.http_guard import ServeConfig
from tests.net import free_port

PHONES = 200
OPENS = 10
GUESSES = 60
LIMIT = 20  # Settings.token_failures_per_minute's default


@pytest.fixture
def served(web) -> Iterator[str]:
    """The app under uvicorn as ``soulmark serve`` runs it, on the test's fixed clock (one
    window of the limit for the whole test)."""
    import uvicorn

    port = free_port()
    options = uvicorn_options(host="127.0.0.1", port=port, workers=1)
    options.update(log_level="warning")
    server = uvicorn.Server(ServeConfig(create_app(web.settings), **options))
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


# A phone waiting its turn at the gate must not reuse a connection the server has already
# closed as idle (uvicorn's keep-alive is 5 s): a browser would retry, httpx does not.
_PHONE = httpx.Limits(keepalive_expiry=1.0)


async def _phone(base: str, token: str, gate: asyncio.Semaphore) -> list[int]:
    """One phone opening its private link again and again (the link, then its page)."""
    async with httpx.AsyncClient(base_url=base, timeout=60.0, limits=_PHONE) as phone:
        out = []
        for _ in range(OPENS):
            async with gate:
                page = await phone.get(f"/wrist/{token}", follow_redirects=True)
            out.append(page.status_code if page.history else -page.status_code)
        return out


async def _guesser(bases: list[str], gate: asyncio.Semaphore, count: int) -> list[int]:
    async with httpx.AsyncClient(timeout=60.0, limits=_PHONE) as client:

        async def guess(i: int) -> int:
            async with gate:
                headers = {"Authorization": f"Bearer w_guess{i:04d}xxxxxxxxxxxxxxxx"}
                r = await client.get(f"{bases[i % len(bases)]}/api/wrist", headers=headers)
                return r.status_code

        return list(await asyncio.gather(*(guess(i) for i in range(count))))


async def _crowd(base: str, tokens: list[str]) -> tuple[list[int], list[int]]:
    gate = asyncio.Semaphore(40)
    first = await _guesser([base], gate, LIMIT + 5)  # the address is over its limit now
    phones = asyncio.gather(*(_phone(base, t, gate) for t in tokens))
    rest = _guesser([base], gate, GUESSES - len(first))
    opened, later = await asyncio.gather(phones, rest)
    return [s for one in opened for s in one], first + later


def test_issue22_a_crowd_behind_one_address_opening_valid_links_is_never_refused(web, served):
    world = web.world([f"Phone Owner {i:03d}" for i in range(PHONES)])
    tokens = [p.token for p in world.people.values()]
    opens, guesses = asyncio.run(_crowd(served, tokens))
    assert len(opens) == PHONES * OPENS == 2000
    assert opens == [200] * 2000  # each a 303 to the session's page, then the page
    assert (guesses.count(404), guesses.count(429)) == (LIMIT, GUESSES - LIMIT)


@contextlib.contextmanager
def _instance(url: str, workers: int = 1) -> Iterator[str]:
    """``soulmark serve`` in a process of its own, on the test's database (its sources:
    PYTHONPATH is inherited)."""
    port = free_port()
    cmd = [sys.executable, "-m", "soulmark", "serve", "--port", str(port), "--db", url]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen([*cmd, "--no-notices"], env=dict(os.environ), stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{base}/", timeout=1.0)
                break
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _room_in_this_minute() -> None:
    """A real server counts in the wall clock's minutes: start where the guesses all fall in
    one of them (they take a second or two)."""
    left = 60 - time.time() % 60
    if left < 20:
        time.sleep(left + 0.5)


async def _everywhere(bases: list[str], tokens: list[str]) -> tuple[list[int], list[int]]:
    gate = asyncio.Semaphore(20)
    guesses = await _guesser(bases, gate, GUESSES)
    async with httpx.AsyncClient(timeout=60.0, limits=_PHONE) as client:
        opened = await asyncio.gather(
            *(
                client.get(f"{base}/api/wrist", headers={"Authorization": f"Bearer {t}"})
                for base in bases
                for t in tokens
            )
        )
    return guesses, [r.status_code for r in opened]


def test_issue22_one_guess_count_per_client_across_instances(web):
    """Two instances on one database (two servers behind one proxy, the second with two
    worker processes): 60 guesses split between them are one count of 60, and valid links
    open on both."""
    world = web.world([f"Phone Owner {i:03d}" for i in range(20)])
    tokens = [p.token for p in world.people.values()]
    url = web.store.engine.url.render_as_string(hide_password=False)
    with _instance(url) as one, _instance(url, workers=2) as two:
        _room_in_this_minute()
        guesses, opened = asyncio.run(_everywhere([one, two], tokens))
    assert (guesses.count(404), guesses.count(429)) == (LIMIT, GUESSES - LIMIT)
    assert opened == [200] * 40
