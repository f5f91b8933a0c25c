"""A planet of 8e9 people (4e9 pairs) with every mark moment: plain (threads in one process,
numba kernels without the GIL) and on a Dask LocalCluster of 2 worker processes, with dask's
default ``MALLOC_TRIM_THRESHOLD_`` for workers and without it.

Each variant is one command in its own process tree.  "wall" is that command end to end
(interpreter, imports, numba cache, Dask cluster start and stop); "run_planet" is the call
inside it; "CPU" is user + system time of the whole tree; peak memory is the largest sum of
RSS over the tree, sampled every 0.1 s (shared library pages count once per process, so
this overstates).  People per second use the wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.common import header, table, write

VARIANTS = {
    "plain": {"engine": "local"},
    "dask": {"engine": "dask", "malloc_trim": True},
    "dask-no-malloc-trim": {"engine": "dask", "malloc_trim": False},
}
TARGET_SECONDS, TARGET_BYTES = 60.0, 1 << 30
CPU_FIELDS = ("ru_utime", "ru_stime")


def one(variant: str, population: int, chunk_pairs: int, workers: int) -> dict[str, Any]:
    """Run one variant in this process (the child side)."""
    from soulmark.planet.run import Execution, run_planet

    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        report = run_planet(
            population,
            Path(out),
            chunk_pairs=chunk_pairs,
            execution=Execution(workers=workers, **VARIANTS[variant]),  # type: ignore[arg-type]
        )
        wall = time.perf_counter() - began
    return {"run": wall, "pairs": report["pairs"], "violations": report["marks"]["violations"]}


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker may exit between the two calls
            total += p.memory_info().rss
    return total


def measure(variant: str, population: int, chunk_pairs: int, workers: int) -> dict[str, Any]:
    """Run a variant in a child process tree and sample its memory."""
    cmd = [sys.executable, "-m", "bench.planet", "--one", variant, "--population", str(population)]
    cmd += ["--chunk-pairs", str(chunk_pairs), "--workers", str(workers)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(0.1)
    out = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"{variant} failed with exit code {child.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The whole tree's CPU time: workers are reaped by their nannies, the nannies by the child.
    result["cpu"] = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in CPU_FIELDS)
    result["peak"] = peak
    result["wall"] = time.perf_counter() - began
    return result


def render(population: int, results: dict[str, dict[str, Any]], load: tuple[float, float]) -> str:
    plain = results.get("plain", {}).get("wall")
    rows = []
    for name, r in results.items():
        ratio = f"{r['wall'] / plain:.2f}" if plain else ""
        rows.append(
            [
                name,
                f"{population:.2e}",
                f"{r['pairs']:,}",
                f"{r['wall']:.1f}",
                f"{r['run']:.1f}",
                f"{r['cpu']:.1f}",
                f"{population / r['wall'] / 1e6:.0f}",
                f"{population / r['cpu'] / 1e6:.0f}",
                f"{r['peak'] / 2**20:.0f}",
                r["violations"],
                ratio,
            ]
        )
    cols = ["variant", "people", "pairs", "wall s", "run_planet s", "CPU s", "M people/s"]
    cols += ["M people/CPU-s", "peak MiB", "violations"]
    body = header("Planet: pairs and mark moments") + table([*cols, "× plain"], rows)
    body += (
        f"\nTargets: plain ≤ {TARGET_SECONDS:.0f} s and ≤ 1 GiB; Dask within 20% of plain.\n"
        f"Load average (1 min) at start: {load[0]:.1f}; at end: {load[1]:.1f} "
        "(the machine is shared: CPU s is the load-independent figure; wall includes the\n"
        "interpreter, the numba cache load and, for Dask, the cluster's start and stop).\n"
    )
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--population", type=float, default=8e9)
    parser.add_argument("--chunk-pairs", type=int, default=1 << 25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--one", choices=sorted(VARIANTS))
    args = parser.parse_args()
    population = int(args.population)
    if args.one:
        print(json.dumps(one(args.one, population, args.chunk_pairs, args.workers)))
        return
    start_load = os.getloadavg()[0]
    results = {
        v: measure(v, population, args.chunk_pairs, args.workers) for v in args.variants.split(",")
    }
    write("planet", render(population, results, (start_load, os.getloadavg()[0])))


if __name__ == "__main__":
    main()
