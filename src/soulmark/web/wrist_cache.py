"""Recently read wrists, by token hash, kept until somebody acts on them (issue 8).

A wrist's view at any moment is a pure function of its snapshot and the clock (B3), so a
snapshot stays right until a person or the organizer changes something: a look, a
reach-out, a share, a seal, an erasure.  Every such write is announced (soulmark.store.
changes) and reaches :meth:`WristCache.drop`: at once in the process that committed it, and
through the live hub's change feed in every other process (PostgreSQL NOTIFY, or SQLite's
change log read every ``live_tail_s``).  So a poll served from here is as fresh as a live
stream, and costs no query and no thread.

Entries are kept and dropped per wrist (issue 22): a change names the wrists whose view it
changes (soulmark.store.changes), and drops theirs and nothing else.  A partner's share link,
new link, look or lone reach-out never drops the bearer's entry, so nothing in the bearer's
answers, not even its cost, moves with what the partner did.

The cache is used only while the hub's change feed runs (``on``): without it nothing would
tell the cache that a snapshot went stale.  A read that raced a change to its own wrist (or
world) is not kept, and no entry outlives ``ttl_us``, as a last guard against a write that
was not announced.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from soulmark.services import wrist_read
from soulmark.services.device_sessions import is_device
from soulmark.services.tokens import token_hash
from soulmark.services.wrist_view import WristSnapshot
from soulmark.store import Store
from soulmark.store.changes import Change

__all__ = ["WristCache", "read_wrist"]


async def read_wrist(cache: WristCache, store: Store, *, token: str, at: int) -> WristSnapshot:
    """The wrist behind ``token``: from the cache, else one SELECT (kept for next time)."""
    key = token_hash(token)
    if is_device(token):
        key = await run_in_threadpool(wrist_read.key_of, store, token, at)
    snap = cache.get(key, at)
    if snap is not None:
        return snap
    generation = cache.generation
    if store.dialect == "sqlite":
        # One indexed read in WAL mode (about 20 µs, never waiting for the writer): cheaper
        # on the event loop than the trip through the thread pool.
        snap = wrist_read.snapshot_by_hash(store, key=key, at=at)
    else:
        snap = await run_in_threadpool(wrist_read.snapshot_by_hash, store, key=key, at=at)
    cache.put(key, snap, at, generation)
    return snap


_MAX_DROPS = 100_000
"""How many wrists' and worlds' last drops are remembered for the race check."""


class WristCache:
    def __init__(self, *, size: int = 200_000, ttl_us: int = 60_000_000) -> None:
        self.size, self.ttl_us = size, ttl_us
        self.on = False
        self.generation = 0
        self._entries: dict[str, tuple[WristSnapshot, int]] = {}
        self._people: defaultdict[int, set[str]] = defaultdict(set)
        self._worlds: defaultdict[int, set[str]] = defaultdict(set)
        # The generation of each wrist's and world's last drop: a read is refused only when
        # its own wrist changed while it ran, never because somebody else acted.
        self._dropped: dict[tuple[str, int], int] = {}
        self._floor = 0
        # Changes are announced from whichever thread committed them.
        self._lock = threading.Lock()
        self.followers: list[Callable[[Change | None], None]] = []
        """Other caches kept by the same changes (soulmark.web.world_pages): told each drop."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, now: int) -> WristSnapshot | None:
        entry = self._entries.get(key) if self.on else None
        if entry is None:
            return None
        snap, read_at = entry
        # A clock that went back (or an old entry) is not trusted: read again.
        return snap if read_at <= now < read_at + self.ttl_us else None

    def put(self, key: str, snap: WristSnapshot, read_at: int, generation: int) -> None:
        """Keep a snapshot read at ``read_at``, unless its wrist changed while it was read."""
        with self._lock:
            if not self.on or self._changed_since(snap, generation):
                return
            self._forget(key)
            while len(self._entries) >= self.size:
                self._forget(next(iter(self._entries)))  # the oldest read goes first
            self._entries[key] = (snap, read_at)
            self._people[snap.person_id].add(key)
            self._worlds[snap.world_id].add(key)

    def _changed_since(self, snap: WristSnapshot, generation: int) -> bool:
        last = max(
            self._floor,
            self._dropped.get(("p", snap.person_id), 0),
            self._dropped.get(("w", snap.world_id), 0),
        )
        return last > generation

    def drop(self, change: Change | None) -> None:
        """Forget the wrists ``change`` names (None: all of them)."""
        for follower in self.followers:
            follower(change)
        with self._lock:
            self.generation += 1
            if change is None or len(self._dropped) >= _MAX_DROPS:
                self._dropped.clear()
                self._floor = self.generation  # every read under way is refused, once
            if change is None:
                self._entries.clear()
                self._people.clear()
                self._worlds.clear()
                return
            if change.person_id is None:
                self._dropped["w", change.world_id] = self.generation
                keys = set(self._worlds.get(change.world_id, ()))
            else:
                self._dropped["p", change.person_id] = self.generation
                keys = set(self._people.get(change.person_id, ()))
            for key in keys:
                self._forget(key)

    def stop(self) -> None:
        self.on = False
        self.drop(None)

    def _forget(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        snap = entry[0]
        for index, ident in ((self._people, snap.person_id), (self._worlds, snap.world_id)):
            bucket = index.get(ident)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del index[ident]
