"""Reveal day: N people whose names are all legible poll ``GET /api/wrist`` at once.

For each backend the world is built once (bulk join from CSV, then one seal, with a window
that ended yesterday, so the server's real clock finds every mark ``covered``).  For each
worker count a server is started as ``soulmark serve`` starts it, plus a bare ``/hello``
(bench/reveal_app.py), and a separate load process (``wrk`` when installed, otherwise
bench/reveal_load.py) holds ``--clients`` connections open: first on ``/hello``, then on
``/api/wrist`` with a different wrist token on every request, in the same run.

``--profile`` then samples each server that missed a target with py-spy while the load runs
again, and adds where its time goes to the results.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import free_port, fresh_db, header, table, write
from bench.reveal_profile import profile_server
from bench.seal import AutoAnalyze

NAMES = ["Tenya Iida", "Bakugou Katsuki", "爆豪勝己", "Олександра Коваль", "فاطمة الزهراء"]
RATIO_TARGET = 0.5
P99_TARGET_MS = 100.0
ROOT = Path(__file__).resolve().parent.parent
# What would close a miss, tried on the same world and server (bench/reveal_app.py says how).
WHAT_IF = {"sqlite": ["deferred", "deferred,pool,onetx"], "postgresql": ["pool,onetx"]}

WRK_SCRIPT = r"""
local n = 0
function setup(thread)
  n = n + 1
  thread:set("id", n)
end
function init(args)
  tokens = {}
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  path = args[2]
  i = (id or 1) * 7919
end
function request()
  i = i + 1
  local token = tokens[(i % #tokens) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _now_us() -> int:
    return time.time_ns() // 1000


def build(url: str, people: int, folder: Path) -> tuple[Path, float]:
    from soulmark import services
    from soulmark.core.times import DAY
    from soulmark.services.intake import join_csv
    from soulmark.store import open_store

    t0 = time.perf_counter()
    end = _now_us() - DAY
    start = end - 60 * DAY
    opened = start - DAY
    store = open_store(url)
    try:
        world = services.create_world(
            store, name="Reveal Day", window_start=start, window_end=end, at=opened
        ).world
        source = io.StringIO(
            "name,email\n"
            + "".join(f"{NAMES[i % len(NAMES)]} {i},p{i}@reveal.test\n" for i in range(people))
        )
        tokens: list[str] = []
        # As autovacuum would on a production PostgreSQL server (bench.seal.AutoAnalyze).
        analyze = AutoAnalyze(store, lambda done: tokens.extend(t for _, t in done))
        join_csv(store, world=world, source=source, at=opened, on_joined=analyze)
        services.seal(store, world=world, at=opened)
        analyze.analyze()
    finally:
        store.close()
    path = folder / f"tokens-{len(tokens)}-{abs(hash(url)) % 10**8}.txt"
    path.write_text("\n".join(tokens) + "\n", encoding="ascii")
    return path, time.perf_counter() - t0


@contextlib.contextmanager
def server(
    url: str, workers: int, what_if: str = "", module: str = "bench.reveal_app"
) -> Iterator[tuple[str, int]]:
    """A running server (``module``: any that serves ``/hello`` and takes reveal_app's
    arguments); yields its base address and the pid of its main process."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--db", url, "--port", str(port)]
        + ["--workers", str(workers), "--what-if", what_if],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        ok = 0
        while ok < 2 * workers + 2:  # answered several times: every worker is up
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 90 s")
            with contextlib.suppress(httpx.HTTPError):
                ok += httpx.get(f"{base}/hello", timeout=2).status_code == 200
            time.sleep(0.25)
        time.sleep(1.0)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def load_tool(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "httpx"
    return choice


def run_load(
    tool: str, base: str, path: str, tokens: Path, clients: int, seconds: float, folder: Path
) -> Load:
    if tool == "wrk":
        script = folder / "reveal.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        # One wrk thread drives 200 connections easily and leaves the server more CPU.
        cmd = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "60s"]
        cmd += ["-s", str(script), base + path, "--", str(tokens), path]
    else:
        cmd = [sys.executable, "-m", "bench.reveal_load", base + path, str(tokens)]
        cmd += ["--concurrency", str(clients), "--duration", str(seconds)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(x for x in reversed(out.splitlines()) if x.startswith("{"))
    r = json.loads(line)
    return Load(
        requests=int(r["requests"]),
        seconds=float(r["seconds"]),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        errors=int(r["status_errors"]) + int(r["socket_errors"]),
    )


def load_command(tool: str, clients: int, seconds: float) -> str:
    if tool == "wrk":
        return (
            f"wrk -t1 -c{clients} -d{seconds:g}s --timeout 60s -s reveal.lua URL -- TOKENS PATH"
            " (a token per request, rotating)"
        )
    return f"python -m bench.reveal_load URL TOKENS --concurrency {clients} --duration {seconds:g}"


def check_wrist(base: str, tokens: Path) -> None:
    token = tokens.read_text().split(maxsplit=1)[0]
    r = httpx.get(f"{base}/api/wrist", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    state = r.json()["state"]
    if state != "covered":
        raise RuntimeError(f"expected a covered wrist on reveal day, got {state}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=float, default=1e5)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--load", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--profile", action="store_true", help="py-spy each server that misses")
    parser.add_argument(
        "--what-if",
        default="",
        metavar="WORKERS",
        help="worker counts for which to also serve the what-if variants (e.g. 2)",
    )
    args = parser.parse_args()
    tool = load_tool(args.load)
    load_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="soulmark-reveal-"))
    rows: list[list[object]] = []
    builds: list[str] = []
    profiles: list[str] = []
    try:
        for backend in args.backends.split(","):
            with fresh_db(backend, folder) as url:
                tokens, built = build(url, int(args.people), folder)
                people = len(tokens.read_text().split())
                builds.append(f"{backend}: {people:,} joined and sealed in {built:.1f} s")
                print(builds[-1], flush=True)
                for workers in (int(w) for w in args.workers.split(",")):
                    row, profile = measure(backend, url, workers, tokens, tool, args, folder)
                    rows.append(row)
                    profiles += [profile] if profile else []
                for workers in (int(w) for w in args.what_if.split(",") if w):
                    for variant in WHAT_IF[backend]:
                        row, _ = measure(
                            backend, url, workers, tokens, tool, args, folder, what_if=variant
                        )
                        rows.append(row)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    cols = [
        "backend",
        "workers",
        "hello req/s",
        "hello p50 / p99 ms",
        "wrist req/s",
        "wrist p50 / p99 ms",
        "wrist / hello",
        "errors",
        f"target ≥ {RATIO_TARGET:.0%}, p99 ≤ {P99_TARGET_MS:.0f} ms",
    ]
    body = header(
        f"reveal day: GET /api/wrist, {int(args.people):,} legible wrists, "
        f"{args.clients} concurrent clients"
    )
    body += table(cols, rows)
    body += (
        f"\nLoad: {load_command(tool, args.clients, args.duration)}, from a separate process on "
        f"the same 2-core machine, after a {args.warmup:g} s warm-up of each endpoint; hello and "
        "wrist measured one after the other on the same server. " + "; ".join(builds) + ". "
        f"Load average (1 min) at start: {load_start:.1f}; at end: {os.getloadavg()[0]:.1f}.\n"
    )
    if args.what_if:
        body += (
            "\nRows marked what-if are not the product: they serve the same world with one "
            "change each, to size what would close a miss. `deferred`: SQLite transactions "
            "open with `BEGIN` instead of `BEGIN IMMEDIATE`, so reading a wrist takes no write "
            "lock; `pool`: 40 pooled connections (one per threadpool thread) without pre-ping; "
            "`onetx`: the wrist is read in one transaction instead of two (`confirmed` read "
            "with it rather than by `wrist_confirmed` in a second transaction).\n"
        )
    if profiles:
        body += "\n" + "\n".join(profiles)
    write("reveal", body)


def measure(
    backend: str,
    url: str,
    workers: int,
    tokens: Path,
    tool: str,
    args: argparse.Namespace,
    folder: Path,
    what_if: str = "",
) -> tuple[list[object], str]:
    """One server: warm up, hello then wrist; py-spy it under the same load if it missed."""
    with server(url, workers, what_if) as (base, pid):
        check_wrist(base, tokens)
        load = functools.partial(run_load, tool, base, tokens=tokens, clients=args.clients)
        for path in ("/hello", "/api/wrist"):
            load(path, seconds=args.warmup, folder=folder)
        hello = load("/hello", seconds=args.duration, folder=folder)
        wrist = load("/api/wrist", seconds=args.duration, folder=folder)
        ratio = wrist.rps / hello.rps if hello.rps else 0.0
        label = f"{backend} (what-if: {what_if})" if what_if else backend
        row = _row(label, workers, hello, wrist, ratio)
        print(" | ".join(str(c) for c in row), flush=True)
        met = ratio >= RATIO_TARGET and wrist.p99_ms <= P99_TARGET_MS
        if not args.profile or met or what_if:
            return row, ""
        label = f"{backend}, {workers} worker{'s' if workers > 1 else ''}"
        again = functools.partial(load, "/api/wrist", folder=folder)
        return row, profile_server(label, pid, lambda s: again(seconds=s), folder)


def _row(backend: str, workers: int, hello: Load, wrist: Load, ratio: float) -> list[object]:
    met_ratio = ratio >= RATIO_TARGET
    met_p99 = wrist.p99_ms <= P99_TARGET_MS
    verdict = (
        "met"
        if met_ratio and met_p99
        else "missed: "
        + ", ".join(
            x
            for x, ok in (
                (f"ratio {ratio:.0%}", met_ratio),
                (f"p99 {wrist.p99_ms:.0f} ms", met_p99),
            )
            if not ok
        )
    )
    return [
        backend,
        workers,
        f"{hello.rps:,.0f}",
        f"{hello.p50_ms:.1f} / {hello.p99_ms:.1f}",
        f"{wrist.rps:,.0f}",
        f"{wrist.p50_ms:.1f} / {wrist.p99_ms:.1f}",
        f"{ratio:.0%}",
        hello.errors + wrist.errors,
        verdict,
    ]


if __name__ == "__main__":
    main()
