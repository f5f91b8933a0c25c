"""Private links become sessions, and token guessing is slowed down (issue 5).

* A private link (``/wrist/<token>``, ``/share/<token>``, ``/organizer/<token>``) is opened
  once: the token moves into an HttpOnly, SameSite=Strict cookie and the browser is sent on
  to ``/wrist/me``, so the token leaves the address bar, the history and any Referer.
* Requests for ``/<kind>/me…`` are served as if the link's token were in the path, and API
  calls without ``Authorization`` use the cookie of their kind, so the pages' own scripts
  never hold a token.  Redirects and pages answer with ``me`` instead of the token.
* A client whose token attempts keep failing (401/404 on a private path) is answered 429 for
  a while, without the request reaching its route: valid and invalid tokens then cost the
  same, so timing tells a guesser nothing either.  Who the client is and how attempts are
  counted is soulmark.web.limits.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from anyio import to_thread

from soulmark.web.limits import Attempts, MemoryAttempts, Network, client_key

__all__ = ["LinkSessions", "COOKIES", "ME"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ME = "me"
COOKIES = {"wrist": "sm_wrist", "share": "sm_share", "organizer": "sm_org"}
_PREFIX = {"wrist": "w_", "share": "s_", "organizer": "o_"}
_LINK = re.compile(r"^/(wrist|share|organizer)/([A-Za-z0-9_-]{2,200})(/.*)?$")
_API = re.compile(r"^/api/(wrist|share|organizer)(/.*)?$")
_PRIVATE = re.compile(
    r"^/(wrist|share|organizer|confirm|signin|api/wrist|api/share|api/organizer|api/confirm"
    r"|api/signin)\b"
)


def _cookies(scope: Scope) -> dict[str, str]:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar = SimpleCookie()
            jar.load(value.decode("latin-1"))
            return {k: m.value for k, m in jar.items()}
    return {}


def _set_cookie(name: str, value: str, secure: bool) -> tuple[bytes, bytes]:
    flags = "; HttpOnly; SameSite=Strict; Path=/" + ("; Secure" if secure else "")
    return b"set-cookie", f"{name}={value}{flags}".encode("latin-1")


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class LinkSessions:
    """ASGI middleware: link-to-cookie exchange, ``me`` paths, and the failed-token limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int = 20,
        window_s: float = 60.0,
        secure: bool = False,
        attempts: Attempts | None = None,
        proxies: tuple[Network, ...] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app, self.secure, self.proxies, self.clock = app, secure, proxies, clock
        if attempts is None:
            attempts = MemoryAttempts(limit=limit, window_s=window_s)
        self.attempts = attempts

    async def _count(self, client: str, *, refund: bool = False) -> bool:
        call = self.attempts.refund if refund else self.attempts.take
        now = self.clock()
        if self.attempts.blocking:
            return bool(await to_thread.run_sync(call, client, now))
        return bool(call(client, now))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _PRIVATE.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = client_key(scope, self.proxies)
        # Counted before the lookup, given back on success: concurrent guesses all count.
        if not await self._count(client):
            body = json.dumps({"error": "too many failed attempts; try again in a minute"})
            headers = [(b"content-type", b"application/json"), (b"retry-after", b"60")]
            await _respond(send, 429, headers, body.encode())
            return
        link = _LINK.match(scope["path"])
        if link and link.group(2) != ME and scope["method"] == "GET" and not link.group(3):
            await self._exchange(send, link.group(1), link.group(2), scope.get("query_string", b""))
            await self._count(client, refund=True)
            return
        await self._forward(scope, receive, send, client, link)

    async def _exchange(self, send: Send, kind: str, token: str, query: bytes) -> None:
        target = f"/{kind}/{ME}".encode() + (b"?" + query if query else b"")
        headers = [(b"location", target), (b"referrer-policy", b"no-referrer")]
        if token.startswith(_PREFIX[kind]):
            headers.append(_set_cookie(COOKIES[kind], token, self.secure))
        await _respond(send, 303, headers, b"")

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, client: str, link: re.Match[str] | None
    ) -> None:
        token = self._session_token(scope, link)
        status, settled = 0, False

        async def watch(message: Message) -> None:
            nonlocal status, settled
            if message["type"] == "http.response.start":
                status = message["status"]
                if token:
                    message["headers"] = _mask_location(message.get("headers", []), token)
                # Given back as soon as the answer is known, not when its body ends: a
                # long-lived stream (server-sent events) must not hold an attempt open.
                settled = True
                if status not in (401, 404):
                    await self._count(client, refund=True)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not settled:
                await self._count(client, refund=True)

    def _session_token(self, scope: Scope, link: re.Match[str] | None) -> str | None:
        """Put the session's token where the routes expect it; the token, or None."""
        if link and link.group(2) == ME:
            token = _cookies(scope).get(COOKIES[link.group(1)], "")
            scope["path"] = f"/{link.group(1)}/{token or '-'}{link.group(3) or ''}"
            scope["raw_path"] = scope["path"].encode()
            scope.setdefault("state", {})["link_token"] = token
            return token or None
        api = _API.match(scope["path"])
        headers = scope.get("headers", [])
        if api and not any(k == b"authorization" for k, _ in headers):
            carried = _cookies(scope).get(COOKIES[api.group(1)])
            if carried:
                scope["headers"] = [*headers, (b"authorization", f"Bearer {carried}".encode())]
        return None


def _mask_location(headers: list[tuple[bytes, bytes]], token: str) -> list[tuple[bytes, bytes]]:
    """Redirects the routes build with the token point at ``me`` instead."""
    raw = token.encode()
    return [(k, v.replace(raw, ME.encode()) if k == b"location" else v) for k, v in headers]
