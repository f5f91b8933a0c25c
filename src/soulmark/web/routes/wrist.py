"""The wrist page (private link) and its JSON twin: the mark, looking, reaching out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import JSONResponse as JSONBody
from starlette.responses import Response

from soulmark import services
from soulmark.core.links import wrist_url
from soulmark.services import device_sessions, naming
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, SpeechDep, StoreDep, TokenDep
from soulmark.web.flash import clear_flash, read_flash
from soulmark.web.opening import device_cookie, open_session, opened
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, NameOut, WristOut
from soulmark.web.session import CHOOSER, ME, handle_of, sessions_of
from soulmark.web.wrist_cache import read_wrist
from soulmark.web.wrist_page import wrist_json, wrist_page

router = APIRouter()


@router.get("/wrist/{token}", include_in_schema=False)
def wrist_html(
    request: Request, token: str, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    if not opened(request):
        return open_session(request, store, "wrist", token)
    # A device kept signed in is handed its new secret once a day (the old one dies).
    fresh = device_sessions.touch(store, token=token, at=now)
    # A share link just made arrives once, in a flash (post/redirect/get: issue 19 item 4).
    new_share = read_flash(request, where=handle_of(token), kind="share")
    response = wrist_page(request, store, fresh or token, now, new_share=new_share)
    if new_share:
        clear_flash(request, response)
    if fresh:
        response.raw_headers.append(device_cookie(settings.cookies_secure, fresh, kept=True))
    return response


@router.post("/wrist/{token}/look", include_in_schema=False, dependencies=[CsrfDep])
def look_form(token: str, store: StoreDep, now: NowDep) -> Response:
    services.look(store, token=token, at=now)
    # The page's top, not the drawing: jumping to it cut the world's name off the page.
    return RedirectResponse(wrist_url(token, at="wrist"), status_code=303)


@router.post("/wrist/{token}/reach-out", include_in_schema=False, dependencies=[CsrfDep])
def reach_out_form(
    token: str, store: StoreDep, now: NowDep, contact: Annotated[str | None, Form()] = None
) -> Response:
    services.reach_out(store, token=token, at=now, contact=contact)
    return RedirectResponse(wrist_url(token, at="reach"), status_code=303)


@router.post("/wrist/{token}/reach-out/withdraw", include_in_schema=False, dependencies=[CsrfDep])
def withdraw_form(token: str, store: StoreDep, now: NowDep) -> Response:
    services.withdraw(store, token=token, at=now)
    return RedirectResponse(wrist_url(token, at="reach"), status_code=303)


@router.get("/api/wrist", tags=["wrist"], response_model=WristOut, **AS_IS)
async def wrist_api(
    request: Request, token: TokenDep, store: StoreDep, now: NowDep, speech: SpeechDep
) -> Response:
    """Your wrist now (wrist token).  ``name`` and ``partner`` appear only once you looked."""
    snap = await read_wrist(request.app.state.hub.wrists, store, token=token, at=now)
    # The hottest route there is: the body goes out as it is (it is what WristOut
    # describes, as the tests check), without a second pass through the model.
    return JSONBody(wrist_json(snap.view(now), speech))


@router.post("/api/wrist/look", tags=["wrist"], response_model=WristOut, **AS_IS)
def look_api(token: TokenDep, store: StoreDep, now: NowDep, speech: SpeechDep) -> dict[str, Any]:
    """Lift the bandage (R8): once the name is legible; recorded once, never undone."""
    return wrist_json(services.look(store, token=token, at=now), speech)


class ReachOutBody(BaseModel):
    contact: str | None = None
    """What to pass them: a handle or an address, a few words (default: your join address)."""


@router.post("/api/wrist/reach-out", tags=["wrist"], response_model=WristOut, **AS_IS)
def reach_out_api(
    token: TokenDep,
    store: StoreDep,
    now: NowDep,
    speech: SpeechDep,
    body: ReachOutBody | None = None,
) -> dict[str, Any]:
    """Say you would like to meet (R10), passing ``contact``; theirs appears as ``contact``
    when both have said so.  Until then you may send another, or take it back."""
    contact = body.contact if body else None
    return wrist_json(services.reach_out(store, token=token, at=now, contact=contact), speech)


@router.post("/api/wrist/reach-out/withdraw", tags=["wrist"], response_model=WristOut, **AS_IS)
@router.delete("/api/wrist/reach-out", tags=["wrist"], response_model=WristOut, **AS_IS)
def withdraw_api(
    token: TokenDep, store: StoreDep, now: NowDep, speech: SpeechDep
) -> dict[str, Any]:
    """Take your reach-out back: only until they have reached out too."""
    return wrist_json(services.withdraw(store, token=token, at=now), speech)


class NameBody(BaseModel):
    name: str
    """The name your soulmate will read (R11)."""


@router.get("/wrist/{token}/name", include_in_schema=False)
def name_page(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    own = naming.own_name(store, token=token, at=now)
    return render(request, "name.html", {"own": own, "token": token})


@router.post("/wrist/{token}/name", include_in_schema=False, dependencies=[CsrfDep])
def rename_form(token: str, store: StoreDep, now: NowDep, name: Annotated[str, Form()]) -> Response:
    naming.rename(store, token=token, name=name, at=now)
    return RedirectResponse(wrist_url(token, "/name"), status_code=303)


@router.get("/api/wrist/name", tags=["wrist"], response_model=NameOut, **AS_IS)
def name_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Your name as your soulmate will read it; ``editable`` until your round is sealed."""
    return naming.own_name(store, token=token, at=now).to_json()


@router.put("/api/wrist/name", tags=["wrist"], response_model=NameOut, **AS_IS)
def rename_api(body: NameBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Change your name until your round is sealed (409 after)."""
    return naming.rename(store, token=token, name=body.name, at=now).to_json()


@router.get(CHOOSER, include_in_schema=False)
def chooser(
    request: Request, store: StoreDep, settings: SettingsDep, world: str | None = None
) -> Response:
    """The wrists this browser holds, by world: what ``/wrist/me`` shows when there are several.

    ``?world=<slug>`` (a push notification's click) goes straight on to this browser's wrist
    in that world."""
    held = sessions_of(request.cookies, "wrist", settings.cookies_secure)
    worlds = naming.worlds_of(store, held)
    chosen = [w for w in worlds if world is not None and w.slug == world]
    if len(chosen) == 1:
        return RedirectResponse(wrist_url(f"{ME}-{chosen[0].handle}"), status_code=303)
    return render(request, "wrists.html", {"worlds": worlds, "me": ME})
