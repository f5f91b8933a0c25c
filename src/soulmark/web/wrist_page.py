"""What the wrist page and its JSON twin show, shared by the wrist and share routers."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from starlette.responses import Response

from soulmark.core.links import transcript_url
from soulmark.core.times import parse_iso
from soulmark.services import shares as sharing
from soulmark.services.shares import LABEL_MAX
from soulmark.services.wrist_page import read_wrist_page
from soulmark.services.wrist_view import SharedView, WristSnapshot, WristView
from soulmark.store import Store
from soulmark.web.drawing import STROKE_PATHS, name_class, name_script, stroke_fill
from soulmark.web.lang import Speech, assume_zone, speech_of
from soulmark.web.private_box import private_box
from soulmark.web.render import render
from soulmark.web.words import UNCONFIRMED

__all__ = [
    "UNCONFIRMED",
    "drawing",
    "friend_json",
    "friend_page",
    "spoken",
    "wrist_json",
    "wrist_page",
]


def drawing(view: Any) -> dict[str, Any]:
    """What the SVG needs from a wrist or shared view (no name unless it is in the view)."""
    name = getattr(view, "name", None)
    fills = stroke_fill(view.progress, view.state)
    return {
        "strokes": list(zip(STROKE_PATHS, fills, strict=True)),
        "name_script": name_script(name) if name else "",
        "name_class": name_class(name) if name else "",
    }


def spoken(out: dict[str, Any], speech: Speech) -> dict[str, Any]:
    """The view's moments as the viewer reads them (``legible_at_text``), for the live page."""
    for key in ("legible_at", "looked_at", "at"):
        if isinstance(out.get(key), str):
            out[f"{key}_text"] = speech.moment(parse_iso(out[key]))
    return out


def wrist_json(view: WristView, speech: Speech) -> dict[str, Any]:
    """A bearer's view as the JSON twin answers it: their words, their times."""
    out = spoken({**view.to_json(), "confirmed": view.confirmed}, speech)
    out["message"] = view.said(speech.gettext)
    if view.sealed or view.round > 1:
        out["transcript"] = transcript_url(view.world)
    return out


def friend_json(view: SharedView, speech: Speech) -> dict[str, Any]:
    """A friend's view as the share link's JSON twin answers it: their words, their times."""
    return {**spoken(view.to_json(), speech), "message": view.said(speech.gettext)}


def _offer(snap: WristSnapshot, view: WristView) -> str:
    """The reach-out form's default, shown only while the form is."""
    return snap.offer if view.state == "revealed" and not view.reached_out else ""


def wrist_page(
    request: Request, store: Store, token: str, now: int, status: int = 200, **extra: Any
) -> Response:
    # Web Push (docs/push.md): the key to subscribe with; a site that pushes nothing reads
    # no devices for its wrist pages.
    key = getattr(request.app.state, "push_key", None)
    page = read_wrist_page(store, token=token, at=now, with_devices=key is not None)
    snap = page.snapshot
    view = snap.view(now)
    assume_zone(request, snap.zone)
    ctx = {
        "view": view,
        "token": token,
        "confirmed": view.confirmed,
        "unconfirmed_note": UNCONFIRMED,
        "message": view.said(speech_of(request).gettext),
        "shares": page.shares,
        "never_with": page.never_with,
        "outcome": page.outcome,
        "contact_offer": _offer(snap, view),
        # Whether the name form is offered; the name itself is on its own page, so a wrist
        # page only ever holds the partner's name (R6).
        "own_editable": not view.sealed,
        # One per render: a second press of the same form makes nothing twice (item 4).
        "share_once": secrets.token_urlsafe(16),
        "replace_once": secrets.token_urlsafe(16),
        "share_label_max": LABEL_MAX,
        "report": page.report if view.state == "revealed" else None,
        "push_key": key,
        "devices": page.devices,
        **private_box(request, token, page.signed_in),
        **drawing(view),
        **extra,
    }
    return render(request, "wrist.html", ctx, status=status)


def friend_page(
    request: Request, store: Store, token: str, now: int, card: dict[str, str] | None = None
) -> Response:
    """The friend's page of the share link ``token``: the live wrist and the bearer's label."""
    shared = sharing.shared_snapshot(store, token=token, at=now)
    view = shared.view(now)
    assume_zone(request, shared.wrist.zone)
    message = view.said(speech_of(request).gettext)
    ctx = {"view": view, "token": token, "message": message, "label": shared.label, "card": card}
    return render(request, "share.html", ctx | drawing(view))
