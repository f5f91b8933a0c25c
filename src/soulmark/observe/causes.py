"""The real cause of an error, in fixed words: what an operator must act on.

SQLAlchemy's ``OperationalError`` is only a wrapper: the driver's error is in ``orig``, and
an ``OSError`` (with its ``errno``) may sit further down ``__cause__`` / ``__context__``.
Only fixed words leave here, never the driver's message: it can quote the row it failed on,
names included.  Each cause has a short kind, the label of ``soulmark_db_errors_total``.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

__all__ = ["KINDS", "Cause", "cause_of"]

KINDS = ("disk_full", "too_many_open_files", "connection_refused", "lock_timeout", "other")


@dataclass(frozen=True)
class Cause:
    kind: str
    """One of :data:`KINDS`."""
    words: str
    """For the log: "disk full (ENOSPC)", or the error's type when nothing better is known."""


_BY_ERRNO = {
    errno.ENOSPC: Cause("disk_full", "disk full (ENOSPC)"),
    errno.EDQUOT: Cause("disk_full", "disk quota exceeded (EDQUOT)"),
    errno.EMFILE: Cause("too_many_open_files", "too many open files (EMFILE)"),
    errno.ENFILE: Cause("too_many_open_files", "too many open files in the system (ENFILE)"),
    errno.ECONNREFUSED: Cause("connection_refused", "connection refused"),
}
_BY_STATE = {
    "53100": Cause("disk_full", "disk full (SQLSTATE 53100)"),
    "55P03": Cause("lock_timeout", "lock timeout (SQLSTATE 55P03)"),
    "57014": Cause("lock_timeout", "statement timeout (SQLSTATE 57014)"),
    "40P01": Cause("lock_timeout", "deadlock (SQLSTATE 40P01)"),
}
_BY_WORDS = (
    ("database or disk is full", Cause("disk_full", "disk full (SQLITE_FULL)")),
    ("no space left on device", Cause("disk_full", "disk full (ENOSPC)")),
    ("too many open files", Cause("too_many_open_files", "too many open files (EMFILE)")),
    ("connection refused", Cause("connection_refused", "connection refused")),
    ("database is locked", Cause("lock_timeout", "lock timeout (SQLITE_BUSY)")),
    ("lock timeout", Cause("lock_timeout", "lock timeout")),
)
_SQLITE_CODES = {
    13: Cause("disk_full", "disk full (SQLITE_FULL)"),
    5: Cause("lock_timeout", "lock timeout (SQLITE_BUSY)"),
}


_DRIVERS = {"sqlite3", "psycopg", "sqlalchemy"}


def _descriptors_left() -> Cause | None:
    """Out of descriptors, SQLite says only "unable to open database file" and libpq
    "connection is bad: no error details available", the errno lost: when this process
    cannot open a file either, that was the cause."""
    try:
        os.close(os.open(os.devnull, os.O_RDONLY))
    except OSError as exc:
        return _BY_ERRNO.get(exc.errno or 0)
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error it wraps, and their causes, each once, outermost first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 16:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        orig = getattr(item, "orig", None)
        todo += [orig if isinstance(orig, BaseException) else None]
        todo += [item.__cause__, item.__context__]
    return seen


def _one(item: BaseException) -> Cause | None:
    if isinstance(item, OSError) and item.errno in _BY_ERRNO:
        return _BY_ERRNO[item.errno]
    state = str(getattr(item, "sqlstate", None) or getattr(item, "pgcode", None) or "")
    if state in _BY_STATE:
        return _BY_STATE[state]
    code = getattr(item, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_CODES:
        return _SQLITE_CODES[code & 0xFF]
    if getattr(item, "orig", None) is not None:
        return None  # SQLAlchemy's wrapper: its words quote the statement's values
    words = str(item).lower()
    return next((cause for needle, cause in _BY_WORDS if needle in words), None)


def cause_of(exc: BaseException) -> Cause:
    """What went wrong underneath ``exc``: the first known cause down its chain."""
    chain = _chain(exc)
    for item in chain:
        found = _one(item)
        if found is not None:
            return found
    if any(type(i).__module__.split(".")[0] in _DRIVERS for i in chain):
        found = _descriptors_left()
        if found is not None:
            return found
    return Cause("other", " from ".join(dict.fromkeys(type(i).__name__ for i in chain)))
