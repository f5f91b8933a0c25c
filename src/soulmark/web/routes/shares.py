"""Friends' share links (B5): made and revoked from the wrist page, read at /share/<token>."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import wrist_url
from soulmark.services import shares as sharing
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.lang import assume_zone, speech_of
from soulmark.web.opening import open_session, opened, private
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, ShareCreatedOut, SharedViewOut, ShareOut, SharesOut
from soulmark.web.wrist_page import drawing, friend_json, wrist_page

router = APIRouter()


class ShowBody(BaseModel):
    show: bool


@router.post("/wrist/{token}/shares", include_in_schema=False, dependencies=[CsrfDep])
def share_create_form(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    share, share_token = sharing.create_share(store, token=token, at=now)
    # The share token is shown this once (only its hash is kept), so no redirect here.
    new_link = private(request, "share", share_token)
    return wrist_page(request, store, token, now, status=201, new_share=new_link)


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
    shared = sharing.shared_snapshot(store, token=token, at=now)
    view = shared.view(now)
    assume_zone(request, shared.wrist.zone)
    message = view.said(speech_of(request).gettext)
    ctx = {"view": view, "token": token, "message": message, **drawing(view)}
    return render(request, "share.html", ctx)


@router.get("/api/wrist/shares", tags=["friends"], response_model=SharesOut, **AS_IS)
def shares_api(token: TokenDep, store: StoreDep) -> list[dict[str, Any]]:
    """Your wrist's share links (wrist token)."""
    return [s.to_json() for s in sharing.list_shares(store, token=token)]


@router.post(
    "/api/wrist/shares", tags=["friends"], status_code=201, response_model=ShareCreatedOut, **AS_IS
)
def share_create_api(
    request: Request, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """A new share link for a friend; its token is returned this once."""
    share, share_token = sharing.create_share(store, token=token, at=now)
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
    return friend_json(sharing.shared_view(store, token=token, at=now), speech_of(request))
