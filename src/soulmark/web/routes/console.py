"""The organizer console: open a world in the browser (``/new``) or by ``POST /api/worlds``.

Who may open worlds is the instance's choice (``Settings.invite_codes``: none means anyone),
and each client may open only a few an hour.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.services.world_opening import WorldAsked, WorldOpened, open_world
from soulmark.web.deps import CsrfDep, Forbidden, NowDep, SettingsDep, StoreDep, TooMany
from soulmark.web.limits import MemoryAttempts, client_key, parse_proxies
from soulmark.web.qr import qr_svg
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, OpenedOut
from soulmark.web.settings import Settings

router = APIRouter()

CREATE_LIMIT = 10
CREATE_WINDOW_S = 3600.0


def create_attempts() -> MemoryAttempts:
    return MemoryAttempts(limit=CREATE_LIMIT, window_s=CREATE_WINDOW_S)


class NewWorldBody(BaseModel):
    name: str
    window_start: str
    """A date or ISO moment in ``time_zone`` (an offset, if given, wins)."""
    window_end: str
    """A bare date means the end of that day in ``time_zone``."""
    time_zone: str = "UTC"
    """The world's IANA time zone, e.g. ``Asia/Tokyo``."""
    email_domain: str | None = None
    beacon: str | None = None
    """``quicknet:ROUND`` or ``quicknet@ISO``: a public beacon that will seed fate.  None:
    where this site fetches beacons from relays, the first round after the window starts."""
    organizer_email: str | None = None
    """The organizer link is mailed here."""
    invite_code: str | None = None
    """Needed when this instance lets only invited organizers open worlds."""
    seal_at: str | None = None
    """When fate is drawn on its own (a date and time in ``time_zone``); the organizer can
    change or clear it until then."""


def _allowed(request: Request, settings: Settings, now: int, code: str | None) -> None:
    if settings.invite_codes and (code or "").strip() not in settings.invite_codes:
        raise Forbidden(
            "opening a world here needs an invite code from this instance", code="invite-code"
        )
    client = client_key(request.scope, parse_proxies(settings.trusted_proxies))
    if not request.app.state.create_attempts.take(client, now / 1e6):
        raise TooMany(
            "too many worlds opened from here; try again in an hour", code="too-many-worlds"
        )


def _open(
    request: Request, settings: Settings, store: Any, now: int, body: NewWorldBody
) -> WorldOpened:
    _allowed(request, settings, now, body.invite_code)
    asked = WorldAsked(**body.model_dump(exclude={"invite_code"}))
    return open_world(
        store,
        asked,
        at=now,
        base_url=settings.base_url,
        relays=settings.beacon_relays,
        held=True,
    )


@router.get("/new", include_in_schema=False)
def new_page(request: Request, settings: SettingsDep) -> Response:
    return render(request, "new.html", {"needs_code": bool(settings.invite_codes)})


@router.post("/new", include_in_schema=False, dependencies=[CsrfDep])
def new_form(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    name: Annotated[str, Form()],
    window_start: Annotated[str, Form()],
    window_end: Annotated[str, Form()],
    time_zone: Annotated[str, Form()] = "UTC",
    email_domain: Annotated[str, Form()] = "",
    beacon: Annotated[str, Form()] = "",
    organizer_email: Annotated[str, Form()] = "",
    invite_code: Annotated[str, Form()] = "",
    seal_at: Annotated[str, Form()] = "",
) -> Response:
    body = NewWorldBody(
        name=name,
        window_start=window_start,
        window_end=window_end,
        time_zone=time_zone or "UTC",
        email_domain=email_domain or None,
        beacon=beacon or None,
        organizer_email=organizer_email or None,
        invite_code=invite_code or None,
        seal_at=seal_at or None,
    )
    opened = _open(request, settings, store, now, body)
    ctx = {"opened": opened.to_json(), "qr": qr_svg(opened.join_url)}
    return render(request, "created.html", ctx, status=201)


@router.post("/api/worlds", tags=["worlds"], status_code=201, response_model=OpenedOut, **AS_IS)
def create_api(
    request: Request, body: NewWorldBody, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Open a world: its commitment, the organizer's token and link (keep them), and the
    join link to share.  With ``organizer_email`` the organizer link is mailed there too."""
    return _open(request, settings, store, now, body).to_json()
