"""A reveal night under faults (issue 22), through nginx and two instances, on PostgreSQL.

    python -m bench.faults_night --people 2000 --restarts 3 --kills 5

A private PostgreSQL cluster holds a world of ``--people`` whose marks all fall in a window
that opens once their streams are up.  Every wrist is followed live through nginx (streams
open again when they drop), some are polled, and strangers join a second world that confirms
by mail.  During the window PostgreSQL is restarted ``--restarts`` times and the notices
worker is SIGKILLed ``--kills`` times mid-batch (the SMTP server stalls in DATA, so a batch is
always in hand), and started again.  The report: acknowledged joins and mails lost (0), 5xx
outside the outage windows (0), stream changes missed while a stream was open (0), and the
final state of every wrist.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.pg_cluster import Cluster, binaries

from bench.common import write
from bench.faults_night_check import Outcome, check, table
from bench.faults_night_clients import Answers, Follower, Joiner, poll
from bench.faults_stack import Instance, Nginx, SmtpSink, Worker
from bench.reveal_night import build, expected

LEAD_S, WINDOW_S = 45.0, 150.0


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _mailed_world(url: str) -> str:
    from soulmark import services
    from soulmark.core.times import DAY, now_us
    from soulmark.store import open_store

    store = open_store(url)
    try:
        now = now_us()
        made = services.create_world(
            store,
            name="Mailed Night",
            window_start=now + DAY,
            window_end=now + 30 * DAY,
            at=now,
            email_domain="mailed.test",
        )
    finally:
        store.close()
    return made.world


def _restart(cluster: Cluster, pause_s: float) -> None:
    """A planned restart that stays down ``pause_s``: every session is ended by the server."""
    cluster.stop("fast")
    time.sleep(pause_s)
    cluster.start()


async def _faults(
    args: argparse.Namespace, cluster: Any, worker: Worker, start_us: int, faults: dict[str, Any]
) -> None:
    """PostgreSQL restarts and worker kills spread over the window, in a random order."""
    rng = random.Random(args.seed)
    events = ["restart"] * args.restarts + ["kill"] * args.kills
    rng.shuffle(events)
    gap = WINDOW_S / (len(events) + 1)
    for i, what in enumerate(events, 1):
        wait_us = start_us + int(i * gap * 1e6) - time.time_ns() // 1000
        await asyncio.sleep(max(0.0, wait_us / 1e6))
        if what == "restart":
            began = time.time_ns() // 1000
            await asyncio.to_thread(_restart, cluster, args.pause)
            faults["outages"].append((began, time.time_ns() // 1000 + int(args.grace * 1e6)))
            print(f"PostgreSQL restarted ({args.pause} s down)", flush=True)
        else:
            faults["kills"].append(time.time_ns() // 1000)
            worker.kill()
            worker.start()
            print("worker SIGKILLed mid-batch and started again", flush=True)


async def _night(args: argparse.Namespace, stack: dict[str, Any], plan: dict[str, Any]) -> Outcome:
    nginx: Nginx = stack["nginx"]
    host, port = "127.0.0.1", nginx.port
    answers, stop = Answers(), asyncio.Event()
    faults: dict[str, Any] = {"outages": [], "kills": []}
    # One machine stands in for a school of phones: each stream comes from its own address,
    # or the per-address stream bound (web/means.py) would refuse all but 64 per instance.
    followers = [Follower(t, f"10.{i // 250}.{i % 250}.1") for i, t in enumerate(stack["tokens"])]
    tasks = []
    for i in range(0, len(followers), 200):
        tasks += [
            asyncio.create_task(f.run(host, port, answers, stop)) for f in followers[i : i + 200]
        ]
        await asyncio.sleep(0.5)
    polled = stack["tokens"][: args.pollers]
    tasks.append(asyncio.create_task(poll(nginx.base, polled, 2.0, answers, stop)))
    joiner = Joiner(nginx.base, stack["mailed"])
    tasks.append(asyncio.create_task(joiner.run(0.2, answers, stop)))
    await asyncio.sleep(max(0.0, stack["start_us"] / 1e6 - time.time()))
    print("window open", flush=True)
    await _faults(args, stack["cluster"], stack["worker"], stack["start_us"], faults)
    await asyncio.sleep(max(0.0, stack["start_us"] / 1e6 + WINDOW_S + 10 - time.time()))
    stop.set()
    await asyncio.wait(tasks, timeout=60)
    return Outcome(followers, answers, joiner, faults["outages"], faults["kills"], plan)


def run(args: argparse.Namespace, folder: Path) -> Outcome:
    found = binaries()
    if found is None:
        raise SystemExit("no PostgreSQL server binaries (apt-get install -y postgresql)")
    cluster = Cluster(found).init()
    cluster.start()
    url = cluster.url
    env = {"SOULMARK_SECRET": os.urandom(32).hex(), "SOULMARK_BASE_URL": "http://night.test"}
    env |= {"SOULMARK_NOTICE_LEASE_S": str(args.lease)}
    sink = SmtpSink(delay_s=args.stall)
    sink.start()
    tokens, slug, transcript = build(url, args.people, LEAD_S + args.people / 100, WINDOW_S)
    start_us = min(v for _, m in expected(transcript).values() for v in m.values())
    instances = [Instance(url, folder, env, f"app{i}") for i in range(2)]
    worker = Worker(url, folder, env, sink.port)
    nginx = Nginx(folder, [i.port for i in instances])
    for p in (*instances, worker, nginx):
        p.start()
    for i in instances:
        i.wait_ready()
    stack = {"nginx": nginx, "cluster": cluster, "worker": worker, "tokens": tokens}
    stack |= {"mailed": _mailed_world(url), "start_us": start_us, "slug": slug}
    try:
        outcome = asyncio.run(_night(args, stack, expected(transcript)))
        check(outcome, url, sink, worker, drain_s=args.lease + 120)
    finally:
        for p in (nginx, worker, *instances):
            p.stop()
        sink.stop()
        cluster.destroy()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--pollers", type=int, default=100)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds after a restart")
    parser.add_argument("--stall", type=float, default=0.05, help="seconds in each SMTP DATA")
    parser.add_argument("--lease", type=int, default=20, help="the notices lease, seconds")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    _raise_fd_limit()
    load0, cpu0, t0 = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    with tempfile.TemporaryDirectory(prefix="soulmark-night-") as tmp:
        os.chmod(tmp, 0o755)
        outcome = run(args, Path(tmp))
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    text = table(outcome, vars(args))
    wall = time.time() - t0
    text += f"\nwall {wall:.0f} s, CPU {cpu_s:.0f} s (every process but this one), "
    text += f"load average at start {load0:.2f}, at the end {os.getloadavg()[0]:.2f}\n"
    write("faults_night", text)


if __name__ == "__main__":
    main()
