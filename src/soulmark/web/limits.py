"""The token-guessing limit (issues 13 and 22): who a client is, and how many failed
lookups it has left.

* The client is the connection's peer.  A forwarded header (``X-Forwarded-For``) is read only
  when the peer is a proxy named in the settings, and then only up to the first address that
  is not such a proxy: anyone else could write any address there.  IPv6 clients count per
  /64, the block one subscriber usually holds.
* Only lookups that *failed* count, and a valid token is never refused: every token is looked
  up first, at the same cost whatever its client's count, and a good one is answered as it
  always is.  So a crowd behind one address (a school's NAT, a proxy without
  ``--trusted-proxy``) opening its own links is never refused, and what a bearer receives
  never depends on a count that other people's requests moved.
* A failed lookup is counted with one atomic upsert, and the count it returns decides the
  answer: within the limit the failure is told (401/404); beyond it the failure itself is
  answered 429.  Each of a burst of concurrent guesses takes its own count, so none slips
  past: of 200 guesses at once exactly ``limit`` are told 404.  A refused guess costs the
  guesser what a told one does (the lookup and the count), and says no more than it would
  have: not a token.
* Counts are rows of the ``token_attempts`` table, one per client and fixed window, in the
  database every worker process and every instance already share: 40 guesses a minute are
  40 whichever processes answer them.  Only failures write, and only until the client is
  past its limit: then the count stops (a process that saw it refuses without a write).
* What the limit is not: beyond it a valid token still opens its wrist, so the limit does
  not slow an exhaustive search.  The tokens' 192 random bits do that (soulmark.services.
  tokens); the limit keeps the cost of failures and the noise of a guesser bounded, and
  marks the guesser, never the people sharing their address.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict
from collections.abc import Iterable, MutableMapping
from typing import Any, Protocol, cast

from sqlalchemy import Table, case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from soulmark.store import Store
from soulmark.store.link_models import TokenAttemptRow

__all__ = [
    "Failures",
    "MemoryAttempts",
    "StoreAttempts",
    "client_address",
    "client_key",
    "parse_proxies",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Failures(Protocol):
    blocking: bool
    """True when ``fail`` does I/O and belongs on a worker thread."""

    def fail(self, client: str, now: float) -> bool:
        """Count one failed lookup; False when it is beyond the client's limit (then 429)."""
        ...


class MemoryAttempts:
    """Per-process counts of anything a client may do a few times a window (creating a
    world, asking for a sign-in mail): at most ``max_clients`` of them, least recently seen
    dropped first."""

    blocking = False

    def __init__(self, *, limit: int, window_s: float, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window_s, max_clients
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def take(self, client: str, now: float) -> bool:
        """Count one attempt; False (and nothing counted) when the client is over its limit."""
        window = int(now // self.window)
        with self._lock:
            seen, count = self._counts.pop(client, (window, 0))
            count = count if seen == window else 0
            ok = count < self.limit
            self._counts[client] = (window, count + ok)
            while len(self._counts) > self.max_clients:
                self._counts.popitem(last=False)
            return ok

    fail = take

    def give_back(self, client: str, now: float) -> None:
        """Uncount one attempt of this window: it was refused for its content, not done."""
        window = int(now // self.window)
        with self._lock:
            seen, count = self._counts.get(client, (window, 0))
            if seen == window and count > 0:
                self._counts[client] = (window, count - 1)


_ATTEMPTS = cast(Table, TokenAttemptRow.__table__)
_PRUNE_EVERY = 1000
_MAX_OVER = 10_000


class StoreAttempts:
    """Failed lookups shared by every process on the same database (one row per client)."""

    blocking = True

    def __init__(self, store: Store, *, limit: int, window_s: float) -> None:
        self.store, self.limit, self.window = store, limit, window_s
        self._fails = 0
        # Clients this process saw past their limit, by window: a count never goes down
        # within its window, so a flood of guesses is refused without a write each.
        self._over: dict[str, int] = {}

    def fail(self, client: str, now: float) -> bool:
        window = int(now // self.window)
        if self._over.get(client) == window:
            return False
        if not self._count(client, window) <= self.limit:
            if len(self._over) >= _MAX_OVER:
                self._over.clear()
            self._over[client] = window
            return False
        return True

    def _count(self, client: str, window: int) -> int:
        table = _ATTEMPTS
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        row = insert(table).values(client=client, window_no=window, attempts=1)
        # One past the limit is as refused as a thousand past it: the count stops there.
        counted = case(
            (table.c.window_no != window, 1),
            (table.c.attempts > self.limit, table.c.attempts),
            else_=table.c.attempts + 1,
        )
        stmt = row.on_conflict_do_update(
            index_elements=[table.c.client], set_={"attempts": counted, "window_no": window}
        ).returning(table.c.attempts)
        with self.store.engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            self._fails += 1
            if self._fails % _PRUNE_EVERY == 0:  # stale windows go: the table stays bounded
                conn.execute(delete(table).where(table.c.window_no < window - 1))
        return int(count)


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """``10.0.0.1``, ``10.0.0.0/8``, ``::1``: the proxies whose forwarded header is believed."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _key(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if addr.version == 6:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def client_key(scope: MutableMapping[str, Any], proxies: tuple[Network, ...]) -> str:
    """The address a request counts against (see the module's docstring)."""
    addr = _client_ip(scope, proxies)
    return "?" if addr is None else _key(addr)


def client_address(scope: MutableMapping[str, Any], proxies: tuple[Network, ...]) -> str:
    """The client's own address, for the log: behind a trusted proxy, the one it forwarded."""
    addr = _client_ip(scope, proxies)
    return "?" if addr is None else str(addr)


def _client_ip(
    scope: MutableMapping[str, Any], proxies: tuple[Network, ...]
) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    peer = _ip((scope.get("client") or ("", 0))[0] or "")
    if peer is None or not proxies or not any(peer in net for net in proxies):
        return peer
    hops: list[str] = []
    for key, value in scope.get("headers", []):
        if key == b"x-forwarded-for":
            hops += value.decode("latin-1").split(",")
    for hop in reversed(hops):
        addr = _ip(hop)
        if addr is None:
            return peer  # a forged or broken entry: count the proxy itself
        if not any(addr in net for net in proxies):
            return addr
    return peer
