"""Ways back to a wrist: "lost your link?", the mailed one-time sign-in, a replaced link.

Asking for a sign-in mail always answers the same (202 ``{"sent": true}``), whether or not the
address joined, and a client may ask only a few times in ten minutes.  Opening the mailed
link shows a button; only pressing it (a POST) uses the code, so mail scanners that follow
links use nothing up.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.errors import NotFound
from soulmark.core.links import world_url, wrist_url
from soulmark.services import device_signin
from soulmark.services import signin as signing
from soulmark.services.device_sessions import Opened
from soulmark.web.deps import (
    CsrfDep,
    NowDep,
    SettingsDep,
    StoreDep,
    TokenDep,
    TooMany,
    get_settings,
)
from soulmark.web.flash import clear_flash, read_flash, set_flash
from soulmark.web.limits import MemoryAttempts, client_key, parse_proxies
from soulmark.web.opening import (
    ask_signin,
    open_device_session,
    open_session,
    opened,
    private,
    spent_signin,
)
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, SentOut, SignedInOut
from soulmark.web.session import ME, cookie_name, handle_of, session_cookie

router = APIRouter()

RECOVER_LIMIT = 5
RECOVER_WINDOW_S = 600.0
"""Sign-in mails one client may ask for per ten minutes (each address also holds at most a
few live codes: see soulmark.services.signin)."""


def recover_attempts() -> MemoryAttempts:
    return MemoryAttempts(limit=RECOVER_LIMIT, window_s=RECOVER_WINDOW_S)


class RecoverBody(BaseModel):
    email: str


class CodeBody(BaseModel):
    code: str
    keep: bool = False
    """With a notice's code: keep this device signed in for 180 days."""


def _limit(request: Request, settings: SettingsDep, now: NowDep) -> None:
    attempts: MemoryAttempts = request.app.state.recover_attempts
    client = client_key(request.scope, parse_proxies(settings.trusted_proxies))
    if not attempts.take(client, now / 1e6):
        raise TooMany(
            "too many sign-in requests from here; try again in ten minutes",
            code="too-many-signins",
        )


def _recover(
    request: Request, store: StoreDep, settings: SettingsDep, now: NowDep, slug: str, email: str
) -> None:
    _limit(request, settings, now)
    signing.request_signin(store, world=slug, email=email, at=now, base_url=settings.base_url)


@router.post("/w/{slug}/recover", include_in_schema=False, dependencies=[CsrfDep])
def recover_form(
    request: Request,
    slug: str,
    email: Annotated[str, Form()],
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    _recover(request, store, settings, now, slug, email)
    # Post/redirect/get (issue 19 item 4): a reload shows the same words and mails nothing.
    return RedirectResponse(world_url(quote(slug, safe=""), rest="/recover/sent"), status_code=303)


@router.get("/w/{slug}/recover/sent", include_in_schema=False)
def recover_sent(request: Request, slug: str) -> Response:
    # The same words whether or not the address joined, and whether or not the world is.
    return render(request, "signin.html", {"world": slug, "sent": True})


@router.post(
    "/api/worlds/{slug}/recover", tags=["worlds"], status_code=202, response_model=SentOut, **AS_IS
)
def recover_api(
    request: Request,
    slug: str,
    body: RecoverBody,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> dict[str, bool]:
    """Lost your link?  If this address joined the world, a one-time sign-in link is mailed
    to it.  The answer is the same either way."""
    _recover(request, store, settings, now, slug, body.email)
    return {"sent": True}


@router.get("/signin/{code}", include_in_schema=False)
def signin_page(request: Request, code: str, store: StoreDep, now: NowDep) -> Response:
    # A GET only asks: mail scanners follow links, and must not use the code up.
    return ask_signin(request, store, code, now)


# The page's form names the code in its body (``POST /signin``): no log holds a body.  The
# path-shaped twin serves pages rendered before links moved after "#".
@router.post("/signin", include_in_schema=False, dependencies=[CsrfDep])
def signin_form(
    request: Request,
    store: StoreDep,
    now: NowDep,
    code: Annotated[str, Form()],
    keep: Annotated[str, Form()] = "",
) -> Response:
    return signin_old_form(request, code, store, now, keep)


@router.post("/signin/again", include_in_schema=False, dependencies=[CsrfDep])
def again_form(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    code: Annotated[str, Form()],
) -> Response:
    _limit(request, settings, now)
    device_signin.mail_again(store, code=code, at=now, base_url=settings.base_url)
    # Post/redirect/get (issue 19 item 4): a reload shows the same words and mails nothing.
    return RedirectResponse("/signin/again/sent", status_code=303)


@router.get("/signin/again/sent", include_in_schema=False)
def again_sent(request: Request) -> Response:
    # The same words whatever the code was: a guessed code learns nothing.
    return render(request, "signin.html", {"again": True})


@router.post("/api/signin/again", tags=["wrist"], status_code=202, response_model=SentOut, **AS_IS)
def again_api(
    request: Request, body: CodeBody, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, bool]:
    """A used or expired sign-in code: mail a fresh one to the same address (the answer is
    the same whatever the code was)."""
    _limit(request, settings, now)
    device_signin.mail_again(store, code=body.code, at=now, base_url=settings.base_url)
    return {"sent": True}


@router.post("/signin/{code}", include_in_schema=False, dependencies=[CsrfDep])
def signin_old_form(
    request: Request, code: str, store: StoreDep, now: NowDep, keep: Annotated[str, Form()] = ""
) -> Response:
    agent = request.headers.get("user-agent", "")
    try:
        done = device_signin.use_code(store, code=code, at=now, user_agent=agent, kept=bool(keep))
    except NotFound as spent:
        return spent_signin(request, code, spent)
    if isinstance(done, Opened):
        return open_device_session(request, done)
    # The new token becomes this browser's session at once: it never travels in an address.
    return open_session(request, store, "wrist", done.token, welcome=True)


@router.post("/api/signin", tags=["wrist"], response_model=SignedInOut, **AS_IS)
def signin_api(request: Request, body: CodeBody, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Use a mailed one-time code, once.  A lost link's code (valid 30 minutes) returns the
    wrist's new token and the old private link stops working; a notice's code (valid 24
    hours) returns a device's own token (``d_…``, see ``/api/wrist/sessions``) and changes
    no link."""
    agent = request.headers.get("user-agent", "")
    kept = bool(body.keep)
    return device_signin.use_code(
        store, code=body.code, at=now, user_agent=agent, kept=kept
    ).to_json()


@router.post("/wrist/{token}/signin-mail", include_in_schema=False, dependencies=[CsrfDep])
def mail_me_form(
    request: Request, token: str, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    _limit(request, settings, now)
    device_signin.mail_me(store, token=token, at=now, base_url=settings.base_url)
    return RedirectResponse(
        wrist_url(token, query={"mailed": 1}, at="private-link"), status_code=303
    )


@router.post(
    "/api/wrist/signin-mail", tags=["wrist"], status_code=202, response_model=SentOut, **AS_IS
)
def mail_me_api(
    request: Request, token: TokenDep, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, bool]:
    """Mail this wrist's own address a one-time sign-in link (valid 24 hours, for another
    device); the private link stays as it is."""
    _limit(request, settings, now)
    device_signin.mail_me(store, token=token, at=now, base_url=settings.base_url)
    return {"sent": True}


@router.post("/wrist/{token}/replace", include_in_schema=False, dependencies=[CsrfDep])
def replace_form(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    once: Annotated[str | None, Form()] = None,
) -> Response:
    done = signing.replace_link(store, token=token, once=once, at=now)
    # Post/redirect/get (issue 19 item 4): this browser's session moves to the new link, and
    # the link itself reaches the page once, in a flash; a reload repeats nothing.
    handle = handle_of(done.token)
    response = RedirectResponse(wrist_url(f"{ME}-{handle}", "/replaced"), status_code=303)
    secure = get_settings(request).cookies_secure
    response.raw_headers.append(session_cookie("wrist", done.token, secure))
    if handle_of(token) != handle:
        response.delete_cookie(cookie_name("wrist", handle_of(token), secure), path="/")
    link = private(request, "wrist", done.token)
    set_flash(request, response, where=handle, kind="replaced", value=link)
    return response


@router.get("/wrist/{token}/replaced", include_in_schema=False)
def replaced_page(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    if not opened(request):
        return open_session(request, store, "wrist", token)
    world = signing.world_of(store, token=token, at=now)
    link = read_flash(request, where=handle_of(token), kind="replaced")
    response = render(request, "replaced.html", {"world": world, "replaced": link, "token": token})
    if link:
        clear_flash(request, response)
    return response


class ReplaceBody(BaseModel):
    once: str | None = None
    """Any string of your choosing: sending the same one again (even with the old token)
    answers the same new token and replaces nothing more."""


@router.post("/api/wrist/replace", tags=["wrist"], response_model=SignedInOut, **AS_IS)
def replace_api(
    token: TokenDep, store: StoreDep, now: NowDep, body: ReplaceBody | None = None
) -> dict[str, Any]:
    """Replace your private link: the answer holds the new token; the old one is revoked."""
    once = body.once if body else None
    return signing.replace_link(store, token=token, once=once, at=now).to_json()
