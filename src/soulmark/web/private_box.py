"""The wrist page's private link box and its list of signed-in devices (issue 19 item 3).

The private link is written into the page only when it is asked for: right after a join, a
claim or a sign-in (``?welcome=1``, which the page's script then drops from the address), or
when its bearer presses "Show my private link" (``?show=link``).  Otherwise the page holds a
button, not the link: a screenshot of a wrist, or a screen shared in class, shows no key.
A device kept signed in holds its own secret, not the link, so it has no link to show; it
offers a sign-in mail instead (docs/participants.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from soulmark.services.device_sessions import Device, is_device
from soulmark.web.opening import private

__all__ = ["private_box"]


def private_box(request: Request, token: str, signed_in: list[Device]) -> dict[str, Any]:
    """What _private_link.html and _sessions.html need (``signed_in``: the wrist's devices)."""
    welcome = request.query_params.get("welcome") == "1"
    asked = request.query_params.get("show") == "link"
    device = is_device(token)
    shown = (welcome or asked) and not device
    return {
        "welcome": welcome,
        "mailed": request.query_params.get("mailed") == "1",
        "private_link": private(request, "wrist", token) if shown else None,
        "on_device": device,
        "signed_in": signed_in,
    }
