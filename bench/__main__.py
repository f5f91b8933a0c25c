"""``make bench``: run every benchmark there is, then gather their tables in bench/RESULTS.md.

Each benchmark runs as its own process, ``python -m bench.NAME`` with its target arguments,
one after the other so that none perturbs another; a benchmark that is not there is skipped,
one that fails is reported and the others still run.  Every benchmark writes
bench/results/NAME.md; RESULTS.md is those files under one heading with the machine and date.

    python -m bench                   # all of them
    python -m bench --only seal,reveal
    python -m bench --assemble        # only rebuild RESULTS.md from bench/results/
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import RESULTS, machine

ORDER = [
    "planet",
    "fate",
    "seal",
    "exclusions",
    "reveal",
    "reveal_night",
    "limits",
    "audit",
    "notices",
    "push",
    "locks",
    "faults",
    "faults_night",
    "night_tls",
    "fuzz",
]
ARGS: dict[str, list[str]] = {
    "seal": ["--people", "1e6"],
    "exclusions": ["--people", "1e6", "--each", "3"],
    "reveal": ["--people", "1e5", "--clients", "200", "--profile", "--what-if", "2"],
    "audit": ["--roster", "1048576", "--clients", "8"],
    "locks": ["--slice", "200,5000", "--backend", "sqlite,postgresql"],
    "faults_night": ["--people", "2000", "--restarts", "3", "--kills", "5", "--lease", "20"],
    "night_tls": ["--people", "2000"],
}
OUT = Path(__file__).parent / "RESULTS.md"
ROOT = Path(__file__).resolve().parent.parent


def exists(name: str) -> bool:
    return importlib.util.find_spec(f"bench.{name}") is not None


def run(name: str) -> tuple[int, float, str]:
    cmd = [sys.executable, "-m", f"bench.{name}", *ARGS.get(name, [])]
    load = os.getloadavg()[0]
    print(f"== {' '.join(['python', *cmd[1:]])}  (load average {load:.1f})", flush=True)
    t0 = time.perf_counter()
    code = subprocess.run(cmd, cwd=ROOT).returncode
    return code, time.perf_counter() - t0, f"{load:.1f}"


def assemble(ran: list[str]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# soulmark benchmarks\n",
        f"{stamp} · {machine()}\n",
        "Made by `make bench` (`python -m bench`): each benchmark below ran as its own process, "
        "one after the other, and quotes its exact command; every ratio is measured side by "
        "side within one run.\n",
    ]
    if ran:
        parts.append("\n".join(ran) + "\n")
    files = sorted(RESULTS.glob("*.md"), key=lambda p: (_rank(p.stem), p.stem))
    for path in files:
        parts.append(path.read_text(encoding="utf-8").strip() + "\n")
    if not files:
        parts.append("No benchmark has written its results yet.\n")
    return "\n".join(parts)


def _rank(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--assemble", action="store_true", help="run nothing, only gather")
    args = parser.parse_args()
    names = [] if args.assemble else (args.only.split(",") if args.only else ORDER)
    ran: list[str] = []
    failed = 0
    for name in names:
        if not exists(name):
            print(f"== bench.{name}: not there, skipped", flush=True)
            continue
        code, seconds, load = run(name)
        status = "ok" if code == 0 else f"failed (exit {code})"
        ran.append(f"- `bench.{name}`: {status}, {seconds:.0f} s, load average {load} at start")
        failed += code != 0
    OUT.write_text(assemble(ran), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
