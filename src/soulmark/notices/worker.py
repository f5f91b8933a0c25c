"""One delivery pass: take back dead workers' claims, write due notices from the marks, claim
a leased batch, send and record each notice as it goes (soulmark.notices.lease,
soulmark.notices.recorder).  The loop that runs it, with the jobs before it, is soulmark.jobs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from soulmark.notices.lease import Leases, take_back
from soulmark.notices.queue import Claimed, SendOutcome, claim_due, materialise, release
from soulmark.notices.recorder import Recorder
from soulmark.notices.transports import Transport, open_transport
from soulmark.observe.metrics import delivered
from soulmark.push.transport import with_push
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store

__all__ = ["DeliveryReport", "deliver_pass"]


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
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _tally(report: DeliveryReport, claimed: Claimed, results: list[SendOutcome], most: int) -> None:
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


async def deliver_pass(
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
    report.written = await asyncio.to_thread(materialise, store, now_us=clock())
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
