"""Reveal night: N wrist streams open on one server while every mark falls due (issue 8).

For each backend and N, a world is built whose marks all fall in a short window that starts
after the streams are open (bulk join from CSV, one seal).  A load process-side asyncio
client opens N ``GET /api/wrist/events`` streams (one per wrist) to one server process
(bench/reveal_app.py, as ``soulmark serve`` runs it) and records when each message arrives.
Every change a wrist goes through (itch, ink, each stroke, legible) is known in advance from
the public transcript (B3), so for each one we know its moment and can measure:

* lag = arrival - moment (p50, p99, max), changes that never came, and changes that came early;
* after the window, for some pairs: one looks (lag to their own stream) and reaches out after
  the partner did (lag to the partner's stream, which now shows the contact);
* the server's CPU-seconds and peak RSS over the run;
* beside it, the requests per second 1 s polling would need (N), and on the same server the
  reveal bench's hello and ``GET /api/wrist`` load (200 clients).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.common import fresh_db, header, table, write
from bench.reveal import NAMES, load_tool, run_load, server

POLL_S = 1.0


def _now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Wrist:
    token: str
    pid: str = ""
    moments: dict[tuple[str, int | None], int] = field(default_factory=dict)
    got: dict[tuple[str, int | None], int] = field(default_factory=dict)
    arrivals: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def build(url: str, people: int, lead_s: float, window_s: float) -> tuple[list[str], str, str]:
    """A world whose window opens ``lead_s`` from now; its tokens, slug and transcript."""
    from soulmark import services
    from soulmark.core.marks import MarkParams
    from soulmark.core.times import SECOND
    from soulmark.services.intake import join_csv
    from soulmark.store import open_store

    start = _now_us() + int(lead_s * SECOND)
    params = MarkParams(
        itch_min=5 * SECOND,
        itch_lead_max=50 * SECOND,
        ink_min=15 * SECOND,
        ink_max=30 * SECOND,
        same_day=5 * SECOND,
    )
    store = open_store(url)
    try:
        made = services.create_world(
            store,
            name="Reveal Night",
            window_start=start,
            window_end=start + int(window_s * SECOND),
            at=_now_us(),
            params=params,
        )
        source = io.StringIO(
            "name,email\n"
            + "".join(f"{NAMES[i % len(NAMES)]} {i},p{i}@night.test\n" for i in range(people))
        )
        tokens: list[str] = []
        join_csv(
            store,
            world=made.world,
            source=source,
            at=_now_us(),
            on_joined=lambda done: tokens.extend(t for _, t in done),
        )
        services.seal(store, world=made.world, at=_now_us())
        text = services.transcript_text(store, world=made.world)
    finally:
        store.close()
    return tokens, made.world, text


def expected(transcript: str) -> dict[str, tuple[str | None, dict[tuple[str, int | None], int]]]:
    """Per person: partner and every (state, strokes) they will show, with its moment."""
    from soulmark.core.marks import Mark
    from soulmark.core.times import parse_iso
    from soulmark.core.wrist import next_change, wrist_at

    out = {}
    for pid, partner, itch, ink, legible in json.loads(transcript)["lines"]:
        moments: dict[tuple[str, int | None], int] = {}
        if partner is not None:
            mark = Mark(*map(parse_iso, (itch, ink, legible)))
            t: int | None = mark.itch_start - 1
            while (t := next_change(mark, t)) is not None:
                state = wrist_at(mark, t)
                moments[(state.state, state.strokes)] = t
        out[pid] = (partner, moments)
    return out


async def _stream(host: str, port: int, w: Wrist, opened: asyncio.Event | None) -> None:
    reader, writer = await asyncio.open_connection(host, port, limit=2**20)
    writer.write(
        f"GET /api/wrist/events HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {w.token}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"stream refused: {status!r}")
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    while line := await reader.readline():
        # Chunked transfer: skip the size lines; the event's lines are what matters.
        if line.startswith(b"data: "):
            at = _now_us()
            data = json.loads(line[6:])
            w.arrivals.append((at, data))
            if not w.pid:
                w.pid = data["person"]
                if opened is not None:
                    opened.set()


async def _open_all(host: str, port: int, wrists: list[Wrist], batch: int) -> list[Any]:
    tasks = []
    for i in range(0, len(wrists), batch):
        firsts = []
        for w in wrists[i : i + batch]:
            ev = asyncio.Event()
            firsts.append(ev)
            tasks.append(asyncio.create_task(_stream(host, port, w, ev)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in firsts)), 300)
    return tasks


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


class Sampler:
    """The server's peak RSS (its process and children), sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _procs(self) -> list[psutil.Process]:
        return [self.proc, *self.proc.children(recursive=True)]

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, sum(p.memory_info().rss for p in self._procs()))

    def cpu(self) -> float:
        total = 0.0
        for p in self._procs():
            t = p.cpu_times()
            total += t.user + t.system
        return total


async def _wait_for(w: Wrist, after: int, test: Any) -> int | None:
    """The arrival time of the first message after index ``after`` that passes ``test``."""
    for _ in range(1000):
        hit = next((a for a, d in w.arrivals[after:] if test(d)), None)
        if hit is not None:
            return hit
        await asyncio.sleep(0.005)
    return None


async def _act(base: str, pairs: list[tuple[Wrist, Wrist]]) -> tuple[list[float], list[float]]:
    """A looks (lag to A's open stream); B looked and reached out; A reaches out (lag to B's
    stream, which now shows the contact).  Lags in ms, from the request's start."""
    look_lag, reach_lag = [], []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def post(path: str, w: Wrist) -> None:
            r = await client.post(path, headers={"Authorization": f"Bearer {w.token}"})
            r.raise_for_status()

        for a, b in pairs:
            n, t0 = len(a.arrivals), _now_us()
            await post("/api/wrist/look", a)
            hit = await _wait_for(a, n, lambda d: d.get("state") == "revealed")
            if hit is not None:
                look_lag.append((hit - t0) / 1e3)
            await post("/api/wrist/look", b)
            await post("/api/wrist/reach-out", b)
            n, t0 = len(b.arrivals), _now_us()
            await post("/api/wrist/reach-out", a)
            hit = await _wait_for(b, n, lambda d: "contact" in d)
            if hit is not None:
                reach_lag.append((hit - t0) / 1e3)
    return look_lag, reach_lag


@dataclass
class Night:
    lags_ms: list[float]
    missed: int
    early: int
    changes: int
    look_ms: list[float]
    reach_ms: list[float]
    cpu_s: float
    peak_mib: float
    open_s: float


def score(
    wrists: list[Wrist], plan: dict[str, Any], opened_at: int
) -> tuple[list[float], int, int, int]:
    """Match every expected change to its message: lags, missed and early ones."""
    lags: list[float] = []
    missed = early = changes = 0
    for w in wrists:
        _, moments = plan[w.pid]
        got: dict[tuple[str, int | None], int] = {}
        for at, data in w.arrivals[1:]:
            key = (data["state"], data.get("strokes"))
            got.setdefault(key, at)
        for key, moment in moments.items():
            if moment <= opened_at:
                continue  # came before the streams were all open: sent on connect instead
            changes += 1
            at = got.get(key)
            if at is None:
                missed += 1
            elif at < moment:
                early += 1
            else:
                lags.append((at - moment) / 1e3)
    return lags, missed, early, changes


async def night(
    base: str, pid: int, tokens: list[str], plan: dict[str, Any], end_us: int, pairs: int
) -> Night:
    host, port = base.removeprefix("http://").split(":")
    wrists = [Wrist(t) for t in tokens]
    sampler = Sampler(pid)
    cpu0, t0 = sampler.cpu(), time.perf_counter()
    tasks = await _open_all(host, int(port), wrists, batch=200)
    opened_at, open_s = _now_us(), time.perf_counter() - t0
    print(f"{len(wrists):,} streams open in {open_s:.1f} s", flush=True)
    while _now_us() < end_us + 2_000_000:
        await asyncio.sleep(0.5)
    by_pid = {w.pid: w for w in wrists}
    chosen, seen = [], set()
    for w in wrists:
        partner = plan[w.pid][0]
        if partner in by_pid and w.pid not in seen and len(chosen) < pairs:
            seen |= {w.pid, partner}
            chosen.append((w, by_pid[partner]))
    look, reach = await _act(base, chosen)
    cpu = sampler.cpu() - cpu0
    sampler.stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    lags, missed, early, changes = score(wrists, plan, opened_at)
    return Night(lags, missed, early, changes, look, reach, cpu, sampler.peak / 2**20, open_s)


def _ms(xs: list[float]) -> str:
    return f"{_pct(xs, 0.5):.0f} / {_pct(xs, 0.99):.0f} / {max(xs, default=float('nan')):.0f}"


def run_one(backend: str, n: int, args: argparse.Namespace, folder: Path) -> list[object]:
    with fresh_db(backend, folder) as url:
        t0 = time.perf_counter()
        lead = args.lead + n / args.open_rate
        tokens, _slug, transcript = build(url, n, lead, args.window)
        plan = expected(transcript)
        end_us = max(m for _, ms in plan.values() for m in ms.values())
        print(f"{backend}: {n:,} joined and sealed in {time.perf_counter() - t0:.1f} s", flush=True)
        # Every client here is 127.0.0.1, as a crowd behind a NAT: valid links are never
        # refused (soulmark.web.limits), so the bench needs no switch for it.
        with server(url, 1) as (base, pid):
            load = os.getloadavg()[0]
            result = asyncio.run(night(base, pid, tokens, plan, end_us, args.pairs))
            tool = load_tool("auto")
            tfile = folder / f"tokens-{n}.txt"
            tfile.write_text("\n".join(tokens) + "\n", encoding="ascii")
            hello = run_load(tool, base, "/hello", tfile, 200, args.duration, folder)
            wrist = run_load(tool, base, "/api/wrist", tfile, 200, args.duration, folder)
            load_end = os.getloadavg()[0]
    r = result
    ok = (
        _pct(r.lags_ms, 0.99) <= 1000
        and max(r.lags_ms, default=0) <= 2000
        and r.missed == 0
        and r.early == 0
        and r.peak_mib <= 1536
    )
    return [
        backend,
        f"{n:,}",
        f"{r.open_s:.0f}",
        f"{r.changes:,}",
        _ms(r.lags_ms),
        r.missed,
        r.early,
        _ms(r.look_ms),
        _ms(r.reach_ms),
        f"{r.cpu_s:.0f}",
        f"{r.peak_mib:.0f}",
        f"{n / POLL_S:,.0f}",
        f"{hello.rps:,.0f} / {wrist.rps:,.0f} ({wrist.rps / hello.rps:.0%})",
        f"{wrist.p99_ms:.0f}",
        f"{load:.1f} → {load_end:.1f}",
        "met" if ok else "missed",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", default="1000,10000", help="stream counts N")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--window", type=float, default=120.0, help="seconds all marks fall in")
    parser.add_argument("--lead", type=float, default=20.0, help="seconds before the window")
    parser.add_argument("--open-rate", type=float, default=150.0, help="streams opened per s")
    parser.add_argument("--pairs", type=int, default=50, help="pairs that look and reach out")
    parser.add_argument("--duration", type=float, default=10.0, help="s per reveal-bench load")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soulmark-night-"))
    rows = []
    try:
        for backend in args.backends.split(","):
            for n in (int(float(x)) for x in args.people.split(",")):
                rows.append(run_one(backend, n, args, folder))
                print(rows[-1], flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    cols = [
        "backend",
        "streams",
        "open s",
        "changes",
        "lag p50 / p99 / max ms",
        "missed",
        "early",
        "look lag p50 / p99 / max ms",
        "reach-out lag p50 / p99 / max ms",
        "server CPU s",
        "peak RSS MiB",
        "1 s polling req/s",
        "hello / wrist req/s",
        "wrist p99 ms",
        "load avg",
        "targets",
    ]
    body = header("reveal night: N wrist streams while every mark falls due")
    body += table(cols, rows)
    body += (
        f"\nOne server process (bench/reveal_app.py, uvicorn with uvloop and httptools); the "
        f"marks of every wrist fall in a {args.window:g} s window that opens once the streams "
        "are open.  Lag: arrival of a message at the client minus the change's moment, for "
        "every change after all streams were open.  Look lag: from the look request to the "
        "message on the bearer's stream; reach-out lag: from the second reach-out to the "
        f"message on the partner's stream ({args.pairs} pairs).  CPU s and RSS: the server "
        "process over the streaming part.  hello / wrist: the reveal bench's load "
        f"({load_tool('auto')}, 200 clients, {args.duration:g} s each) on the same server "
        "after the night.  load avg: `uptime`'s 1-minute figure at the night's start and at "
        "the end of the row; the machine is shared.\n"
    )
    write("reveal_night", body)


if __name__ == "__main__":
    main()
