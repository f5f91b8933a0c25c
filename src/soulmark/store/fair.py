"""Long writes in short slices, so that no organizer keeps the write lock from everyone else.

SQLite has one writer for the whole database, every world included: a transaction that
writes 5,000 rows holds that lock for seconds, and a stranger joining another world waits
behind it.  A long write (an invitation list, a CSV intake) is therefore cut into slices of
a bounded number of rows, each its own transaction of well under 100 ms (bench/locks.py
measures them), and :func:`step_aside` between two slices.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from soulmark.store.db import Store

__all__ = ["STEP_ASIDE_S", "slices", "step_aside"]

T = TypeVar("T")

STEP_ASIDE_S = 0.11
"""The pause between two slices on SQLite.  Its lock is no queue: a writer that waits is
woken by SQLite's busy handler, which sleeps up to 100 ms between its tries, so a slice
that began right after the last commit would win almost every time and the waiter would
wait for the whole list.  A pause longer than one such sleep lets every waiting writer in.
PostgreSQL locks rows, not the database, and queues its waiters: no pause there."""


def slices(items: Sequence[T] | Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order."""
    part: list[T] = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def step_aside(store: Store) -> None:
    """Between two slices of a long write: let any writer waiting for the lock go first."""
    if store.dialect == "sqlite":
        time.sleep(STEP_ASIDE_S)
