"""Links of the new shape (issue 22 item 12): ``/<kind>/#<token>``.

``GET /<kind>/`` is the same page for every link, since the server never sees the token;
its script posts the fragment to ``/open/<kind>`` at once (soulmark.js), and without a
script a person pastes the link into the same form.  A session link (wrist, share,
organizer) then becomes a cookie, as an old link does; a link that uses something up
(confirmation, sign-in, invitation) shows its page, whose button posts the token in a body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from soulmark.core.links import KINDS, read_link
from soulmark.web.cards import share_card
from soulmark.web.deps import NowDep, SettingsDep, StoreDep, check_csrf
from soulmark.web.opening import open_link
from soulmark.web.render import render
from soulmark.web.wrist_page import friend_page

router = APIRouter()


def _landing(kind: str) -> Callable[[Request], Response]:
    def landing(request: Request) -> Response:
        # A share link's token stays after "#": a chat app's crawler sees this page (item 8).
        shown = share_card(request) if kind == "share" else None
        return render(request, "open.html", {"kind": kind, "card": shown})

    return landing


for _kind in KINDS:
    router.add_api_route(f"/{_kind}/", _landing(_kind), methods=["GET"], include_in_schema=False)


@router.post("/open/{kind}", include_in_schema=False)
def open_form(
    request: Request,
    kind: str,
    link: Annotated[str, Form()],
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    pasted, token = read_link(link)
    if (pasted or kind) == "share" and not request.cookies:
        # A browser that keeps no cookies (nor a CSRF one) still sees the friend's page: it is
        # only shown, with no session made, so a POST from another site changes nothing
        # (issue 19 item 6).
        return friend_page(request, store, token, now, card=share_card(request))
    check_csrf(request, settings, csrf)
    return open_link(request, store, kind, link, now)
