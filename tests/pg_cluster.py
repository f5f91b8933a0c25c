"""A private PostgreSQL cluster that a test (or a bench) may stop and restart at will.

The suite's shared PostgreSQL cannot be restarted under the other tests, so a fault test
starts its own: ``initdb`` into a temp dir, ``pg_ctl`` on a free loopback port, trust auth.
As root, the server binaries run as the ``postgres`` user (PostgreSQL refuses to run as
root).  :func:`binaries` is None when no PostgreSQL is installed: the caller skips.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.net import free_port

__all__ = ["Cluster", "binaries"]


def binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` that holds initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return (
        Path(found[-1]).parent if found and Path(found[-1]).with_name("pg_ctl").exists() else None
    )


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class Cluster:
    """One cluster in a fresh temp dir: start, stop, restart, destroy."""

    def __init__(self, bin_dir: Path) -> None:
        # Its own dir under the system temp dir: pytest's tmp_path is private to root, and
        # the server's user must reach its data directory.
        self.bin, self.root = bin_dir, Path(tempfile.mkdtemp(prefix="soulmark-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def init(self) -> Cluster:
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self

    def start(self) -> None:
        # No unix socket (the temp dir may be unwritable for the server's user elsewhere):
        # loopback TCP only.  fsync stays on: an acknowledged join must survive a restart.
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: sessions are ended by the server (FATAL 57P01), as in a planned restart;
        ``immediate``: the server dies without a word, as in a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
