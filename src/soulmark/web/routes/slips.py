"""School mode (issue 20 item 9): the class sheet of join slips (organizer token) and the
page where a student joins with a slip and a name, with no email address.

The sheet prints cleanly (a QR code and a code per slip, cut lines between them) and shows
codes only, never a wrist key.  The QR opens ``/j/<code>``, which only asks: the code is used
by the form's POST, whose code travels in the body.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services import slips
from soulmark.services.worlds import world_info
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.lang import speech_of
from soulmark.web.opening import open_session
from soulmark.web.render import link, render
from soulmark.web.schemas import AS_IS, SignedInOut, mirror

router = APIRouter()

SlipsOut = mirror(
    "SlipsOut", slips.Slips, "A world's unused join slips (codes to print), never a wrist key."
)


class SlipsBody(BaseModel):
    count: int
    """How many slips to make (1 to 60): one per student."""


class SlipBody(BaseModel):
    code: str
    """The code on the slip (case, spaces and dashes do not matter)."""
    name: str
    """The name your soulmate will read (R11)."""


def _sheet(request: Request, found: slips.Slips) -> list[dict[str, str]]:
    out = []
    for entry in found.slips:
        url = link(request, f"/j/{entry['code']}")
        qr = segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000")
        out.append({"code": entry["code"], "url": url, "qr": str(qr)})
    return out


@router.get("/organizer/{token}/slips", include_in_schema=False)
def sheet_page(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    found = slips.slips(store, token=token)
    world = world_info(store, slug=found.world, at=now).to_json()
    ctx = {
        "world": world,
        "token": token,
        "found": found.to_json(),
        "sheet": _sheet(request, found),
        "once": secrets.token_hex(16),
        "max_slips": slips.MAX_SLIPS,
        "join_url": link(request, "/slip"),
    }
    return render(request, "slips.html", ctx)


@router.post("/organizer/{token}/slips", include_in_schema=False, dependencies=[CsrfDep])
def make_form(
    token: str,
    store: StoreDep,
    now: NowDep,
    count: Annotated[int, Form()],
    once: Annotated[str, Form()] = "",
) -> Response:
    slips.make_slips(store, token=token, count=count, at=now, once=once[:64] or None)
    return RedirectResponse(organizer_url(token, "/slips"), status_code=303)


@router.get("/api/organizer/slips", tags=["organizer"], response_model=SlipsOut, **AS_IS)
def slips_api(token: TokenDep, store: StoreDep) -> dict[str, Any]:
    """The world's unused join slips: their codes, to print.  Never a wrist key."""
    return slips.slips(store, token=token).to_json()


@router.post("/api/organizer/slips", tags=["organizer"], response_model=SlipsOut, **AS_IS)
def make_api(body: SlipsBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Make join slips for a class with no email: each claims a place, as an invitation
    does, and is used once.  The answer lists every unused slip."""
    return slips.make_slips(store, token=token, count=body.count, at=now).to_json()


@router.get("/slip", include_in_schema=False)
def join_page(request: Request) -> Response:
    return render(request, "slip.html", {"code": "", "world": None})


@router.get("/j/{code}", include_in_schema=False)
def slip_page(request: Request, code: str, store: StoreDep) -> Response:
    # A GET only asks: a scanner or a preview must not use the slip up.
    found = slips.slip_page(store, code=code)
    return render(request, "slip.html", {"code": code, "world": found.to_json()})


@router.post("/slip", include_in_schema=False, dependencies=[CsrfDep])
def join_form(
    request: Request,
    store: StoreDep,
    now: NowDep,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
) -> Response:
    lang = speech_of(request).code
    done = slips.claim_slip(store, code=code, name=name, at=now, lang=lang)
    # The new token becomes this browser's session at once: it never travels in an address.
    return open_session(request, store, "wrist", done.token)


@router.post("/api/slip", tags=["wrist"], response_model=SignedInOut, **AS_IS)
def join_api(request: Request, body: SlipBody, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Join with a slip from a class sheet, with no email address: the answer holds your
    wrist's private token.  Notices then come by push, or on the wrist page."""
    lang = speech_of(request).code
    return slips.claim_slip(store, code=body.code, name=body.name, at=now, lang=lang).to_json()
