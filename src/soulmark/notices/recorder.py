"""Each outcome recorded as soon as it is known, in short transactions (a group commit).

A lane of the SMTP transport waits for its message's record before it starts the next one,
so a worker killed at any moment leaves at most one sent-but-unrecorded message per lane.
Outcomes that come in while a transaction is being written wait for the next one and share
it: the database sees a few small commits per second, not one per message in a queue.

A record that fails because the database is away (a restart) is written again until it is
back, for as long as the lease lasts: the lanes wait for it, so nothing new goes out
meanwhile, and a message the server has taken is not left to be sent a second time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, update

from soulmark.notices.queue import Claimed, SendOutcome
from soulmark.notices.suppress import address_hash, suppress
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow
from soulmark.store.outage import unreachable

__all__ = ["Recorder", "record"]

_T = cast(Table, NoticeRow.__table__)
Outcomes = Sequence[tuple[Claimed, Sequence[SendOutcome]]]
_AGAIN_S = (0.25, 5.0)
"""A record the database could not take is written again after this, doubling up to that."""

log = logging.getLogger("soulmark.notices")


class Recorder:
    def __init__(
        self, store: Store, settings: NoticeSettings, transport: str, clock: Callable[[], int]
    ) -> None:
        self.store = store
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.broken = False
        """A record failed: the pass starts no more messages (it could not say they went)."""
        self._waiting: list[tuple[Claimed, Sequence[SendOutcome], asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def done(self, claimed: Claimed, results: Sequence[SendOutcome]) -> None:
        """Record ``results`` of ``claimed``; returns once they are committed."""
        if not results:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((claimed, results, future))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
        await future

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            outcomes = [(claimed, results) for claimed, results, _ in group]
            try:
                await self._record(outcomes)
            except Exception as exc:
                self.broken = True
                for *_, future in group:
                    future.set_exception(exc)
                continue
            for *_, future in group:
                future.set_result(None)

    async def _record(self, outcomes: Outcomes) -> None:
        """One transaction of outcomes, written again while the database is away and the
        lease still holds (past it, another worker may have taken the notices back)."""
        # Real seconds, not the pass's clock: a pass asked at a fixed moment has one that stands.
        give_up = time.monotonic() + self.settings.lease_s
        delay, most = _AGAIN_S
        while True:
            try:
                await asyncio.to_thread(
                    record,
                    self.store,
                    self.settings,
                    outcomes,
                    transport=self.transport,
                    now_us=self.clock(),
                )
                return
            except Exception as exc:
                why = unreachable(exc)
                if why is None or time.monotonic() + delay > give_up:
                    raise
                log.warning("recording sent notices waits for the database: %s", why)
            await asyncio.sleep(delay)
            delay = min(most, delay * 2)


Rows = list[dict[str, Any]]


@dataclass
class _Sorted:
    """Outcomes as update parameters, by what becomes of them."""

    sent: Rows = field(default_factory=list)
    retry: Rows = field(default_factory=list)
    failed: Rows = field(default_factory=list)
    refused: Rows = field(default_factory=list)
    """Refused for good (a 5xx): never retried."""
    suppressed: list[str] = field(default_factory=list)
    """Hashes of the addresses those refusals were about: no invitation goes to them again."""

    def add(
        self,
        settings: NoticeSettings,
        claimed: Claimed,
        results: Sequence[SendOutcome],
        keep: bool,
        now_us: int,
    ) -> None:
        by_id = {out.notice_id: out for out in claimed.outgoing}
        for res in results:
            key = {"nid": res.notice_id, "token": claimed.token}
            attempts = claimed.attempts[res.notice_id]
            if res.outcome == "sent":
                out = by_id[res.notice_id]
                kept = {"subject": out.subject, "body": out.body} if keep else {}
                self.sent.append(key | {"subject": None, "body": None} | kept)
            elif res.outcome == "retry" and attempts < settings.max_attempts:
                later = now_us + settings.backoff_us(attempts)
                self.retry.append(key | {"at": later, "error": res.error})
            elif res.outcome == "refused":
                self.refused.append(key | {"error": res.error})
                if res.suppress:
                    self.suppressed.append(address_hash(by_id[res.notice_id].to))
            else:
                self.failed.append(key | {"error": res.error})


def record(
    store: Store, settings: NoticeSettings, outcomes: Outcomes, *, transport: str, now_us: int
) -> None:
    """Write the outcomes of one or more claims in one short transaction (only rows that
    still hold their claim: a claim taken back from this worker is no longer its to record)."""
    ends = _Sorted()
    for claimed, results in outcomes:
        ends.add(settings, claimed, results, transport == "outbox", now_us)
    sent, retry = ends.sent, ends.retry
    where = (_T.c.id == bindparam("nid")) & (_T.c.claim == bindparam("token"))
    done = {"claim": None, "leased_until": None}
    # A bare connection, not a session: this runs every few milliseconds while mail goes out,
    # and nothing here needs the ORM (a session costs about as much as the updates).
    with store.engine.begin() as conn:
        if sent:
            values = {
                "status": "sent",
                "sent_at": now_us,
                "transport": transport,
                "last_error": None,
                "subject": bindparam("subject"),
                "body": bindparam("body"),
            }
            conn.execute(update(_T).where(where).values(**values, **done), sent)
        if retry:
            values = {
                "status": "pending",
                "next_attempt_at": bindparam("at"),
                "last_error": bindparam("error"),
            }
            conn.execute(update(_T).where(where).values(**values, **done), retry)
        # A confirmation's body holds its link: do not keep it once it can no longer go.
        for status, rows in (("failed", ends.failed), ("refused", ends.refused)):
            if rows:
                values = {"status": status, "last_error": bindparam("error"), "body": None}
                conn.execute(update(_T).where(where).values(**values, **done), rows)
        suppress(conn, ends.suppressed, reason="refused", at=now_us)
