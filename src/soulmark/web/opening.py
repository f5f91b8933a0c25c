"""Opening a private link: the one place a token becomes a browser's session (issue 22).

Both shapes of a link end here: the new one (``/<kind>/#<token>``, whose page posts the
fragment) and the old one (``GET /<kind>/<token>``, still honoured).  A token that opens
nothing gets the kind's "this link does not work" page and no cookie: the chooser of the
browser it was sent to stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark.core.errors import NotFound
from soulmark.core.links import SESSION_KINDS, private_link, read_link, wrist_url
from soulmark.services import confirm as confirming
from soulmark.services import device_signin, invites, senders
from soulmark.services.device_sessions import KEPT_FOR, Opened
from soulmark.services.links import check_link
from soulmark.store import Store
from soulmark.web.deps import get_settings
from soulmark.web.render import origin, render
from soulmark.web.session import ME, handle_of, in_session, session_cookie

__all__ = [
    "ask_claim",
    "ask_confirm",
    "ask_signin",
    "device_cookie",
    "open_device_session",
    "open_link",
    "open_session",
    "opened",
    "private",
]


WELCOME = "welcome=1"
"""Asked of the wrist page right after a join, a claim or a sign-in: it shows the private
link (its script then drops the flag from the address, so a reload keeps it folded)."""


def open_session(
    request: Request, store: Store, kind: str, token: str, *, welcome: bool = False
) -> Response:
    """On to ``/<kind>/me-<handle>`` with ``token`` in a cookie, if it opens something;
    otherwise the kind's NotFound, with no cookie."""
    # The request's moment, as NowDep would give it: a device secret expired by now opens
    # nothing, though touch() has not yet deleted its row.
    check_link(store, kind=kind, token=token, at=get_settings(request).clock())
    query = WELCOME if welcome else request.url.query
    target = f"/{kind}/{ME}-{handle_of(token)}" + (f"?{query}" if query else "")
    response = RedirectResponse(target, status_code=303)
    response.raw_headers.append(session_cookie(kind, token, get_settings(request).cookies_secure))
    return response


def device_cookie(secure: bool, token: str, kept: bool) -> tuple[bytes, bytes]:
    """The cookie of a device session: for 180 days when kept, else until the browser closes."""
    name, value = session_cookie("wrist", token, secure)
    return name, value + (f"; Max-Age={KEPT_FOR // 10**6}".encode() if kept else b"")


def open_device_session(request: Request, done: Opened) -> Response:
    """On to the wrist of a device just signed in, its secret in a cookie of its own."""
    target = wrist_url(f"{ME}-{handle_of(done.token)}", query={"welcome": 1})
    response = RedirectResponse(target, status_code=303)
    secure = get_settings(request).cookies_secure
    response.raw_headers.append(device_cookie(secure, done.token, kept=done.kept))
    return response


def opened(request: Request) -> bool:
    """Whether the request came through a session (not a link to exchange first)."""
    return in_session(request.scope)


def private(request: Request, kind: str, token: str) -> str:
    """A private link on the host the browser used (pages show it to copy)."""
    return private_link(origin(request), kind, token)


# The pages of links that use something up only ask (mail scanners follow links); each
# button posts the token in its body (``POST /confirm``, ``/signin``, ``/invite``).
def ask_confirm(request: Request, store: Store, token: str) -> Response:
    world = confirming.pending_world(store, token=token)
    return render(request, "confirm.html", {"world": world, "token": token})


def ask_signin(request: Request, store: Store, code: str, now: int) -> Response:
    try:
        world, purpose = device_signin.ask(store, code=code, at=now)
    except NotFound as spent:
        return spent_signin(request, code, spent)
    return render(request, "signin.html", {"world": world, "code": code, "purpose": purpose})


def spent_signin(request: Request, code: str, spent: NotFound) -> Response:
    """A used or expired sign-in link: its page offers to mail a fresh one."""
    if spent.code != "signin-spent":
        raise spent
    return render(request, "signin.html", {"spent": True, "code": code}, status=404)


def ask_sender(request: Request, store: Store, code: str, _now: int) -> Response:
    found = senders.sender_page(store, code=code)
    return render(request, "sender.html", {"sender": found.to_json(), "code": code})


def ask_claim(request: Request, store: Store, code: str, now: int) -> Response:
    found = invites.claim_page(store, code=code, at=now)
    return render(request, "invite.html", {"claim": found.to_json(), "code": code})


_ASKS: dict[str, Callable[[Request, Store, str, int], Response]] = {
    "confirm": lambda request, store, token, _now: ask_confirm(request, store, token),
    "signin": ask_signin,
    "invite": ask_claim,
    "sender": ask_sender,
}


def open_link(request: Request, store: Store, kind: str, link: str, now: int) -> Response:
    """A pasted link (or bare token) as its page opens it: a session link becomes a cookie,
    one that uses something up shows its page, whose button does it."""
    # A pasted link says its own kind: the one of the page it was pasted into may differ.
    pasted, token = read_link(link)
    kind = pasted or kind
    if kind in SESSION_KINDS:
        return open_session(request, store, kind, token)
    if kind not in _ASKS:
        raise NotFound("this link does not work", code="link-unknown")
    return _ASKS[kind](request, store, token, now)
