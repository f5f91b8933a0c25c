"""Push to 10,000 subscribed wrists whose itches fall due together: lateness, lost, twice.

A world of ``--wrists`` people (default 10,000), each with one subscribed device, is written
straight into the database and sealed; then one ``deliver_due`` pass, asked at a moment
past every mark, pushes each device its "tingles" and its "it stopped" to a push service on
loopback (aiohttp, in its own process so it does not share this one's interpreter lock).
The service stamps each push as it arrives and counts it by device and size: every push
must be made within 60 s of the moment the pass was asked for, none twice, all one size.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import insert, select

from bench.common import free_port, fresh_db, header, table, write
from bench.notices import START, build_world
from soulmark.core.times import DAY, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.push.keys import ensure_keys
from soulmark.store import open_store
from soulmark.store.models import PersonRow
from soulmark.store.push_models import PushSubscriptionRow

TARGET_S = 60.0


def _serve(port: int, ready: Any, stop: Any, out: Any) -> None:
    from aiohttp import web

    seen: Counter[str] = Counter()
    sizes: Counter[int] = Counter()
    last = [0.0]

    async def push(request: web.Request) -> web.Response:
        body = await request.read()
        seen[request.match_info["device"]] += 1
        sizes[len(body)] += 1
        last[0] = time.time()
        return web.Response(status=201)

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/push/{device}", push)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await runner.cleanup()

    asyncio.run(main())
    out.put((dict(seen), dict(sizes), last[0], time.process_time()))


def _devices(url: str, port: int) -> int:
    """One subscribed device per person, keys as a browser makes them."""
    store = open_store(url)
    with store.transaction() as s:
        people = list(s.scalars(select(PersonRow.id)))
        rows = []
        for pid in people:
            key = ec.generate_private_key(ec.SECP256R1()).public_key()
            raw = key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            endpoint = f"http://127.0.0.1:{port}/push/{pid}"
            rows.append(
                {
                    "person_id": pid,
                    "endpoint": endpoint,
                    "endpoint_key": f"{pid:064d}",
                    "p256dh": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
                    "auth": base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode(),
                    "lang": "ja" if pid % 2 else "en",
                    "created_at": START - DAY,
                }
            )
        s.execute(insert(PushSubscriptionRow), rows)
    store.close()
    return len(people)


def run(backend: str, url: str, wrists: int, folder: Path) -> list[object]:
    store = open_store(url)
    _, end = build_world(store, wrists // 2)
    store.close()
    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    port = free_port()
    server = ctx.Process(target=_serve, args=(port, ready, stop, out), daemon=True)
    server.start()
    if not ready.wait(30):
        raise SystemExit("the push service did not start")
    devices = _devices(url, port)
    keys = ensure_keys(folder / "vapid.pem")
    settings = NoticeSettings(push_key=str(keys.path), batch_size=1000)
    store = open_store(url)
    load = os.getloadavg()[0]
    began, cpu = time.time(), time.process_time()
    report = deliver_due(store, settings, now_us=end + SECOND)
    wall, cpu = time.time() - began, time.process_time() - cpu
    again = deliver_due(store, settings, now_us=end + 2 * SECOND)
    stop.set()
    seen, sizes, last, service_cpu = out.get(timeout=60)
    server.join(30)
    store.close()
    late = max(0.0, last - began)
    # Each device is owed two pushes (its "tingles" and its "it stopped"), no more.
    twice = sum(max(0, n - 2) for n in seen.values())
    lost = 2 * devices - sum(min(n, 2) for n in seen.values())
    ok = late <= TARGET_S and twice == lost == again.claimed == 0 and len(sizes) == 1
    return [
        backend,
        f"{devices:,}",
        f"{sum(seen.values()):,}",
        f"{late:.1f}",
        f"{wall:.1f}",
        f"{cpu:.1f}",
        f"{service_cpu:.1f}",
        f"{load:.1f}",
        lost,
        twice,
        again.claimed,
        ", ".join(f"{size} B" for size in sizes),
        report.failed,
        f"≤ {TARGET_S:.0f} s, 0, 0, one size ({'met' if ok else 'MISSED'})",
    ]


COLUMNS = [
    "backend",
    "devices",
    "pushes received",
    "last push, s after the moment",
    "pass wall s",
    "pass CPU s",
    "push service CPU s",
    "load avg (1 min) at start",
    "lost",
    "twice",
    "sent by a second pass",
    "body sizes",
    "failed",
    "target",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrists", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="soulmark-push-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    rows = []
    for backend in args.backends.split(","):
        with fresh_db(backend, folder) as url:
            rows.append(run(backend, url, args.wrists, folder))
    body = header("push: every subscribed wrist's itch due at once") + table(COLUMNS, rows)
    body += (
        "\nOne `deliver_due` pass asked at a moment past every mark, so every push is due at "
        "that moment; the push service (aiohttp, its own process) stamps the last push it "
        "receives and counts each device's pushes and every body's size.  CPU s is the "
        "sending pass's own (its process, threads included) and the push service's: the "
        "load-independent figures on a shared machine.\n"
    )
    if args.no_write:
        print(body)
    else:
        write("push", body)


if __name__ == "__main__":
    main()
