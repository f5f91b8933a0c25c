"""What the guessing limit costs (issue 22, item 9): every failed lookup is counted in the
database, whatever the deployment, and a valid token never touches the count.

Through the app in one process (no network), per backend, one client's medians of:

* a valid poll while its address is under the limit, and while it is over it (the same);
* a failed lookup within the limit (the lookup and one upsert in ``token_attempts``);
* a failed lookup past it, answered 429 (the lookup, no write: the process remembers);
* and, with the counter alone, a fresh client's first failure (an insert).

    python -m bench.limits [--backends sqlite,postgresql] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import fresh_db, header, table, write
from soulmark.store import Store


def _world(url: str) -> tuple[Store, str]:
    from soulmark import services
    from soulmark.core.times import now_us
    from soulmark.store import open_store

    store = open_store(url)
    at = now_us()
    made = services.create_world(
        store, name="Bench", window_start=at + 10**7, window_end=at + 10**12, at=at
    )
    token = services.join(store, world=made.world, name="Ana Bench", email="a@x.test", at=at)
    services.join(store, world=made.world, name="Bo Bench", email="b@x.test", at=at)
    services.seal(store, world=made.world, at=at + 1)
    return store, token.token


async def _median_us(client: httpx.AsyncClient, token: str, status: int, n: int) -> float:
    times = []
    for i in range(n):
        guess = token if status == 200 else f"{token}-{status}-{i}"
        start = time.perf_counter()
        r = await client.get("/api/wrist", headers={"Authorization": f"Bearer {guess}"})
        times.append(time.perf_counter() - start)
        assert r.status_code == status, r.status_code
    return statistics.median(times) * 1e6


async def _through_app(store: Store, token: str, rounds: int) -> list[float]:
    from soulmark.web import Settings, create_app

    fixed = int(time.time() * 1e6)  # one window of the limit for the whole run

    app = create_app(
        Settings(
            store=store,
            secret=b"k" * 32,
            token_failures_per_minute=rounds,
            clock=lambda: fixed,
        )
    )
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as c:
        await _median_us(c, token, 200, 300)  # warm: pools, caches, the first answers
        under = await _median_us(c, token, 200, rounds)
        told = await _median_us(c, "w_nope", 404, rounds)
        refused = await _median_us(c, "w_nope", 429, rounds)
        over = await _median_us(c, token, 200, rounds)
    return [under, over, told, refused]


def _first_failure_us(store: Store, rounds: int) -> float:
    from soulmark.web.limits import StoreAttempts

    attempts = StoreAttempts(store, limit=20, window_s=60.0)
    start = time.perf_counter()
    for i in range(rounds):
        attempts.fail(f"10.1.{i >> 8 & 255}.{i & 255}", time.time())
    return (time.perf_counter() - start) / rounds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            with fresh_db(backend, Path(tmp)) as url:
                store, token = _world(url)
                cells = asyncio.run(_through_app(store, token, args.rounds))
                cells.append(_first_failure_us(store, args.rounds))
                store.close()
            rows.append([backend, *(f"{c:,.0f}" for c in cells)])
    columns = ["backend", "valid, under (µs)", "valid, over (µs)", "failure told (µs)"]
    columns += ["failure refused (µs)", "first failure, counter alone (µs)"]
    body = header("The guessing limit: what a valid poll and a failure cost")
    body += table(columns, rows)
    body += (
        "\nMedians of one client's sequential requests through the app in one process. A "
        "valid token costs the same under and over its address's limit (it never touches "
        "the count); a told failure adds one upsert; a refused one is answered without a "
        "write once the process has seen its client past the limit.\n"
    )
    write("limits", body)


if __name__ == "__main__":
    main()
