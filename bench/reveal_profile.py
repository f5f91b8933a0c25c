"""Where a reveal-day server spends its time: py-spy samples of its workers under the load.

Two recordings while the same load runs again: ``--gil`` (only the thread holding the GIL:
the CPU a worker spends, and how busy its one interpreter is) and ``--idle`` (every thread:
what a thread serving ``/api/wrist`` is waiting on).  py-spy is found on ``PATH`` or in
``$PYSPY``; without it the section says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

RATE = 97

# (marker in a frame, what it means), most specific first; the first that a stack holds wins.
WAITS = [
    ("_begin (soulmark/store/db.py", "BEGIN IMMEDIATE: waiting for SQLite's write lock"),
    ("_do_ping", "pool pre-ping (SELECT 1 on each checkout)"),
    ("do_ping", "pool pre-ping (SELECT 1 on each checkout)"),
    ("QueuePool._do_get", "waiting for a pooled connection"),
    ("do_commit", "COMMIT"),
    ("do_execute", "queries (in the driver and the database)"),
    ("fetch", "queries (in the driver and the database)"),
]
LAYERS = [
    ("sqlite3", "database driver"),
    ("psycopg", "database driver"),
    ("do_execute", "database driver"),
    ("do_commit", "database driver"),
    ("sqlalchemy/", "SQLAlchemy"),
    ("soulmark/", "soulmark"),
    ("fastapi/", "FastAPI / Starlette / pydantic"),
    ("starlette/", "FastAPI / Starlette / pydantic"),
    ("pydantic", "FastAPI / Starlette / pydantic"),
    ("uvicorn/", "uvicorn / h11"),
    ("h11/", "uvicorn / h11"),
    ("logging/", "logging (access log)"),
    ("asyncio/", "event loop / threads (asyncio, anyio)"),
    ("anyio/", "event loop / threads (asyncio, anyio)"),
    ("selectors.py", "event loop / threads (asyncio, anyio)"),
    ("threading.py", "event loop / threads (asyncio, anyio)"),
    ("queue.py", "event loop / threads (asyncio, anyio)"),
    ("json/", "JSON"),
]
KEY_FUNCTIONS = [
    "wrist_api",
    "snapshot_by_hash (soulmark/services/wrist_read.py",
    "view (soulmark/services/wrist_view.py",
    "wrist_confirmed",
    "person_by_token",
    "Session.get",
    "Store.transaction",
    "SessionTransaction.commit",
    "_begin (soulmark/store/db.py",
    "Pool.connect",
    "_finalize_fairy",
    "_generate_cache_key",
    "BaseHTTPMiddleware",
    "_headers (soulmark/web/app.py",
    "run_in_threadpool",
    "serialize_response",
    "H11Protocol",
    "Logger.",
]


def _pyspy() -> str | None:
    return os.environ.get("PYSPY") or shutil.which("py-spy")


def _record(spy: str, pid: int, mode: str, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--rate", str(RATE)]
    cmd += ["--duration", str(int(seconds)), "--format", "raw", "--output", str(out)]
    cmd += ["--nonblocking", f"--{mode}"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stacks(path: Path) -> list[tuple[list[str], int]]:
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rstrip().rpartition(" ")
        if stack and n.isdigit():
            rows.append((stack.split(";"), int(n)))
    return rows


def _process(frames: list[str]) -> str:
    """The innermost process of a stack (uvicorn's workers are children of its supervisor)."""
    procs = [f.split(":", 1)[0] for f in frames if f.startswith("process ")]
    return procs[-1] if procs else "process ?"


def _first(frames: list[str], rules: list[tuple[str, str]], default: str) -> str:
    for marker, label in rules:
        if any(marker in frame for frame in frames):
            return label
    return default


def _leaf_layer(frame: str) -> str:
    for marker, label in LAYERS:
        if marker in frame:
            return label
    return "other Python"


def _pct(counter: Counter[str], total: int, limit: int = 8) -> str:
    return ", ".join(
        f"{k} {n / total:.0%}" for k, n in counter.most_common(limit) if n / total >= 0.01
    )


def summarize(gil: Path, idle: Path, seconds: float) -> list[str]:
    lines: list[str] = []
    g = _stacks(gil)
    total = sum(n for _, n in g)
    if total:
        per_process = Counter[str]()
        layers = Counter[str]()
        wrist_layers = Counter[str]()
        keys = Counter[str]()
        for frames, n in g:
            per_process[_process(frames)] += n
            layers[_leaf_layer(frames[-1])] += n
            if any("wrist_api" in f for f in frames):
                wrist_layers[_leaf_layer(frames[-1])] += n
            joined = ";".join(frames)
            for key in KEY_FUNCTIONS:
                if key in joined:
                    keys[key.split(" (")[0]] += n
        busy = ", ".join(
            f"{p} {n / (RATE * seconds):.0%}"
            for p, n in sorted(per_process.items())
            if n / total >= 0.02
        )
        lines.append(
            f"- GIL held (share of {seconds:g} s × {RATE} Hz samples, per worker): {busy}."
        )
        lines.append(f"- CPU by layer (leaf frame, holding the GIL): {_pct(layers, total)}.")
        in_wrist = sum(wrist_layers.values())
        if in_wrist:
            lines.append(
                f"- Inside the wrist handler ({in_wrist / total:.0%} of the CPU): "
                f"{_pct(wrist_layers, in_wrist)}."
            )
        lines.append(
            "- CPU inclusive in: "
            + ", ".join(
                f"`{k}` {n / total:.0%}" for k, n in keys.most_common() if n / total >= 0.02
            )
            + "."
        )
    w = _stacks(idle)
    serving = [(f, n) for f, n in w if any("wrist_api" in x for x in f)]
    busy_threads = sum(n for _, n in serving)
    if busy_threads:
        waits = Counter[str]()
        for frames, n in serving:
            waits[
                _first(frames, WAITS, "Python: SQLAlchemy, soulmark (and waiting for the GIL)")
            ] += n
        workers = len({_process(f) for f, _ in serving}) or 1
        lines.append(
            f"- Threads inside the wrist handler: {busy_threads / (RATE * seconds) / workers:.1f} "
            f"on average per worker; their wall time: {_pct(waits, busy_threads)}."
        )
    return lines


def profile_server(
    label: str, pid: int, load: Callable[[float], Any], folder: Path, seconds: float = 10.0
) -> str:
    head = f"### Profile: {label}\n\n"
    spy = _pyspy()
    if spy is None:
        return head + "py-spy is not installed (pip install py-spy, or set $PYSPY).\n"
    files = {}
    for mode in ("gil", "idle"):
        out = folder / f"spy-{pid}-{mode}.txt"
        proc = _record(spy, pid, mode, seconds, out)
        time.sleep(0.5)
        load(seconds + 1)
        proc.wait(timeout=120)
        files[mode] = out
    if not all(p.exists() for p in files.values()):
        return head + "py-spy could not attach (it needs ptrace: root or CAP_SYS_PTRACE).\n"
    lines = summarize(files["gil"], files["idle"], seconds)
    cmd = f"py-spy record --pid PID --subprocesses --rate {RATE} --format raw --gil | --idle"
    return head + f"`{cmd}`, {seconds:g} s each, under the same load.\n\n" + "\n".join(lines) + "\n"
