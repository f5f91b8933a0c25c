"""A notices worker's heartbeat: one row per worker process, renewed every few seconds.

A web instance that does not send notices itself cannot see the worker: it reads the
freshest heartbeat instead, and /readyz answers 503 once it is older than
``SOULMARK_WORKER_STALE_S`` (soulmark.web.health).  The row names the host and process, which
is nobody's data; rows of workers gone for a day are dropped as the others beat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from typing import cast

from sqlalchemy import Table, delete, func, select, update

from soulmark.store import Store
from soulmark.store.notice_models import WorkerHeartbeatRow

__all__ = ["BEAT_S", "beat", "beating", "last_beat", "worker_name"]

log = logging.getLogger("soulmark.notices")

BEAT_S = 5.0
"""How often a worker writes its heartbeat."""
_FORGET_US = 86_400 * 1_000_000


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def beat(store: Store, worker: str, *, now_us: int, started_us: int) -> None:
    """This worker is alive at ``now_us``."""
    table = cast(Table, WorkerHeartbeatRow.__table__)
    with store.transaction() as s:
        done = s.execute(
            update(table).where(table.c.worker == worker).values(beat_at=now_us)
        ).rowcount  # type: ignore[attr-defined]
        if not done:
            s.add(WorkerHeartbeatRow(worker=worker, started_at=started_us, beat_at=now_us))
        s.execute(delete(table).where(table.c.beat_at < now_us - _FORGET_US))


def last_beat(store: Store) -> int | None:
    """The freshest heartbeat of any worker (microseconds), None if none ever beat."""
    with store.read() as s:
        return s.scalar(select(func.max(WorkerHeartbeatRow.beat_at)))


async def beating(store: Store, clock: Callable[[], int], stop: asyncio.Event) -> None:
    """Beat every :data:`BEAT_S` until ``stop``, whatever the passes are doing: a long pass
    (a big batch on a slow mail server) is still a live worker."""
    worker, started = worker_name(), clock()
    while not stop.is_set():
        try:
            await asyncio.to_thread(beat, store, worker, now_us=clock(), started_us=started)
        except Exception as exc:  # noqa: BLE001 - the database away: the pass says so
            log.debug("heartbeat not written: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), BEAT_S)
