"""Leases on claimed notices: a worker that dies loses its claim, never the notices in it.

A claim (soulmark.notices.queue.claim_due) holds its notices until ``leased_until``.  The
worker renews that every quarter of ``NoticeSettings.lease_s`` while it holds the batch.
A worker killed mid-batch stops renewing; once the lease has passed, :func:`take_back` makes
every notice it had not recorded ``pending`` again, due at once, and the next pass of any
worker sends it.  Each notice is recorded ``sent`` in a short transaction right after its SMTP
transaction ends (soulmark.notices.recorder), so what a dead worker can leave to be sent a
second time is only a message whose DATA the server had taken and whose record had not yet
committed: at most one per SMTP connection.  The fixed Message-ID lets a server drop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from sqlalchemy import update

from soulmark.core.times import SECOND
from soulmark.notices.queue import Claimed
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow

__all__ = ["Leases", "renew", "take_back"]

log = logging.getLogger("soulmark.notices")


def take_back(store: Store, settings: NoticeSettings, *, now_us: int) -> int:
    """Notices whose lease ran out (their worker died): pending again, due at once.

    A notice that has now been claimed ``max_attempts`` times without a record keeps killing
    its workers, or was in flight each time: it is failed rather than tried for ever.
    """
    expired = (NoticeRow.status == "sending", NoticeRow.leased_until < now_us)
    with store.transaction() as s:
        again = s.execute(
            update(NoticeRow)
            .where(*expired, NoticeRow.attempts < settings.max_attempts)
            # Its next_attempt_at is left as it was: it came due before it was claimed.
            .values(status="pending", claim=None, leased_until=None)
            .returning(NoticeRow.id)
        ).all()
        s.execute(
            update(NoticeRow)
            .where(*expired)
            .values(
                status="failed",
                body=None,
                leased_until=None,
                last_error="its worker stopped while sending it, every time it was tried",
            )
        )
    return len(again)


def renew(store: Store, settings: NoticeSettings, tokens: list[str], *, now_us: int) -> int:
    """Push the lease of every notice still ``sending`` under ``tokens``; how many there are."""
    if not tokens:
        return 0
    with store.transaction() as s:
        held = s.execute(
            update(NoticeRow)
            .where(NoticeRow.claim.in_(tokens), NoticeRow.status == "sending")
            .values(leased_until=now_us + int(settings.lease_s * SECOND))
            .returning(NoticeRow.id)
        )
        return len(held.all())


class Leases:
    """The claims one pass holds, renewed in the background while it works on them."""

    def __init__(self, store: Store, settings: NoticeSettings, clock: Callable[[], int]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.tokens: set[str] = set()
        self.until = 0
        """The earliest moment a lease held here runs out (as far as the database knows)."""

    def hold(self, claimed: Claimed) -> None:
        self.until = min(self.until, claimed.leased_until) if self.tokens else claimed.leased_until
        self.tokens.add(claimed.token)

    def drop(self, claimed: Claimed) -> None:
        self.tokens.discard(claimed.token)

    def going(self) -> bool:
        """Whether a message started now ends (``timeout_s`` at most) before the lease does:
        past that, another worker may take the notice back, and a send could be doubled."""
        margin = int(self.settings.timeout_s * SECOND)
        return not self.tokens or self.clock() + margin < self.until

    async def keep(self) -> None:
        """Renew every quarter lease until cancelled; a failed renewal is tried again."""
        while True:
            await asyncio.sleep(self.settings.lease_s / 4)
            now = self.clock()
            try:
                await asyncio.to_thread(
                    renew, self.store, self.settings, sorted(self.tokens), now_us=now
                )
            except Exception:
                log.exception(
                    "renewing a lease failed; the claim runs out unless the next try works"
                )
                continue
            if self.tokens:
                self.until = now + int(self.settings.lease_s * SECOND)

    @contextlib.asynccontextmanager
    async def renewing(self) -> AsyncIterator[Leases]:
        task = asyncio.create_task(self.keep())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
