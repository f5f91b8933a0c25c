"""Each outcome recorded as soon as it is known, in short transactions (a group commit).

A lane of the SMTP transport waits for its message's record before it starts the next one,
so a worker killed at any moment leaves at most one sent-but-unrecorded message per lane.
Outcomes that come in while a transaction is being written wait for the next one and share
it: the database sees a few small commits per second, not one per message in a queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from soulmark.notices.queue import Claimed, Result, record
from soulmark.notices.settings import NoticeSettings
from soulmark.store import Store

__all__ = ["Recorder"]


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
        self._waiting: list[tuple[Claimed, Sequence[Result], asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def done(self, claimed: Claimed, results: Sequence[Result]) -> None:
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
                await asyncio.to_thread(
                    record,
                    self.store,
                    self.settings,
                    outcomes,
                    transport=self.transport,
                    now_us=self.clock(),
                )
            except Exception as exc:
                self.broken = True
                for *_, future in group:
                    future.set_exception(exc)
                continue
            for *_, future in group:
                future.set_result(None)
