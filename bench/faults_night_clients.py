"""The people of a night under faults: stream followers that reconnect, pollers and joiners.

Every answer is kept with its moment, so that the report can tell a 5xx inside an outage
window (allowed: a 503) from one outside it (never), and a stream change that came after a
reconnection from one that never came.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["Answers", "Changes", "Follower", "Joiner", "poll", "stream_changes"]

RECONNECT_S = 0.3


def _now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Answers:
    """Every HTTP status seen, with its moment (µs)."""

    seen: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, status: int, what: str) -> None:
        self.seen.append((_now_us(), status, what))

    def errors_outside(self, outages: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
        def inside(at: int) -> bool:
            return any(a <= at <= b for a, b in outages)

        return [s for s in self.seen if s[1] >= 500 and not inside(s[0])]


@dataclass
class Follower:
    """One wrist's live stream through the proxy, opened again whenever it drops."""

    token: str
    address: str = "127.0.0.1"
    """The phone's own address, as a trusted proxy in front of nginx would pass it on."""
    pid: str = ""
    arrivals: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    up: list[list[int]] = field(default_factory=list)
    """[from, to] spans during which the stream was open and had said where the wrist was."""
    reconnects: int = 0

    async def run(self, host: str, port: int, answers: Answers, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, asyncio.IncompleteReadError, ValueError):
                await self._once(host, port, answers, stop)
            if self.up and self.up[-1][1] == 0:
                self.up[-1][1] = _now_us()
            if not stop.is_set():
                self.reconnects += 1
                await asyncio.sleep(RECONNECT_S)

    async def _connect(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(host, port, limit=2**20)

    def _close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def _once(self, host: str, port: int, answers: Answers, stop: asyncio.Event) -> None:
        reader, writer = await self._connect(host, port)
        try:
            # HTTP/1.0: the proxy streams the body as it comes and closes at its end.
            writer.write(
                f"GET /api/wrist/events HTTP/1.0\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {self.token}\r\nX-Forwarded-For: {self.address}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            answers.add(status, "stream")
            if status == 200:
                await self._events(reader, stop)
        finally:
            self._close(writer)

    async def _events(self, reader: asyncio.StreamReader, stop: asyncio.Event) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        first = True
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data: "):
                data = json.loads(line[6:])
                self.arrivals.append((_now_us(), data))
                self.pid = self.pid or str(data.get("person", ""))
                if first:
                    self.up.append([_now_us(), 0])
                    first = False


@dataclass
class Changes:
    """What the streams showed of the changes due while they were open."""

    due: int = 0
    never: int = 0
    """Neither the change nor any later state ever came on the stream."""
    skipped: int = 0
    """The stream was late and went straight to a later state (shown, but not this one)."""
    lags_us: list[int] = field(default_factory=list)
    """For each change due: from its moment until the stream showed it or a later state."""
    skipped_at: list[int] = field(default_factory=list)


def _first_at_or_after(arrivals: list[tuple[int, int]], moment: int, since: int) -> int | None:
    """When the stream first showed a state due at ``moment`` or later, from ``since`` on."""
    return next((t for t, m in arrivals if t >= since and m >= moment), None)


def stream_changes(
    followers: list[Follower], plan: dict[str, Any], slack_us: int = 2_000_000
) -> Changes:
    """Each change due while its stream was open, and how (and how late) the stream showed it.

    A change due while its stream was down is not counted: the stream says where the wrist
    is when it opens again, and the final state is checked on its own.
    """
    out = Changes()
    for f in followers:
        if not f.pid:
            continue
        _, moments = plan[f.pid]
        got = {(d["state"], d.get("strokes")) for _, d in f.arrivals}
        shown = [(t, moments.get((d["state"], d.get("strokes")), -1)) for t, d in f.arrivals]
        spans = [(a, b or _now_us()) for a, b in f.up]
        for key, moment in moments.items():
            if not any(a + slack_us <= moment <= b - slack_us for a, b in spans):
                continue
            out.due += 1
            at = _first_at_or_after(shown, moment, moment - slack_us)
            if at is None:
                out.never += 1
                continue
            out.lags_us.append(max(0, at - moment))
            if key not in got:
                out.skipped += 1
                out.skipped_at.append(moment)
    return out


async def poll(
    base: str, tokens: list[str], every_s: float, answers: Answers, stop: asyncio.Event
) -> None:
    """Each token's ``GET /api/wrist`` every ``every_s``, as phones without streams do."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:

        async def one(token: str) -> None:
            while not stop.is_set():
                try:
                    r = await client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
                    answers.add(r.status_code, "poll")
                except httpx.TransportError:
                    answers.add(0, "poll")
                await asyncio.sleep(every_s)

        await asyncio.gather(*(one(t) for t in tokens))


@dataclass
class Joiner:
    """Joins to a world that confirms by mail; keeps every acknowledged address."""

    base: str
    slug: str
    acked: list[str] = field(default_factory=list)
    in_doubt: set[str] = field(default_factory=set)

    async def run(self, rate_s: float, answers: Answers, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=15) as client:
            n = 0
            while not stop.is_set():
                n += 1
                await self._join(client, f"joiner{n}@mailed.test", f"Joiner {n}", answers)
                await asyncio.sleep(rate_s)
            for email in sorted(self.in_doubt):  # pressed "join" again once things are back
                await self._join(client, email, f"Again {email.split('@')[0]}", answers)

    async def _join(
        self, client: httpx.AsyncClient, email: str, name: str, answers: Answers
    ) -> None:
        path = f"/api/worlds/{self.slug}/join"
        try:
            r = await client.post(path, json={"name": name, "email": email})
        except httpx.TransportError:
            self.in_doubt.add(email)
            answers.add(0, "join")
            return
        answers.add(r.status_code, "join")
        if r.status_code < 300:
            self.acked.append(email)
            self.in_doubt.discard(email)
        elif r.status_code >= 500:
            self.in_doubt.add(email)
