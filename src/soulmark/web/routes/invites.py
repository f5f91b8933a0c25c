"""Invitations (issue 9): the organizer sends a list, each invitee claims their own link.

The organizer's answers hold counts only: no key to any wrist reaches them.  Opening a mailed
invitation only asks (mail scanners prefetch links); pressing its button claims it, and the
private link it returns becomes this browser's session, as signing in does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.core.links import organizer_url
from soulmark.services import invite_preview, invites
from soulmark.services import organizer as org
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.lang import speech_of
from soulmark.web.opening import ask_claim, open_session
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, InvitedOut, InvitePreviewOut, SignedInOut
from soulmark.web.settings import Settings

router = APIRouter()

MAX_CSV_BYTES = 1_000_000


class InviteeIn(BaseModel):
    email: str
    name: str | None = None
    """As it will be written on a wrist; the invitee may change it when claiming."""
    group: str | None = None
    """People in one group are never paired with each other."""


class InviteBody(BaseModel):
    invitations: list[InviteeIn] | None = None
    csv: str | None = None
    """A CSV file's text instead: a header naming ``email`` (``name``, ``group`` optional),
    in any case, separated by commas, semicolons or tabs."""
    inviter: str | None = None
    """The organizer's name as the mails say it ("Ms Sato invites you to ...")."""


class ClaimBody(BaseModel):
    code: str
    name: str = ""
    """The name to write on your soulmate's wrist (default: the one you were invited with)."""


def _send(
    request: Request,
    settings: Settings,
    store: Any,
    token: str,
    now: int,
    found: list[Any],
    inviter: str | None = None,
) -> invites.Invited:
    world = org.organizer_world(store, token=token)
    lang = speech_of(request).code
    return invites.invite(
        store,
        world=world,
        invitees=found,
        at=now,
        base_url=settings.base_url,
        lang=lang,
        quotas=settings.invite_quotas,
        inviter=inviter,
    )


async def _csv_text(csv: UploadFile | None, csv_text: str) -> str:
    """The list's text: the file chosen, or the text a preview page carries on."""
    if csv is None or not csv.filename:
        if not csv_text.strip():
            raise InvalidInput("choose a CSV file", code="invitations-missing")
        raw = csv_text.encode("utf-8")
    else:
        raw = await csv.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput("the CSV is larger than 1 MB; split it")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8 text") from None


@router.post("/organizer/{token}/invitations", include_in_schema=False, dependencies=[CsrfDep])
async def invite_form(
    request: Request,
    token: str,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    csv: UploadFile | None = None,
    csv_text: Annotated[str, Form()] = "",
    inviter: Annotated[str, Form()] = "",
) -> Response:
    found = invites.read_invitees(await _csv_text(csv, csv_text))
    # In a thread, as a plain route runs: a long list must not stop this loop serving others.
    done = await run_in_threadpool(_send, request, settings, store, token, now, found, inviter)
    counts = {"invited": done.sent, "skipped": done.skipped, "suppressed": done.suppressed}
    url = organizer_url(token, query={**counts, "twice": done.duplicates}, at="invitations")
    return RedirectResponse(url, status_code=303)


def _preview(
    request: Request, store: Any, token: str, now: int, found: list[Any], inviter: str | None
) -> invite_preview.InvitePreview:
    world = org.organizer_world(store, token=token)
    lang = speech_of(request).code
    return invite_preview.preview_invitations(
        store, world=world, invitees=found, at=now, lang=lang, inviter=inviter
    )


@router.post(
    "/organizer/{token}/invitations/preview", include_in_schema=False, dependencies=[CsrfDep]
)
async def preview_form(
    request: Request,
    token: str,
    store: StoreDep,
    now: NowDep,
    csv: UploadFile | None = None,
    csv_text: Annotated[str, Form()] = "",
    inviter: Annotated[str, Form()] = "",
) -> Response:
    text = await _csv_text(csv, csv_text)
    found = invites.read_invitees(text)
    seen = await run_in_threadpool(_preview, request, store, token, now, found, inviter)
    ctx = {"token": token, "preview": seen.to_json(), "csv_text": text, "inviter": inviter}
    return render(request, "invite_preview.html", ctx)


@router.post(
    "/api/organizer/invitations/preview",
    tags=["organizer"],
    response_model=InvitePreviewOut,
    **AS_IS,
)
def preview_api(
    request: Request, body: InviteBody, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """What sending this list would do, with nothing sent: counts (rows, distinct addresses,
    rows listed twice, skipped, mails to leave), the first rows as read, the mails' subject."""
    return _preview(request, store, token, now, _found(body), body.inviter).to_json()


def _found(body: InviteBody) -> list[Any]:
    if (body.csv is None) == (body.invitations is None):
        raise InvalidInput(
            "send either csv (a CSV file's text) or invitations (a list)",
            code="invitations-neither",
        )
    if body.csv is not None:
        return invites.read_invitees(body.csv)
    return invites.invitees_from(i.model_dump() for i in body.invitations or [])


@router.post("/api/organizer/invitations", tags=["organizer"], response_model=InvitedOut, **AS_IS)
def invite_api(
    request: Request,
    body: InviteBody,
    token: TokenDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> dict[str, Any]:
    """Mail each address a one-time link to join (valid 7 days, used once), greeting each by
    the list's name and saying who invites (``inviter``).  Counts only: no key to any wrist
    is ever returned.  A bad row refuses the whole list."""
    found = _found(body)
    return _send(request, settings, store, token, now, found, body.inviter).to_json()


@router.get("/invite/{code}", include_in_schema=False)
def invite_page(request: Request, code: str, store: StoreDep, now: NowDep) -> Response:
    # A GET only asks: mail scanners follow links, and must not use the invitation up.
    return ask_claim(request, store, code, now)


# The page's form names the code in its body (``POST /invite``): no log holds a body.  The
# path-shaped twin serves pages rendered before links moved after "#".
@router.post("/invite", include_in_schema=False, dependencies=[CsrfDep])
def claim_form(
    request: Request,
    store: StoreDep,
    now: NowDep,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
) -> Response:
    return claim_old_form(request, code, store, now, name)


@router.post("/invite/{code}", include_in_schema=False, dependencies=[CsrfDep])
def claim_old_form(
    request: Request, code: str, store: StoreDep, now: NowDep, name: Annotated[str, Form()] = ""
) -> Response:
    lang = speech_of(request).code
    done = invites.claim(store, code=code, name=name, at=now, lang=lang)
    # The new token becomes this browser's session at once: it never travels in an address.
    return open_session(request, store, "wrist", done.token, welcome=True)


@router.post("/api/invite", tags=["wrist"], response_model=SignedInOut, **AS_IS)
def claim_api(request: Request, body: ClaimBody, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Claim a mailed invitation (once, within 7 days): you join, and the answer holds your
    wrist's private token."""
    lang = speech_of(request).code
    return invites.claim(store, code=body.code, name=body.name, at=now, lang=lang).to_json()
