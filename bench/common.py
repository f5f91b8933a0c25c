"""Helpers shared by the benchmarks: the machine, fresh databases, result files."""

from __future__ import annotations

import os
import platform
import secrets
import shlex
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tests.harness.pg import pg_database

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {cpus} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def command() -> str:
    return "python -m " + shlex.join(
        [Path(sys.argv[0]).with_suffix("").name and _module(), *sys.argv[1:]]
    )


def _module() -> str:
    return "bench." + Path(sys.argv[0]).stem


def header(title: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"## {title}\n\n{stamp} · {machine()}\n\n`{command()}`\n\n"


def table(columns: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write(name: str, body: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(body, encoding="utf-8")
    print(body)


@contextmanager
def fresh_db(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'bench-{secrets.token_hex(4)}.db'}"
        return
    with pg_database(prefix="smbench") as url:
        yield url


def free_port() -> int:
    """A loopback port nobody listens on right now, for a server the benchmark starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
