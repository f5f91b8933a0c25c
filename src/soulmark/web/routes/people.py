"""The organizer's roster (issue 20 item 4): names and roster ids of the people no draw has
taken yet, and removing one before the draw.  Never a pair, never a transcript's id (B2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services import moderation
from soulmark.services.invites import Invited
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.lang import speech_of
from soulmark.web.schemas import AS_IS, InvitedOut, RemovedOut, RosterOut
from soulmark.web.settings import Settings

router = APIRouter()


class RemoveBody(BaseModel):
    reason: str | None = None
    """One line the removed person is mailed (if they joined); optional."""


@router.get("/api/organizer/people", tags=["organizer"], response_model=RosterOut, **AS_IS)
def people_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """The names of the people no draw has taken yet, by name, each with a roster id of its
    own (never a transcript's opaque id) and what they did: invited, unconfirmed, joined."""
    return moderation.roster(store, token=token, at=now).to_json()


@router.delete(
    "/api/organizer/people/{person}", tags=["organizer"], response_model=RemovedOut, **AS_IS
)
def remove_api(
    person: str, token: TokenDep, store: StoreDep, now: NowDep, body: RemoveBody | None = None
) -> dict[str, Any]:
    """Remove one person before the draw (a fake or offensive name): they leave the draw and
    nothing about them is kept; with a ``reason`` they are mailed it, if they joined."""
    reason = body.reason if body is not None else None
    return moderation.remove_person(
        store, token=token, person=person, at=now, reason=reason
    ).to_json()


@router.post(
    "/api/organizer/people/{person}/resend", tags=["organizer"], response_model=InvitedOut, **AS_IS
)
def resend_api(
    request: Request,
    person: str,
    token: TokenDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> dict[str, Any]:
    """Mail one invitee who has not joined a fresh link; the one before stops working."""
    return _resend(request, settings, store, token, person, now).to_json()


def _resend(
    request: Request, settings: Settings, store: Any, token: str, person: str, now: int
) -> Invited:
    return moderation.resend_invitation(
        store,
        token=token,
        person=person,
        at=now,
        base_url=settings.base_url,
        lang=speech_of(request).code,
        quotas=settings.invite_quotas,
    )


@router.post(
    "/organizer/{token}/people/{person}/resend", include_in_schema=False, dependencies=[CsrfDep]
)
def resend_form(
    request: Request, token: str, person: str, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    done = _resend(request, settings, store, token, person, now)
    counts = {"invited": done.sent, "skipped": done.skipped}
    url = organizer_url(token, query=counts, at="invitations")
    return RedirectResponse(url, status_code=303)


@router.post(
    "/organizer/{token}/people/{person}/remove", include_in_schema=False, dependencies=[CsrfDep]
)
def remove_form(
    token: str,
    person: str,
    store: StoreDep,
    now: NowDep,
    reason: Annotated[str, Form()] = "",
) -> Response:
    done = moderation.remove_person(store, token=token, person=person, at=now, reason=reason)
    told = int(done.told)
    return RedirectResponse(
        organizer_url(token, query={"removed": 1, "told": told}, at="counts"), status_code=303
    )
