"""A world's public face: its page, joining (with email confirmation), its transcript."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soulmark import services
from soulmark.core.links import world_url
from soulmark.core.validate import clean_name
from soulmark.i18n import pick
from soulmark.services import confirm as confirming
from soulmark.store import Store
from soulmark.web.cards import card, world_card
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep
from soulmark.web.flash import read_flash, redirect_flashed
from soulmark.web.lang import TZ_COOKIE, assume_zone, speech_of
from soulmark.web.opening import ask_confirm, open_session
from soulmark.web.render import answer_page, render, shared_page
from soulmark.web.schemas import AS_IS, ConfirmedOut, JoinedOut, PreviewOut, TranscriptOut, WorldOut
from soulmark.web.words import PREVIEW, WORLD_CARD
from soulmark.web.world_pages import PageKey, WorldPages

router = APIRouter()


class JoinBody(BaseModel):
    name: str
    email: str
    lang: str | None = None
    """The language for this person's notices (default: the request's language)."""


class NameBody(BaseModel):
    name: str


class ConfirmBody(BaseModel):
    token: str


@router.get("/w/{slug}", include_in_schema=False)
async def world_page(request: Request, slug: str, store: StoreDep, now: NowDep) -> Response:
    # The page a QR scan opens, so a crowd asks for it at once: kept for the second it was
    # made in, until its world changes (soulmark.web.world_pages), and a kept one is
    # answered on the event loop, with no trip through the thread pool.
    pages: WorldPages = request.app.state.hub.world_pages
    speech = speech_of(request)
    key = pages.key(str(request.url), speech.code, request.cookies.get(TZ_COOKIE, ""), now)
    page = pages.get(key)
    if page is None:
        page = await pages.made_once(
            key, lambda: run_in_threadpool(_world_page, request, store, slug, now, key)
        )
    return answer_page(request, page)


def _world_page(request: Request, store: Store, slug: str, now: int, key: PageKey) -> str:
    pages: WorldPages = request.app.state.hub.world_pages
    generation = pages.generation
    world_id, info = services.world_shown(store, slug=slug, at=now)
    assume_zone(request, info.time_zone)
    about = speech_of(request).gettext(WORLD_CARD, world=info.name)
    shown = card(request, info.name, about, world_card(slug), world_url(slug))
    page = shared_page(request, "world.html", {"info": info, "preview": PREVIEW, "card": shown})
    pages.put(key, world_id, page, generation)
    return page


@router.post("/w/{slug}/join", include_in_schema=False, dependencies=[CsrfDep])
def join_form(
    request: Request,
    slug: str,
    name: Annotated[str, Form()],
    email: Annotated[str, Form()],
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    joined = services.join(
        store,
        world=slug,
        name=name,
        email=email,
        at=now,
        base_url=settings.base_url,
        lang=speech_of(request).code,
    )
    # On to the wrist itself (post/redirect/get): a reload shows the same wrist, never a
    # second join, and the private link is shown there (issue 19 item 3).
    return open_session(request, store, "wrist", joined.token, welcome=True)


@router.get("/w/{slug}/transcript", include_in_schema=False)
def transcript_download(slug: str, store: StoreDep, round: int | None = None) -> Response:
    text = services.transcript_text(store, world=slug, round=round)
    filename = f"{slug}-transcript.json"
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/confirm/done", include_in_schema=False)
def confirmed_page(request: Request) -> Response:
    """What the confirmation did, for as long as its flash lasts (a reload shows it again)."""
    said = read_flash(request, where="confirm", kind="done")
    if said is None:
        return RedirectResponse("/", status_code=303)
    done = json.loads(said)
    return render(request, "confirm.html", {"world": done["world"], "done": done})


@router.get("/confirm/{token}", include_in_schema=False)
def confirm_page(request: Request, token: str, store: StoreDep) -> Response:
    # A GET only asks: mail scanners follow links, and must not confirm anything.
    return ask_confirm(request, store, token)


# The page's form names the token in its body (``POST /confirm``): no log holds a body.
# The path-shaped twin serves pages rendered before links moved after "#".
@router.post("/confirm", include_in_schema=False, dependencies=[CsrfDep])
def confirm_form(
    request: Request, store: StoreDep, now: NowDep, token: Annotated[str, Form()]
) -> Response:
    return confirm_old_form(request, token, store, now)


@router.post("/confirm/{token}", include_in_schema=False, dependencies=[CsrfDep])
def confirm_old_form(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    done = confirming.confirm(store, token=token, at=now)
    # Post/redirect/get (issue 19 item 4): a reload shows "confirmed", not "already used".
    said = json.dumps({"world": done.world, "round": done.round})
    return redirect_flashed(request, "/confirm/done", where="confirm", kind="done", value=said)


@router.get("/api/worlds/{slug}", tags=["worlds"], response_model=WorldOut, **AS_IS)
def world_api(slug: str, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """The public face of a world: name, window, commitment, rounds, and whether it still
    takes joins (``joins_open``: false once no further round fits in its window)."""
    return services.world_info(store, slug=slug, at=now).to_json()


@router.post(
    "/api/worlds/{slug}/join", tags=["worlds"], status_code=201, response_model=JoinedOut, **AS_IS
)
def join_api(
    request: Request,
    slug: str,
    body: JoinBody,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> dict[str, Any]:
    """Join the open round.  In an email-domain world the join waits for the mailed link
    (``confirmation: "sent"``).  The wrist token is returned once: keep it."""
    return services.join(
        store,
        world=slug,
        name=body.name,
        email=body.email,
        at=now,
        base_url=settings.base_url,
        lang=pick(body.lang) or speech_of(request).code,
    ).to_json()


@router.post("/api/preview", tags=["worlds"], response_model=PreviewOut, **AS_IS)
def preview_api(request: Request, body: NameBody) -> dict[str, Any]:
    """The name exactly as it would be written on a soulmate's wrist (R11)."""
    return {"name": clean_name(body.name), "preview": speech_of(request).gettext(PREVIEW)}


@router.get(
    "/api/worlds/{slug}/transcript", tags=["worlds"], responses={200: {"model": TranscriptOut}}
)
def transcript_api(slug: str, store: StoreDep, round: int | None = None) -> PlainTextResponse:
    """The published transcript of a sealed round (default: the latest), as JSON text."""
    text = services.transcript_text(store, world=slug, round=round)
    return PlainTextResponse(text, media_type="application/json")


@router.post("/api/confirm", tags=["worlds"], response_model=ConfirmedOut, **AS_IS)
def confirm_api(body: ConfirmBody, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Follow a confirmation link: the join then counts in the open round."""
    return confirming.confirm(store, token=body.token, at=now).to_json()
