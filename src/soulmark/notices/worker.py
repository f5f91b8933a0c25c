"""The delivery loop: write due notices from the marks, claim a leased batch, send and record
each notice as it goes (soulmark.notices.lease, soulmark.notices.recorder)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from soulmark.core.times import now_us
from soulmark.notices.heartbeat import beating
from soulmark.notices.lease import Leases, take_back
from soulmark.notices.queue import Claimed, Result, claim_due, materialise, release
from soulmark.notices.recorder import Recorder
from soulmark.notices.transports import Transport, open_transport
from soulmark.observe.metrics import delivered
from soulmark.push.transport import with_push
from soulmark.services.schedule import seal_due
from soulmark.services.signin import answer_requests
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store

__all__ = [
    "DeliveryReport",
    "deliver_due",
    "deliver_due_async",
    "run_worker",
    "run_worker_forever",
]

log = logging.getLogger("soulmark.notices")


@dataclass
class DeliveryReport:
    """One pass.  ``retrying`` will be tried again later; ``failed`` will not."""

    transport: str
    written: int = 0
    """Notices newly written from sealed rounds' marks (due now or later)."""
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    """Lost mid-send: maybe delivered, so not retried (counted in ``failed`` too)."""
    refused: int = 0
    """Refused for good by the server (a 5xx): never retried (counted in ``failed`` too)."""
    suppressed: int = 0
    """Claimed and not sent: the address is suppressed, or its person unsubscribed."""
    taken_back: int = 0
    """Notices a dead worker had claimed and not recorded, its lease run out: sent again."""
    sealed: int = 0
    """Rounds sealed because the moment their organizer planned had come."""
    asked: int = 0
    """Sign-in questions answered (a mail queued for a member, nothing for anyone else)."""
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _tally(report: DeliveryReport, claimed: Claimed, results: list[Result], most: int) -> None:
    report.claimed += len(claimed.outgoing) + claimed.suppressed
    report.suppressed += claimed.suppressed
    for res in results:
        if res.outcome == "sent":
            report.sent += 1
            delivered(report.transport, "sent")
        elif res.outcome == "retry" and claimed.attempts[res.notice_id] < most:
            report.retrying += 1
            delivered(report.transport, "retry")
        else:
            report.failed += 1
            report.uncertain += res.outcome == "uncertain"
            report.refused += res.outcome == "refused"
            delivered(report.transport, "failed")
    if len(report.errors) < 20:  # a sample for the log, not a ledger
        report.errors.extend(sorted({r.error for r in results if r.error})[:5])


async def _deliver(
    store: Store,
    settings: NoticeSettings,
    clock: Callable[[], int],
    stop: asyncio.Event | None = None,
    lease_clock: Callable[[], int] | None = None,
) -> DeliveryReport:
    """One pass; ``lease_clock`` (default ``clock``) times the leases, in time that moves."""
    transport = with_push(open_transport(settings), store, settings)
    report = DeliveryReport(transport=transport.name)
    leases = Leases(store, settings, lease_clock or clock)
    report.taken_back = await asyncio.to_thread(take_back, store, settings, now_us=leases.clock())
    # Planned seals first: the marks they write get their notices in this same pass.
    relays = settings.beacon_relays
    report.sealed = await asyncio.to_thread(seal_due, store, at=clock(), relays=relays)
    report.written = await asyncio.to_thread(materialise, store, now_us=clock())
    # "Lost your link?" only queued its question: the lookup happens here, out of its answer.
    report.asked = await asyncio.to_thread(answer_requests, store)
    try:
        await _batches(store, settings, clock, stop, transport, report, leases)
    finally:
        await transport.close()
    return report


async def _batches(
    store: Store,
    settings: NoticeSettings,
    clock: Callable[[], int],
    stop: asyncio.Event | None,
    transport: Transport,
    report: DeliveryReport,
    leases: Leases,
) -> None:
    """Claim and send, batch after batch until nothing is due, each notice recorded as it goes.

    The next batch is claimed in a thread while this one is on the wire, so the connections
    seldom sit idle; its lease is renewed from the moment it is claimed.
    """
    recorder = Recorder(store, settings, transport.name, clock)

    def going() -> bool:
        return leases.going() and not recorder.broken

    following: Awaitable[Claimed | None] | None = None
    async with leases.renewing():
        claimed = await _claim(store, settings, clock, leases)
        try:
            while claimed is not None:
                full = len(claimed.outgoing) == settings.batch_size
                more = full and not (stop and stop.is_set()) and going()
                following = _claim(store, settings, clock, leases) if more else None
                done = partial(recorder.done, claimed)
                results = await transport.send(
                    claimed.outgoing, now_us=clock(), done=done, going=going
                )
                leases.drop(claimed)
                _tally(report, claimed, results, settings.max_attempts)
                claimed, following = (await following if following else None), None
        finally:
            if following is not None:  # a batch claimed ahead but never sent: hand it back
                await _hand_back(store, following)


def _claim(
    store: Store, settings: NoticeSettings, clock: Callable[[], int], leases: Leases
) -> asyncio.Task[Claimed | None]:
    """Claim the next batch in a thread, started now and awaited later; held from then on."""

    async def claim() -> Claimed | None:
        claimed = await asyncio.to_thread(
            claim_due, store, settings, now_us=clock(), lease_from=leases.clock()
        )
        if claimed is not None:
            leases.hold(claimed)
        return claimed

    return asyncio.create_task(claim())


async def _hand_back(store: Store, following: Awaitable[Claimed | None]) -> None:
    try:
        ahead = await following
    except Exception:  # the claim itself failed, so it holds nothing
        return
    if ahead is not None:
        await asyncio.to_thread(release, store, ahead)


async def deliver_due_async(
    store: Store, settings: NoticeSettings, *, now_us: int
) -> DeliveryReport:
    """:func:`deliver_due` for code already inside an event loop (the web app)."""
    # What is due is read at ``now_us``; the leases run on from it as the pass goes.
    return await _deliver(store, settings, lambda: now_us, lease_clock=_running_from(now_us))


def _running_from(start_us: int) -> Callable[[], int]:
    """A clock that reads ``start_us`` when the pass starts and runs on from there.

    A pass asked for "what is due at this moment" still lasts as long as it lasts: its
    leases must be renewed in time that moves, or another worker would take back the
    batches of a long ``--once`` pass while it is still sending them."""
    began = time.monotonic_ns()
    return lambda: start_us + (time.monotonic_ns() - began) // 1000


def deliver_due(store: Store, settings: NoticeSettings, *, now_us: int) -> DeliveryReport:
    """One pass: send every notice due at ``now_us`` (what ``soulmark worker --once`` runs)."""
    return asyncio.run(deliver_due_async(store, settings, now_us=now_us))


async def run_worker(
    store: Store,
    settings: NoticeSettings,
    *,
    clock: Callable[[], int] = now_us,
    stop_event: asyncio.Event | None = None,
) -> None:
    """Deliver due notices every ``settings.poll_s`` seconds until ``stop_event`` is set.

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
        report = await _deliver(store, settings, clock, stop)
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
