"""A person's data and its end on the web: export, leave, and the organizer's retention date."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.core.links import organizer_url, wrist_url
from soulmark.core.times import parse_iso
from soulmark.services import lifecycle
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.opening import open_session, opened
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, ExportOut, LeaveOutcomeOut, LeftOut, RetentionOut
from soulmark.web.session import cookie_name, handles_of

router = APIRouter()


class LeaveBody(BaseModel):
    confirm: bool = False
    """Must be true: leaving cannot be undone."""


class RetentionBody(BaseModel):
    until: str
    """ISO 8601 moment after which names, addresses and tokens are erased."""


def _moment(text: str) -> int:
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


@router.get("/wrist/{token}/export", include_in_schema=False)
def export_download(token: str, store: StoreDep, now: NowDep) -> Response:
    data = lifecycle.export_person(store, token=token, at=now)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    disposition = 'attachment; filename="my-soulmark-data.json"'
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": disposition}
    )


@router.get("/wrist/{token}/leave", include_in_schema=False)
def leave_ask(request: Request, token: str, store: StoreDep, now: NowDep) -> Response:
    """Leaving cannot be undone: first say what it will do now, with a way back."""
    outcome = lifecycle.leave_outcome(store, token=token, at=now)
    return render(request, "leave.html", {"outcome": outcome, "token": token})


@router.post("/wrist/{token}/leave", include_in_schema=False, dependencies=[CsrfDep])
def leave_form(
    request: Request,
    token: str,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if confirm != "yes":  # a form from before the confirmation page: ask first
        return RedirectResponse(wrist_url(token, "/leave"), status_code=303)
    result = lifecycle.leave(store, token=token, at=now)
    response = render(request, "left.html", {"result": result})
    for handle in handles_of(token):
        name = cookie_name("wrist", handle, settings.cookies_secure)
        response.delete_cookie(name, path="/", secure=settings.cookies_secure, httponly=True)
    return response


@router.get("/api/wrist/export", tags=["wrist"], response_model=ExportOut, **AS_IS)
def export_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Everything soulmark holds about you (wrist token), as your wrist allows it now."""
    return lifecycle.export_person(store, token=token, at=now)


@router.post("/api/wrist/leave", tags=["wrist"], response_model=LeftOut, **AS_IS)
def leave_api(
    token: TokenDep, store: StoreDep, now: NowDep, body: LeaveBody | None = None
) -> dict[str, Any]:
    """Leave the world; it cannot be undone, so the body must say ``{"confirm": true}``.
    Before the draw is fixed you are removed; after, your name stays on your soulmate's
    wrist (or in the fixed draw), your address is erased and contact is never shared.
    Your token stops working.  ``GET /api/wrist/leave`` says which, before you confirm."""
    if body is None or body.confirm is not True:
        raise InvalidInput(
            'leaving cannot be undone: send {"confirm": true} to leave', code="leave-unconfirmed"
        )
    return lifecycle.leave(store, token=token, at=now)


@router.get("/api/wrist/leave", tags=["wrist"], response_model=LeaveOutcomeOut, **AS_IS)
def leave_outcome_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """What leaving would do now: ``removed``, ``in_draw`` (the draw is fixed, you stay in
    it) or ``drawn`` (your name stays on your soulmate's wrist)."""
    return {"outcome": lifecycle.leave_outcome(store, token=token, at=now)}


@router.post("/organizer/{token}/retention", include_in_schema=False, dependencies=[CsrfDep])
def retention_form(
    request: Request, token: str, until: Annotated[str, Form()], store: StoreDep, now: NowDep
) -> Response:
    lifecycle.set_retention(store, organizer_token=token, until=_moment(until), at=now)
    # Post/redirect/get (issue 19 item 4): a reload shows the date, and sets nothing again.
    return RedirectResponse(organizer_url(token, "/retention"), status_code=303)


@router.get("/organizer/{token}/retention", include_in_schema=False)
def retention_page(request: Request, token: str, store: StoreDep) -> Response:
    """The erasure date the organizer set; none set yet: the dashboard, where it is set."""
    if not opened(request):
        return open_session(request, store, "organizer", token)
    result = lifecycle.retention_of(store, organizer_token=token)
    if result["retain_until"] is None:
        return RedirectResponse(organizer_url(token), status_code=303)
    return render(request, "retention.html", {"result": result, "token": token})


@router.post("/api/organizer/retention", tags=["organizer"], response_model=RetentionOut, **AS_IS)
def retention_api(
    body: RetentionBody, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """Set when this world's personal data is erased; the transcripts of opaque ids remain."""
    return lifecycle.set_retention(store, organizer_token=token, until=_moment(body.until), at=now)
