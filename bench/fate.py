"""Partner lookups per second per core: numpy's permutation, the core's exact shuffle and the
planet engine, with memory per person; numpy's raw PCG64 draw rate as the physical reference.

Every figure is single-threaded.  "per core" is lookups per CPU-second of this process (the
machine is shared, so wall time is shown beside it); a lookup rate includes building
whatever the method needs (a permutation and its inverse, or the round keys).
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import header, table, write
from soulmark.core.fate import ExactShuffle
from soulmark.planet.engine import ALGORITHM, BLOCK, PlanetKey, partners

SEED = bytes(range(32))
LOOKUP_BATCH = 1 << 16
EXACT_MAX = 1_000_000


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall s, CPU s) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def traced_peak(fn: Callable[[], Any]) -> int:
    """Peak bytes numpy and Python allocate during one call (a separate, untimed run:
    tracing slows small allocations)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def inverse(order: np.ndarray) -> np.ndarray:
    """``slot[person]``, filled a batch at a time so the peak stays at order + inverse."""
    slot = np.empty(len(order), np.int64)
    for start in range(0, len(order), LOOKUP_BATCH):
        stop = min(len(order), start + LOOKUP_BATCH)
        slot[order[start:stop]] = np.arange(start, stop)
    return slot


def lookups(order: np.ndarray, slot: np.ndarray) -> None:
    """Everyone's partner, a batch at a time: the slot neighbour's occupant."""
    n = len(order)
    for start in range(0, n, LOOKUP_BATCH):
        people = np.arange(start, min(n, start + LOOKUP_BATCH))
        mate_slot = slot[people] ^ 1
        mate_slot[mate_slot >= n] = slot[people][mate_slot >= n]
        order[mate_slot]


def numpy_baseline(n: int) -> None:
    order = np.random.default_rng(1).permutation(n)
    lookups(order, inverse(order))


def exact_shuffle(n: int) -> None:
    order = np.asarray(ExactShuffle().order(SEED, n), dtype=np.int64)
    lookups(order, inverse(order))


def planet(n: int) -> None:
    key = PlanetKey.derive(SEED, n)
    for start in range(0, n, LOOKUP_BATCH):
        partners(key, np.arange(start, min(n, start + LOOKUP_BATCH), dtype=np.int64))


def pcg64_rate(draws: int = 100_000_000) -> float:
    bits = np.random.PCG64(1)
    cpu = time.process_time()
    for _ in range(draws // 10_000_000):
        bits.random_raw(10_000_000)
    return draws / (time.process_time() - cpu)


def row(method: str, n: int, fn: Callable[[int], None], state: str | None = None) -> list[object]:
    wall, cpu = timed(lambda: fn(n))
    memory = state or f"{traced_peak(lambda: fn(min(n, 1_000_000))) / min(n, 1_000_000):.1f}"
    return [method, f"{n:.0e}", f"{n / cpu / 1e6:.1f}", f"{n / wall / 1e6:.1f}", memory]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1e6,1e7,1e8")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    planet(1 << 20)  # compile (or load the numba cache) outside the timings
    engine_state = PlanetKey.derive(SEED, 1 << 20).keys.nbytes + BLOCK * (4 + 4 + 8 + 8 + 8)
    load = os.getloadavg()[0]
    rows = []
    for n in sizes:
        rows.append(row("numpy permutation + neighbours", n, numpy_baseline))
        if n <= EXACT_MAX:
            rows.append(row("core exact shuffle (fisher-yates/blake2b)", n, exact_shuffle))
        else:
            rows.append(["core exact shuffle", f"{n:.0e}", "not run (pure Python, O(n))", "", ""])
        rows.append(row(ALGORITHM, n, planet, f"0 ({engine_state:,} B in all, any n)"))
    pcg = pcg64_rate()
    cols = ["method", "n", "M lookups/s per core (CPU)", "M lookups/s (wall)", "peak B/person"]
    body = header("Fate: partner lookups per second per core") + table(cols, rows)
    body += "\nPeak bytes per person are traced at n = 1e6 (numpy and Python allocations).\n"
    body += f"\nnumpy PCG64 raw draws: {pcg / 1e6:.0f} M u64/s per core (same run).\n"
    body += f"Load average (1 min) at start: {load:.1f}; at end: {os.getloadavg()[0]:.1f}.\n"
    write("fate", body)


if __name__ == "__main__":
    main()
