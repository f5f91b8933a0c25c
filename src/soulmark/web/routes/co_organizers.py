"""Co-organizer links and the log of organizer actions (issue 20 item 5): the dashboard's
forms and their JSON twins.  The log names links and kinds of action, never a participant
(B2)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services import co_organizers as team
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.render import link, render
from soulmark.web.schemas import AS_IS, mirror

router = APIRouter()

LinkMadeOut = mirror(
    "LinkMadeOut", team.LinkMade, "A new co-organizer link: its token is told only here."
)
LinksOut = mirror("LinksOut", team.Links, "The world's co-organizer links (never a token).")
ActionLogOut = mirror(
    "ActionLogOut", team.ActionLog, "Which organizer link did what, and when; never whom."
)
MADE_COOKIE = "sm_link_made"
"""Carries a new link from the form's 303 to the page that shows it once."""


class LinkBody(BaseModel):
    name: str
    """Who the link is for, as the log will name it ("Mr Tanaka")."""


@router.post("/api/organizer/links", tags=["organizer"], response_model=LinkMadeOut, **AS_IS)
def make_api(
    body: LinkBody, token: TokenDep, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Make a named co-organizer link (the world's own organizer link only).  The answer
    holds its ``organizer_token``, told only here."""
    base = settings.base_url
    return team.make_link(store, token=token, name=body.name, at=now, base_url=base).to_json()


@router.get("/api/organizer/links", tags=["organizer"], response_model=LinksOut, **AS_IS)
def links_api(token: TokenDep, store: StoreDep) -> dict[str, Any]:
    """The world's co-organizer links, working and revoked, by name; never a token."""
    return team.organizer_links(store, token=token).to_json()


@router.delete("/api/organizer/links/{link}", tags=["organizer"], response_model=LinksOut, **AS_IS)
def revoke_api(link: str, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Revoke a co-organizer link: it opens nothing from now on.  Again: no change."""
    return team.revoke_link(store, token=token, link=link, at=now).to_json()


@router.get("/api/organizer/log", tags=["organizer"], response_model=ActionLogOut, **AS_IS)
def log_api(token: TokenDep, store: StoreDep) -> dict[str, Any]:
    """The latest organizer actions, newest first: which link (by name), what, when."""
    return team.action_log(store, token=token).to_json()


@router.post("/organizer/{token}/links", include_in_schema=False, dependencies=[CsrfDep])
def make_form(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    settings: SettingsDep,
    name: Annotated[str, Form()],
    once: Annotated[str, Form()] = "",
) -> Response:
    done = team.make_link(
        store, token=token, name=name, at=now, base_url=link(request, ""), once=once[:64] or None
    )
    response = RedirectResponse(organizer_url(token, "/links/made"), status_code=303)
    if done.organizer_url:  # a second press of the same form: the first was told it
        response.set_cookie(
            MADE_COOKIE,
            done.organizer_url,
            max_age=600,
            path="/organizer",
            secure=settings.cookies_secure,
            httponly=True,
            samesite="strict",
        )
    return response


@router.get("/organizer/{token}/links/made", include_in_schema=False)
def made_page(request: Request, token: str, store: StoreDep) -> Response:
    team.organizer_links(store, token=token)  # an unknown token is a 404 before anything else
    url = request.cookies.get(MADE_COOKIE, "")
    ctx = {"url": url if "/organizer/#o_" in url else "", "token": token}
    response = render(request, "organizer_link_made.html", ctx)
    response.delete_cookie(MADE_COOKIE, path="/organizer")  # shown once: a reload says so
    return response


@router.post(
    "/organizer/{token}/links/{link_id}/revoke", include_in_schema=False, dependencies=[CsrfDep]
)
def revoke_form(token: str, link_id: str, store: StoreDep, now: NowDep) -> Response:
    team.revoke_link(store, token=token, link=link_id, at=now)
    return RedirectResponse(
        organizer_url(token, query={"revoked": 1}, at="organizers"), status_code=303
    )


def form_once() -> str:
    """A fresh nonce for the make-a-link form: one press, one link."""
    return secrets.token_hex(16)
