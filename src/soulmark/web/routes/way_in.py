"""The home page's "I have a link": whatever link a person was given, pasted in one field.

A world's join link goes to its page; a private link (wrist, share, organizer, invitation,
confirmation, sign-in) opens as its own page's form would open it (routes.links).  A bare
token says its kind by its prefix (``w_``, ``s_``, ``o_``).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark.core.errors import NotFound
from soulmark.core.links import read_link, world_url
from soulmark.web.deps import CsrfDep, NowDep, StoreDep
from soulmark.web.opening import open_link

router = APIRouter()

_WORLD = re.compile(r"(?:^|/)w/([a-z0-9][a-z0-9-]*)/?(?:[?#].*)?$")
_PREFIXES = {"w_": "wrist", "s_": "share", "o_": "organizer"}


@router.post("/open", include_in_schema=False, dependencies=[CsrfDep])
def open_any(
    request: Request, link: Annotated[str, Form()], store: StoreDep, now: NowDep
) -> Response:
    text = link.strip()
    world = _WORLD.search(text)
    if world:
        return RedirectResponse(world_url(world.group(1)), status_code=303)
    kind, token = read_link(text)
    kind = kind or _PREFIXES.get(token[:2])
    if kind is None:
        raise NotFound("this link does not work", code="link-unknown")
    return open_link(request, store, kind, text, now)
