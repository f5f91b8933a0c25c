"""The token-guessing limit (issue 13): who a client is, and how many attempts it has left.

* The client is the connection's peer.  A forwarded header (``X-Forwarded-For``) is read only
  when the peer is a proxy named in the settings, and then only up to the first address that
  is not such a proxy: anyone else could write any address there.  IPv6 clients count per
  /64, the block one subscriber usually holds.
* An attempt is counted *before* the token is looked up and given back when it succeeds, so
  concurrent guesses cannot all slip in while the first ones are still being looked up.
* Counts live in fixed windows.  In one process they are a bounded table that forgets its
  least recently seen client first; with several worker processes they are rows of the
  ``token_attempts`` table, which every worker updates with one atomic upsert (the database
  is already shared by all of them: no further service to run).
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict
from collections.abc import Iterable, MutableMapping
from typing import Any, Protocol, cast

from sqlalchemy import Table, case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from soulmark.store import Store
from soulmark.store.web_models import TokenAttemptRow

__all__ = ["Attempts", "MemoryAttempts", "StoreAttempts", "client_key", "parse_proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Attempts(Protocol):
    blocking: bool
    """True when ``take`` and ``refund`` do I/O and belong on a worker thread."""

    def take(self, client: str, now: float) -> bool:
        """Count one attempt; False (and nothing counted) when the client is over its limit."""
        ...

    def refund(self, client: str, now: float) -> None:
        """Give back an attempt that turned out to hold a good token."""
        ...


class MemoryAttempts:
    """Per-process counts: at most ``max_clients`` of them, least recently seen dropped first."""

    blocking = False

    def __init__(self, *, limit: int, window_s: float, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window_s, max_clients
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def take(self, client: str, now: float) -> bool:
        window = int(now // self.window)
        with self._lock:
            seen, count = self._counts.pop(client, (window, 0))
            count = count if seen == window else 0
            ok = count < self.limit
            self._counts[client] = (window, count + ok)
            while len(self._counts) > self.max_clients:
                self._counts.popitem(last=False)
            return ok

    def refund(self, client: str, now: float) -> None:
        window = int(now // self.window)
        with self._lock:
            seen, count = self._counts.get(client, (window, 0))
            if seen == window and count > 0:
                self._counts[client] = (window, count - 1)


_ATTEMPTS = cast(Table, TokenAttemptRow.__table__)


class StoreAttempts:
    """Counts shared by every process on the same database (one row per client)."""

    blocking = True

    def __init__(self, store: Store, *, limit: int, window_s: float) -> None:
        self.store, self.limit, self.window = store, limit, window_s
        self._takes = 0

    def take(self, client: str, now: float) -> bool:
        window = int(now // self.window)
        table = _ATTEMPTS
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        row = insert(table).values(client=client, window_no=window, attempts=1)
        stmt = row.on_conflict_do_update(
            index_elements=[table.c.client],
            # Refused attempts count too: a client hammering away stays refused all window.
            set_={
                "attempts": case((table.c.window_no == window, table.c.attempts + 1), else_=1),
                "window_no": window,
            },
        ).returning(table.c.attempts)
        with self.store.engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            self._takes += 1
            if self._takes % 1000 == 0:  # stale windows go: the table stays bounded
                conn.execute(delete(table).where(table.c.window_no < window - 1))
        return bool(count <= self.limit)

    def refund(self, client: str, now: float) -> None:
        window = int(now // self.window)
        table = _ATTEMPTS
        with self.store.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.client == client, table.c.window_no == window, table.c.attempts > 0)
                .values(attempts=table.c.attempts - 1)
            )


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
    peer = _ip((scope.get("client") or ("", 0))[0] or "")
    if peer is None:
        return "?"
    if not proxies or not any(peer in net for net in proxies):
        return _key(peer)
    hops: list[str] = []
    for key, value in scope.get("headers", []):
        if key == b"x-forwarded-for":
            hops += value.decode("latin-1").split(",")
    for hop in reversed(hops):
        addr = _ip(hop)
        if addr is None:
            return _key(peer)  # a forged or broken entry: count the proxy itself
        if not any(addr in net for net in proxies):
            return _key(addr)
    return _key(peer)
