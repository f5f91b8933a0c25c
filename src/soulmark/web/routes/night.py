"""The night itself (issue 20 item 4): a printable poster of the join link and a big-screen
view of the counts.

The poster holds the world's name, a large QR code (segno, SVG) of its public join link
and three lines of instructions; it prints on A4 or Letter and can be downloaded as SVG.
The screen shows aggregate counts and a countdown, refreshed by the organizer's stream:
never a name, never a pair (B2).
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Request
from starlette.responses import Response

from soulmark.core.links import world_url
from soulmark.services import organizer as org
from soulmark.services.schedule import schedule_of
from soulmark.services.worlds import world_info
from soulmark.web.deps import NowDep, StoreDep
from soulmark.web.lang import assume_zone
from soulmark.web.render import link, render

router = APIRouter()


def poster_qr(url: str) -> str:
    """The join link's QR code, as large as a sheet takes it: scaled by the page's CSS."""
    return str(segno.make(url, error="q").svg_inline(scale=10, border=4, dark="#000"))


def _world(request: Request, store: Any, token: str, now: int) -> dict[str, Any]:
    slug = org.organizer_world(store, token=token)
    info = world_info(store, slug=slug, at=now).to_json()
    assume_zone(request, info.get("time_zone"))
    return info


@router.get("/organizer/{token}/poster", include_in_schema=False)
def poster_page(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    world = _world(request, store, token, now)
    join_url = link(request, world_url(world["world"]))
    ctx = {"world": world, "token": token, "join_url": join_url, "qr": poster_qr(join_url)}
    return render(request, "poster.html", ctx)


@router.get("/organizer/{token}/poster.svg", include_in_schema=False)
def poster_svg(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    world = _world(request, store, token, now)
    join_url = link(request, world_url(world["world"]))
    svg = segno.make(join_url, error="q").svg_inline(scale=20, border=4, dark="#000")
    disposition = f'attachment; filename="{world["world"]}-qr.svg"'
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg,
        media_type="image/svg+xml",
        headers={"Content-Disposition": disposition},
    )


@router.get("/organizer/{token}/screen", include_in_schema=False)
def screen_page(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    world = _world(request, store, token, now)
    counts = org.counts_snapshot(store, token=token).counts(now)
    planned = schedule_of(store, world=world["world"]).to_json().get("seal_at")
    ctx = {"world": world, "token": token, "counts": counts, "seal_at": planned}
    ctx["join_url"] = link(request, world_url(world["world"]))
    return render(request, "screen.html", ctx)
