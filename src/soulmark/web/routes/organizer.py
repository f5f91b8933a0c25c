"""The organizer's dashboard (organizer token): counts, chart, notices, seal, transcript.

B2: nothing here reads a name; the transcript holds opaque ids only.
"""

from __future__ import annotations

import csv
import io
import secrets
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.core.links import organizer_url, world_url
from soulmark.notices import delivery_counts
from soulmark.services import co_organizers, invites, moderation, reports, senders
from soulmark.services import organizer as org
from soulmark.services.draw_outlook import draw_outlook
from soulmark.services.schedule import schedule_of
from soulmark.services.wrist_view import left_out_words  # what a wrist left out reads
from soulmark.store import Store
from soulmark.web.chart import histogram_svg
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.lang import assume_zone, speech_of
from soulmark.web.opening import open_session, opened
from soulmark.web.qr import qr_svg
from soulmark.web.render import link, render
from soulmark.web.schemas import AS_IS, DashboardOut, SealedOut, TranscriptOut, WorldOut

router = APIRouter()


class WindowBody(BaseModel):
    window_start: str
    """ISO 8601; a moment without an offset is UTC."""
    window_end: str
    """ISO 8601; a bare date means the end of that day."""


class SealBody(BaseModel):
    round: int
    """The round you mean to seal: repeating the request then changes nothing."""


def dashboard_json(store: Store, token: str, now: int) -> dict[str, Any]:
    board = org.dashboard(store, token=token, at=now)
    out = board.to_json()
    out["notices"] = delivery_counts(store, board.world.world)
    out["invitations"] = invites.invitations(store, world=board.world.world).to_json()
    out["schedule"] = schedule_of(store, world=board.world.world).to_json()
    out["mail_held"] = senders.held(store, world=board.world.world)
    out["draw"] = draw_outlook(store, token=token).to_json()
    return out


def _csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["slice_start", "slice_end", "itch_starts", "legible"])
    for b in data["timeline"]:
        writer.writerow([b["start"], b["end"], b["itch"], b["legible"]])
    return out.getvalue()


@router.get("/organizer/{token}", include_in_schema=False)
def dashboard_html(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    sealed: int | None = None,
    invited: int | None = None,
    skipped: int = 0,
    suppressed: int = 0,
    twice: int = 0,
    asked: int = 0,
    again: int = 0,
) -> Response:
    if not opened(request):
        return open_session(request, store, "organizer", token)
    data = dashboard_json(store, token, now)
    assume_zone(request, data["world"].get("time_zone"))
    zone = ZoneInfo(data["world"].get("time_zone") or "UTC")
    chart = histogram_svg(data["timeline"], speech_of(request), data["elapsed"], zone)
    ctx = {"data": data, "token": token, "chart": chart, "states": org.STATES, "sealed": sealed}
    # After a draw, another is offered only when asked for: most events draw once.
    ctx["offer_draw"] = not data["draw"]["drawn"] or bool(again)
    ctx["replace_once"] = secrets.token_urlsafe(16)  # a double press replaces once (item 4)
    # A next draw is promised only where one can come: the world still takes new people.
    ctx["left_out_words"] = left_out_words(not data["world"].get("joins_closed", False))
    ctx["roster"] = moderation.roster(store, token=token, at=now).to_json()
    ctx["removed"] = request.query_params.get("removed") == "1"
    ctx["renamed"] = request.query_params.get("renamed") == "1"
    messaged = request.query_params.get("messaged", "")
    ctx["messaged"] = int(messaged) if messaged.isdigit() else None
    join_url = link(request, world_url(data["world"]["world"]))
    ctx.update(
        join_url=join_url, qr=qr_svg(join_url), invited=invited, skipped=skipped, twice=twice
    )
    ctx["asked"], ctx["suppressed"] = bool(asked), suppressed
    ctx.update(_team(store, token, request))
    return render(request, "organizer.html", ctx)


def _team(store: Store, token: str, request: Request) -> dict[str, Any]:
    """The co-organizers' links, the action log and the reports, for their sections."""
    said = request.query_params
    return {
        "team": co_organizers.organizer_links(store, token=token).to_json(),
        "log": co_organizers.action_log(store, token=token).to_json(),
        "reports": reports.reports(store, token=token).to_json(),
        "link_once": secrets.token_hex(16),
        "revoked": said.get("revoked") == "1",
        "reported": said.get("reported") == "1",
    }


@router.post("/organizer/{token}/seal", include_in_schema=False, dependencies=[CsrfDep])
def seal_form(
    token: str,
    round: Annotated[int, Form()],
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    # The form names its round, so a double submit seals once and then reports it sealed.
    org.organizer_world(store, token=token)  # an unknown token is a 404 before anything else
    if confirm != "yes":
        raise InvalidInput(
            "tick the box to confirm: sealing draws fate and cannot be undone",
            code="seal-unconfirmed",
        )
    relays = settings.beacon_relays
    done = org.organizer_seal(store, token=token, round=round, at=now, relays=relays)
    return RedirectResponse(organizer_url(token, query={"sealed": done.round}), status_code=303)


def _window(store: Store, token: str, start: str, end: str, now: int) -> dict[str, Any]:
    info = org.organizer_window(store, token=token, window_start=start, window_end=end, at=now)
    return info.to_json()


@router.post("/organizer/{token}/window", include_in_schema=False, dependencies=[CsrfDep])
def window_form(
    token: str,
    window_start: Annotated[str, Form()],
    window_end: Annotated[str, Form()],
    store: StoreDep,
    now: NowDep,
) -> Response:
    _window(store, token, window_start, window_end, now)
    return RedirectResponse(organizer_url(token, query={"windowed": 1}), status_code=303)


@router.post("/api/organizer/window", tags=["organizer"], response_model=WorldOut, **AS_IS)
def window_api(body: WindowBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Give the open round a new window (when too little of the old one is left to seal).
    The open round gets a fresh commitment; sealed rounds keep their transcripts."""
    return _window(store, token, body.window_start, body.window_end, now)


@router.get("/organizer/{token}/transcript", include_in_schema=False)
def transcript_html(token: str, store: StoreDep, round: int | None = None) -> Response:
    text = org.organizer_transcript(store, token=token, round=round)
    slug = org.organizer_world(store, token=token)
    disposition = f'attachment; filename="{slug}-transcript.json"'
    return Response(
        text, media_type="application/json", headers={"Content-Disposition": disposition}
    )


@router.get("/organizer/{token}/timeline.csv", include_in_schema=False)
def timeline_csv(token: str, store: StoreDep, now: NowDep) -> Response:
    return PlainTextResponse(_csv(dashboard_json(store, token, now)), media_type="text/csv")


@router.get("/api/organizer", tags=["organizer"], response_model=DashboardOut, **AS_IS)
def dashboard_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Counts by state, the timeline of marks in aggregate, notice deliveries (organizer
    token).  Never a pair and never a name (B2)."""
    return dashboard_json(store, token, now)


@router.post("/api/organizer/seal", tags=["organizer"], response_model=SealedOut, **AS_IS)
def seal_api(
    body: SealBody, token: TokenDep, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Seal the named round.  Sealing it again returns it unchanged (``already``); a round
    waiting for a beacon fetches it from the configured relays."""
    relays = settings.beacon_relays
    return org.organizer_seal(store, token=token, round=body.round, at=now, relays=relays).to_json()


@router.get(
    "/api/organizer/transcript", tags=["organizer"], responses={200: {"model": TranscriptOut}}
)
def transcript_api(token: TokenDep, store: StoreDep, round: int | None = None) -> Response:
    """The transcript of a sealed round (default: the latest), opaque ids only."""
    text = org.organizer_transcript(store, token=token, round=round)
    return PlainTextResponse(text, media_type="application/json")


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


@router.get("/api/organizer/timeline.csv", tags=["organizer"], response_class=CsvResponse)
def timeline_api(token: TokenDep, store: StoreDep, now: NowDep) -> Response:
    """The aggregate timeline as CSV: per slice of the window, itch starts and legible."""
    return CsvResponse(_csv(dashboard_json(store, token, now)))
