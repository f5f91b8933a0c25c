"""The worker's loop: every pass runs the registered jobs (soulmark.jobs.scheduler), then
sends the mail that is due (soulmark.notices.worker), and beats its heartbeat meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from soulmark.core.times import now_us
from soulmark.jobs.scheduler import run_jobs
from soulmark.notices.heartbeat import beating
from soulmark.notices.worker import DeliveryReport, deliver_pass
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store

__all__ = ["WorkerReport", "deliver_due", "deliver_due_async", "run_worker", "run_worker_forever"]

log = logging.getLogger("soulmark.notices")


@dataclass
class WorkerReport(DeliveryReport):
    """One pass of the worker: its jobs' counts beside its mail's."""

    sealed: int = 0
    """Rounds sealed because the moment their organizer planned had come."""
    asked: int = 0
    """Sign-in questions answered (a mail queued for a member, nothing for anyone else)."""


async def one_pass(
    store: Store,
    settings: NoticeSettings,
    clock: Callable[[], int],
    stop: asyncio.Event | None = None,
    lease_clock: Callable[[], int] | None = None,
) -> WorkerReport:
    """The jobs, then the mail: what a job writes goes out in this same pass."""
    done = await asyncio.to_thread(run_jobs, store, settings, clock())
    mail = await deliver_pass(store, settings, clock, stop, lease_clock)
    report = WorkerReport(**asdict(mail))
    for name, count in done.items():  # each job counts in the field named after it
        setattr(report, name, count)
    return report


async def deliver_due_async(store: Store, settings: NoticeSettings, *, now_us: int) -> WorkerReport:
    """:func:`deliver_due` for code already inside an event loop (the web app)."""
    # What is due is read at ``now_us``; the leases run on from it as the pass goes.
    return await one_pass(store, settings, lambda: now_us, lease_clock=_running_from(now_us))


def _running_from(start_us: int) -> Callable[[], int]:
    """A clock that reads ``start_us`` when the pass starts and runs on from there.

    A pass asked for "what is due at this moment" still lasts as long as it lasts: its
    leases must be renewed in time that moves, or another worker would take back the
    batches of a long ``--once`` pass while it is still sending them."""
    began = time.monotonic_ns()
    return lambda: start_us + (time.monotonic_ns() - began) // 1000


def deliver_due(store: Store, settings: NoticeSettings, *, now_us: int) -> WorkerReport:
    """One pass at ``now_us``: the jobs, then every notice due (``soulmark worker --once``)."""
    return asyncio.run(deliver_due_async(store, settings, now_us=now_us))


async def run_worker(
    store: Store,
    settings: NoticeSettings,
    *,
    clock: Callable[[], int] = now_us,
    stop_event: asyncio.Event | None = None,
) -> None:
    """Make a pass every ``settings.poll_s`` seconds until ``stop_event`` is set.

    Stopping waits for the batch in hand to be sent and recorded, never abandons it mid-send;
    a worker killed instead leaves its claim to run out (soulmark.notices.lease).
    A failing pass (database or mail server down) is logged and tried again.
    """
    stop = stop_event or asyncio.Event()
    heart = asyncio.create_task(beating(store, clock, stop))
    try:
        while not stop.is_set():
            await _pass(store, settings, clock, stop)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.poll_s)
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart


async def _pass(
    store: Store, settings: NoticeSettings, clock: Callable[[], int], stop: asyncio.Event
) -> None:
    try:
        report = await one_pass(store, settings, clock, stop)
        if report.claimed or report.written or report.sealed or report.asked:
            log.info("notices: %s", report.to_json())
    except Exception:
        log.exception("a notice pass failed; the next one will try again")


def run_worker_forever(store: Store, settings: NoticeSettings) -> None:
    """``soulmark worker``: run until SIGINT or SIGTERM, then finish the batch in hand."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(store, settings, stop_event=stop)

    asyncio.run(main())
