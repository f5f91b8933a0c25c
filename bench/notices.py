"""Deliver 100,000 notices to a local aiosmtpd server: wall time, lost, duplicated.

A world of ``--pairs`` pairs (default 25,000: 50,000 people, a "tingles" and an "it stopped"
each) is written straight into the database and sealed through the services; then one
``deliver_due`` pass, with the clock past every moment, sends everything.  The SMTP server
runs in its own process so that it does not share the client's interpreter lock; it counts
every Message-ID it accepts, so a lost or duplicated notice cannot hide.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import multiprocessing as mp
import os
import platform
import re
import secrets
import shlex
import shutil
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.common import fresh_db
from soulmark.core.times import DAY, SECOND, parse_iso
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, delivery_counts
from soulmark.services import create_world, seal
from soulmark.services.tokens import new_pid, token_hash
from soulmark.store import Store, open_store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.notice_models import NoticeRow

RESULTS = Path(__file__).parent / "results"
TARGET_S = 120.0
START = parse_iso("2030-09-01T00:00:00Z")
_MESSAGE_ID = re.compile(rb"Message-ID: <notice-(\d+)@")


# --- the SMTP server, in a child process ------------------------------------------------------


def _serve(port: int, ready: Any, stop: Any, out: Any) -> None:
    from aiosmtpd.smtp import SMTP

    seen: Counter[int] = Counter()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            found = _MESSAGE_ID.search(envelope.content)
            seen[int(found.group(1)) if found else -1] += 1
            return "250 OK"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        handler = Handler()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="bench.local"), "127.0.0.1", port
        )
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()

    asyncio.run(main())
    out.put((dict(seen), time.process_time()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the world ---------------------------------------------------------------------------------


def build_world(store: Store, pairs: int) -> tuple[str, int]:
    """``2 * pairs`` people inserted in bulk, then sealed; returns (slug, last moment)."""
    slug = f"bench-{secrets.token_hex(3)}"
    create_world(
        store,
        name="Bench Academy",
        slug=slug,
        window_start=START,
        window_end=START + 300 * DAY,
        at=START - DAY,
    )
    with store.transaction() as s:
        world_id = s.scalar(select(WorldRow.id).where(WorldRow.slug == slug))
        rows = [
            {
                "world_id": world_id,
                "pid": new_pid(),
                "name": f"Person {i}",
                "email": f"p{i}@bench.test",
                "email_key": f"p{i}@bench.test",
                "token_hash": token_hash(f"w_{i}_{secrets.token_hex(8)}"),
                "round": 1,
                "confirmed": True,
                "joined_at": START - DAY,
            }
            for i in range(2 * pairs)
        ]
        s.execute(insert(PersonRow), rows)
    seal(store, world=slug, at=START - 1)
    return slug, START + 300 * DAY


# --- one run -----------------------------------------------------------------------------------


def run(url: str, pairs: int, settings_kw: dict[str, Any]) -> dict[str, Any]:
    store = open_store(url)
    t0 = time.perf_counter()
    slug, end = build_world(store, pairs)
    setup_s = time.perf_counter() - t0

    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    port = _free_port()
    server = ctx.Process(target=_serve, args=(port, ready, stop, out), daemon=True)
    server.start()
    if not ready.wait(30):
        raise SystemExit("the SMTP server did not start")

    settings = NoticeSettings(smtp_url=f"smtp://127.0.0.1:{port}", **settings_kw)
    load = os.getloadavg()[0]
    t1, c1 = time.perf_counter(), time.process_time()
    report = deliver_due(store, settings, now_us=end + SECOND)
    wall_s, client_cpu = time.perf_counter() - t1, time.process_time() - c1
    again = deliver_due(store, settings, now_us=end + 2 * SECOND)  # must find nothing to send

    stop.set()
    seen, server_cpu = out.get(timeout=60)
    server.join(30)
    with store.transaction() as s:
        expected = set(s.scalars(select(NoticeRow.id)))
    counts = delivery_counts(store, slug)
    store.close()
    return {
        "notices": len(expected),
        "setup_s": setup_s,
        "wall_s": wall_s,
        "client_cpu_s": client_cpu,
        "server_cpu_s": server_cpu,
        "load": (load, os.getloadavg()[0]),
        "sent": report.sent,
        "again": again.claimed,
        "lost": len(expected - seen.keys()),
        "duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "stray": len(seen.keys() - expected),
        "counts": counts,
    }


# --- report ------------------------------------------------------------------------------------


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def _row(backend: str, r: dict[str, Any], conns: int, batch: int) -> list[object]:
    ok = r["wall_s"] <= TARGET_S and r["lost"] == r["duplicated"] == r["stray"] == 0
    per = 1e6 / r["notices"]
    return [
        backend,
        f"{r['notices']:,}",
        conns,
        batch,
        f"{r['setup_s']:.1f}",
        f"{r['wall_s']:.1f}",
        f"{r['notices'] / r['wall_s']:,.0f}",
        f"{r['client_cpu_s'] * per:.0f} / {r['server_cpu_s'] * per:.0f}",
        f"{r['load'][0]:.1f} → {r['load'][1]:.1f}",
        r["lost"],
        r["duplicated"],
        r["again"],
        f"≤ {TARGET_S:.0f} s, 0, 0 ({'met' if ok else 'MISSED'})",
    ]


COLUMNS = [
    "backend",
    "notices",
    "connections",
    "batch",
    "world setup s",
    "delivery wall s",
    "notices/s",
    "CPU µs per notice: worker / server",
    "load avg 1 min: start → end",
    "lost",
    "duplicated",
    "sent by a second pass",
    "target",
]


def _table(rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=25_000, help="notices = 4 x pairs")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soulmark-notices-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    kw = {"connections": args.connections, "batch_size": args.batch}
    rows = []
    for backend in args.backends.split(","):
        with fresh_db(backend, folder) as url:
            rows.append(_row(backend, run(url, args.pairs, kw), args.connections, args.batch))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = shlex.join(["python", "-m", "bench.notices", *sys.argv[1:]])
    body = (
        "## notices: one deliver_due pass to a local aiosmtpd server\n\n"
        f"{stamp} · {_machine()}\n\n`{cmd}`\n\n{_table(rows)}\n"
        "Lost and duplicated are counted by the server, from the Message-ID of every message "
        "it accepted, against every notice in the database.  Worker CPU is this process "
        "(claiming, composing, SMTP client, recording); server CPU is the aiosmtpd process.  "
        "The load average shows how much else the shared cores were running.\n"
    )
    print(body)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "notices.md").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
