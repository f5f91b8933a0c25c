"""Private links become sessions, and token guessing is slowed down (issues 5 and 9).

* A private link (``/wrist/#<token>``, or an old ``/wrist/<token>``; shares and organizers
  alike) is opened once: if its token opens something, it moves into an HttpOnly cookie of
  its own and the browser is sent on to ``/<kind>/me-<handle>``, so the token leaves the
  address bar, the history and any Referer.  The routes make that exchange
  (soulmark.web.opening), since only the store knows a valid token from junk.
  The handle is a short digest of the token: one cookie per link, so a browser holds
  several wrists (one per world) and a page, a form or a script always names the one it
  acts on.  A link opened from another site (webmail) works: the cookie is SameSite=Lax,
  so it comes along on that top-level navigation; writes need more (below).
* Requests for ``/<kind>/me-<handle>…`` are served as if the link's token were in the path;
  API calls without ``Authorization`` name their session in ``X-Soulmark-Session``, so the
  pages' own scripts never hold a token.  Redirects and pages say ``me-<handle>`` instead.
* Writes authenticated by a cookie need proof that they come from this origin: a
  ``Sec-Fetch-Site`` of ``same-origin``, else an ``Origin`` naming this host; a page on
  another origin (even of the same site) gets 403.  Forms carry a CSRF token as well.
* Cookies are ``Secure`` with the ``__Host-`` prefix whenever the app is served over https.
* A client whose token lookups keep failing (401/404 on a private path) gets its further
  failures answered 429 for a while.  Every request still reaches its route first: a valid
  token is never refused, whoever shares its address, and a refused failure costs what a
  told one does.  Who the client is and how failures are counted is soulmark.web.limits.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from anyio import to_thread

from soulmark.web.limits import Failures, Network, client_key

__all__ = [
    "CHOOSER",
    "LinkSessions",
    "COOKIES",
    "ME",
    "NO_SESSION",
    "SESSION_HEADER",
    "handle_of",
    "handles_of",
    "cookie_name",
    "in_session",
    "session_cookie",
    "sessions_of",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ME = "me"
COOKIES = {"wrist": "sm_wrist", "share": "sm_share", "organizer": "sm_org"}
"""Cookie name stems by kind; each link's cookie adds its handle (see :func:`cookie_name`)."""
SESSION_HEADER = b"x-soulmark-session"
NO_SESSION = "-"
"""What a ``me-<handle>`` path names when the browser sent no cookie for it."""
CHOOSER = "/wrists"
"""The page listing the worlds of this browser's wrists (what ``/wrist/me`` shows for several)."""
_SAFE = ("GET", "HEAD", "OPTIONS")
_LINK = re.compile(r"^/(wrist|share|organizer)/([A-Za-z0-9_-]{2,200})(/.*)?$")
_API = re.compile(r"^/api/(wrist|share|organizer)(/.*)?$")
TOO_MANY = "too many failed attempts; try again in a minute"
"""The refusal of a failure past the client's limit (code ``too-many-attempts``)."""
_TOO_MANY = json.dumps({"error": TOO_MANY, "code": "too-many-attempts"}).encode()
_TOO_MANY_HEADERS = ((b"content-type", b"application/json"), (b"retry-after", b"60"))


async def _plain_refusal(scope: Scope, receive: Receive, send: Send) -> None:
    await _respond(send, 429, list(_TOO_MANY_HEADERS), _TOO_MANY)


NO_SESSION = "open your private link again, or ask for a sign-in mail"
"""The answer to ``/<kind>/me`` from a browser that holds no session (code ``session-missing``)."""


async def _plain_lost(scope: Scope, receive: Receive, send: Send) -> None:
    body = json.dumps({"error": NO_SESSION, "code": "session-missing"}).encode()
    await _respond(send, 404, [(b"content-type", b"application/json")], body)


_PRIVATE = re.compile(
    r"^/(wrist|share|organizer|confirm|signin|invite|open|api/wrist|api/share|api/organizer"
    r"|api/confirm|api/signin|api/invite|unsubscribe|api/unsubscribe)\b"
)


def _cookies(scope: Scope) -> dict[str, str]:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar = SimpleCookie()
            jar.load(value.decode("latin-1"))
            return {k: m.value for k, m in jar.items()}
    return {}


_HANDLE_KEY = b"soulmark session name"
_DEVICE = 18
"""``d_`` and the handle of a device session (soulmark.services.device_sessions)."""


def handle_of(token: str) -> str:
    """The public name of a link's session: a digest that opens nothing by itself.  Keyed
    apart from the stored token hash, so that a name in an access log matches no row of the
    database (it once was that hash's first 16 digits: see :func:`handles_of`)."""
    if token.startswith("d_") and len(token) > _DEVICE:
        # A signed-in device's secret changes every day; its cookie's name (and the
        # browser's address for its wrist) follow only its fixed start.
        token = token[:_DEVICE]
    raw = token.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(raw, digest_size=8, key=_HANDLE_KEY).hexdigest()


def handles_of(token: str) -> tuple[str, str]:
    """The names a session of ``token`` may bear: today's, and the one cookies set before
    issue 22 still carry (those sessions keep working until their link is opened again)."""
    legacy = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return handle_of(token), legacy


def cookie_name(kind: str, handle: str, secure: bool) -> str:
    # __Host-: only this host, over https, for the whole path; no subdomain can plant one.
    return f"{'__Host-' if secure else ''}{COOKIES[kind]}_{handle}"


def session_cookie(kind: str, token: str, secure: bool) -> tuple[bytes, bytes]:
    """The ``Set-Cookie`` header that makes ``token`` this browser's session of ``kind``."""
    # Lax: a link followed from another site (webmail) arrives with its cookie; writes are
    # guarded by the same-origin check instead.
    flags = "; HttpOnly; SameSite=Lax; Path=/" + ("; Secure" if secure else "")
    name = cookie_name(kind, handle_of(token), secure)
    return b"set-cookie", f"{name}={token}{flags}".encode("latin-1")


def in_session(scope: Scope) -> bool:
    """Whether this request named a session (``me-<handle>``) rather than a token."""
    return "link_handle" in scope.get("state", {})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def same_origin(scope: Scope) -> bool:
    """Whether a write comes from a page of this origin, as far as the browser tells."""
    site = _header(scope, b"sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = _header(scope, b"origin")
    if origin is not None:
        host = _header(scope, b"host") or ""
        return origin.split("://", 1)[-1] == host
    return True  # an old browser or a script: forms carry a CSRF token, the API a header


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class LinkSessions:
    """ASGI middleware: link-to-cookie exchange, ``me`` paths, and the failed-lookup limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        failures: Failures,
        secure: bool = False,
        proxies: tuple[Network, ...] = (),
        clock: Callable[[], float] = time.time,
        refusal: ASGIApp = _plain_refusal,
        lost: ASGIApp = _plain_lost,
    ) -> None:
        self.app, self.secure, self.proxies, self.clock = app, secure, proxies, clock
        self.failures = failures
        self.refusal = refusal
        """Answers a refused failure (429, ``Retry-After``): the app's own error page or JSON."""
        self.lost = lost
        """Answers ``/<kind>/me`` without a session: the app's error page, in the reader's
        language, rather than a bare JSON body (issue 21)."""

    async def _within_limit(self, scope: Scope) -> bool:
        """Count one failed lookup of this request's client: whether it may still be told."""
        client, now = client_key(scope, self.proxies), self.clock()
        if self.failures.blocking:
            return bool(await to_thread.run_sync(self.failures.fail, client, now))
        return bool(self.failures.fail(client, now))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _PRIVATE.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        link = _LINK.match(scope["path"])
        if link and link.group(2) == ME and scope["method"] == "GET":
            await self._only_session(scope, receive, self._limited(scope, receive, send), link)
            return
        await self._forward(scope, receive, send, link)

    def _limited(self, scope: Scope, receive: Receive, send: Send) -> Send:
        """``send``, with a failure beyond the client's limit answered 429 instead.

        Decided when the answer's status is known, after the lookup: each failure takes its
        own count atomically, so concurrent guesses are bounded as if counted beforehand."""
        refused = False

        async def limited(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] in (401, 404):
                refused = not await self._within_limit(scope)
                if refused:
                    await self.refusal(scope, receive, send)
            if not refused:
                await send(message)

        return limited

    async def _only_session(
        self, scope: Scope, receive: Receive, send: Send, link: re.Match[str]
    ) -> None:
        """``/<kind>/me`` (a bookmark from before): on to the browser's one session of that
        kind; several wrists get the page that lists their worlds (``/wrists``); with none,
        or several of another kind, there is no telling which is meant."""
        stem = self._stem(link.group(1))
        handles = [name[len(stem) :] for name in _cookies(scope) if name.startswith(stem)]
        if len(handles) == 1:
            target = f"/{link.group(1)}/{ME}-{handles[0]}{link.group(3) or ''}"
            await _respond(send, 303, [(b"location", target.encode())], b"")
            return
        if handles and link.group(1) == "wrist" and not link.group(3):
            scope["path"], scope["raw_path"] = CHOOSER, CHOOSER.encode()
            await self.app(scope, receive, send)
            return
        await self.lost(scope, receive, send)

    def _stem(self, kind: str) -> str:
        return cookie_name(kind, "", self.secure)

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, link: re.Match[str] | None
    ) -> None:
        token, handle = self._session_token(scope, link)
        if token and scope["method"] not in _SAFE and not same_origin(scope):
            body = json.dumps({"error": "this request did not come from this site's own pages"})
            await _respond(send, 403, [(b"content-type", b"application/json")], body.encode())
            return
        limited = self._limited(scope, receive, send)

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and token and handle:
                message["headers"] = _mask_location(message.get("headers", []), token, handle)
            await limited(message)

        await self.app(scope, receive, watch)

    def _session_token(
        self, scope: Scope, link: re.Match[str] | None
    ) -> tuple[str | None, str | None]:
        """Put the session's token where the routes expect it: the token and the session's
        name in paths (``me-<handle>``), or Nones when the request carries no session."""
        if link and link.group(2).startswith(f"{ME}-"):
            kind, handle = link.group(1), link.group(2)[len(ME) + 1 :]
            token = _cookies(scope).get(cookie_name(kind, handle, self.secure), "")
            scope["path"] = f"/{kind}/{token or NO_SESSION}{link.group(3) or ''}"
            scope["raw_path"] = scope["path"].encode()
            state = scope.setdefault("state", {})
            state["link_token"], state["link_handle"] = token, link.group(2)
            return token or None, link.group(2)
        api = _API.match(scope["path"])
        headers = scope.get("headers", [])
        named = _header(scope, SESSION_HEADER)
        if api and named and not any(k == b"authorization" for k, _ in headers):
            carried = _cookies(scope).get(cookie_name(api.group(1), named, self.secure))
            if carried:
                scope["headers"] = [*headers, (b"authorization", f"Bearer {carried}".encode())]
                return carried, None
        return None, None


def _mask_location(
    headers: list[tuple[bytes, bytes]], token: str, handle: str
) -> list[tuple[bytes, bytes]]:
    """Redirects the routes build with the token point at the session's name instead."""
    raw, name = token.encode(), handle.encode()
    return [(k, v.replace(raw, name) if k == b"location" else v) for k, v in headers]


def sessions_of(cookies: dict[str, str], kind: str, secure: bool) -> dict[str, str]:
    """This browser's sessions of ``kind``: handle to token, each token checked against the
    handle its cookie is named after (a planted cookie with another's token opens nothing)."""
    stem = cookie_name(kind, "", secure)
    out = {}
    for name, token in cookies.items():
        handle = name[len(stem) :]
        if name.startswith(stem) and handle and handle in handles_of(token):
            out[handle] = token
    return out
