"""Backups a running site can take, and the way back (issue 17).

A copy of a live SQLite file can miss what the write-ahead log still holds (a `cp` lost 3
of 53 acknowledged joins), so SQLite is copied through its online backup API, which reads
one consistent snapshot while writers carry on.  PostgreSQL is dumped by ``pg_dump`` in its
custom format (one snapshot, restorable by ``pg_restore``).  Either way the backup holds
every write acknowledged before it began.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from soulmark.core.errors import InvalidInput

__all__ = ["Copied", "backup", "restore"]


@dataclass(frozen=True)
class Copied:
    path: str
    backend: str
    bytes: int

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "backend": self.backend, "bytes": self.bytes}


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("an in-memory database has nothing to back up")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    """The URL as libpq's tools read it (no SQLAlchemy driver name)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise InvalidInput(f"cannot back up a {parsed.drivername} database")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InvalidInput(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InvalidInput(f"{what} failed: {last}")


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(url: str, path: Path) -> Copied:
    """Write a consistent copy of the database at ``url`` to ``path`` (never over a file)."""
    if path.exists():
        raise InvalidInput(f"{path} exists already; choose a new file")
    source = _sqlite_file(url)
    try:
        if source is not None:
            if not source.exists():
                raise InvalidInput(f"there is no database at {source}")
            _sqlite_copy(source, path)
        else:
            _run([_tool("pg_dump"), "--format=custom", f"--file={path}", _libpq(url)], "pg_dump")
    except sqlite3.Error as exc:
        path.unlink(missing_ok=True)
        raise InvalidInput(f"the backup failed: {exc}") from None
    return Copied(str(path), "sqlite" if source else "postgresql", path.stat().st_size)


def restore(url: str, path: Path) -> Copied:
    """Replace the database at ``url`` by the backup at ``path``.  Stop every server and
    worker first: what they write meanwhile is lost."""
    if not path.is_file():
        raise InvalidInput(f"there is no backup at {path}")
    target = _sqlite_file(url)
    if target is not None:
        if not _is_sqlite(path):
            raise InvalidInput(f"{path} is not a SQLite backup")
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        _sqlite_copy(path, target)
    else:
        cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error"]
        _run([*cmd, f"--dbname={_libpq(url)}", str(path)], "pg_restore")
    return Copied(str(path), "sqlite" if target else "postgresql", path.stat().st_size)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"
