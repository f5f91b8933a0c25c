"""A closed-loop HTTP load generator, for machines without ``wrk``.

``CONCURRENCY`` clients each keep one request in flight for ``DURATION`` seconds, rotating
over a file of tokens for ``Authorization: Bearer``; prints one JSON line with the same
figures the wrk script reports (requests, seconds, latency percentiles in microseconds).

    python -m bench.reveal_load URL TOKENS --concurrency 200 --duration 15
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from pathlib import Path


async def _run(url: str, tokens: list[str], concurrency: int, duration: float) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = {"status": 0, "other": 0}
    counter = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        stop = time.perf_counter() + duration

        async def one_client() -> None:
            while time.perf_counter() < stop:
                token = tokens[next(counter) % len(tokens)]
                t0 = time.perf_counter()
                try:
                    r = await client.get(url, headers={"Authorization": f"Bearer {token}"})
                except httpx.HTTPError:
                    errors["other"] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    errors["status"] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1e6

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_us": pct(50) if latencies else 0.0,
        "p99_us": pct(99) if latencies else 0.0,
        "max_us": latencies[-1] * 1e6 if latencies else 0.0,
        "status_errors": errors["status"],
        "socket_errors": errors["other"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("tokens", type=Path)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15.0)
    args = parser.parse_args()
    tokens = args.tokens.read_text().split()
    print(json.dumps(asyncio.run(_run(args.url, tokens, args.concurrency, args.duration))))


if __name__ == "__main__":
    main()
