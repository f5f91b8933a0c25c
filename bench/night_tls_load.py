"""The clients of the TLS night: streams over https, the two request phases, /metrics.

Every request the bench sends is counted with the status it got, so that the sums of the
instances' ``/metrics`` can be held against the bench's own counts.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.faults_night_clients import Follower

__all__ = ["TlsFollower", "phase", "scrape"]


def insecure() -> ssl.SSLContext:
    """The site's certificate is self-signed: encrypt, but do not check it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _now_us() -> int:
    return time.time_ns() // 1000


class TlsFollower(Follower):
    """A Follower (bench.faults_night_clients) whose stream goes over TLS."""

    context: ssl.SSLContext = insecure()

    async def _connect(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(
            host, port, ssl=self.context, server_hostname=host, limit=2**20
        )

    def _close(self, writer: asyncio.StreamWriter) -> None:
        # Dropped as a phone drops off: a TLS close would wait for nginx's close_notify,
        # which nginx, busy sending, never reads, and the stream would stay open.
        writer.transport.abort()


async def phase(
    base: str, path: str, seconds: float, clients: int, tokens: list[str]
) -> tuple[Counter[int], float]:
    """``clients`` keep-alive https clients asking ``path`` for ``seconds``: statuses, time.

    Each client is its own phone (its own X-Forwarded-For) holding a valid link, so neither
    the guessing limit nor any per-address bound is what is measured.
    """
    seen: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, verify=False, limits=limits, timeout=30) as c:
        end = time.monotonic() + seconds

        async def one(i: int) -> None:
            headers = {"X-Forwarded-For": f"10.201.{i // 250}.{i % 250 + 1}"}
            if tokens:
                headers["Authorization"] = f"Bearer {tokens[i % len(tokens)]}"
            while time.monotonic() < end:
                try:
                    seen[(await c.get(path, headers=headers)).status_code] += 1
                except httpx.TransportError:
                    seen[0] += 1

        began = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(clients)))
        return seen, time.monotonic() - began


def scrape(bases: list[str], token: str) -> dict[str, Any]:
    """Every instance's /metrics (each process counts its own), summed."""
    requests: Counter[tuple[str, str, str]] = Counter()
    streams: Counter[str] = Counter()
    for base in bases:
        r = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        for family in text_string_to_metric_families(r.text):
            for s in family.samples:
                if s.name == "soulmark_http_requests_total":
                    key = (s.labels["route"], s.labels["method"], s.labels["status"])
                    requests[key] += int(s.value)
                elif s.name == "soulmark_streams_open":
                    streams[s.labels["kind"]] += int(s.value)
    return {"requests": requests, "streams_open": streams}
