"""Telling a database that cannot be reached from any other error (issue 22, item 8).

A restarted or unreachable server is a moment to wait out, not a bug: the web answers 503
with Retry-After (soulmark.web.app.Guard) and logs one line saying why, in the fixed words
below.  The driver's own message is never logged as it is: a database error can quote the
row it failed on, names included.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from soulmark.observe.causes import cause_of

__all__ = ["CONNECT_TIMEOUT_S", "OutageLog", "cause", "connect_args", "unreachable"]

CONNECT_TIMEOUT_S = 5
"""A server that does not answer at all (a partition, not a refusal) must not hold a web
thread for the TCP timeout of two minutes: soon every thread would wait on it."""


def connect_args(url: URL) -> dict[str, Any]:
    """A PostgreSQL engine's connect arguments: a connect timeout, unless the URL names one."""
    return {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_S}


_BY_STATE = {
    "57P01": "the server shut down",
    "57P02": "the server crashed",
    "57P03": "the server is starting up or shutting down",
    "53300": "the server has no connection slot left",
}
_BY_WORDS = (
    ("connection refused", "connection refused"),
    ("system is starting up", "the server is starting up"),
    ("system is shutting down", "the server is shutting down"),
    ("system is in recovery mode", "the server is recovering"),
    ("timeout expired", "connection timed out"),
    ("timed out", "connection timed out"),
    ("closed the connection unexpectedly", "the server closed the connection"),
    ("consuming input failed", "the server closed the connection"),
    ("connection is lost", "the connection was lost"),
    ("connection is closed", "the connection was lost"),
    ("could not translate host name", "the host name is unknown"),
    ("name or service not known", "the host name is unknown"),
    ("no route to host", "no route to the host"),
    ("unable to open database file", "the database file cannot be opened"),
)


def unreachable(exc: BaseException) -> str | None:
    """Why the database cannot be reached, in a few fixed words; None when ``exc`` is some
    other error (a bad statement, a constraint, a lock: those are not outages)."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    said = _known(exc.orig)
    if said is not None or not (exc.connection_invalidated or isinstance(exc, OperationalError)):
        return said
    if exc.connection_invalidated:
        return f"the connection was lost ({_underneath(exc)})"
    # A server's driver (psycopg: errors carry a SQLSTATE slot) raising an OperationalError
    # with no state: the client failed to connect at all.  SQLite's (a locked file, a
    # missing table) are not outages.
    if not hasattr(exc.orig, "sqlstate") or exc.orig.sqlstate:
        return None
    return f"cannot connect ({_underneath(exc)})"


def _underneath(exc: DBAPIError) -> str:
    """The cause down the driver error's chain ("too many open files (EMFILE)"), else the
    driver error's type."""
    found = cause_of(exc)
    return found.words if found.kind != "other" else type(exc.orig).__name__


def cause(orig: BaseException) -> str:
    """The same words for an error straight from the driver (a LISTEN connection)."""
    return _known(orig) or type(orig).__name__


def _known(orig: BaseException) -> str | None:
    state = str(getattr(orig, "sqlstate", None) or "")
    if state in _BY_STATE:
        return f"{_BY_STATE[state]} ({state})"
    if state.startswith("08"):
        return f"connection failure ({state})"
    if state:
        return None  # the server answered: whatever it said, it was reachable
    words = str(orig).lower()
    return next((said for needle, said in _BY_WORDS if needle in words), None)


class OutageLog:
    """One line per cause and second, saying how many refusals it stands for: a thousand
    polls a second during an outage must not flood the log."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log, self.what = log, what
        self._last: tuple[str, float] = ("", -1.0)
        self._quiet = 0

    def say(self, why: str) -> None:
        now = time.monotonic()
        said, at = self._last
        if why == said and now - at < 1.0:
            self._quiet += 1
            return
        more = f" (and {self._quiet} more)" if self._quiet else ""
        self.log.warning(
            "database unreachable: %s; %s%s", why, self.what, more, extra={"cause": why}
        )
        self._last, self._quiet = (why, now), 0
