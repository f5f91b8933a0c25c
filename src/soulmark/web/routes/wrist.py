"""The wrist page (private link) and its JSON twin: the mark, looking, reaching out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark import services
from soulmark.services import confirm as confirming
from soulmark.services import exclusions
from soulmark.services import shares as sharing
from soulmark.services.wrists import WristView
from soulmark.store import Store
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.drawing import STROKE_PATHS, name_size, stroke_fill
from soulmark.web.render import render

router = APIRouter()

UNCONFIRMED = "Your join waits for the confirmation link we mailed you; it counts once followed."


def drawing(view: Any) -> dict[str, Any]:
    """What the SVG needs from a wrist or shared view (no name unless it is in the view)."""
    name = getattr(view, "name", None)
    fills = stroke_fill(view.progress, view.state)
    return {
        "strokes": list(zip(STROKE_PATHS, fills, strict=True)),
        "size": name_size(name) if name else 0,
    }


def wrist_json(
    store: Store, token: str, view: WristView, confirmed: bool | None = None
) -> dict[str, Any]:
    out = view.to_json()
    if confirmed is None:
        confirmed = confirming.wrist_confirmed(store, token=token)
    out["confirmed"] = confirmed
    if view.sealed or view.round > 1:
        out["transcript"] = f"/w/{view.world}/transcript"
    return out


def wrist_page(
    request: Request, store: Store, token: str, now: int, status: int = 200, **extra: Any
) -> Response:
    view, confirmed = confirming.wrist_and_confirmed(store, token=token, at=now)
    ctx = {
        "view": view,
        "token": token,
        "confirmed": confirmed,
        "unconfirmed_note": UNCONFIRMED,
        "shares": sharing.list_shares(store, token=token),
        "never_with": exclusions.list_exclusions(store, token=token, at=now),
        **drawing(view),
        **extra,
    }
    return render(request, "wrist.html", ctx, status=status)


@router.get("/wrist/{token}", include_in_schema=False)
def wrist_html(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    return wrist_page(request, store, token, now)


@router.post("/wrist/{token}/look", include_in_schema=False, dependencies=[CsrfDep])
def look_form(token: str, store: StoreDep, now: NowDep) -> Response:
    services.look(store, token=token, at=now)
    return RedirectResponse(f"/wrist/{token}#mark", status_code=303)


@router.post("/wrist/{token}/reach-out", include_in_schema=False, dependencies=[CsrfDep])
def reach_out_form(token: str, store: StoreDep, now: NowDep) -> Response:
    services.reach_out(store, token=token, at=now)
    return RedirectResponse(f"/wrist/{token}#reach", status_code=303)


@router.get("/api/wrist", tags=["wrist"])
def wrist_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Your wrist now (wrist token).  ``name`` and ``partner`` appear only once you looked."""
    view, confirmed = confirming.wrist_and_confirmed(store, token=token, at=now)
    return wrist_json(store, token, view, confirmed)


@router.post("/api/wrist/look", tags=["wrist"])
def look_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Lift the bandage (R8): once the name is legible; recorded once, never undone."""
    return wrist_json(store, token, services.look(store, token=token, at=now))


@router.post("/api/wrist/reach-out", tags=["wrist"])
def reach_out_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Say you would like to meet (R10); ``contact`` appears when both have said so."""
    return wrist_json(store, token, services.reach_out(store, token=token, at=now))
