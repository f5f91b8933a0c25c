"""World pages, as rendered in the last second, kept until the world changes (issue 21).

``/w/<slug>`` is the page every QR scan opens: a class of students scanning the poster at
once asks for the same page hundreds of times a second, and each answer was the same four
reads and the same template.  A world's page is the same for every viewer who speaks the
same language in the same zone, except for the viewer's CSRF token in its join form, which
is filled in per answer (soulmark.web.render).

An entry is kept under the page's address, language and zone, and the second of the app's
clock it was made in, so nothing outlives the second whose time words ("today at 21:29")
and open joins it showed.  Within its second it is dropped by the changes that wake the
streams (soulmark.store.changes): any change in its world, at once in this process and
through the change feed in the others; and it is used only while that feed runs.  A read
that raced a change in its world is not kept.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable

from soulmark.core.times import SECOND
from soulmark.store.changes import Change
from soulmark.web.wrist_cache import WristCache

__all__ = ["PageKey", "WorldPages"]

PageKey = tuple[str, str, str, int]
"""The page's address, the viewer's language and zone, and the second it was made in."""


class WorldPages:
    def __init__(self, wrists: WristCache, *, size: int = 512) -> None:
        self._wrists, self.size = wrists, size
        self._entries: OrderedDict[PageKey, tuple[int, str]] = OrderedDict()
        self._worlds: defaultdict[int, set[PageKey]] = defaultdict(set)
        self._dropped: dict[int, int] = {}
        self.generation = 0
        self._floor = 0
        self._lock = threading.Lock()
        self._making: dict[PageKey, asyncio.Future[str]] = {}
        wrists.followers.append(self.drop)

    @staticmethod
    def key(address: str, lang: str, zone: str, at: int) -> PageKey:
        return (address, lang, zone, at // SECOND)

    def get(self, key: PageKey) -> str | None:
        """The page kept under ``key``, while the change feed runs."""
        if not self._wrists.on:
            return None
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    async def made_once(self, key: PageKey, make: Callable[[], Awaitable[str]]) -> str:
        """The page under ``key``, made by one request while the others that missed it wait
        for that one: when a second turns, a crowd of 200 must not render it 200 times."""
        making = self._making.get(key)
        if making is None:
            making = asyncio.ensure_future(make())
            self._making[key] = making
            making.add_done_callback(lambda _: self._making.pop(key, None))
        # Shielded: one waiter leaving (its client hung up) stops nobody else's page.
        return await asyncio.shield(making)

    def put(self, key: PageKey, world_id: int, page: str, generation: int) -> None:
        """Keep ``page``, read since ``generation``, unless its world changed meanwhile."""
        with self._lock:
            raced = max(self._floor, self._dropped.get(world_id, 0)) > generation
            if not self._wrists.on or raced:
                return
            while len(self._entries) >= self.size:
                old, (old_world, _) = self._entries.popitem(last=False)
                self._worlds[old_world].discard(old)
            self._entries[key] = (world_id, page)
            self._worlds[world_id].add(key)

    def drop(self, change: Change | None) -> None:
        """Forget the pages of the world ``change`` names (None: every page)."""
        with self._lock:
            self.generation += 1
            if change is None or len(self._dropped) >= 100_000:
                self._dropped.clear()
                self._floor = self.generation
            if change is None:
                self._entries.clear()
                self._worlds.clear()
                return
            self._dropped[change.world_id] = self.generation
            for key in self._worlds.pop(change.world_id, set()):
                self._entries.pop(key, None)
