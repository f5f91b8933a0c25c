"""The organizer's own address (issue 17: not a spam relay): asked for, then confirmed.

A world opened from the web mails nobody but its organizer until the organizer opens the
link mailed to their address.  Opening it only asks (mail scanners prefetch links); its
button confirms.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from soulmark.core.links import organizer_url
from soulmark.services import senders
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.flash import read_flash, redirect_flashed
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, SenderAskedOut, SenderOut

router = APIRouter()


class AskBody(BaseModel):
    email: str
    """Your own address: the link that lets your world send invitations goes there."""


class ConfirmBody(BaseModel):
    code: str


@router.post("/organizer/{token}/sender", include_in_schema=False, dependencies=[CsrfDep])
def ask_form(
    token: str,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form()] = "",
) -> Response:
    senders.ask(store, organizer_token=token, email=email, at=now, base_url=settings.base_url)
    return RedirectResponse(
        organizer_url(token, query={"asked": 1}, at="invitations"), status_code=303
    )


@router.post("/api/organizer/sender", tags=["organizer"], response_model=SenderAskedOut, **AS_IS)
def ask_api(
    body: AskBody, token: TokenDep, store: StoreDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Mail a link that confirms your own address; until it is opened, no invitation leaves."""
    to = senders.ask(
        store, organizer_token=token, email=body.email, at=now, base_url=settings.base_url
    )
    return {"mailed_to": to}


@router.post("/sender", include_in_schema=False, dependencies=[CsrfDep])
def confirm_form(request: Request, store: StoreDep, code: Annotated[str, Form()]) -> Response:
    # The mailed link is /sender/#code (soulmark.core.links): its page posts the code here.
    done = senders.confirm(store, code=code)
    # Post/redirect/get (issue 19 item 4): a reload shows the answer and posts nothing.
    return redirect_flashed(
        request, "/sender/done", where="sender", kind="done", value=done.world_name
    )


@router.get("/sender/done", include_in_schema=False)
def confirmed_page(request: Request) -> Response:
    """The address confirmed, for as long as its flash lasts (a reload shows it again)."""
    name = read_flash(request, where="sender", kind="done")
    if name is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "sender.html", {"sender": {"confirmed": True, "world_name": name}})


@router.post("/api/sender", tags=["organizer"], response_model=SenderOut, **AS_IS)
def confirm_api(body: ConfirmBody, store: StoreDep) -> dict[str, Any]:
    """Confirm the organizer's address with the code mailed to it: invitations may leave."""
    return senders.confirm(store, code=body.code).to_json()
