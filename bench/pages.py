"""Pages against a hello (issue 21 targets): how much of a bare hello soulmark keeps.

One world of ``--people`` legible wrists is built (bench.reveal.build).  Then, one server at
a time and one endpoint at a time, a load process (``wrk`` when installed — ``apt-get
install -y wrk`` — else bench.reveal_load) holds ``--connections`` connections on:

- a bare FastAPI ``GET /hello`` (bench.pages_bare) under the same uvicorn settings;
- soulmark's own hello, ``GET /healthz``, then ``GET /api/wrist`` (a different token on every
  request) and ``GET /w/<slug>`` (the page a QR scan opens), on one soulmark server.

Each phase is measured with its wall time, the server's CPU-seconds (every process of it)
and the load generator's, and the load average, so that a figure taken on a busy machine
says so.

    python -m bench.pages [--backend sqlite|postgresql] [--connections 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench.common import fresh_db, header, table, write
from bench.reveal import Load, build, check_wrist, load_command, load_tool, run_load, server

# (what, over what, target by backend)
TARGETS = [
    ("soulmark hello", "bare hello", {"sqlite": 0.70, "postgresql": 0.70}),
    ("GET /api/wrist", "soulmark hello", {"sqlite": 0.70, "postgresql": 0.50}),
    ("GET /w/<slug>", "soulmark hello", {"sqlite": 0.50, "postgresql": 0.50}),
]


@dataclass(frozen=True)
class Phase:
    name: str
    path: str
    load: Load
    server_cpu: float
    load_cpu: float
    loadavg: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a server's process and every process under it."""
    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def settle(pid: int, bound_s: float = 30.0) -> None:
    """Wait until the server is idle: the requests still queued from the phase before (a
    slow page leaves hundreds in its thread pool) would be charged to the next one."""
    deadline = time.monotonic() + bound_s
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return
        last = now


def phase(name: str, base: str, path: str, pid: int, args: argparse.Namespace) -> Phase:
    """One endpoint: warmed up, then measured, on a server that had nothing left to do."""
    settle(pid)
    run_load(args.tool, base, path, args.tokens, args.connections, args.warmup, args.folder)
    settle(pid)
    server0, load0 = cpu_seconds(pid), _children_cpu()
    got = run_load(args.tool, base, path, args.tokens, args.connections, args.seconds, args.folder)
    return Phase(
        name,
        path,
        got,
        cpu_seconds(pid) - server0,
        _children_cpu() - load0,
        os.getloadavg()[0],
    )


def measure(url: str, args: argparse.Namespace) -> list[Phase]:
    """The bare hello on its own server, then soulmark's three endpoints on one server."""
    with server(url, args.workers, module="bench.pages_bare") as (base, pid):
        phases = [phase("bare hello", base, "/hello", pid, args)]
    with server(url, args.workers) as (base, pid):
        check_wrist(base, args.tokens)
        slug = _slug(base, args.tokens)
        paths = {"soulmark hello": "/healthz", "GET /api/wrist": "/api/wrist"}
        paths["GET /w/<slug>"] = f"/w/{slug}"
        phases += [phase(name, base, path, pid, args) for name, path in paths.items()]
    return phases


def _slug(base: str, tokens: Path) -> str:
    token = tokens.read_text().split(maxsplit=1)[0]
    r = httpx.get(f"{base}/api/wrist", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return str(r.json()["world"])


def _rows(phases: list[Phase]) -> list[list[object]]:
    return [
        [
            p.name,
            f"`{p.path}`",
            f"{p.load.rps:,.0f}",
            f"{p.load.p50_ms:.1f} / {p.load.p99_ms:.1f}",
            f"{p.load.seconds:.1f}",
            f"{p.server_cpu:.1f}",
            f"{1000 * p.server_cpu / p.load.requests:.2f}" if p.load.requests else "–",
            f"{p.load_cpu:.1f}",
            p.load.errors,
            f"{p.loadavg:.1f}",
        ]
        for p in phases
    ]


def _ratios(backend: str, phases: list[Phase]) -> list[list[object]]:
    by = {p.name: p.load.rps for p in phases}
    out: list[list[object]] = []
    for what, over, targets in TARGETS:
        ratio = by[what] / by[over] if by[over] else 0.0
        target = targets[backend]
        verdict = "met" if ratio >= target else "missed"
        out.append([f"{what} / {over}", f"{ratio:.0%}", f"≥ {target:.0%} ({verdict})"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--people", type=float, default=1e5)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--load", choices=["auto", "wrk", "httpx"], default="auto")
    args = parser.parse_args()
    args.tool = load_tool(args.load)
    if args.tool != "wrk":
        print("wrk not found (apt-get install -y wrk): loading with httpx, which takes more CPU")
    load_start = os.getloadavg()
    args.folder = Path(tempfile.mkdtemp(prefix="soulmark-pages-"))
    try:
        with fresh_db(args.backend, args.folder) as url:
            args.tokens, built = build(url, int(args.people), args.folder)
            phases = measure(url, args)
    finally:
        shutil.rmtree(args.folder, ignore_errors=True)
    write("pages", _report(args, phases, built, load_start))


def _report(
    args: argparse.Namespace, phases: list[Phase], built: float, start: tuple[float, ...]
) -> str:
    body = header(
        f"pages against a hello: {args.backend}, {int(args.people):,} legible wrists, "
        f"{args.connections} connections, {args.workers} worker(s)"
    )
    cols = ["endpoint", "path", "req/s", "p50 / p99 ms", "wall s", "server CPU-s", "CPU ms/req"]
    body += table(cols + ["load CPU-s", "errors", "load avg (1 min) after"], _rows(phases))
    body += "\n" + table(["ratio", "measured", "target"], _ratios(args.backend, phases))
    end = os.getloadavg()
    body += (
        f"\nLoad: {load_command(args.tool, args.connections, args.seconds)}, one endpoint at a "
        f"time from a separate process on the same machine, each after a {args.warmup:g} s "
        "warm-up of its own and once the server is idle again; the bare hello on its own "
        "server first, then soulmark's endpoints on one server. "
        f"World built in {built:.1f} s. Load average (1/5/15 min) at start: "
        f"{start[0]:.1f}/{start[1]:.1f}/{start[2]:.1f}; at end: "
        f"{end[0]:.1f}/{end[1]:.1f}/{end[2]:.1f}. {time.strftime('%H:%M:%S UTC', time.gmtime())}.\n"
    )
    return body


if __name__ == "__main__":
    main()
