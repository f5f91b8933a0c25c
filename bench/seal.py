"""Seal a world of N people bulk-joined from CSV, on SQLite and PostgreSQL.

Each backend runs in its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import fresh_db, header, table, write

NAMES = ["Tenya Iida", "Bakugou Katsuki", "爆豪勝己", "Олександра Коваль", "فاطمة الزهراء"]
TARGET = {"sqlite": 60.0, "postgresql": 120.0}


def make_csv(path: Path, people: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("name,email\n")
        for i in range(people):
            f.write(f"{NAMES[i % len(NAMES)]} {i},p{i}@bench.test\n")


class AutoAnalyze:
    """Stands in for autovacuum's auto-analyze while a PostgreSQL world is bulk-joined.

    autovacuum analyzes a table once 50 + 10% of its rows have changed.  The local test
    server runs with ``autovacuum = off``; there, the people table is never analyzed while it
    grows, and once psycopg prepares intake's duplicate check (after 5 batches) PostgreSQL
    may switch to a generic plan that compares every row of the world against all 5,000 keys
    of the batch: 82 s per batch at 295,000 people instead of 0.06 s, so that joining
    becomes quadratic.  Where autovacuum is on (any production server) this does nothing.
    """

    def __init__(self, store: Any, then: Callable[[list[tuple[str, str]]], None] | None = None):
        self.store = store
        self.then = then
        self.total = self.since = 0
        self.active = store.dialect == "postgresql" and _autovacuum_off(store)
        self.runs = 0

    def __call__(self, done: list[tuple[str, str]]) -> None:
        if self.then is not None:
            self.then(done)
        self.total += len(done)
        self.since += len(done)
        if self.active and self.since > 50 + 0.1 * self.total:
            self.analyze("people")
            self.since = 0

    def analyze(self, table: str = "") -> None:
        if self.active:
            with self.store.engine.connect() as conn:
                conn.exec_driver_sql(f"ANALYZE {table}".strip())
                conn.commit()
            self.runs += 1


def _autovacuum_off(store: Any) -> bool:
    with store.engine.connect() as conn:
        return bool(conn.exec_driver_sql("SHOW autovacuum").scalar() == "off")


def run_one(backend: str, source: Path, folder: Path) -> dict[str, float]:
    from soulmark import services
    from soulmark.core.times import DAY, parse_iso
    from soulmark.services.intake import join_csv
    from soulmark.store import open_store

    start = parse_iso("2030-09-01T00:00:00Z")
    with fresh_db(backend, folder) as url:
        store = open_store(url)
        world = services.create_world(
            store, name="Bench", window_start=start, window_end=start + 300 * DAY, at=start
        ).world
        t0 = time.perf_counter()
        analyze = AutoAnalyze(store)
        with source.open(encoding="utf-8", newline="") as f:
            report = join_csv(store, world=world, source=f, at=start, on_joined=analyze)
        t1 = time.perf_counter()
        sealed = services.seal(store, world=world, at=start)
        t2 = time.perf_counter()
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "joined": report.joined,
        "pairs": sealed.pairs,
        "intake_s": t1 - t0,
        "seal_s": t2 - t1,
        "peak_mb": peak,
        "analyzes": analyze.runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=float, default=1e6)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="soulmark-bench-"))
    source = folder / "people.csv"
    make_csv(source, int(args.people))
    rows = []
    analyzed: dict[str, int] = {}
    for backend in args.backends.split(","):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, backend, str(source), str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        analyzed[backend] = r.get("analyzes", 0)
        ok = "met" if r["seal_s"] <= TARGET[backend] else "missed"
        rows.append(
            [
                backend,
                f"{r['joined']:,}",
                f"{r['intake_s']:.1f}",
                f"{r['seal_s']:.1f}",
                f"≤ {TARGET[backend]:.0f} s ({ok})",
                f"{r['peak_mb']:.0f}",
            ]
        )
    cols = ["backend", "people", "CSV intake s", "seal s", "seal target", "peak RSS MiB"]
    load = (
        "\nOn a PostgreSQL server with autovacuum off (as the local test server), the bench "
        "runs ANALYZE people whenever autovacuum would have (50 + 10% of the rows changed); "
        f"ANALYZE runs: {analyzed}. Without it intake's duplicate check may go to a generic "
        "plan and joining turns quadratic (see bench.seal.AutoAnalyze).\n"
        if any(analyzed.values())
        else ""
    )
    load += (
        f"\nLoad average (1 min) at start: {load_start:.1f}; at end: {os.getloadavg()[0]:.1f}.\n"
    )
    write(
        "seal",
        header("seal: bulk join from CSV, then one sealing transaction") + table(cols, rows) + load,
    )


_CHILD = (
    "import sys, json; from pathlib import Path; from bench.seal import run_one; "
    "print(json.dumps(run_one(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))"
)

if __name__ == "__main__":
    main()
