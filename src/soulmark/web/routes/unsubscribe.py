"""One-click unsubscribe (RFC 8058): the link every notice and invitation carries.

``POST /unsubscribe/<key>`` with ``List-Unsubscribe=One-Click`` is what a mail provider
sends for its user, with no login and no cookie, so it takes no CSRF token: the key is the
only authority and it only unsubscribes.  ``GET`` shows the page with the same button and
changes nothing (mail scanners follow links).  The key rides in the path, not after ``#``,
because the provider POSTs to the very address in the header.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.services import unsubscribe
from soulmark.web.deps import NowDep, StoreDep
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, UnsubscribeOut

router = APIRouter()

ONE_CLICK = "One-Click"
OneClick = Annotated[str, Form(alias="List-Unsubscribe")]


def _page(request: Request, key: str, stop: unsubscribe.Unsubscribe) -> Response:
    return render(request, "unsubscribe.html", {"stop": stop.to_json(), "key": key})


@router.get("/unsubscribe/{key}", include_in_schema=False)
def unsubscribe_page(request: Request, key: str, store: StoreDep) -> Response:
    return _page(request, key, unsubscribe.unsubscribe_page(store, key=key))


@router.post("/unsubscribe/{key}", include_in_schema=False)
def unsubscribe_form(
    request: Request, key: str, store: StoreDep, now: NowDep, one_click: OneClick = ""
) -> Response:
    if one_click != ONE_CLICK:
        raise InvalidInput(
            "an unsubscribe is posted with List-Unsubscribe=One-Click (RFC 8058)",
            code="unsubscribe-body",
        )
    return _page(request, key, unsubscribe.stop(store, key=key, at=now))


@router.get("/api/unsubscribe/{key}", tags=["mail"], response_model=UnsubscribeOut, **AS_IS)
def unsubscribe_read(key: str, store: StoreDep) -> dict[str, Any]:
    """What the link's key would stop, and whether it has; reading changes nothing."""
    return unsubscribe.unsubscribe_page(store, key=key).to_json()


@router.post("/api/unsubscribe/{key}", tags=["mail"], response_model=UnsubscribeOut, **AS_IS)
def unsubscribe_api(key: str, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Unsubscribe with the key of a mailed link: a notice's key stops that person's notices
    in its world, an invitation's stops invitations to that address from this site."""
    return unsubscribe.stop(store, key=key, at=now).to_json()
