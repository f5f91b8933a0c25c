"""An audit must not stall the server (issue 13): GET /api/wrist latency while /api/audit
chews a transcript with a 2^20 roster.

A small sealed world is served as ``soulmark serve`` serves it (one worker process).  Its
round-1 transcript gets a roster of ``--roster`` random ids (its lines emptied: the audit
recomputes all of them and reports the mismatch), about 20 MB for 2^20.  ``--clients``
closed-loop clients poll ``GET /api/wrist`` with real tokens, first alone (baseline), then
while the transcript is posted to ``/api/audit``; only the polls made while the audit is in
flight count in the second row.  CPU seconds are the server's, its audit children included.

    python -m bench.audit --roster 1048576 --clients 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.common import free_port, fresh_db, header, table, write

P99_TARGET_MS = 100.0
ROOT = Path(__file__).resolve().parent.parent


def _world(url: str) -> tuple[str, list[str]]:
    from soulmark import services
    from soulmark.core.times import DAY, SECOND
    from soulmark.store import open_store

    now = time.time_ns() // 1000
    store = open_store(url)
    try:
        made = services.create_world(
            store, name="Audit load", window_start=now + DAY, window_end=now + 30 * DAY, at=now
        )
        tokens = [
            services.join(
                store, world=made.world, name=f"P{i}", email=f"p{i}@a.example", at=now + i
            ).token
            for i in range(64)
        ]
        services.seal(store, world=made.world, at=now + 100 * SECOND)
        return services.transcript_text(store, world=made.world), tokens
    finally:
        store.close()


def _big(transcript: str, roster: int) -> bytes:
    doc = json.loads(transcript)
    doc["roster"] = [secrets.token_hex(8) for _ in range(roster)]
    doc["lines"] = []
    return json.dumps(doc, separators=(",", ":")).encode()


@contextlib.contextmanager
def _server(url: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "soulmark", "serve", "--db", url, "--port", str(port)]
        + ["--no-notices"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/audit", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.25)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def _cpu(pid: int) -> float:
    """User + system seconds of ``pid`` and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _poll(base: str, tokens: list[str], clients: int, stop: threading.Event) -> list[float]:
    latencies: list[float] = []

    def one(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            i = k
            while not stop.is_set():
                token = tokens[i % len(tokens)]
                i += clients
                t0 = time.perf_counter()
                r = client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.status_code

    threads = [threading.Thread(target=one, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join()
    return latencies


def _row(label: str, latencies: list[float], seconds: float, extra: str) -> list[object]:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return [label, len(ordered), f"{seconds:.1f}", f"{p(0.5):.1f}", f"{p(0.99):.1f}",
            f"{ordered[-1] * 1000:.1f}", extra]  # fmt: skip


def measure(
    base: str, pid: int, tokens: list[str], body: bytes, clients: int
) -> list[list[object]]:
    rows = []
    stop = threading.Event()
    timer = threading.Timer(5.0, stop.set)
    timer.start()
    t0 = time.perf_counter()
    rows.append(_row("alone", _poll(base, tokens, clients, stop), time.perf_counter() - t0, ""))
    stop = threading.Event()
    answer: dict[str, object] = {}

    def post() -> None:
        t = time.perf_counter()
        r = httpx.post(f"{base}/api/audit", content=body, timeout=120)
        answer.update(status=r.status_code, seconds=time.perf_counter() - t)
        stop.set()

    cpu0 = _cpu(pid)
    poster = threading.Thread(target=post)
    t0 = time.perf_counter()
    poster.start()
    lat = _poll(base, tokens, clients, stop)
    poster.join()
    spent = _cpu(pid) - cpu0
    extra = (
        f"audit answered {answer['status']} in {answer['seconds']:.1f} s; server CPU {spent:.1f} s"
    )
    rows.append(_row("while /api/audit runs", lat, time.perf_counter() - t0, extra))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roster", type=int, default=2**20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_db(args.backend, Path(tmp)) as url:
        transcript, tokens = _world(url)
        body = _big(transcript, args.roster)
        load_before = os.getloadavg()
        with _server(url) as (base, pid):
            rows = measure(base, pid, tokens, body, args.clients)
        load_after = os.getloadavg()
    p99 = float(str(rows[1][4]))
    verdict = "met" if p99 < P99_TARGET_MS else "missed"
    text = header(f"audit: GET /api/wrist while /api/audit chews a {args.roster:,}-id roster")
    text += f"{args.backend}, body {len(body) / 2**20:.1f} MiB, {args.clients} polling clients\n\n"
    text += table(["polls", "requests", "s", "p50 ms", "p99 ms", "max ms", "note"], rows)
    text += (
        f"\nTarget p99 < {P99_TARGET_MS:.0f} ms while the audit runs: **{verdict}**. "
        f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        "(1-minute; the machine is shared).\n"
    )
    write("audit", text)


if __name__ == "__main__":
    main()
