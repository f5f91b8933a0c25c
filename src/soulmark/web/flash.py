"""One-time flashes (issue 19 item 4): what a form's answer shows once, after its redirect.

A form that makes a secret (a share link, a replaced private link) answers with a redirect,
so a reload repeats nothing (post/redirect/get).  The secret travels to the page it lands on
in a short-lived, signed, HttpOnly cookie that the next GET of that page reads and clears:
never in an address, so no history, log or Referer holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark.web.deps import get_settings

__all__ = [
    "FLASH_COOKIE",
    "FLASH_TTL_S",
    "clear_flash",
    "read_flash",
    "redirect_flashed",
    "set_flash",
]

FLASH_COOKIE = "sm_flash"
FLASH_TTL_S = 120
"""Long enough for a slow phone to follow the redirect; a flash is read by the next GET."""


def _name(request: Request) -> str:
    return f"{'__Host-' if get_settings(request).cookies_secure else ''}{FLASH_COOKIE}"


def _mac(request: Request, body: str) -> str:
    key = get_settings(request).secret
    return hmac.new(key, b"flash:" + body.encode(), hashlib.sha256).hexdigest()


def set_flash(request: Request, response: Response, *, where: str, kind: str, value: str) -> None:
    """Have the next GET of the page named ``where`` show ``value`` as its ``kind``, once."""
    doc = {"w": where, "k": kind, "v": value, "e": int(time.time()) + FLASH_TTL_S}
    body = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode()
    response.set_cookie(
        _name(request),
        f"{body}.{_mac(request, body)}",
        max_age=FLASH_TTL_S,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings(request).cookies_secure,
    )


def read_flash(request: Request, *, where: str, kind: str) -> str | None:
    """The flash meant for this page (``where``) and ``kind``, if one came, signed and fresh."""
    body, _, mac = request.cookies.get(_name(request), "").partition(".")
    if not body or not hmac.compare_digest(mac.encode(), _mac(request, body).encode()):
        return None
    try:
        doc = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    fresh = isinstance(doc, dict) and int(doc.get("e", 0)) >= time.time()
    if not fresh or doc.get("w") != where or doc.get("k") != kind:
        return None
    value = doc.get("v")
    return value if isinstance(value, str) else None


def clear_flash(request: Request, response: Response) -> None:
    """Forget the flash: a reload of the page it was shown on shows it no more."""
    if _name(request) in request.cookies:
        secure = get_settings(request).cookies_secure
        response.delete_cookie(_name(request), path="/", httponly=True, secure=secure)


def redirect_flashed(
    request: Request, target: str, *, where: str, kind: str, value: str
) -> Response:
    """On to ``target`` (post/redirect/get), which shows ``value`` from its flash."""
    response = RedirectResponse(target, status_code=303)
    set_flash(request, response, where=where, kind=kind, value=value)
    return response
