"""Server-sent events: the wrist, a friend's share link and the organizer's counts, live.

Each stream is authenticated exactly like its GET twin (the same token dependency, so a
session cookie works too) and answers the twin's 401/404 JSON before any stream starts.
Then ``event: wrist`` (``share``, ``counts``) with an increasing ``id:`` and, as ``data:``,
the twin's JSON at that moment: once on connect, then at each change, never before it.
See soulmark.web.live for how changes are found without polling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from soulmark.services import organizer as org
from soulmark.services import shares as sharing
from soulmark.services import wrist_read
from soulmark.services.device_sessions import is_device
from soulmark.services.tokens import token_hash
from soulmark.store import Store
from soulmark.web.deps import StoreDep, TokenDep
from soulmark.web.lang import Speech, speech_of
from soulmark.web.limits import client_key
from soulmark.web.live import Hub, Snapshot
from soulmark.web.wrist_page import friend_json, spoken, wrist_json

router = APIRouter()

_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An event stream: a message now, then one at each change; "
        "comment heartbeats between",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


class EventStream(Response):
    """Only names the media type, so openapi.json lists the stream and no JSON body."""

    media_type = "text/event-stream"


LastId = Annotated[str | None, Header(alias="Last-Event-ID", include_in_schema=False)]


def _last_id(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else 0


async def _key(request: Request, token: str) -> str:
    """The feed's name: a device session's is its wrist's, so both hear the same changes."""
    if not is_device(token):
        return token_hash(token)
    return await run_in_threadpool(wrist_read.key_of, request.app.state.store, token)


async def _open(
    request: Request,
    token: str,
    event: str,
    load: Callable[[int], Snapshot],
    last: str | None,
    organizer: bool = False,
) -> Response:
    hub: Hub = request.app.state.hub
    # Reading first: an unknown token gets the twin's 401/404 before anything is counted.
    snap = await run_in_threadpool(load, hub.clock())
    client = client_key(request.scope, request.app.state.proxies)
    kind = "organizer" if organizer else event
    feed = hub.open(await _key(request, token), client=client, organizer=organizer, kind=kind)
    frames = hub.stream(feed, event, snap, load, _last_id(last))
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)


@dataclass(frozen=True)
class _Shown:
    """A service snapshot, spelled as its GET twin spells it for this viewer."""

    snap: Any
    show: Callable[[Any, int], dict[str, Any]]

    @property
    def world_id(self) -> int:
        return int(self.snap.world_id)

    @property
    def person_id(self) -> int | None:
        return getattr(self.snap, "person_id", None)

    @property
    def partner_id(self) -> int | None:
        return getattr(self.snap, "partner_id", None)

    def json(self, at: int) -> dict[str, Any]:
        return self.show(self.snap, at)

    def next_change(self, at: int) -> int | None:
        result: int | None = self.snap.next_change(at)
        return result


# The pages' own streams: EventSource cannot send a header, so a page names its session in
# the path (``/wrist/me-<handle>/events``) and soulmark.web.session puts the token there,
# exactly as for the page itself.
@router.get("/wrist/{token}/events", include_in_schema=False)
async def wrist_page_events(
    request: Request, token: str, store: StoreDep, last: LastId = None
) -> Response:
    return await wrist_events(request, token, store, last)


@router.get("/share/{token}/events", include_in_schema=False)
async def share_page_events(
    request: Request, token: str, store: StoreDep, last: LastId = None
) -> Response:
    return await share_events(request, token, store, last)


@router.get("/organizer/{token}/events", include_in_schema=False)
async def organizer_page_events(
    request: Request, token: str, store: StoreDep, last: LastId = None
) -> Response:
    return await organizer_events(request, token, store, last)


# What each stream route declares: a text/event-stream body, and no JSON model.
_STREAM_ROUTE: dict[str, Any] = {
    "responses": _STREAM,
    "response_model": None,
    "response_class": EventStream,
}


@router.get("/api/wrist/events", tags=["wrist"], **_STREAM_ROUTE)
async def wrist_events(
    request: Request, token: TokenDep, store: StoreDep, last: LastId = None
) -> Response:
    """Your wrist, live (wrist token): ``event: wrist`` with what ``GET /api/wrist`` answers,
    at once and then at every change (itch, each ink stroke, legible, look, reach-out...)."""
    return await _view_stream(request, token, "wrist", store, wrist_read.snapshot, wrist_json, last)


@router.get("/api/share/events", tags=["friends"], **_STREAM_ROUTE)
async def share_events(
    request: Request, token: TokenDep, store: StoreDep, last: LastId = None
) -> Response:
    """A friend's live view (share token): ``event: share`` with what ``GET /api/share``
    answers.  The stream ends when the link is revoked."""
    snapshot = sharing.shared_snapshot
    return await _view_stream(request, token, "share", store, snapshot, friend_json, last)


async def _view_stream(
    request: Request,
    token: str,
    event: str,
    store: Store,
    snapshot: Callable[..., Any],
    spell: Callable[[Any, Speech], dict[str, Any]],
    last: str | None,
) -> Response:
    """A wrist's stream or a friend's: ``snapshot(store, token=, at=)`` read once, its view
    at each moment spelt by ``spell`` for this viewer."""
    speech = speech_of(request)

    def load(at: int) -> Snapshot:
        snap = snapshot(store, token=token, at=at)
        return _Shown(snap, lambda s, t: spell(s.view(t), speech))

    return await _open(request, token, event, load, last)


@router.get("/api/organizer/events", tags=["organizer"], **_STREAM_ROUTE)
async def organizer_events(
    request: Request, token: TokenDep, store: StoreDep, last: LastId = None
) -> Response:
    """The world's counts by state, live (organizer token): ``event: counts`` with
    ``{"world", "at", "counts"}``, as in ``GET /api/organizer``.  Counts only (B2)."""
    speech = speech_of(request)

    def load(_at: int) -> Snapshot:
        snap = org.counts_snapshot(store, token=token)
        return _Shown(snap, lambda c, t: spoken(c.json(t), speech))

    return await _open(request, token, "counts", load, last, organizer=True)
