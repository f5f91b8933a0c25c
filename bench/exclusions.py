"""Seal a world of N people with K never-with entries each, beside the same world without.

Each case runs in its own process (its own peak memory and CPU time): bulk-join the CSV,
store the lists (K addresses per person, drawn from the world by a fixed-seed generator),
then one timed sealing transaction.  The lists are written straight into the exclusions
table: the bench measures the seal, not a million API calls.

    python -m bench.exclusions --people 1e6 --each 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_db, header, table, write
from bench.seal import make_csv

BATCH = 100_000


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _store_lists(store: Any, world: str, people: int, each: int, at: int) -> int:
    """K addresses per person, never their own; returns how many rows were written."""
    from sqlalchemy import select

    from soulmark.services.worlds import get_world
    from soulmark.store.models import ExclusionRow, PersonRow

    rng = random.Random(12)
    with store.transaction() as s:
        world_id = get_world(s, world).id
        ids = dict(s.execute(select(PersonRow.email_key, PersonRow.id)).all())
    rows: list[dict[str, Any]] = []
    written = 0
    for i in range(people):
        named: set[int] = set()
        while len(named) < each:
            j = rng.randrange(people)
            if j != i:
                named.add(j)
        for j in sorted(named):
            key = f"p{j}@bench.test"
            rows.append(
                {
                    "world_id": world_id,
                    "person_id": ids[f"p{i}@bench.test"],
                    "email": key,
                    "email_key": key,
                    "created_at": at,
                }
            )
        if len(rows) >= BATCH or i == people - 1:
            with store.transaction() as s:
                s.execute(ExclusionRow.__table__.insert(), rows)
            written += len(rows)
            rows = []
    return written


def run_one(backend: str, source: Path, folder: Path, people: int, each: int) -> dict[str, Any]:
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
        with source.open(encoding="utf-8", newline="") as f:
            report = join_csv(store, world=world, source=f, at=start)
        entries = _store_lists(store, world, people, each, start) if each else 0
        wall, cpu = time.perf_counter(), _cpu()
        sealed = services.seal(store, world=world, at=start)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        doc = json.loads(services.transcript_text(store, world=world))
        store.close()
    return {
        "joined": report.joined,
        "entries": entries,
        "pairs_excluded": len(doc.get("exclusions", [])),
        "attempts": sealed.attempts,
        "seal_s": wall,
        "seal_cpu_s": cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=float, default=1e6)
    parser.add_argument("--each", type=int, default=3)
    parser.add_argument("--backend", default="sqlite")
    args = parser.parse_args()
    people = int(args.people)
    load_start = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="soulmark-bench-"))
    source = folder / "people.csv"
    make_csv(source, people)
    rows = []
    for each in (0, args.each):
        child = [sys.executable, "-c", _CHILD, args.backend, str(source), str(folder)]
        out = subprocess.run(
            [*child, str(people), str(each)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(
            [
                args.backend,
                f"{r['joined']:,}",
                f"{each} each ({r['entries']:,} entries)" if each else "none",
                f"{r['pairs_excluded']:,}",
                r["attempts"],
                f"{r['seal_s']:.1f}",
                f"{r['seal_cpu_s']:.1f}",
                f"{r['peak_mb']:.0f}",
            ]
        )
    cols = [
        "backend",
        "people",
        "never-with lists",
        "excluded pairs",
        "attempts",
        "seal wall s",
        "seal CPU s",
        "peak RSS MiB",
    ]
    end = os.getloadavg()
    load = (
        f"\nLoad average (1, 5, 15 min) at start: {', '.join(f'{x:.1f}' for x in load_start)}; "
        f"at end: {', '.join(f'{x:.1f}' for x in end)} (2 cores, shared with other work).\n"
        "CPU s is the sealing process's user + system time for the seal alone.\n"
    )
    write(
        "exclusions",
        header("exclusions: seal with never-with lists, beside the seal without")
        + table(cols, rows)
        + load,
    )


_CHILD = (
    "import sys, json; from pathlib import Path; from bench.exclusions import run_one; "
    "print(json.dumps(run_one(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), "
    "int(sys.argv[4]), int(sys.argv[5]))))"
)

if __name__ == "__main__":
    main()
