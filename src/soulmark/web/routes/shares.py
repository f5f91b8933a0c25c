"""Friends' share links (B5): made and revoked from the wrist page, read at /share/<token>."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import wrist_url
from soulmark.services import shares as sharing
from soulmark.web.cards import share_card
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.flash import set_flash
from soulmark.web.lang import speech_of
from soulmark.web.opening import open_session, opened, private
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, ShareCreatedOut, SharedViewOut, ShareOut, SharesOut
from soulmark.web.session import NO_SESSION, handle_of
from soulmark.web.wrist_page import friend_json, friend_page

router = APIRouter()


class ShowBody(BaseModel):
    show: bool


class ShareBody(BaseModel):
    label: str | None = None
    """Whom the link is for, in your words ("for Mum"); the friend's page shows it."""
    once: str | None = None
    """Any string of your choosing: sending the same one again makes no second link."""


@router.post("/wrist/{token}/shares", include_in_schema=False, dependencies=[CsrfDep])
def share_create_form(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    label: Annotated[str | None, Form()] = None,
    once: Annotated[str | None, Form()] = None,
) -> Response:
    # The form's ``once`` makes a second press find the first press's link (issue 19 item 4).
    _, share_token = sharing.create_share(store, token=token, at=now, label=label, once=once)
    # Only its hash is kept: the new link rides to the wrist page in a one-time flash.
    response = RedirectResponse(wrist_url(token, at="friends"), status_code=303)
    link = private(request, "share", share_token)
    set_flash(request, response, where=handle_of(token), kind="share", value=link)
    return response


@router.post(
    "/wrist/{token}/shares/{share_id}/revoke", include_in_schema=False, dependencies=[CsrfDep]
)
def share_revoke_form(token: str, share_id: int, store: StoreDep, now: NowDep) -> Response:
    sharing.revoke_share(store, token=token, share_id=share_id, at=now)
    return RedirectResponse(wrist_url(token, at="friends"), status_code=303)


@router.post(
    "/wrist/{token}/shares/{share_id}/show", include_in_schema=False, dependencies=[CsrfDep]
)
def share_show_form(
    token: str,
    share_id: int,
    show: Annotated[bool, Form()],
    store: StoreDep,
    now: NowDep,
) -> Response:
    sharing.show_name(store, token=token, share_id=share_id, show=show, at=now)
    return RedirectResponse(wrist_url(token, at="friends"), status_code=303)


@router.get("/share/{token}", include_in_schema=False)
def shared_html(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    if not opened(request):
        return open_session(request, store, "share", token)
    if token == NO_SESSION:
        # A link preview (a chat app's robot) follows the redirect without the cookie it was
        # just given: it gets the link's card, never a dead end (issue 19 item 6).
        return render(request, "share_card.html", {"card": share_card(request)})
    return friend_page(request, store, token, now, card=share_card(request))


@router.get("/api/wrist/shares", tags=["friends"], response_model=SharesOut, **AS_IS)
def shares_api(token: TokenDep, store: StoreDep, now: NowDep) -> list[dict[str, Any]]:
    """Your wrist's share links (wrist token)."""
    return [s.to_json() for s in sharing.list_shares(store, token=token, at=now)]


@router.post(
    "/api/wrist/shares", tags=["friends"], status_code=201, response_model=ShareCreatedOut, **AS_IS
)
def share_create_api(
    request: Request, token: TokenDep, store: StoreDep, now: NowDep, body: ShareBody | None = None
) -> dict[str, Any]:
    """A new share link for a friend, with an optional ``label``; its token is returned
    this once (or again for the same ``once``)."""
    body = body or ShareBody()
    share, share_token = sharing.create_share(
        store, token=token, at=now, label=body.label, once=body.once
    )
    return {**share.to_json(), "token": share_token, "url": private(request, "share", share_token)}


@router.delete("/api/wrist/shares/{share_id}", tags=["friends"], response_model=ShareOut, **AS_IS)
def share_revoke_api(
    share_id: int, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """Revoke a share link: the friend's view stops at once."""
    return sharing.revoke_share(store, token=token, share_id=share_id, at=now).to_json()


@router.put("/api/wrist/shares/{share_id}/show", tags=["friends"], response_model=ShareOut, **AS_IS)
def share_show_api(
    share_id: int, body: ShowBody, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """Show the name on this share link, or hide it again (only after you looked)."""
    return sharing.show_name(
        store, token=token, share_id=share_id, show=body.show, at=now
    ).to_json()


@router.get("/api/share", tags=["friends"], response_model=SharedViewOut, **AS_IS)
def shared_api(request: Request, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """A friend's live view of a wrist (share token): never the name unless shown."""
    shared = sharing.shared_snapshot(store, token=token, at=now)
    return {**friend_json(shared.view(now), speech_of(request)), "label": shared.label}
