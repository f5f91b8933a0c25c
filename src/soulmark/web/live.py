"""The live hub: server-sent events for wrists, share links and the organizer (issue 8).

One hub per process.  Each open stream keeps a snapshot (soulmark.services.wrist_read): the
view at any moment is a pure function of it and the clock (B3), so the clock's changes (an
itch, a stroke, the ink stopping) cost no query at all.  The hub keeps ONE heap of the next
change moment of every open stream and a single task that sleeps until the earliest one; it
never polls the database per connection.

Somebody's action reaches the streams it touches through the change log
(soulmark.store.changes): PostgreSQL ``LISTEN`` on one connection per process, or on SQLite
ONE task per process that reads the ``changes`` table every ``tail_s``.  A stream woken by a
change reads its snapshot again (one query) and sends a frame only if what it shows changed.

What a stream sends never depends on a moment still ahead: a frame is computed at the clock's
``now`` once the clock has reached the change, and heartbeats go to every stream at once, on
a fixed period.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import random
import signal
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from soulmark.core.errors import NotFound
from soulmark.store import Store
from soulmark.store.changes import CHANNEL, Change, changes_after, last_change, parse
from soulmark.store.outage import OutageLog, cause, unreachable
from soulmark.web.audit_runner import Busy
from soulmark.web.means import Quotas, TooManyStreams
from soulmark.web.world_pages import WorldPages
from soulmark.web.wrist_cache import WristCache

__all__ = ["STREAM_KINDS", "Feed", "Hub", "Snapshot", "TooManyStreams", "frame"]

STREAM_KINDS = ("wrist", "share", "organizer")

log = logging.getLogger("soulmark.live")


class ShuttingDown(Busy):
    """The server is ending its streams (503): the page reconnects to the next one."""


class Snapshot(Protocol):
    """What a stream keeps between changes (wrist, share or organizer)."""

    @property
    def world_id(self) -> int: ...

    def json(self, at: int) -> dict[str, Any]: ...

    def next_change(self, at: int) -> int | None: ...


def frame(event: str, ident: int, data: dict[str, Any]) -> bytes:
    """One message; ``data`` spelled as the JSON twin spells it (compact, UTF-8, one line)."""
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return f"event: {event}\nid: {ident}\ndata: {body}\n\n".encode()


_BEAT_SLICES = 10
"""Heartbeats go out to a tenth of the streams every tenth of the period."""

_REREAD_S = (1.0, 30.0)
"""How soon a stream whose read failed for an outage reads again: doubling from the first to
the second, each jittered, so that 10,000 streams do not knock together every second (the
LISTEN reconnect wakes them all the moment the database is back anyway)."""

_MOVING = {"progress": 0, "at": 0, "at_text": 0}
"""What moves with the clock itself: a change is a new state, stroke or count, not these."""


def _same(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    return a is not None and {**a, **_MOVING} == {**b, **_MOVING}


class Feed:
    """One open stream: flags the hub sets, an event its response waits on."""

    __slots__ = (
        "key",
        "client",
        "world_id",
        "people",
        "organizer",
        "slice",
        "wake",
        "reload",
        "timed",
        "beat",
        "misses",
        "kind",
    )

    def __init__(
        self, key: str, client: str, organizer: bool, slice_no: int = 0, kind: str = "wrist"
    ) -> None:
        self.key, self.client, self.organizer, self.slice = key, client, organizer, slice_no
        self.kind = kind
        self.world_id = 0
        self.people: tuple[int, ...] = ()
        self.wake = asyncio.Event()
        self.reload = self.timed = self.beat = False
        self.misses = 0


class Hub:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], int],
        *,
        heartbeat_s: float,
        per_token: int,
        tick_s: float,
        tail_s: float,
        per_client: int = 64,
        total: int = 10_000,
    ) -> None:
        self.store, self.clock = store, clock
        self.heartbeat_s = heartbeat_s
        self.tick_s, self.tail_s = tick_s, tail_s
        self.closing = False
        self.quotas = Quotas(per_token=per_token, per_client=per_client, total=total)
        self._feeds: set[Feed] = set()
        self._people: defaultdict[int, set[Feed]] = defaultdict(set)
        self._worlds: defaultdict[int, set[Feed]] = defaultdict(set)
        self._heap: list[tuple[int, int, Feed]] = []
        self._due: dict[Feed, int] = {}
        self._seq = itertools.count()
        self._opened = itertools.count()
        self._slices: list[set[Feed]] = [set() for _ in range(_BEAT_SLICES)]
        self._timer_wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._outages = OutageLog(log, "streams stay open and read again when it is back")
        self._deaf = OutageLog(log, f"LISTEN {CHANNEL} connects again in a second")
        self.wrists = WristCache()
        """Polled wrists, kept fresh by the same changes that wake the streams."""
        self.world_pages = WorldPages(self.wrists)
        """World pages of the last second, dropped by the same changes (the QR scan's page)."""

    def _committed(self, changes: set[Change]) -> None:
        """This process's own writes: forgotten before the writer's answer leaves."""
        for change in changes:
            self.wrists.drop(change)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        self._timer_wake = asyncio.Event()
        self.store.feed.subscribe(self._committed)
        if self.store.dialect == "postgresql":
            changes = self._listen()
        else:
            # Where the log stands before the app answers anything: from the first request
            # on, every change is heard (and polls may be kept, soulmark.web.wrist_cache).
            changes = self._tail(await run_in_threadpool(self._read_last))
        for job in (self._timer(), self._heartbeats(), changes):
            self._tasks.append(asyncio.create_task(job))
        loop = asyncio.get_running_loop()

        def stop_soon() -> None:
            loop.call_soon_threadsafe(self.stop)

        _on_exit_signal(stop_soon)

    def stop(self) -> None:
        """Every stream ends cleanly (its response completes); new ones are refused."""
        self.closing = True
        for feed in list(self._feeds):
            feed.wake.set()

    async def close(self) -> None:
        self.stop()
        self.wrists.stop()
        self.store.feed.unsubscribe(self._committed)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    # -- streams -----------------------------------------------------------------------

    def open(
        self, key: str, *, client: str = "?", organizer: bool = False, kind: str = "wrist"
    ) -> Feed:
        """A stream of ``kind`` for link ``key`` from ``client``
        (soulmark.web.limits.client_key), within the quotas (soulmark.web.means)."""
        if self.closing:
            raise ShuttingDown("the server is shutting down; reconnect in a moment")
        self.quotas.take(key, client)
        feed = Feed(key, client, organizer, next(self._opened) % _BEAT_SLICES, kind)
        self._feeds.add(feed)
        self._slices[feed.slice].add(feed)
        return feed

    def open_streams(self) -> dict[str, int]:
        """Streams open in this process, by kind (/metrics)."""
        counts = dict.fromkeys(STREAM_KINDS, 0)
        for feed in list(self._feeds):
            counts[feed.kind] = counts.get(feed.kind, 0) + 1
        return counts

    def _attach(self, feed: Feed, snap: Snapshot) -> None:
        # Its own wrist only: a partner's action that the wrist shows names it (changes).
        people = tuple(p for p in (getattr(snap, "person_id", None),) if p)
        if feed.world_id != snap.world_id or feed.people != people:
            self._detach(feed)
            feed.world_id, feed.people = snap.world_id, people
            self._worlds[feed.world_id].add(feed)
            for p in people:
                self._people[p].add(feed)

    def _detach(self, feed: Feed) -> None:
        for index, keys in ((self._worlds, (feed.world_id,)), (self._people, feed.people)):
            for k in keys:
                bucket = index.get(k)
                if bucket is not None:
                    bucket.discard(feed)
                    if not bucket:
                        del index[k]

    def _close(self, feed: Feed) -> None:
        self._detach(feed)
        self._feeds.discard(feed)
        self._slices[feed.slice].discard(feed)
        self._due.pop(feed, None)
        self.quotas.give(feed.key, feed.client)

    def _schedule(self, feed: Feed, due: int | None) -> None:
        if due is None:
            self._due.pop(feed, None)
            return
        self._due[feed] = due
        heapq.heappush(self._heap, (due, next(self._seq), feed))
        if self._heap[0][2] is feed:
            self._timer_wake.set()

    async def stream(
        self,
        feed: Feed,
        event: str,
        snap: Snapshot,
        load: Callable[[int], Snapshot],
        last_id: int = 0,
    ) -> AsyncIterator[bytes]:
        """The frames of one stream: the state now, then each change, heartbeats between."""
        sent: dict[str, Any] | None = None
        ident = last_id
        try:
            self._attach(feed, snap)
            yield b"retry: 2000\n\n"
            while not self.closing:
                if feed.reload or getattr(snap, "stale", False):
                    fresh = await self._reread(feed, snap, load)
                    if fresh is None:
                        return  # revoked, left or erased: the stream ends
                    snap = fresh
                now = self.clock()
                data = snap.json(now)
                if not _same(sent, data):
                    ident, sent = max(ident + 1, now), data
                    yield frame(event, ident, data)
                self._schedule(feed, snap.next_change(now))
                if feed.organizer:
                    await asyncio.sleep(0.5)  # counts: coalesce a burst of changes
                while not (feed.reload or feed.timed or self.closing):
                    await feed.wake.wait()
                    feed.wake.clear()
                    if feed.beat:
                        feed.beat = False
                        yield b": beat\n\n"
                feed.timed = False
        finally:
            self._close(feed)

    async def _reread(
        self, feed: Feed, snap: Snapshot, load: Callable[[int], Snapshot]
    ) -> Snapshot | None:
        """The stream's snapshot read again (None: it is gone); the one it had while the
        database is away."""
        feed.reload = False
        try:
            fresh = await run_in_threadpool(load, self.clock())
        except NotFound:
            return None
        except DBAPIError as exc:
            self._read_later(feed, exc)
            return snap
        self._attach(feed, fresh)
        feed.misses = 0
        return fresh

    def _read_later(self, feed: Feed, exc: DBAPIError) -> None:
        """The database is away (a restart): the stream stays open on what it last read,
        beats on, and reads again in a moment; LISTEN's reconnect wakes it too."""
        why = unreachable(exc)
        if why is None:
            raise exc
        self._outages.say(why)
        first, most = _REREAD_S
        delay = min(most, first * 2**feed.misses) * (0.5 + random.random())
        feed.misses += 1
        loop = asyncio.get_running_loop()
        loop.call_later(delay, lambda: self._poke((feed,), reload=True))

    # -- waking streams --------------------------------------------------------------------

    def _poke(self, feeds: Iterable[Feed], *, reload: bool) -> None:
        for feed in feeds:
            if reload:
                feed.reload = True
            else:
                feed.timed = True
            feed.wake.set()

    def dispatch(self, change: Change | None) -> None:
        """Wake the streams a change touched (None: every stream, e.g. after a reconnect)."""
        self.wrists.drop(change)
        if change is None:
            self._poke(list(self._feeds), reload=True)
            return
        world = self._worlds.get(change.world_id, set())
        if change.person_id is None:
            self._poke(list(world), reload=True)
            return
        touched = self._people.get(change.person_id, set())
        self._poke([f for f in world if f.organizer] + list(touched), reload=True)

    async def _timer(self) -> None:
        while True:
            now = self.clock()
            while self._heap and self._heap[0][0] <= now:
                due, _, feed = heapq.heappop(self._heap)
                if self._due.get(feed) == due:
                    del self._due[feed]
                    self._poke((feed,), reload=False)
            delay = self.tick_s
            if self._heap:
                # Woken a little early by the event loop's clock, the loop just goes again.
                delay = min(delay, max(0.0, (self._heap[0][0] - now) / 1e6))
            self._timer_wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._timer_wake.wait(), delay)

    async def _heartbeats(self) -> None:
        """Each stream beats every ``heartbeat_s``, whatever its wrist does; the streams are
        beaten a tenth at a time (by the order they opened in), so that 10,000 of them do
        not all wake at once, in front of the ink strokes falling due at that moment."""
        for turn in itertools.cycle(range(_BEAT_SLICES)):
            await asyncio.sleep(self.heartbeat_s / _BEAT_SLICES)
            self.beat(turn)

    def beat(self, turn: int) -> int:
        """Heartbeat the streams of one tenth; how many."""
        feeds = list(self._slices[turn % _BEAT_SLICES])
        for feed in feeds:
            feed.beat = True
            feed.wake.set()
        return len(feeds)

    async def _tail(self, last: int) -> None:
        """SQLite: one query per ``tail_s`` for the whole process."""
        self.wrists.on = True
        while True:
            await asyncio.sleep(self.tail_s)
            try:
                rows = await run_in_threadpool(self._read_after, last)
            except Exception as exc:  # noqa: BLE001 - a locked or busy database: next time
                log.warning("reading the change log failed: %s", type(exc).__name__)
                self.wrists.stop()  # deaf to changes: nothing cached can be trusted
                continue
            for ident, change in rows:
                last = ident
                self.dispatch(change)
            self.wrists.on = True

    def _read_last(self) -> int:
        with self.store.read() as s:
            return last_change(s)

    def _read_after(self, last: int) -> list[tuple[int, Change]]:
        with self.store.read() as s:
            return changes_after(s, last)

    async def _listen(self) -> None:
        """PostgreSQL: one LISTEN connection per process; after a reconnect, every stream
        reads again (notifications sent meanwhile are lost)."""
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.dispatch(None)
                    self.wrists.on = True
                    async for note in conn.notifies():
                        change = parse(note.payload)
                        if change is not None:
                            self.dispatch(change)
            except (psycopg.Error, OSError) as exc:
                self._deaf.say(cause(exc))
            finally:
                self.wrists.stop()  # until LISTEN runs again, no change would reach the cache
            await asyncio.sleep(1.0)


def _on_exit_signal(stop: Callable[[], None]) -> None:
    """uvicorn waits for open responses before it runs the lifespan's shutdown, and a stream
    never ends by itself: so the hub hears SIGINT/SIGTERM first and ends its streams, then
    hands the signal on to uvicorn."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous = signal.getsignal(sig)
        except ValueError:
            return

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            stop()
            if callable(previous):
                previous(signum, frame)

        try:
            signal.signal(sig, handler)
        except ValueError:
            return  # not the main thread (a test client): the lifespan's shutdown does it
