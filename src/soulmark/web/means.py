"""Streams within the machine's means (issue 22, item 10).

Every open stream holds a file descriptor for as long as it lives; plain requests need a
few more for a moment.  When the process runs out, ``accept()`` fails and the server stops
answering anyone.  So:

* ``soulmark serve`` raises the soft ``RLIMIT_NOFILE`` to the hard one (:func:`raise_nofile`);
* the hub opens at most :func:`streams_within` streams, keeping a quarter of the descriptors
  (at least :data:`RESERVE`) for plain requests, the database pools and the log; and at most
  ``Settings.live_streams_per_client`` for one client address, so one client who joined an
  open world many times cannot take them all (:class:`Quotas`);
* a refused stream is a 503 (the hub is full) or a 429 (this client holds enough), both with
  Retry-After; the pages fall back to polling;
* an accept that fails anyway is logged with its cause (:func:`log_accept_failures`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import resource
import time
from collections import Counter
from typing import Any

from soulmark.web.audit_runner import Busy
from soulmark.web.deps import TooMany

__all__ = [
    "RESERVE",
    "ClientStreams",
    "Quotas",
    "StreamsFull",
    "TooManyStreams",
    "log_accept_failures",
    "nofile",
    "raise_nofile",
    "streams_within",
]

log = logging.getLogger("soulmark.means")

RESERVE = 128
"""Descriptors never given to streams, however low the limit."""
STREAMS_RETRY_S = 30
"""What a refused stream is told to wait: streams end slowly, unlike a database restart."""


class TooManyStreams(TooMany):
    """More open streams for one link than Settings.live_streams_per_token (429)."""


class ClientStreams(TooMany):
    """More open streams from one client address than Settings.live_streams_per_client."""

    retry_after_s = STREAMS_RETRY_S


class StreamsFull(Busy):
    """Every stream this process may hold is open (503): plain requests keep their room."""

    retry_after_s = STREAMS_RETRY_S


def nofile() -> tuple[int, int]:
    """This process's (soft, hard) descriptor limit; an unlimited hard limit reads as -1."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard


def raise_nofile() -> tuple[int, int]:
    """Lift the soft descriptor limit to the hard one (the default soft 1,024 is a few
    hundred streams); (soft, hard) as they now stand, logged."""
    soft, hard = nofile()
    if hard == resource.RLIM_INFINITY or hard > soft:
        # Linux refuses an infinite soft limit for files: nr_open caps it.
        target = _nr_open() if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, target), hard))
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the descriptor limit past %d: %s", soft, exc)
        soft, hard = nofile()
    log.info("descriptors: soft limit %d, hard limit %d", soft, hard)
    return soft, hard


def _nr_open() -> int:
    try:
        with open("/proc/sys/fs/nr_open", encoding="ascii") as fp:
            return int(fp.read().strip())
    except (OSError, ValueError):
        return 1_048_576


def streams_within(soft: int) -> int:
    """How many streams one process may hold under a soft descriptor limit of ``soft``."""
    return max(1, soft - max(RESERVE, soft // 4))


class Quotas:
    """Open streams counted by link, by client address and in all; refused past a bound."""

    def __init__(self, *, per_token: int, per_client: int, total: int) -> None:
        self.per_token, self.per_client, self.total = per_token, per_client, total
        self._tokens: Counter[str] = Counter()
        self._clients: Counter[str] = Counter()
        self.open = 0

    def take(self, token: str, client: str) -> None:
        if self.open >= self.total:
            raise StreamsFull(
                "too many live streams are open here; try again shortly (pages poll meanwhile)",
                code="streams-full",
            )
        if self._clients[client] >= self.per_client:
            raise ClientStreams(
                f"at most {self.per_client} live streams from one address; close some first",
                code="streams-per-client",
            )
        if self._tokens[token] >= self.per_token:
            raise TooManyStreams(
                f"at most {self.per_token} live streams per link; close another tab first"
            )
        self._tokens[token] += 1
        self._clients[client] += 1
        self.open += 1

    def give(self, token: str, client: str) -> None:
        for counts, key in ((self._tokens, token), (self._clients, client)):
            counts[key] -= 1
            if counts[key] <= 0:
                del counts[key]
        self.open -= 1


_OUT_OF = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


def log_accept_failures(loop: asyncio.AbstractEventLoop) -> None:
    """Say why a connection could not be accepted: the loop's own report is one generic
    line at most (uvloop's says "error status in uv_stream_t.listen callback")."""
    previous = loop.get_exception_handler()
    last = [-1.0]

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _OUT_OF:
            if time.monotonic() - last[0] < 1.0:
                return  # the loop retries at once: one line a second says it all
            last[0] = time.monotonic()
            soft, _hard = nofile()
            name = errno.errorcode.get(exc.errno or 0, "?")
            log.error(
                "cannot accept a connection: %s (%s); the soft descriptor limit is %d",
                os.strerror(exc.errno or 0).lower(),
                name,
                soft,
            )
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
