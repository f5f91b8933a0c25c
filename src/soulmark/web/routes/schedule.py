"""The organizer plans the seal (issue 9): a moment the notices worker draws fate at, or none."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services.schedule import plan_seal
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.schemas import AS_IS, ScheduleOut

router = APIRouter()


class SealAtBody(BaseModel):
    seal_at: str | None = None
    """A date and time in the world's zone (an offset, if given, wins); null clears it."""


@router.post("/organizer/{token}/seal-at", include_in_schema=False, dependencies=[CsrfDep])
def seal_at_form(
    token: str,
    store: StoreDep,
    now: NowDep,
    seal_at: Annotated[str, Form()] = "",
    clear: Annotated[str, Form()] = "",
) -> Response:
    plan_seal(store, token=token, seal_at=None if clear else seal_at or None, at=now)
    return RedirectResponse(organizer_url(token, at="schedule"), status_code=303)


@router.post("/api/organizer/seal-at", tags=["organizer"], response_model=ScheduleOut, **AS_IS)
def seal_at_api(body: SealAtBody, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Plan when the open round is sealed on its own (the notices worker seals it then,
    as the seal button would), or clear the plan with ``seal_at: null``."""
    return plan_seal(store, token=token, seal_at=body.seal_at, at=now).to_json()
