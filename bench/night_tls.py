"""The reveal night through the documented nginx site, over TLS (issue 17).

    python -m bench.night_tls --people 2000

A private PostgreSQL cluster holds a world of ``--people`` whose marks all fall in a window
that opens once their streams are up.  Two ``soulmark serve`` instances, the notices worker
and a local SMTP server stand behind nginx running the site of docs/deploy.md (TLS, streams
unbuffered).  Every wrist is followed over https from its own address; each change's lag is
its arrival less its moment.  After the night, ``--seconds`` of ``GET /healthz`` (the hello)
and as long of ``GET /api/wrist``, each from ``--clients`` keep-alive https clients.  At the
end each instance's ``/metrics`` is scraped directly and summed, and held against what the
bench itself sent and got.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.pg_cluster import Cluster, binaries

from bench.common import write
from bench.faults_night import _raise_fd_limit
from bench.faults_night_clients import Answers
from bench.faults_stack import Instance, SmtpSink, Worker
from bench.night_tls_load import TlsFollower, phase, scrape
from bench.night_tls_report import report
from bench.night_tls_site import TlsSite
from bench.reveal_night import build, expected

LEAD_S = 45.0
"""Seconds from the world's making to its window, beside one per 100 people for the streams."""


def _wait_site(site: TlsSite, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not site.alive():
            raise SystemExit(f"nginx exited: {site.log}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{site.base}/", verify=False, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"nginx did not answer in {timeout} s")


async def _follow(args: argparse.Namespace, night: dict[str, Any]) -> list[TlsFollower]:
    """One stream per wrist, open from before the window until it has closed."""
    host, port, answers = "127.0.0.1", night["site"].port, night["answers"]
    stop = asyncio.Event()
    # One machine stands in for a school of phones: each stream comes from its own address,
    # or the per-address stream bound (web/means.py) would refuse all but a few per instance.
    followers = [
        TlsFollower(t, f"10.{i // 250}.{i % 250}.1") for i, t in enumerate(night["tokens"])
    ]
    tasks = []
    for i in range(0, len(followers), 200):
        batch = followers[i : i + 200]
        tasks += [asyncio.create_task(f.run(host, port, answers, stop)) for f in batch]
        await asyncio.sleep(0.5)
    print(f"{len(followers)} streams asked for", flush=True)
    await asyncio.sleep(max(0.0, night["start_us"] / 1e6 - time.time()))
    print("window open", flush=True)
    await asyncio.sleep(max(0.0, night["start_us"] / 1e6 + args.window + 10 - time.time()))
    stop.set()
    for task in tasks:  # a stream waits for its next line: end it, which closes its socket
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return followers


async def _night(args: argparse.Namespace, night: dict[str, Any]) -> dict[str, Any]:
    followers = await _follow(args, night)
    base, few = night["site"].base, night["tokens"][: args.tokens]
    await asyncio.sleep(2)
    hello = await phase(base, "/healthz", args.seconds, args.clients, [])
    print(f"hello: {sum(hello[0].values()) / hello[1]:.0f} req/s", flush=True)
    wrist = await phase(base, "/api/wrist", args.seconds, args.clients, few)
    print(f"/api/wrist: {sum(wrist[0].values()) / wrist[1]:.0f} req/s", flush=True)
    return {"followers": followers, "hello": hello, "wrist": wrist}


def _settled(instances: list[Instance], token: str, timeout: float = 60.0) -> dict[str, Any]:
    """/metrics once every instance has seen its streams close (bounded)."""
    began = time.monotonic()
    while True:
        figures = scrape([i.base for i in instances], token)
        waited = time.monotonic() - began
        if sum(figures["streams_open"].values()) == 0 or waited > timeout:
            return figures | {"waited_s": waited}
        time.sleep(1)


def _stack(url: str, folder: Path, env: dict[str, str], smtp_port: int) -> list[Any]:
    """The instances, the worker and the site, started and answering."""
    instances = [Instance(url, folder, env, f"app{i}") for i in range(2)]
    worker = Worker(url, folder, env, smtp_port)
    site = TlsSite(folder, [i.port for i in instances])
    parts: list[Any] = [*instances, worker, site]
    for p in parts:
        p.start()
    for i in instances:
        i.wait_ready()
    _wait_site(site)
    return parts


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    found = binaries()
    if found is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install -y postgresql)")
    token = secrets.token_hex(16)
    env = {"SOULMARK_SECRET": os.urandom(32).hex(), "SOULMARK_BASE_URL": "https://night.test"}
    env |= {"SOULMARK_METRICS": "1", "SOULMARK_METRICS_TOKEN": token}
    cluster, sink, parts = Cluster(found).init(), SmtpSink(), []
    try:
        cluster.start()
        sink.start()
        lead = LEAD_S + args.people / 100
        tokens, _, transcript = build(cluster.url, args.people, lead, args.window)
        plan = expected(transcript)
        parts = _stack(cluster.url, folder, env, sink.port)
        night = {"site": parts[-1], "tokens": tokens, "answers": Answers(), "plan": plan}
        night["start_us"] = min(v for _, m in plan.values() for v in m.values())
        outcome = asyncio.run(_night(args, night)) | {"answers": night["answers"], "plan": plan}
        outcome["metrics"] = _settled(parts[:2], token)
    finally:
        for p in reversed(parts):
            p.stop()
        sink.stop()
        cluster.destroy()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--window", type=float, default=150.0, help="the marks' window, seconds")
    parser.add_argument("--seconds", type=float, default=10.0, help="each request phase")
    parser.add_argument("--clients", type=int, default=64, help="keep-alive https clients")
    parser.add_argument("--tokens", type=int, default=8, help="links the /api/wrist phase uses")
    args = parser.parse_args()
    _raise_fd_limit()
    load0, cpu0, t0 = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    with tempfile.TemporaryDirectory(prefix="soulmark-night-tls-") as tmp:
        os.chmod(tmp, 0o755)
        outcome = run(args, Path(tmp))
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    text = report(outcome, args)
    text += f"\nwall {time.time() - t0:.0f} s, CPU {cpu_s:.0f} s (every process but this one), "
    text += f"load average at start {load0:.2f}, at the end {os.getloadavg()[0]:.2f}\n"
    write("night_tls", text)


if __name__ == "__main__":
    main()
