"""The organizer's actions on the world itself (issue 20 item 4): its name, a new organizer
link in place of a leaked one, and a message to everyone.  Each has a form on the dashboard
and a JSON twin; none shows or implies a pair (B2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services import broadcast, world_admin
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep, get_settings
from soulmark.web.flash import clear_flash, read_flash, set_flash
from soulmark.web.opening import open_session, opened
from soulmark.web.render import link, render
from soulmark.web.schemas import AS_IS, BroadcastOut, NewOrganizerLinkOut, WorldOut
from soulmark.web.session import ME, cookie_name, handle_of, session_cookie

router = APIRouter()


class OnceBody(BaseModel):
    once: str | None = None
    """Any string of your choosing: the same one again answers the same new link."""


class NameBody(BaseModel):
    name: str


class JoinsBody(BaseModel):
    closed: bool
    """True closes joining; false opens it again."""


class MessageBody(BaseModel):
    text: str
    """Up to 2,000 characters; lines are kept."""
    audience: str = "all"
    """``all`` (everyone who joined and confirmed) or ``unconfirmed`` (joined, link not
    followed yet)."""


@router.post("/api/organizer/name", tags=["organizer"], response_model=WorldOut, **AS_IS)
def name_api(body: NameBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Give the world a new name.  The open round is committed afresh (the name is part of
    what it binds); sealed rounds keep their transcripts."""
    return world_admin.rename_world(store, token=token, name=body.name, at=now).to_json()


@router.post("/organizer/{token}/name", include_in_schema=False, dependencies=[CsrfDep])
def name_form(token: str, store: StoreDep, now: NowDep, name: Annotated[str, Form()]) -> Response:
    world_admin.rename_world(store, token=token, name=name, at=now)
    return RedirectResponse(organizer_url(token, query={"renamed": 1}), status_code=303)


@router.post("/api/organizer/joins", tags=["organizer"], response_model=WorldOut, **AS_IS)
def joins_api(body: JoinsBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Close joining, or open it again: while closed, the public form refuses every join
    alike (``joins-closed``); invitations already sent can still be claimed."""
    return world_admin.set_joins(store, token=token, closed=body.closed, at=now).to_json()


@router.post("/organizer/{token}/joins", include_in_schema=False, dependencies=[CsrfDep])
def joins_form(
    token: str, store: StoreDep, now: NowDep, closed: Annotated[str, Form()] = ""
) -> Response:
    world_admin.set_joins(store, token=token, closed=closed == "1", at=now)
    return RedirectResponse(organizer_url(token, at="join-link"), status_code=303)


@router.post(
    "/api/organizer/replace", tags=["organizer"], response_model=NewOrganizerLinkOut, **AS_IS
)
def replace_api(
    token: TokenDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    body: OnceBody | None = None,
) -> dict[str, Any]:
    """A new organizer token in place of this one, which stops working now (a leaked link).
    The answer holds the new ``organizer_token``: it is told only here (and again for the
    same ``once``, which replaces nothing more)."""
    base, once = settings.base_url, body.once if body else None
    return world_admin.replace_organizer_link(
        store, token=token, base_url=base, at=now, once=once
    ).to_json()


@router.post("/organizer/{token}/replace", include_in_schema=False, dependencies=[CsrfDep])
def replace_form(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    once: Annotated[str | None, Form()] = None,
) -> Response:
    base = link(request, "")
    done = world_admin.replace_organizer_link(store, token=token, base_url=base, at=now, once=once)
    # Post/redirect/get (issue 19 item 4): the session moves to the new link, which the page
    # it lands on names once (a flash); a reload shows the dashboard's way, not a dead link.
    handle = handle_of(done.organizer_token)
    response = RedirectResponse(organizer_url(f"{ME}-{handle}", "/replaced"), status_code=303)
    secure = get_settings(request).cookies_secure
    response.raw_headers.append(session_cookie("organizer", done.organizer_token, secure))
    if handle_of(token) != handle:
        response.delete_cookie(cookie_name("organizer", handle_of(token), secure), path="/")
    set_flash(request, response, where=handle, kind="organizer", value=done.organizer_url)
    return response


@router.get("/organizer/{token}/replaced", include_in_schema=False)
def replaced_page(request: Request, token: str, store: StoreDep) -> Response:
    if not opened(request):
        return open_session(request, store, "organizer", token)
    url = read_flash(request, where=handle_of(token), kind="organizer")
    ctx = {"done": {"organizer_url": url}, "token": token}
    response = render(request, "organizer_replaced.html", ctx)
    if url:
        clear_flash(request, response)
    return response


@router.post("/api/organizer/message", tags=["organizer"], response_model=BroadcastOut, **AS_IS)
def message_api(body: MessageBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Mail the same words to everyone (or only the unconfirmed), in each person's language,
    wrapped in words that say everyone received it alike.  A few a day per world."""
    return broadcast.send_to_everyone(
        store, token=token, text=body.text, at=now, audience=body.audience
    ).to_json()


@router.post("/organizer/{token}/message", include_in_schema=False, dependencies=[CsrfDep])
def message_form(
    token: str,
    store: StoreDep,
    now: NowDep,
    text: Annotated[str, Form()],
    audience: Annotated[str, Form()] = "all",
) -> Response:
    done = broadcast.send_to_everyone(store, token=token, text=text, at=now, audience=audience)
    return RedirectResponse(
        organizer_url(token, query={"messaged": done.sent}, at="notices"), status_code=303
    )
