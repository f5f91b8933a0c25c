"""A header timeout for uvicorn (issue 22, item 10): half-sent requests do not pile up.

uvicorn's HTTP protocols time out an idle keep-alive connection, but not one that is still
sending its request line and headers: a client that sends half a request and then nothing
(slowloris) holds a descriptor for ever, and enough of them starve everyone.  This protocol
gives each connection ``header_timeout_s`` from its opening, or from the end of its last
response, to finish a request's headers; then it is closed.  A request's body and a long
stream are not timed: only the wait for headers is.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["PROTOCOL", "HeaderTimeoutProtocol", "ServeConfig"]

PROTOCOL = "soulmark.web.http_guard:HeaderTimeoutProtocol"
"""As uvicorn's ``http`` option: a name, so that worker processes import it themselves."""
HEADER_TIMEOUT_S = 10.0


class ServeConfig(uvicorn.Config):
    """uvicorn's config, and the header timeout (pickled with it to worker processes)."""

    def __init__(self, app: Any, *, header_timeout_s: float = HEADER_TIMEOUT_S, **kw: Any):
        super().__init__(app, **kw)
        self.header_timeout_s = header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, config: uvicorn.Config, *args: Any, **kw: Any) -> None:
        super().__init__(config, *args, **kw)
        self._header_timeout: float = getattr(config, "header_timeout_s", HEADER_TIMEOUT_S)
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self._header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # A pipelined request (started by super) has its headers already; otherwise the
        # wait for the next one starts now.
        waiting = not self.pipeline
        super().on_response_complete()
        if waiting and not self.transport.is_closing():
            self._arm()
