"""The organizer console: open a world in the browser (``/new``) or by ``POST /api/worlds``.

Who may open worlds is the instance's choice (``Settings.invite_codes``: none means anyone),
and each client may open only a few an hour.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.errors import SoulmarkError
from soulmark.core.links import organizer_url
from soulmark.services.world_opening import WorldAsked, WorldOpened, open_world, opened_world
from soulmark.web import new_form as nf
from soulmark.web.deps import CsrfDep, Forbidden, NowDep, SettingsDep, StoreDep, TooMany
from soulmark.web.errors import status_of
from soulmark.web.flash import clear_flash, read_flash, set_flash
from soulmark.web.lang import speech_of
from soulmark.web.limits import MemoryAttempts, client_key, parse_proxies
from soulmark.web.opening import open_session, opened
from soulmark.web.qr import qr_svg
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, OpenedOut
from soulmark.web.session import ME, handle_of, session_cookie
from soulmark.web.settings import Settings
from soulmark.web.words import error_text

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


def _allowed(request: Request, settings: Settings, now: int, code: str | None) -> str:
    """The client's key, once it may open one more world (counted now, given back below)."""
    if settings.invite_codes and (code or "").strip() not in settings.invite_codes:
        raise Forbidden(
            "opening a world here needs an invite code from this instance", code="invite-code"
        )
    client = client_key(request.scope, parse_proxies(settings.trusted_proxies))
    if not request.app.state.create_attempts.take(client, now / 1e6):
        raise TooMany(
            "too many worlds opened from here; try again in an hour", code="too-many-worlds"
        )
    return client


def _open(
    request: Request, settings: Settings, store: Any, now: int, body: NewWorldBody
) -> WorldOpened:
    client = _allowed(request, settings, now, body.invite_code)
    # Only a world actually opened counts: a refused form (a typo) gives its count back.
    try:
        zone_name = nf.check_zone(body.time_zone)
        nf.check_window(body.window_start, body.window_end, zone_name)
        fields = body.model_dump(exclude={"invite_code"}) | {"time_zone": zone_name}
        return open_world(
            store,
            WorldAsked(**fields),
            at=now,
            base_url=settings.base_url,
            relays=settings.beacon_relays,
            held=True,
        )
    except SoulmarkError:
        request.app.state.create_attempts.give_back(client, now / 1e6)
        raise


def _form_page(
    request: Request,
    settings: Settings,
    now: int,
    form: dict[str, str],
    error: SoulmarkError | None = None,
) -> Response:
    """The form, as typed, with the server's reason next to the field it is about."""
    speech = speech_of(request)
    zone_name = form.get("time_zone") or speech.tz.key
    ctx: dict[str, Any] = {
        "needs_code": bool(settings.invite_codes),
        "form": {**form, "time_zone": zone_name},
        "zone_chosen": bool(form.get("time_zone")),
        "zones": nf.zones(),
        "error": None,
    }
    ctx["times"] = any("T" in form.get(k, "") for k in ("window_start", "window_end"))
    status = 200
    if error is not None:
        status = status_of(error)
        words = error_text(str(error), status, speech, error.code, error.params)
        reason = str(error)
        same = words.rstrip(".").casefold() == reason.rstrip(".").casefold()
        field = nf.field_of(error, form)
        ctx["error"] = {"field": field, "words": words, "reason": None if same else reason}
    return render(request, "new.html", ctx, status=status)


FIELDS_OPTIONAL = ("email_domain", "beacon", "organizer_email", "invite_code", "seal_at")


@router.get("/new", include_in_schema=False)
def new_page(
    request: Request,
    settings: SettingsDep,
    now: NowDep,
    preset: str = "",
    tz: str = "",
) -> Response:
    form: dict[str, str] = {}
    if tz and tz in nf.zones():
        form["time_zone"] = tz
    if preset:
        form.update(nf.preset(preset, form.get("time_zone") or speech_of(request).tz.key, now))
    return _form_page(request, settings, now, form)


@router.post("/new", include_in_schema=False, dependencies=[CsrfDep])
def new_form(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    name: Annotated[str, Form()] = "",
    window_start: Annotated[str, Form()] = "",
    window_end: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "UTC",
    email_domain: Annotated[str, Form()] = "",
    beacon: Annotated[str, Form()] = "",
    organizer_email: Annotated[str, Form()] = "",
    invite_code: Annotated[str, Form()] = "",
    seal_at: Annotated[str, Form()] = "",
) -> Response:
    typed = {
        "name": name,
        "window_start": window_start,
        "window_end": window_end,
        "time_zone": time_zone or "UTC",
        "email_domain": email_domain,
        "beacon": beacon,
        "organizer_email": organizer_email,
        "invite_code": invite_code,
        "seal_at": seal_at,
    }
    optional = {k: typed[k] or None for k in FIELDS_OPTIONAL}
    body = NewWorldBody(
        name=name,
        window_start=window_start,
        window_end=window_end,
        time_zone=typed["time_zone"],
        **optional,
    )
    try:
        world = _open(request, settings, store, now, body)
    except SoulmarkError as exc:
        return _form_page(request, settings, now, typed, exc)
    return _to_opened(request, settings, world)


def _to_opened(request: Request, settings: Settings, opened: WorldOpened) -> Response:
    """Post/redirect/get (issue 19 item 4): the organizer link moves into its session and
    the page it lands on reads the world from it, so a reload shows this world, never a
    second one."""
    token = opened.created.organizer_token
    response = RedirectResponse(organizer_url(f"{ME}-{handle_of(token)}", "/opened"), 303)
    response.raw_headers.append(session_cookie("organizer", token, settings.cookies_secure))
    if opened.mailed_to:
        set_flash(request, response, where=handle_of(token), kind="mailed", value=opened.mailed_to)
    return response


@router.get("/organizer/{token}/opened", include_in_schema=False)
def opened_page(request: Request, token: str, store: StoreDep, settings: SettingsDep) -> Response:
    """The world just opened: its join link and QR to share, the organizer link to keep."""
    if not opened(request):
        return open_session(request, store, "organizer", token)
    mailed = read_flash(request, where=handle_of(token), kind="mailed")
    world = opened_world(store, token=token, base_url=settings.base_url, mailed_to=mailed)
    ctx = {"opened": world.to_json(), "qr": qr_svg(world.join_url)}
    response = render(request, "created.html", ctx)
    if mailed:
        clear_flash(request, response)
    return response


@router.post("/api/worlds", tags=["worlds"], status_code=201, response_model=OpenedOut, **AS_IS)
def create_api(
    request: Request, body: NewWorldBody, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Open a world: its commitment, the organizer's token and link (keep them), and the
    join link to share.  With ``organizer_email`` the organizer link is mailed there too."""
    return _open(request, settings, store, now, body).to_json()
