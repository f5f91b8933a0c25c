"""Every request seen once, on its way out: its id, its metrics and its access-log line.

- ``X-Request-ID``: the client's (a proxy's) if it is well-formed, else a new one; sent back
  on the response and carried by every log line said while serving it (soulmark.observe.logs).
- ``soulmark_http_requests_total`` and the latency histogram are labelled by the route's
  TEMPLATE (``/wrist/{token}/events``), never by the path: paths hold tokens.
- The access line names the client behind a trusted proxy (soulmark.web.limits) and the path
  as it arrived with any token masked (soulmark.web.redact), without its query string.

Plain ASGI and outermost, so the 503s and 500s of soulmark.web.app.Guard are counted and
logged with their request's id too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from soulmark.observe.logs import request_id
from soulmark.observe.metrics import REQUEST_SECONDS, REQUESTS
from soulmark.web.limits import Network, client_address
from soulmark.web.redact import mask

__all__ = ["HEADER", "Observer", "well_formed"]

log = logging.getLogger("soulmark.access")

HEADER = b"x-request-id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_TOKEN_LIKE = re.compile(r"[wsock]_[A-Za-z0-9_-]{16,}")
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def well_formed(value: str) -> bool:
    """An id we may echo and log: short, plain, and not shaped like one of our tokens."""
    return bool(_WELL_FORMED.fullmatch(value)) and not _TOKEN_LIKE.search(value)


def _taken(scope: Any) -> str | None:
    for key, value in scope.get("headers", []):
        if key == HEADER:
            text = value.decode("latin-1").strip()
            return text if well_formed(text) else None
    return None


def _route(scope: Any) -> str:
    """The matched route's template; "unmatched" for a path no route knows."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class Observer:
    def __init__(self, app: Any, proxies: tuple[Network, ...] = ()) -> None:
        self.app, self.proxies = app, proxies
        # The labelled children, found once: ``labels()`` costs more than the count itself,
        # and this runs on every request.  Keys are route templates, so they stay few.
        self._counts: dict[tuple[str, str, int], Any] = {}
        self._times: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _taken(scope) or uuid.uuid4().hex
        began = time.perf_counter()
        # As it came (the sessions put tokens into it later); masked only if it is logged.
        path = scope["path"]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, rid.encode())]
                self._seen(scope, path, int(message["status"]), time.perf_counter() - began)
            await send(message)

        held = request_id.set(rid)
        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(held)

    def _seen(self, scope: Any, path: str, status: int, seconds: float) -> None:
        route = _route(scope)
        method = scope["method"] if scope["method"] in _METHODS else "other"
        count = self._counts.get((route, method, status))
        if count is None:
            count = self._counts[route, method, status] = REQUESTS.labels(
                route, method, str(status)
            )
        count.inc()
        timing = self._times.get((route, method))
        if timing is None:
            timing = self._times[route, method] = REQUEST_SECONDS.labels(route, method)
        timing.observe(seconds)
        if log.isEnabledFor(logging.INFO):
            self._log(scope, mask(path), route, method, status, seconds)

    def _log(
        self, scope: Any, path: str, route: str, method: str, status: int, seconds: float
    ) -> None:
        client = client_address(scope, self.proxies)
        fields: dict[str, Any] = {"client": client, "method": method, "path": path}
        fields["route"] = route
        fields |= {"status": status, "duration_ms": round(seconds * 1000, 1)}
        line = '%s - "%s %s HTTP/%s" %d %.1fms'
        version = scope.get("http_version", "1.1")
        log.info(line, client, method, path, version, status, seconds * 1000, extra=fields)
