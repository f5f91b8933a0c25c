"""Your never-with list (R3) on the wrist page and in the API: private, until the seal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import wrist_url
from soulmark.services import exclusions
from soulmark.store import Store
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep

router = APIRouter()


class ExclusionBody(BaseModel):
    email: str
    """The address the person joined with (an address not in the world is kept silently)."""


class ExclusionsOut(BaseModel):
    addresses: list[str]
    """The addresses you named, known only to you; empty once frozen."""
    limit: int
    frozen: bool
    """Your round is sealed (or its roster closed for a beacon): no changes, nothing shown."""
    unhonoured: int
    """After the seal: how many of your entries its draw could not honour (0 before it)."""


def _out(shown: exclusions.Exclusions) -> ExclusionsOut:
    return ExclusionsOut(**shown.to_json())


@router.get("/api/wrist/exclusions", tags=["wrist"])
def exclusions_api(token: TokenDep, store: StoreDep, now: NowDep) -> ExclusionsOut:
    """Your never-with list (wrist token).  Nobody else can read it, the organizer included."""
    return _out(exclusions.list_exclusions(store, token=token, at=now))


@router.post("/api/wrist/exclusions", tags=["wrist"])
def exclude_api(
    body: ExclusionBody, token: TokenDep, store: StoreDep, now: NowDep
) -> ExclusionsOut:
    """Never be paired with whoever joined with ``email`` (up to 3, before the seal).

    The person is never told; the answer is the same whether or not the address is in the world.
    """
    return _out(exclusions.add_exclusion(store, token=token, email=body.email, at=now))


@router.post("/api/wrist/exclusions/remove", tags=["wrist"])
def unexclude_api(
    body: ExclusionBody, token: TokenDep, store: StoreDep, now: NowDep
) -> ExclusionsOut:
    """Take ``email`` off your never-with list (before the seal)."""
    return _out(exclusions.remove_exclusion(store, token=token, email=body.email, at=now))


@router.post("/wrist/{token}/exclusions", include_in_schema=False, dependencies=[CsrfDep])
def exclude_form(
    token: str, email: Annotated[str, Form()], store: StoreDep, now: NowDep
) -> Response:
    return _changed(exclusions.add_exclusion, token, email, store, now)


@router.post("/wrist/{token}/exclusions/remove", include_in_schema=False, dependencies=[CsrfDep])
def unexclude_form(
    token: str, email: Annotated[str, Form()], store: StoreDep, now: NowDep
) -> Response:
    return _changed(exclusions.remove_exclusion, token, email, store, now)


def _changed(
    change: Callable[..., object], token: str, email: str, store: Store, now: int
) -> Response:
    """A form's change to the list, then back to the list on the wrist page."""
    change(store, token=token, email=email, at=now)
    return RedirectResponse(wrist_url(token, at="never-with"), status_code=303)
