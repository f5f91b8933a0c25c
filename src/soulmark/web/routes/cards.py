"""The images of link previews (issue 18 item 8): a world's, and the site's own."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from soulmark import services
from soulmark.web.cards import SITE_CARD, card_png
from soulmark.web.deps import NowDep, StoreDep

router = APIRouter()
_CACHE = {"Cache-Control": "public, max-age=3600"}


@router.get(SITE_CARD, include_in_schema=False)
def site_card() -> Response:
    return Response(card_png("soulmark"), media_type="image/png", headers=_CACHE)


@router.get("/w/{slug}/card.png", include_in_schema=False)
def world_card_png(slug: str, store: StoreDep, now: NowDep) -> Response:
    # The world's name only: the same for everyone, whatever any wrist shows (R6).
    info = services.world_info(store, slug=slug, at=now)
    return Response(card_png(info.name), media_type="image/png", headers=_CACHE)
